"""`dbt docs generate` works on the built warehouse (column descriptions for BI analysts), and the
dbt unit tests of the methodology pass (production builds leave them out)."""

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


def test_dbt_unit_tests_of_the_methodology_pass(demo, tmp_path):
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(demo / "warehouse.duckdb", data / "warehouse.duckdb")  # unit tests read column types from it
    env = {**os.environ, "OGP_DATA_DIR": str(data), "OGP_DBT_TARGET": "duckdb"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "test", "--select", "test_type:unit", "--profiles-dir", ".",
         "--target-path", str(tmp_path / "target")],
        cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert len(results) >= 10 and all(r["status"] == "pass" for r in results)
