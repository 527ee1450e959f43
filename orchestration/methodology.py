"""The methodology's parameters as dbt holds them (dbt_project.yml `vars`), recorded with every
published snapshot so a figure can always be traced to the rules that made it."""

from __future__ import annotations

import yaml

from orchestration.settings import DBT_PROJECT_DIR


def methodology_parameters() -> dict:
    config = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    parameters = dict(config.get("vars", {}))
    parameters["document"] = "docs/methodology.md"
    return parameters
