"""Publication to the open-data portal (against a local server that answers like CKAN) and the
DuckDB serving copy."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from exports.ckan import CkanClient, PublicationError, publish_snapshot
from tests.conftest import PRESENTED_2023_11
from tests.fake_ckan import FakeCkan


@pytest.fixture
def snapshot_folder(demo, tmp_path):
    folder = tmp_path / "2023-11" / "v1"
    shutil.copytree(demo / "snapshots" / "2023-11" / "v1", folder)
    return folder


def test_publishing_twice_updates_and_never_duplicates(httpserver, snapshot_folder):
    ckan = FakeCkan(httpserver)
    client = CkanClient(ckan.url, "test-key")
    first = publish_snapshot(client, snapshot_folder, reporting_month="2023-11", organization="gobierno-abierto")
    assert first.created_dataset and "compromisos.csv" in first.uploaded and not first.unchanged
    assert ckan.calls.count("package_create") == 1
    again = publish_snapshot(client, snapshot_folder, reporting_month="2023-11", organization="gobierno-abierto")
    assert not again.created_dataset and again.uploaded == []
    assert ckan.calls.count("package_create") == 1 and "package_patch" in ckan.calls
    package = ckan.packages["ogp-avance-mensual-2023-11"]
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names)) == len(first.uploaded)
    assert package["owner_org"] == "gobierno-abierto"
    assert {"key": "demonstration_data", "value": "true"} in package["extras"]


def test_a_changed_file_is_uploaded_again_in_place(httpserver, snapshot_folder):
    ckan = FakeCkan(httpserver)
    client = CkanClient(ckan.url, "test-key")
    publish_snapshot(client, snapshot_folder, reporting_month="2023-11", organization=None)
    report = snapshot_folder / "informe.html"
    report.write_text(report.read_text(encoding="utf-8") + "<!-- corrección -->", encoding="utf-8")
    sums = (snapshot_folder / "SHA256SUMS").read_text().splitlines()
    from ingestion.landing import sha256_file

    (snapshot_folder / "SHA256SUMS").write_text(
        "".join(
            f"{sha256_file(report)}  informe.html\n" if line.endswith("  informe.html") else line + "\n"
            for line in sums
        )
    )
    result = publish_snapshot(client, snapshot_folder, reporting_month="2023-11", organization=None)
    assert sorted(result.uploaded) == ["SHA256SUMS", "informe.html"]
    assert ckan.calls.count("resource_patch") == 2


def test_portal_refusal_is_explained(httpserver, snapshot_folder):
    ckan = FakeCkan(httpserver, forbid=True)
    with pytest.raises(PublicationError, match="outside the region"):
        publish_snapshot(
            CkanClient(ckan.url, "test-key"), snapshot_folder, reporting_month="2023-11", organization=None
        )


def test_wrong_api_key_is_refused_clearly(httpserver, snapshot_folder):
    ckan = FakeCkan(httpserver)
    with pytest.raises(PublicationError, match="package_create"):
        publish_snapshot(CkanClient(ckan.url, "wrong"), snapshot_folder, reporting_month="2023-11", organization=None)


def test_duckdb_serving_copy_holds_the_marts_apart_from_the_warehouse(demo, tmp_path):
    # Copies: the demo is shared by every worker, and a writer would lock its warehouse.
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving" / "warehouse.duckdb"
    serving.parent.mkdir()
    shutil.copyfile(demo / "warehouse.duckdb", warehouse)
    shutil.copyfile(demo / "serving" / "warehouse.duckdb", serving)
    with (
        duckdb.connect(str(warehouse)) as writer,
        duckdb.connect(str(serving), read_only=True) as reader,
    ):
        writer.execute("create or replace table raw.concurrency_probe as select 1 as x")
        figures = [
            r[0]
            for r in reader.execute(
                """select progress_percent_rounded from marts.fct_commitment_progress_monthly
               where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id"""
            ).fetchall()
        ]
        writer.execute("drop table raw.concurrency_probe")
    assert figures == PRESENTED_2023_11


def _render(warehouse_path, lang):
    from datetime import date

    from exports.report import render_report
    from exports.scope import members_in_scope
    from orchestration.methodology import methodology_parameters

    with duckdb.connect(str(warehouse_path)) as con:
        national = members_in_scope(con, date(2023, 11, 1))[0]
        return render_report(
            con, date(2023, 11, 1), member=national, is_demo=True, methodology=methodology_parameters(), lang=lang
        )


def test_report_in_english_on_request(demo):
    html = _render(demo / "serving" / "warehouse.duckdb", "en")
    assert "Progress by commitment" in html and "November 2023" in html and "DEMONSTRATION DATA" in html
    with pytest.raises(ValueError, match="report language"):
        _render(demo / "serving" / "warehouse.duckdb", "fr")


def test_report_escapes_text_that_came_from_reports(demo, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo / "serving" / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            """insert into marts.fct_data_quality_issues (stage, source_name, rule_code, reason, submission_id,
                reporting_month, annex_month)
               values ('ingestion', 'progress_reports', 'unparseable_percent', '<script>alert(1)</script>', '<img src=x onerror=alert(2)>',
                       date '2023-11-01', date '2023-11-01')"""
        )
    html = _render(copy, "es")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_published_cells_cannot_run_as_spreadsheet_formulas(demo, tmp_path):
    from datetime import date

    from exports.snapshot import build_monthly_snapshot
    from orchestration.methodology import methodology_parameters

    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo / "serving" / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            """insert into marts.fct_progress_reports (submission_id, milestone_code, commitment_id, action_plan_id,
                   reporting_month, percent_complete, narrative, challenges, evidence_urls, reporting_institution)
               values ('formula-1', 'EC0014-H1', 'EC0014', 'AP_ECU02', date '2023-11-01', 10,
                       '=HYPERLINK("http://evil.example","clic")', '+cmd|'' /C calc''!A0', '@SUM(1+1)', '-2+3')"""
        )
        result = build_monthly_snapshot(
            con,
            date(2023, 11, 1),
            tmp_path / "snapshots",
            is_demo=True,
            sources=[],
            methodology=methodology_parameters(),
        )
    with open(result.path / "informes.csv", encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["submission_id"] == "formula-1")
    assert row["narrative"].startswith("'=HYPERLINK")
    assert row["challenges"].startswith("'+cmd")
    assert row["evidence_urls"] == "'@SUM(1+1)"
    assert row["reporting_institution"] == "'-2+3"
    assert row["percent_complete"] == "10.0"  # numbers stay numbers


def test_the_serving_copy_takes_only_the_months_recomputed_and_stays_equal_to_the_warehouse(tmp_path):
    from exports.serving import publish_serving_copy

    target = tmp_path / "serving" / "warehouse.duckdb"
    fact = "select * from marts.fct order by all"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct as select date '2024-01-01' + to_months(m) as reporting_month, "
            "'C' || c as commitment_id, m * 10.0 + c as progress, timestamp '2024-06-01' as computed_at "
            "from range(3) r(m), range(4) s(c)"
        )
        con.execute("create table marts.dim as select 'C' || c as commitment_id from range(4) s(c)")
        con.execute("create table marts.gone as select 1 as x")

        def copy_equals_warehouse():
            with duckdb.connect(str(target), read_only=True) as reader:
                assert reader.execute(fact).fetchall() == con.execute(fact).fetchall()
                assert (
                    reader.execute("select * from marts.dim order by all").fetchall()
                    == con.execute("select * from marts.dim order by all").fetchall()
                )
                return {r[0] for r in reader.execute("select table_name from information_schema.tables").fetchall()}

        publish_serving_copy(con, target)
        assert copy_equals_warehouse() == {"fct", "dim", "gone"}
        # An incremental month: months from 2024-02 recomputed, one commitment added, a table dropped.
        con.execute("delete from marts.fct where reporting_month >= date '2024-02-01'")
        con.execute(
            "insert into marts.fct select date '2024-01-01' + to_months(m), 'C' || c, m * 100.0 + c, "
            "timestamp '2024-07-01' from range(1, 4) r(m), range(5) s(c)"
        )
        con.execute("insert into marts.dim values ('C4')")
        con.execute("drop table marts.gone")
        publish_serving_copy(con, target)
        assert copy_equals_warehouse() == {"fct", "dim"}
        # A full rebuild that no longer has the first month: the fact is written again whole.
        con.execute("delete from marts.fct where reporting_month = date '2024-01-01'")
        con.execute("update marts.fct set computed_at = timestamp '2024-08-01'")
        publish_serving_copy(con, target)
        copy_equals_warehouse()
