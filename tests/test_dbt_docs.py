"""`dbt docs generate` works on the built warehouse (column descriptions for BI analysts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dbt_docs_generate_works(demo):
    env = {**os.environ, "OGP_DATA_DIR": str(demo), "OGP_DBT_TARGET": "duckdb"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "docs", "generate", "--profiles-dir", ".", "--target-path", "target/docs"],
        cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((ROOT / "dbt_project" / "target" / "docs" / "catalog.json").read_text())
    assert any(key.endswith("fct_commitment_progress_monthly") for key in catalog["nodes"])
