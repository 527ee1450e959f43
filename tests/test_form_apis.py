"""KoboToolbox and ODK Central adapters against local servers that page and filter like the real
APIs; the pages they land load as canonical progress reports."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.form_apis import advance_cursor, fetch_kobo, fetch_odk, read_cursor
from ingestion.http import SourceError
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS_SPEC

KOBO_RECORDS = [
    {
        "_id": 101 + i,
        "_uuid": f"uuid-{i}",
        "_submission_time": f"2023-12-0{i + 1}T10:00:00",
        "_validation_status": {"uid": "validation_status_approved", "label": "Approved"} if i != 2 else {},
        "datos/institucion": "Defensoría del Pueblo",
        "datos/codigo_compromiso": "EC0016",
        "avance/codigo_hito": f"EC0016-H{i + 1}",
        "avance/mes_reportado": "2023-11",
        "avance/porcentaje_avance": str(40 + 10 * i),
        "avance/estado": "en_curso" if i else "completado",
    }
    for i in range(3)
]


def kobo_server(server: HTTPServer, token: str = "kobo-token", loop: bool = False):
    def handler(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Token {token}":
            return Response(json.dumps({"detail": "Invalid token."}), status=401, content_type="application/json")
        args = request.args
        start, limit = int(args.get("start", 0)), int(args.get("limit", 100))
        records = KOBO_RECORDS
        if "query" in args:
            since = json.loads(args["query"])["_submission_time"]["$gt"]
            records = [r for r in records if r["_submission_time"] > since]
        page = records[start : start + limit]
        nxt = None
        if loop:
            nxt = request.base_url + "?" + urlencode({"format": "json", "limit": limit, "start": 0})
        elif start + limit < len(records):
            nxt = request.base_url + "?" + urlencode({**{k: v for k, v in args.items()}, "start": start + limit})
        return Response(
            json.dumps({"count": len(records), "next": nxt, "previous": None, "results": page}),
            content_type="application/json",
        )

    server.expect_request("/api/v2/assets/aTestUid/data/").respond_with_handler(handler)
    return server.url_for("/").rstrip("/")


def test_kobo_pages_are_landed_and_load_as_canonical_reports(httpserver, tmp_path, warehouse):
    base = kobo_server(httpserver)
    fetched = fetch_kobo(base, "aTestUid", "kobo-token", since=None, landing_dir=tmp_path / "landing", page_limit=2)
    assert (len(fetched.pages), fetched.records, fetched.high_water_mark) == (2, 3, "2023-12-03T10:00:00")
    for page in fetched.pages:
        PROGRESS_REPORTS_SPEC.load_file(warehouse, page, run_id="r1")
    rows = warehouse.execute(
        "select submission_id, source_tool, milestone_code, reporting_month, percent_complete, review_state, institution "
        "from raw.progress_reports order by submission_id"
    ).fetchall()
    assert rows[0] == (
        "uuid-0",
        "kobotoolbox",
        "EC0016-H1",
        date(2023, 11, 1),
        40.0,
        "approved",
        "Defensoría del Pueblo",
    )
    assert [r[5] for r in rows] == ["approved", "approved", "received"]
    # Incremental: from the high-water mark there is nothing new, and nothing is landed.
    advance_cursor(warehouse, fetched.source, fetched.high_water_mark)
    again = fetch_kobo(
        base, "aTestUid", "kobo-token", since=read_cursor(warehouse, fetched.source), landing_dir=tmp_path / "landing"
    )
    assert again.pages == [] and again.records == 0


def test_kobo_refused_token_and_pagination_loop_are_clear_errors(httpserver, tmp_path):
    base = kobo_server(httpserver, loop=True)
    with pytest.raises(SourceError, match="401"):
        fetch_kobo(base, "aTestUid", "wrong", since=None, landing_dir=tmp_path)
    with pytest.raises(SourceError, match="repeated"):
        fetch_kobo(base, "aTestUid", "kobo-token", since=None, landing_dir=tmp_path, page_limit=1)


ODK_RECORDS = [
    {
        "__id": f"uuid:odk-{i}",
        "__system": {
            "submissionDate": f"2023-12-1{i}T08:00:00.000Z",
            "reviewState": state,
            "submitterName": "enlace institucional",
        },
        "avance": {"codigo_hito": f"EC0020-H{i + 1}", "porcentaje_avance": 25 * (i + 1), "mes_reportado": "2023-11"},
        "institucion": "Viceministerio de Acuacultura y Pesca",
    }
    for i, state in enumerate(["approved", "hasIssues", None])
]


def test_odk_odata_pages_load_with_review_state(httpserver, tmp_path, warehouse):
    def handler(request: Request) -> Response:
        args = request.args
        top, skip = int(args["$top"]), int(args["$skip"])
        records = ODK_RECORDS
        if "$filter" in args:
            since = args["$filter"].split(" gt ")[1]
            records = [r for r in records if r["__system"]["submissionDate"] > since]
        return Response(
            json.dumps({"@odata.count": len(records), "value": records[skip : skip + top]}),
            content_type="application/json",
        )

    httpserver.expect_request("/v1/projects/7/forms/avance_mensual.svc/Submissions").respond_with_handler(handler)
    base = httpserver.url_for("/").rstrip("/")
    fetched = fetch_odk(
        base,
        "7",
        "avance_mensual",
        user="u@example.org",
        password="pw",
        since=None,
        landing_dir=tmp_path / "landing",
        page_size=2,
    )
    assert (len(fetched.pages), fetched.records) == (2, 3)
    for page in fetched.pages:
        PROGRESS_REPORTS_SPEC.load_file(warehouse, page, run_id="r1")
    rows = warehouse.execute(
        "select submission_id, source_tool, milestone_code, percent_complete, review_state from raw.progress_reports order by 1"
    ).fetchall()
    assert rows == [
        ("uuid:odk-0", "odk_central", "EC0020-H1", 25.0, "approved"),
        ("uuid:odk-1", "odk_central", "EC0020-H2", 50.0, "has_issues"),
        ("uuid:odk-2", "odk_central", "EC0020-H3", 75.0, "received"),
    ]
    assert fetched.high_water_mark == "2023-12-12T08:00:00.000Z"
    again = fetch_odk(
        base, "7", "avance_mensual", user="u", password="pw", since=fetched.high_water_mark, landing_dir=tmp_path
    )
    assert again.records == 0
