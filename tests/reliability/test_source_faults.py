"""Source faults from local servers the tests control: each is retried or fails with a clear
message; nothing half-fetched reaches the warehouse and a form's cursor never moves past what
was loaded."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from werkzeug import Request, Response

from ingestion.ckan_client import fetch_datasets
from ingestion.form_apis import advance_cursor, fetch_kobo, read_cursor
from ingestion.http import SourceError, make_session
from ingestion.landing import land_url
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS_SPEC
from tests.reliability.conftest import record
from tests.test_form_apis import KOBO_RECORDS, kobo_server

TABLE = "Source faults"
FAULTS = 14
PATH = "/api/v2/assets/aTestUid/data/"


def quick_session():
    # Real retry policy, shortened: three tries, no sleeping between them, half-second timeouts.
    return make_session(retries=2, backoff_factor=0, timeout_s=0.5)


def kobo(base, tmp_path, session=None, since=None):
    return fetch_kobo(
        base,
        "aTestUid",
        "kobo-token",
        since=since,
        landing_dir=tmp_path / "landing",
        session=session or quick_session(),
    )


def page(records, nxt=None):
    return Response(
        json.dumps({"count": len(records), "next": nxt, "previous": None, "results": records}),
        content_type="application/json",
    )


def sequence(*responses):
    """A handler answering with each response in turn, then the last one forever."""
    answers = list(responses)

    def handler(request: Request) -> Response:
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer

    return handler


@contextmanager
def raw_server(reply: bytes | None):
    """A TCP server that reads a request and answers `reply` raw (None: resets the connection)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.recv(65536)
            if reply is None:
                conn.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )  # RST on close
            else:
                conn.sendall(reply)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def outcome_of(fn):
    try:
        result = fn()
    except SourceError as exc:
        return (
            "fails: "
            + str(exc).split(" answered")[0].split("http://")[0]
            + (" answered" + str(exc).split(" answered", 1)[1] if " answered" in str(exc) else "")
        )
    return f"succeeds ({result})"


def clean(message: str) -> str:
    import re

    return re.sub(r"https?://(127\.0\.0\.1|localhost):\d+", "<source>", re.sub(r"port=\d+", "port=…", message))


def test_500_is_retried_then_fails_clearly(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_data("boom", status=500)
    with pytest.raises(SourceError, match="kept failing after retries|answered HTTP 500") as error:
        kobo(httpserver.url_for("/"), tmp_path)
    assert len(httpserver.log) == 3  # the first try and two retries
    record(TABLE, FAULTS, "http_500", "500 on every try", f"retried twice, then fails: {clean(str(error.value))[:160]}")


def test_502_503_then_success(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_handler(
        sequence(Response("bad gateway", 502), Response("busy", 503), page(KOBO_RECORDS))
    )
    result = kobo(httpserver.url_for("/"), tmp_path)
    assert result.records == 3
    record(TABLE, FAULTS, "http_502_503", "502, then 503, then the page", "retried; succeeds with all 3 records")


def test_429_retry_after_is_honoured(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_handler(
        sequence(Response("slow down", 429, headers={"Retry-After": "1"}), page(KOBO_RECORDS))
    )
    started = time.monotonic()
    result = kobo(httpserver.url_for("/"), tmp_path)
    assert result.records == 3 and time.monotonic() - started >= 0.9
    record(TABLE, FAULTS, "http_429", "429 with Retry-After: 1", "waits the second the server asked for, then succeeds")


def test_timeout_fails_clearly(httpserver, tmp_path):
    def slow(request):
        time.sleep(1.2)
        return page(KOBO_RECORDS)

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(SourceError) as error:
        kobo(httpserver.url_for("/"), tmp_path)
    assert "did not answer within" in str(error.value) or "kept failing" in str(error.value)
    record(
        TABLE,
        FAULTS,
        "timeout",
        "no answer within the timeout",
        f"retried, then fails: {clean(str(error.value))[:160]}",
    )


def test_connection_reset_fails_clearly(tmp_path):
    with raw_server(None) as base:
        with pytest.raises(SourceError) as error:
            kobo(base, tmp_path)
    record(
        TABLE,
        FAULTS,
        "connection_reset",
        "the connection is reset",
        f"retried, then fails: {clean(str(error.value))[:160]}",
    )


def test_truncated_download_is_not_landed(tmp_path):
    body = b"col\n" + b"x\n" * 10
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n" + body
    with raw_server(reply) as base:
        with pytest.raises(SourceError) as error:
            land_url(
                "plan_catalogue",
                f"{base}/hitos.csv",
                landing_dir=tmp_path / "landing",
                max_bytes=10**6,
                session=quick_session(),
            )
    assert not [p for p in (tmp_path / "landing").rglob("*") if p.is_file()]
    record(
        TABLE,
        FAULTS,
        "truncated_body",
        "a download cut short of its Content-Length",
        f"fails, nothing landed: {clean(str(error.value))[:160]}",
    )


def test_invalid_json_fails_clearly(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_data('{"results": [', content_type="application/json")
    with pytest.raises(SourceError, match="not JSON") as error:
        kobo(httpserver.url_for("/"), tmp_path)
    record(TABLE, FAULTS, "invalid_json", "an answer that is not JSON", f"fails: {clean(str(error.value))}")


def test_pagination_loop_is_stopped(httpserver, tmp_path):
    base = kobo_server(httpserver, loop=True)
    with pytest.raises(SourceError, match="instead of looping") as error:
        kobo(base, tmp_path)
    record(
        TABLE,
        FAULTS,
        "pagination_loop",
        "a `next` link pointing back to a page already read",
        f"fails: {clean(str(error.value))}",
    )


def test_forbidden_outside_the_region(httpserver, tmp_path):
    httpserver.expect_request("/api/3/action/package_search").respond_with_data("Forbidden", status=403)
    with pytest.raises(SourceError, match="outside the region") as error:
        fetch_datasets(httpserver.url_for("/").rstrip("/"), landing_dir=tmp_path, session=quick_session())
    record(
        TABLE,
        FAULTS,
        "http_403_region",
        "the national portal answers 403 from abroad",
        f"fails: {clean(str(error.value))}",
    )


def test_auth_failure(httpserver, tmp_path):
    base = kobo_server(httpserver, token="another-token")
    with pytest.raises(SourceError, match="401") as error:
        kobo(base, tmp_path)
    assert "kobo-token" not in str(error.value)
    record(
        TABLE,
        FAULTS,
        "http_401",
        "the API token is refused",
        f"fails, the token not in the message: {clean(str(error.value))}",
    )


def test_changed_envelope_fails_clearly(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_json({"count": 3, "data": KOBO_RECORDS})
    with pytest.raises(SourceError, match="shape changed") as error:
        kobo(httpserver.url_for("/"), tmp_path)
    record(TABLE, FAULTS, "changed_envelope", "the API renames `results`", f"fails: {clean(str(error.value))}")


def test_changed_fields_are_quarantined_not_loaded(httpserver, tmp_path, warehouse):
    renamed = [{("hito" if k == "avance/codigo_hito" else k): v for k, v in r.items()} for r in KOBO_RECORDS]
    renamed = [{k: v for k, v in r.items() if k != "hito"} for r in renamed]
    httpserver.expect_request(PATH).respond_with_handler(sequence(page(renamed)))
    result = kobo(httpserver.url_for("/"), tmp_path)
    loaded = PROGRESS_REPORTS_SPEC.load_file(warehouse, result.pages[0], run_id="r")
    assert (loaded.ledger.loaded, loaded.quarantine_reasons) == (0, {"missing_column": 3})
    record(
        TABLE,
        FAULTS,
        "changed_fields",
        "the form loses its milestone-code field",
        "the page is landed; its 3 records are quarantined `missing_column` with the columns the page has",
    )


def test_failure_mid_pagination_leaves_no_partial_state(httpserver, tmp_path, warehouse):
    """Page 1 answers, page 2 fails: nothing is loaded and the cursor stays; once the source is
    back, both pages load and the cursor moves to the newest loaded submission."""
    broken = {"on": True}

    def handler(request: Request) -> Response:
        start = int(request.args.get("start", 0))
        if start > 0 and broken["on"]:
            return Response("boom", 500)
        nxt = None if start > 0 else request.base_url + "?start=2&limit=2&format=json"
        return page(KOBO_RECORDS[start : start + 2], nxt)

    httpserver.expect_request(PATH).respond_with_handler(handler)
    base = httpserver.url_for("/")
    with pytest.raises(SourceError):
        kobo(base, tmp_path, since=read_cursor(warehouse, "kobo_aTestUid"))
    assert warehouse.execute("select count(*) from raw.progress_reports").fetchone()[0] == 0
    assert read_cursor(warehouse, "kobo_aTestUid") is None
    broken["on"] = False
    result = kobo(base, tmp_path)
    for landed in result.pages:
        PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id="again")
    advance_cursor(warehouse, result.source, result.high_water_mark)
    assert warehouse.execute("select count(*) from raw.progress_reports").fetchone()[0] == 3
    assert read_cursor(warehouse, "kobo_aTestUid") == "2023-12-03T10:00:00"
    record(
        TABLE,
        FAULTS,
        "failure_mid_pagination",
        "page 1 answers, page 2 fails",
        "the run fails; nothing loaded, cursor unchanged; the next run loads both pages and moves the cursor to the newest submission",
    )


def test_pagination_by_next_link_loads_everything_once(httpserver, tmp_path, warehouse):
    base = kobo_server(httpserver)
    first = fetch_kobo(
        base,
        "aTestUid",
        "kobo-token",
        since=None,
        landing_dir=tmp_path / "landing",
        page_limit=2,
        session=quick_session(),
    )
    for landed in first.pages:
        PROGRESS_REPORTS_SPEC.load_file(warehouse, landed, run_id="one")
    advance_cursor(warehouse, first.source, first.high_water_mark)
    again = fetch_kobo(
        base,
        "aTestUid",
        "kobo-token",
        since=read_cursor(warehouse, first.source),
        landing_dir=tmp_path / "landing",
        page_limit=2,
        session=quick_session(),
    )
    assert (len(first.pages), first.records, again.records) == (2, 3, 0)
    record(
        TABLE,
        FAULTS,
        "rerun_same_window",
        "the same window fetched twice",
        "the second run fetches nothing new: nothing is loaded twice",
    )
