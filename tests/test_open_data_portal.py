"""The national open-data portal as a source, against a local server answering like CKAN's
package_search: datasets per institution per month, evidence links checked, 403 explained."""

from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pytest
from werkzeug import Request, Response

from ingestion.ckan_client import fetch_datasets
from ingestion.http import SourceError
from orchestration import runner
from orchestration.settings import Settings

DATASETS = [
    {
        "id": f"id-{i}",
        "name": name,
        "title": name.replace("-", " "),
        "metadata_created": created,
        "metadata_modified": created,
        "organization": {"name": org, "title": title},
        "resources": [{"url": f"https://www.datosabiertos.gob.ec/dataset/{name}/resource/r{i}.csv"}],
    }
    for i, (name, created, org, title) in enumerate(
        [
            ("demo-ec0016-h1", "2023-05-10T12:00:00.000000", "defensoria", "Defensoría del Pueblo"),
            ("transparencia-activa-2023", "2023-05-21T09:30:00.000000", "defensoria", "Defensoría del Pueblo"),
            ("desembarques-pesqueros", "2023-06-02T16:00:00.000000", "vap", "Viceministerio de Acuacultura y Pesca"),
        ]
    )
]


ORGANIZATIONS = [
    {
        "id": "o1",
        "name": "defensoria",
        "title": "Defensoría del Pueblo",
        "package_count": 2,
        "created": "2015-01-01T00:00:00",
    },
    {
        "id": "o2",
        "name": "vap",
        "title": "Viceministerio de Acuacultura y Pesca",
        "package_count": 1,
        "created": "2016-01-01T00:00:00",
    },
    {"id": "o3", "name": "mintel", "title": "MINTEL", "package_count": 0, "created": "2016-02-01T00:00:00"},
]
# Created after the harvest: only package_show knows it.
NOT_HARVESTED = {"id": "id-new", "name": "demo-ec0017-h1", "organization": {"name": "mintel"}}


def ckan_package_search(server):
    """A CKAN action API: package_search (rows/start), organization_list (limit/offset), package_show."""

    def search(request: Request) -> Response:
        rows, start = int(request.args.get("rows", 10)), int(request.args.get("start", 0))
        body = {"success": True, "result": {"count": len(DATASETS), "results": DATASETS[start : start + rows]}}
        return Response(json.dumps(body), content_type="application/json")

    def organizations(request: Request) -> Response:
        limit, offset = int(request.args.get("limit", 25)), int(request.args.get("offset", 0))
        return Response(
            json.dumps({"success": True, "result": ORGANIZATIONS[offset : offset + limit]}),
            content_type="application/json",
        )

    def show(request: Request) -> Response:
        if request.args.get("id") == NOT_HARVESTED["name"]:
            return Response(json.dumps({"success": True, "result": NOT_HARVESTED}), content_type="application/json")
        body = {"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}
        return Response(json.dumps(body), status=404, content_type="application/json")

    server.expect_request("/api/3/action/package_search").respond_with_handler(search)
    server.expect_request("/api/3/action/organization_list").respond_with_handler(organizations)
    server.expect_request("/api/3/action/package_show").respond_with_handler(show)
    return server.url_for("/").rstrip("/")


def test_portal_is_read_page_by_page(httpserver, tmp_path):
    fetched = fetch_datasets(ckan_package_search(httpserver), landing_dir=tmp_path, rows=2)
    assert (len(fetched.pages), fetched.records) == (2, 3)


def test_organizations_are_listed_page_by_page(httpserver, tmp_path):
    from ingestion.ckan_client import fetch_organizations

    fetched = fetch_organizations(ckan_package_search(httpserver), landing_dir=tmp_path, limit=2)
    assert (len(fetched.pages), fetched.records) == (2, 3)


def test_package_show_tells_found_from_not_found(httpserver, tmp_path):
    from ingestion.ckan_client import check_datasets

    fetched = check_datasets(ckan_package_search(httpserver), ["demo-ec0017-h1", "borrado"], landing_dir=tmp_path)
    answers = json.loads(fetched.pages[0].path.read_text(encoding="utf-8"))
    assert [(a["dataset_reference"], a["http_status"], a["found"]) for a in answers] == [
        ("demo-ec0017-h1", 200, True),
        ("borrado", 404, False),
    ]


def test_portal_refusing_foreign_requests_says_so(httpserver, tmp_path):
    httpserver.expect_request("/api/3/action/package_search").respond_with_data("Forbidden", status=403)
    with pytest.raises(SourceError, match="outside the region"):
        fetch_datasets(httpserver.url_for("/").rstrip("/"), landing_dir=tmp_path)


@pytest.mark.slow
def test_portal_and_form_apis_feed_the_monthly_run(demo, httpserver, tmp_path, monkeypatch):
    """Through Dagster, one monthly run with the portal and a KoboToolbox form configured: datasets
    become indicators and check evidence links; Kobo's submissions load with the rest and the
    form's cursor moves to the newest one."""
    from tests.test_form_apis import kobo_server

    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    monkeypatch.setenv("OGP_PORTAL_URL", ckan_package_search(httpserver))
    monkeypatch.setenv("KOBO_BASE_URL", kobo_server(httpserver))
    monkeypatch.setenv("KOBO_API_TOKEN", "kobo-token")
    monkeypatch.setenv("KOBO_ASSET_UIDS", "aTestUid")
    assert runner.run_months(date(2023, 11, 1), date(2023, 11, 1), settings=Settings.from_env())
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        monthly = con.execute(
            "select publishing_institution, publication_month, datasets_published, datasets_cumulative "
            "from marts.fct_portal_datasets_monthly order by 1, 2"
        ).fetchall()
        evidence = dict(
            con.execute(
                """select milestone_code, bool_and(evidence_dataset_found) from marts.fct_progress_reports
               where milestone_code in ('EC0016-H1', 'EC0016-H2', 'EC0017-H1') group by 1"""
            ).fetchall()
        )
        organizations = con.execute(
            "select organization_name, public_datasets, portal_package_count from marts.dim_portal_organizations order by 1"
        ).fetchall()
        checked = con.execute("select count(*) from raw.portal_evidence_checks").fetchone()[0]
        kobo = con.execute("select count(*) from raw.progress_reports where source_tool = 'kobotoolbox'").fetchone()[0]
        cursor = con.execute(
            "select high_water_mark from raw.source_cursors where source = 'kobo_aTestUid'"
        ).fetchone()[0]
    assert monthly == [
        ("Defensoría del Pueblo", date(2023, 5, 1), 2, 2),
        ("Viceministerio de Acuacultura y Pesca", date(2023, 6, 1), 1, 1),
    ]
    assert evidence == {"EC0016-H1": True, "EC0016-H2": False, "EC0017-H1": True}
    assert organizations == [("defensoria", 2, 2), ("mintel", 0, 0), ("vap", 1, 1)]
    assert checked > 0  # only references the harvest did not list were asked for
    assert (kobo, cursor) == (3, "2023-12-03T10:00:00")
