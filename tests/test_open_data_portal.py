"""The national open-data portal as a source, against a local server answering like CKAN's
package_search: datasets per institution per month, evidence links checked, 403 explained."""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pytest
from werkzeug import Request, Response

from ingestion.http import SourceError
from ingestion.open_data_portal import fetch_datasets

DATASETS = [
    {"id": f"id-{i}", "name": name, "title": name.replace("-", " "), "metadata_created": created,
     "metadata_modified": created, "organization": {"name": org, "title": title},
     "resources": [{"url": f"https://www.datosabiertos.gob.ec/dataset/{name}/resource/r{i}.csv"}]}
    for i, (name, created, org, title) in enumerate([
        ("demo-ec0016-h1", "2023-05-10T12:00:00.000000", "defensoria", "Defensoría del Pueblo"),
        ("transparencia-activa-2023", "2023-05-21T09:30:00.000000", "defensoria", "Defensoría del Pueblo"),
        ("desembarques-pesqueros", "2023-06-02T16:00:00.000000", "vap", "Viceministerio de Acuacultura y Pesca"),
    ])
]


def ckan_package_search(server):
    def handler(request: Request) -> Response:
        rows, start = int(request.args.get("rows", 10)), int(request.args.get("start", 0))
        body = {"success": True, "result": {"count": len(DATASETS), "results": DATASETS[start:start + rows]}}
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/api/3/action/package_search").respond_with_handler(handler)
    return server.url_for("/").rstrip("/")


def test_portal_is_read_page_by_page(httpserver, tmp_path):
    fetched = fetch_datasets(ckan_package_search(httpserver), landing_dir=tmp_path, rows=2)
    assert (len(fetched.pages), fetched.records) == (2, 3)


def test_portal_refusing_foreign_requests_says_so(httpserver, tmp_path):
    httpserver.expect_request("/api/3/action/package_search").respond_with_data("Forbidden", status=403)
    with pytest.raises(SourceError, match="outside the region"):
        fetch_datasets(httpserver.url_for("/").rstrip("/"), landing_dir=tmp_path)


def test_portal_datasets_become_indicators_and_check_evidence(demo, httpserver, tmp_path, monkeypatch):
    from orchestration import cli

    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    monkeypatch.setenv("OGP_PORTAL_URL", ckan_package_search(httpserver))
    assert cli.run_months(date(2023, 11, 1), date(2023, 11, 1), settings=cli.Settings.from_env())
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        monthly = con.execute(
            "select publishing_institution, publication_month, datasets_published, datasets_cumulative "
            "from marts.fct_portal_datasets_monthly order by 1, 2"
        ).fetchall()
        evidence = dict(con.execute(
            """select milestone_code, bool_and(evidence_dataset_found) from marts.fct_progress_reports
               where milestone_code in ('EC0016-H1', 'EC0016-H2') group by 1"""
        ).fetchall())
    assert monthly == [
        ("Defensoría del Pueblo", date(2023, 5, 1), 2, 2),
        ("Viceministerio de Acuacultura y Pesca", date(2023, 6, 1), 1, 1),
    ]
    assert evidence == {"EC0016-H1": True, "EC0016-H2": False}
