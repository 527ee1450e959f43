"""`dbt docs generate` works on the built warehouse (column descriptions for BI analysts), and the
dbt unit tests of the methodology pass (production builds leave them out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dbt_docs_are_one_static_page_that_works_offline(demo, tmp_path):
    """`make docs`: the static page opens from disk in Chromium with every request to another host
    refused, and shows the project's overview (not dbt's "Welcome!") and the marts."""
    import shutil

    from playwright.sync_api import sync_playwright

    from tests.test_site import CHROMIUM

    data = tmp_path / "data"  # a copy: dbt opens the warehouse for writing, and the demo is shared
    data.mkdir()
    shutil.copyfile(demo / "warehouse.duckdb", data / "warehouse.duckdb")
    env = {**os.environ, "OGP_DATA_DIR": str(data), "OGP_DBT_TARGET": "duckdb"}
    target = tmp_path / "docs"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "docs",
            "generate",
            "--static",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((target / "catalog.json").read_text())
    assert any(key.endswith("fct_commitment_progress_monthly") for key in catalog["nodes"])
    manifest = json.loads((target / "manifest.json").read_text())
    undocumented = []
    for key, node in {**manifest["nodes"], **manifest["sources"]}.items():
        if node["resource_type"] not in ("model", "snapshot", "seed", "source"):
            continue
        if not node.get("description", "").strip():
            undocumented.append(key)
        # Every column the warehouse really has (the catalog), not only those the YAML lists.
        for column in (catalog["nodes"].get(key) or {}).get("columns", {}):
            if not node["columns"].get(column, {}).get("description", "").strip():
                undocumented.append(f"{key}.{column}")
    assert undocumented == []
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(request_route, request):
            # Offline: whatever the page would fetch from another host (fonts) is refused.
            if request.url.startswith(("file:", "data:", "about:", "blob:")):
                return request_route.continue_()
            return request_route.abort()

        page.route("**/*", route)
        page.goto((target / "static_index.html").as_uri())
        page.wait_for_selector("text=The OGP action-plan progress warehouse", timeout=60_000)
        assert "Welcome!" not in page.inner_text("body")
        page.goto(
            (target / "static_index.html").as_uri() + "#!/model/model.ogp_progress.fct_commitment_progress_monthly"
        )
        page.wait_for_selector("text=fct_commitment_progress_monthly", timeout=60_000)
        page.goto((target / "static_index.html").as_uri() + "#!/snapshot/snapshot.ogp_progress.snap_plan_milestones")
        page.wait_for_selector("text=Vigente hasta", timeout=60_000)
        page.goto((target / "static_index.html").as_uri() + "#!/source/source.ogp_progress.forms.progress_reports")
        page.wait_for_selector("text=Informes de avance por hito y mes", timeout=60_000)
        browser.close()
    assert not errors, errors


def test_dbt_unit_tests_of_the_methodology_pass(demo, tmp_path):
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(demo / "warehouse.duckdb", data / "warehouse.duckdb")  # unit tests read column types from it
    env = {**os.environ, "OGP_DATA_DIR": str(data), "OGP_DBT_TARGET": "duckdb"}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert len(results) >= 10 and all(r["status"] == "pass" for r in results)
