"""Sources over HTTP, against a local server that answers like the real ones (no patching)."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from ingestion.http import SourceError
from ingestion.landing import PayloadTooLarge, land_url

CSV = "Commitment Unique Identifier,Action Plan ID\nEC0014,AP_ECU02\n"


def test_download_is_landed_unchanged(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/exports/ogp_dashboard.csv").respond_with_data(CSV, content_type="text/csv")
    landed = land_url(
        "ogp_dashboard", httpserver.url_for("/exports/ogp_dashboard.csv"), landing_dir=tmp_path, max_bytes=10_000
    )
    assert landed.path.read_text() == CSV
    assert landed.original_name == "ogp_dashboard.csv"


def test_forbidden_outside_the_region_is_explained(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/api/3/action/package_search").respond_with_data("Forbidden", status=403)
    with pytest.raises(SourceError, match="outside the region"):
        land_url("ckan", httpserver.url_for("/api/3/action/package_search"), landing_dir=tmp_path, max_bytes=10_000)
    assert not list(tmp_path.rglob("*.json")), "nothing is landed from a refused request"


def test_server_errors_are_retried_then_succeed(httpserver: HTTPServer, tmp_path):
    httpserver.expect_ordered_request("/data.csv").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/data.csv").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"})
    )
    httpserver.expect_ordered_request("/data.csv").respond_with_data(CSV)
    landed = land_url("ogp_dashboard", httpserver.url_for("/data.csv"), landing_dir=tmp_path, max_bytes=10_000)
    assert landed.path.read_text() == CSV
    assert len(httpserver.log) == 3


def test_oversized_download_is_refused_and_leaves_nothing(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/big.csv").respond_with_data("x" * 5000)
    with pytest.raises(PayloadTooLarge):
        land_url("ogp_dashboard", httpserver.url_for("/big.csv"), landing_dir=tmp_path, max_bytes=1000)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
