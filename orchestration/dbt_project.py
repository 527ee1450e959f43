"""The dbt project as Dagster sees it. Its manifest is prepared once (by `make`/`ogp prepare`, the
Dockerfile, or the first load on a fresh checkout) and re-prepared only when a dbt file changed,
so a code-location load does not parse the dbt project."""

from __future__ import annotations

import subprocess
import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.settings import DBT_PROJECT_DIR

_WATCHED = ("dbt_project.yml", "profiles.yml", "models", "macros", "snapshots", "tests", "seeds")


def dbt_executable() -> str:
    """The dbt installed beside this Python, so it is found without an activated virtualenv,
    through `ogp-dbt` (orchestration/dbt_child.py) so that it dies with the run that started it."""
    for name in ("ogp-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs it pays in the run's process for features this
    platform does not use: `dbt --version` in a subprocess to learn the version (2-3 s per run;
    the dbt beside this Python is the installed dbt-core), and a dbt adapter opened before every
    invocation (~1.6 s each; it serves column metadata and row counts, never fetched here).
    tests/test_definitions.py fails if dagster-dbt renames what is overridden here."""

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent and Path(self.dbt_executable).name in (
            "dbt",
            "ogp-dbt",
        ):
            return Version(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _WATCHED:
        path = project_dir / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.suffix in (".sql", ".yml", ".yaml", ".md", ".csv"):
                    newest = max(newest, file.stat().st_mtime)
    return newest


def manifest_is_current(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(project.project_dir)


def prepare_manifest(project: DbtProject, *, force: bool = False) -> Path:
    if force or not manifest_is_current(project):
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(project.target_path),
            ],
            check=True,
            cwd=project.project_dir,
        )
    return project.manifest_path
