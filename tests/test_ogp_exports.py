"""OGP's complete exports as a new user would load them: the Data Dashboard and both Explorer
layouts, with values the samples lack (tests/ogp_exports.py). Every row is accounted for, every
value not mapped is explained in the reconciliation mart, no personal data is published, and
Ecuador's monthly snapshot is still published with its figures; a broken reference source
blocks only the publications that hold it."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration import runner
from orchestration.settings import DEMO_DATA_DIR, Settings
from tests import ogp_exports
from tests.conftest import PRESENTED_2023_11, built_once

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
PHONES = ("876 5432", "876-5432", "256-7890", "555 0143")


def _run_month_on_a_copy_of_the_demo(demo: Path, data: Path, env: dict[str, str]) -> bool:
    """The demo's data directory copied, then 2023-11 run again with other reference files, as an
    operator would when OGP publishes a new export."""
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGP_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(data / "dagster_home"))
        for name in ("OGP_INBOX_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DBT_TARGET", "OGP_LOCAL_INDEX_URL"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        month = date(2023, 11, 1)
        return runner.run_months(month, month, settings=Settings.from_env())


@pytest.fixture(scope="session")
def full_exports(demo, tmp_path_factory, worker_id) -> Path:
    """The demo, then a month run with the Dashboard export and the Explorer file (variant layout)
    of the tests: built once for the session, whichever worker asks first; its tests only read it."""

    def build(data: Path) -> None:
        exports = data.parent / "exports"
        dashboard = ogp_exports.dashboard_export(exports / "ogp_data_dashboard.csv")
        explorer = ogp_exports.explorer_export(exports / "ogpirm_live_data.csv", variant=True)
        assert _run_month_on_a_copy_of_the_demo(
            demo, data, {"OGP_DASHBOARD_URL": str(dashboard), "OGP_EXPLORER_URL": str(explorer)}
        )

    return built_once(tmp_path_factory, worker_id, "ogp_full", build)


def _query(data: Path, sql: str, params=None, path: str = "warehouse.duckdb"):
    with duckdb.connect(str(data / path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_ogp_row_is_loaded_or_quarantined_and_the_snapshot_is_published(full_exports):
    ledger = dict(
        _query(
            full_exports,
            """select source, sum(received) - sum(loaded) - sum(quarantined) from raw.ingestion_ledger
                                        where source like 'ogp_%' group by all""",
        )
    )
    assert ledger == {"ogp_dashboard": 0, "ogp_explorer": 0}
    received = dict(
        _query(
            full_exports,
            "select source, sum(received) from raw.ingestion_ledger where source like 'ogp_%' group by all",
        )
    )
    assert received["ogp_explorer"] == len(ogp_exports.EXPLORER_ROWS)
    [(dashboard_rows,)] = _query(full_exports, "select count(*) from staging.stg_ogp_dashboard__commitments")
    demo_rows = len(ogp_exports.DEMO_DASHBOARD.read_text(encoding="utf-8").splitlines()) - 1
    assert (
        dashboard_rows == len(ogp_exports.DASHBOARD_ROWS) + demo_rows
    )  # the demo's rows and the test's, the new export only
    figures = _query(
        full_exports,
        """select progress_percent_rounded from marts.fct_commitment_progress_monthly
                                      where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id""",
    )
    assert [f for (f,) in figures] == PRESENTED_2023_11
    assert (full_exports / "snapshots" / "2023-11" / "latest.json").is_file()


def test_unknown_labels_and_sentinels_are_kept_counted_and_never_guessed(full_exports):
    outcomes = {
        (source, column, raw): (mapped, outcome, rows)
        for source, column, raw, mapped, outcome, rows in _query(
            full_exports,
            "select source_name, source_column, raw_value, mapped_to, outcome, source_rows from marts.fct_ogp_value_reconciliation",
        )
    }
    assert outcomes["ogp_dashboard", "Completion (Progress Report)", "Mostly Complete"] == (None, "unknown", 1)
    assert outcomes["ogp_dashboard", "National Or Local", "Regional Pilot"] == (None, "unknown", 1)
    assert outcomes["ogp_dashboard", "National Or Local", "Legacy Local"] == ("local", "mapped", 1)
    assert outcomes["ogp_dashboard", "Did It Open Government (Overall)", "No early results to report yet"] == (
        None,
        "missing: no early results yet",
        1,
    )
    assert outcomes["ogp_dashboard", "Early Results", "Outstanding Results"] == ("Outstanding", "mapped", 1)
    assert outcomes["ogp_explorer", "Completion (progress report)", "e. Partially withdrawn"] == (None, "unknown", 1)
    assert outcomes["ogp_explorer", "Specificity", "c. high"][:2] == ("High", "mapped")
    assert outcomes["ogp_dashboard", "End Date", "Ongoing"][1:] == ("unparsed", 1)
    assert outcomes["ogp_dashboard", "Open Data", "Yes"] == (None, "unknown", 1)
    # The sentinel's twin code (1 = "Did Not Change") is dropped with it.
    [(label, code, reason)] = _query(
        full_exports,
        """select irm_did_it_open_government, irm_did_it_open_government_code,
        irm_did_it_open_government_missing_reason from staging.stg_ogp_dashboard__commitments where commitment_id = 'ZZ0002'""",
    )
    assert (label, code, reason) == (None, None, "no early results yet")
    members = dict(
        _query(
            full_exports, "select member_code, member_type from marts.dim_members where member_code in ('XLCI', 'XREG')"
        )
    )
    assert members == {"XLCI": "local", "XREG": None}
    # The unknown labels are a warning check, never a failure of the run (the demo exited 0).


def test_rows_without_a_plan_id_get_one_built_or_stay_without_stopping_the_month(full_exports):
    plans = dict(
        _query(
            full_exports,
            "select commitment_id, action_plan_id from marts.dim_commitments where commitment_id in ('XLC0002', 'NOC0001')",
        )
    )
    assert plans == {"XLC0002": "AP_XLCI02", "NOC0001": None}
    assert _query(full_exports, "select count(*) from marts.dim_action_plans where action_plan_id = 'AP_XLCI02'") == [
        (1,)
    ]


def test_dates_as_the_source_meant_them(full_exports):
    dates = {
        c: (s, e)
        for c, s, e in _query(full_exports, "select commitment_id, start_date, end_date from marts.dim_commitments")
    }
    assert dates["DF0001"] == (date(2015, 7, 1), date(2016, 12, 31))  # a day-first plan: 01/07/2015 is 1 July
    assert dates["DF0002"] == (date(2015, 7, 1), None)  # "Ongoing" is not invented
    assert dates["ZZ0002"] == (date(2015, 1, 1), date(2014, 12, 31))  # serial 42005; 2014 typed into a date cell
    assert dates["ZZ0001"] == (date(2013, 1, 1), date(2015, 5, 31))  # I quarter of 2013, Spring 2015


def test_the_explorer_joins_the_conformed_dimension_linked_on_key_and_title(full_exports):
    links = _query(
        full_exports,
        """select b.source_row_number, b.commitment_id, b.match_method
                                    from marts.bridge_commitment_source_rows b where source_name = 'ogp_explorer' order by 1""",
    )
    by_row = {row: (commitment, method) for row, commitment, method in links}
    assert by_row[1] == ("ZZ0001", "key_and_equal_title")  # UK = United Kingdom, 2.1 = 2.10, same title
    assert by_row[2][1] == "explorer_only" and by_row[2][0].startswith("OGPX-")  # same key, other title: not linked
    assert by_row[3][0] == by_row[4][0]  # a duplicate row is one commitment
    [(sources,)] = _query(full_exports, "select ogp_sources from marts.dim_commitments where commitment_id = 'ZZ0001'")
    assert sources == "ogp_dashboard+ogp_explorer"
    assessments = _query(
        full_exports,
        """select source_name, report_type, completion, did_it_open_government
                                          from marts.fct_irm_assessments where commitment_id = ? order by 1, 2""",
        [by_row[3][0]],
    )
    assert assessments == [
        ("ogp_explorer", "end_of_term_report", "Complete", "Major"),
        ("ogp_explorer", "progress_report", "Complete", None),
    ]
    # End-of-term completion without "did it open government" is no longer dropped.
    assert ("ogp_dashboard", "end_of_term_report", "Substantial", None) in _query(
        full_exports,
        "select source_name, report_type, completion, did_it_open_government from marts.fct_irm_assessments where commitment_id = 'ZZ0001'",
    )


def test_no_personal_data_in_any_mart_serving_copy_or_published_file(full_exports):
    redacted = _query(
        full_exports,
        """select column_name, sum(emails_redacted), sum(phones_redacted)
                                      from raw.personal_data_redactions where source = 'ogp_dashboard' group by all order by 1""",
    )
    assert redacted == [("Full Text", 1, 1), ("Supporting Institution(s)", 1, 1)]
    for database in ("warehouse.duckdb", "serving/warehouse.duckdb"):
        with duckdb.connect(str(full_exports / database), read_only=True) as con:
            for schema, table in con.execute("""select table_schema, table_name from information_schema.tables
                                                where table_schema in ('staging', 'intermediate', 'marts')""").fetchall():
                text = " ".join(
                    str(v) for row in con.execute(f'select * from "{schema}"."{table}"').fetchall() for v in row
                )
                assert not EMAIL.search(text), f"{database} {schema}.{table}"
                assert not any(p in text for p in PHONES), f"{database} {schema}.{table}"
    for path in (full_exports / "snapshots").rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".html"):
            text = path.read_text(encoding="utf-8-sig")
            assert not EMAIL.search(text.replace("@context", "")), path
            assert not any(p in text for p in PHONES), path
    # The landing zone keeps the payload as received.
    landed = list((full_exports / "landing" / "ogp_dashboard").rglob("*ogp_data_dashboard.csv"))
    assert ogp_exports.CONTACT_EMAIL in landed[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_broken_reference_source_blocks_only_the_publications_that_hold_it(demo, tmp_path):
    """A local-government index row out of range fails an error-level check on reference data: the
    month's progress snapshot is still published, with the failure recorded in datapackage.json
    and the report; the serving copy, which holds that index, stays as it was."""
    demo_index = Path(DEMO_DATA_DIR) / "local_government" / "indice_gobierno_abierto_local.csv"
    broken = tmp_path / "indice.csv"
    broken.write_text(demo_index.read_text(encoding="utf-8") + "Cuenca,Azuay,2024,150,80,80,80,150\n", encoding="utf-8")
    data = tmp_path / "data"
    serving = (demo / "serving" / "warehouse.duckdb").read_bytes()
    assert not _run_month_on_a_copy_of_the_demo(
        demo, data, {"OGP_LOCAL_INDEX_URL": str(broken)}
    )  # the serving copy's step failed
    month = data / "snapshots" / "2023-11"
    version = month / json.loads((month / "latest.json").read_text())["version"]
    assert version.name == "v2"  # v1 had no warning: this one records it
    package = json.loads((version / "datapackage.json").read_text(encoding="utf-8"))
    assert {
        "asset": "raw/local_government_index",
        "check": "no_rows_quarantined",
        "severity": "error",
        "domain": "reference",
    } in package["quality_warnings"]
    assert "no_rows_quarantined" in (version / "informe-ecu.html").read_text(encoding="utf-8")
    assert (data / "serving" / "warehouse.duckdb").read_bytes() == serving
