"""great-expectations suites on landed data (called directly, 1.x), and the gate before
publication: a bad batch fails its check, and the month is not published."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pandas as pd
import pytest

from orchestration import cli, runner
from orchestration.settings import DEMO_DATA_DIR, Settings
from quality.landed_data import validate, validate_batches
from tests.test_site import browser  # noqa: F401  (the module's Chromium fixture)


def test_progress_report_suite_names_the_rule_rows_and_sample(tmp_path):
    frame = pd.DataFrame(
        {
            "submission_id": ["a", "b", "b"],
            "source_tool": ["google_forms"] * 3,
            "reporting_month": [date(2023, 11, 1)] * 3,
            "milestone_code": ["EC0014-H1"] * 3,
            "percent_complete": [10.0, 20.0, 30.0],
            "review_state": ["approved", "approved", "maybe"],
            "commitment_code": ["EC0014", "compromiso 4", "EC0014"],
        }
    )
    summary = validate("progress_reports", frame, docs_dir=tmp_path / "docs")
    assert not summary.success
    failed = {f.rule: (f.unexpected_count, f.sample) for f in summary.failures}
    assert failed["submission_id must be unique"][0] == 2
    assert failed["commitment_code must match ^[A-Z]{2,3}[0-9]{4}$"] == (1, ["compromiso 4"])
    assert failed["review_state must be one of ['received', 'approved', 'has_issues', 'rejected', 'unknown']"][1] == [
        "maybe"
    ]
    assert "| commitment_code must match" in summary.markdown()
    assert summary.docs_page is not None and summary.docs_page.exists()


def _reports(ids, codes):
    return pd.DataFrame(
        {
            "submission_id": ids,
            "source_tool": ["google_forms"] * len(ids),
            "reporting_month": [date(2023, 11, 1)] * len(ids),
            "milestone_code": ["EC0014-H1"] * len(ids),
            "percent_complete": [10.0] * len(ids),
            "review_state": ["approved"] * len(ids),
            "commitment_code": codes,
        }
    )


def test_data_docs_are_one_site_of_each_suites_latest_run_that_renders_offline(tmp_path, browser):  # noqa: F811
    """Validations of several suites and runs share one site: its index lists every suite, a
    suite's earlier run leaves it, and the pages load only files of the site (Bootstrap, jQuery,
    Vega, Font Awesome vendored), in Chromium with every other host refused."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from tests.test_site import Visit, _QuietHandler

    docs = tmp_path / "data_docs"
    validate("progress_reports", _reports(["a", "a"], ["x", "EC0014"]), docs_dir=docs, run_name="run-1")
    validate("progress_reports", _reports(["a", "b"], ["EC0014", "EC0015"]), docs_dir=docs, run_name="run-2")
    latest = validate(
        "local_government_index",
        pd.DataFrame({"municipality": ["A", None], "index_score": [50.0, 120.0], "year": [2023, 2023]}),
        docs_dir=docs,
        run_name="run-2",
    )
    pages = sorted(p.relative_to(docs).parts[:3] for p in (docs / "validations").rglob("*.html"))
    assert pages == [("validations", "local_government_index", "run-2"), ("validations", "progress_reports", "run-2")]
    assert latest.docs_page is not None and latest.docs_page.exists() and not latest.success
    for page in docs.rglob("*.html"):
        html = page.read_text()
        assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html), page

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(docs)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        visit = Visit(browser, base)
        index = visit.open(base + "index.html")
        index.get_by_role("link", name="local_government_index").wait_for()
        assert index.evaluate("typeof jQuery.fn.bootstrapTable") == "function"  # the vendored scripts ran
        assert "progress_reports" in index.inner_text("body")
        page = visit.open(base + latest.docs_page.relative_to(docs).as_posix())
        page.get_by_text("index_score").first.wait_for()
        assert (visit.errors, visit.failed, visit.outside) == ([], [], [])
    finally:
        server.shutdown()


def test_a_large_landing_is_validated_batch_by_batch(tmp_path):
    def batch(ids, codes):
        return pd.DataFrame(
            {
                "submission_id": ids,
                "source_tool": ["google_forms"] * len(ids),
                "reporting_month": [date(2023, 11, 1)] * len(ids),
                "milestone_code": ["EC0014-H1"] * len(ids),
                "percent_complete": [10.0] * len(ids),
                "review_state": ["approved"] * len(ids),
                "commitment_code": codes,
            }
        )

    summary = validate_batches(
        "progress_reports",
        iter([batch(["a", "b"], ["EC0014", "x"]), batch(["c", "d", "e"], ["y", "EC0014", "z"])]),
        docs_dir=tmp_path / "docs",
    )
    failed = {f.rule: (f.unexpected_count, f.sample) for f in summary.failures}
    assert (summary.rows, summary.success) == (5, False)
    assert failed["commitment_code must match ^[A-Z]{2,3}[0-9]{4}$"] == (3, ["x", "y", "z"])
    assert validate_batches("progress_reports", iter([])).rows == 0


@pytest.mark.slow
def test_bad_batches_stop_publication_until_corrected_or_released(demo, tmp_path, monkeypatch, capsys):
    """In one run, a bad batch for every file source: a report whose commitment code is no OGP id
    (quarantined alone with its reason: rows are judged, not runs, so the great-expectations suite
    passes on the rows that loaded) and a bad row in each definition source (quarantined with its
    reason). Each definition source's check fails with error severity (OGP's export warns), the
    ledger accounts for every row, and the month is not published (v1 stays the latest). The suites
    run in a child process here, as they do for a large landing.

    Then the gate judges the data published, not the run that landed it: running again with nothing
    changed still stops the month (the data being published still holds the rows); explicit,
    recorded releases of the blocking rows let it go. (One case, so that the bad batch's run is the
    gate's first run: the month is run three times, not four.)"""
    import dagster as dg
    import duckdb

    from orchestration import checks

    monkeypatch.setattr(checks, "GX_CHILD_PROCESS_ROWS", 0)

    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    demo_dir = DEMO_DATA_DIR

    def with_extra_row(name: str, source, row: str):
        path = tmp_path / name
        path.write_text(source.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n", encoding="utf-8")
        return path

    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    before = sorted(p.name for p in (data / "snapshots" / "2023-11").iterdir())
    serving = (data / "serving" / "warehouse.duckdb").read_bytes()
    reports_before = _ledger_rows(data)
    (data / "inbox" / "informe_mal_codificado.csv").write_text(
        "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%),Estado de revisión\n"
        "12/12/2023 09:00:00,Asamblea Nacional,compromiso 4,EC0014-H1,2023-11,30,Aprobado\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(
        "OGP_PLAN_CATALOGUE_URL",
        str(
            with_extra_row(
                "hitos.csv",
                demo_dir / "plan_catalogue" / "hitos.csv",
                "AP_ECU02,EC0014,4,EC0014-H9,Hito extra,mucho,2023-01-01,31/12/2024,Asamblea Nacional (AN)",
            )
        ),
    )
    monkeypatch.setenv(
        "OGP_INDICATOR_CATALOGUE_URL",
        str(
            with_extra_row(
                "indicadores.csv",
                demo_dir / "plan_catalogue" / "indicadores.csv",
                "IND-EC0014-2,EC0014,,Leyes con participación,leyes,0,10,semanal,ascendente",
            )
        ),
    )
    monkeypatch.setenv(
        "OGP_LOCAL_INDEX_URL",
        str(
            with_extra_row(
                "indice.csv",
                demo_dir / "local_government" / "indice_gobierno_abierto_local.csv",
                "Machala,El Oro,2023,70,60,65,55,140",
            )
        ),
    )
    dashboard = (demo_dir / "ogp" / "ogp_dashboard_export.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "export.csv").write_text(
        "\n".join(dashboard + [dashboard[14].replace("EC0014", "ecuador-14", 1)]) + "\n", encoding="utf-8"
    )
    monkeypatch.setenv("OGP_DASHBOARD_URL", str(tmp_path / "export.csv"))

    assert not runner.run_months(date(2023, 11, 1), date(2023, 11, 1), settings=Settings.from_env())
    assert sorted(p.name for p in (data / "snapshots" / "2023-11").iterdir()) == before, "nothing new published"
    assert json.loads((data / "snapshots" / "2023-11" / "latest.json").read_text())["version"] == "v1"

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        evaluations = [
            r.event_log_entry.dagster_event.event_specific_data
            for r in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
        ]
        failures = {
            e.step_key: e.dagster_event.event_specific_data.error.message
            for e in instance.all_logs(run_id)
            if e.dagster_event and e.dagster_event.event_type_value == "STEP_FAILURE"
        }
    errors = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert not [e for e in errors if e.check_name == "gx_progress_reports"]
    [reports] = [
        e
        for e in evaluations
        if e.check_name == "no_rows_quarantined" and e.asset_key.to_user_string() == "raw/progress_reports"
    ]
    assert reports.severity == dg.AssetCheckSeverity.WARN
    assert "malformed_commitment_code" in reports.metadata["quarantined_rows"].value
    assert "COMPROMISO4" in reports.metadata["quarantined_rows"].value  # codes are read as a person reads them
    assert {e.asset_key.to_user_string() for e in errors if e.check_name == "no_rows_quarantined"} == {
        "raw/plan_milestones",
        "raw/indicator_catalogue",
        "raw/local_government_index",
    }
    # A row of OGP's global export that cannot be used is one commitment missing from reference
    # data: a warning, listed in the annex (its blast radius: orchestration/blast_radius.py).
    assert [
        e.severity
        for e in evaluations
        if e.check_name == "no_rows_quarantined" and e.asset_key.to_user_string() == "raw/ogp_dashboard_commitments"
    ] == [dg.AssetCheckSeverity.WARN]
    # The blocking checks' steps fail; what depends on them is not run (or, if it runs, the
    # publication gate refuses naming the check). Either way nothing is published.
    assert any(step.endswith("_no_rows_quarantined") for step in failures), failures
    if "monthly_progress_snapshot" in failures:
        assert "Publication blocked" in failures["monthly_progress_snapshot"]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        reasons = dict(
            con.execute(
                """select q.source, q.rule from raw.quarantine q join raw.ingestion_ledger l
               on l.landed_file_id = q.landed_file_id and l.source = q.source where l.run_id = ?""",
                [run_id],
            ).fetchall()
        )
        ledger = con.execute(
            "select received, loaded, quarantined from raw.ingestion_ledger where run_id = ? and source <> 'progress_reports'",
            [run_id],
        ).fetchall()
    assert reasons == {
        "plan_catalogue": "bad_weight",
        "indicator_catalogue": "unknown_frequency",
        "local_government_index": "score_out_of_range",
        "ogp_dashboard": "bad_commitment_id",
        "progress_reports": "malformed_commitment_code",
    }
    assert len(ledger) == 4 and all(r == loaded + q and q == 1 for r, loaded, q in ledger)
    # Nothing was lost: the report file is accounted for in the ledger, its one row quarantined.
    assert _ledger_rows(data) == reports_before + [(1, 0, 1)]

    # The gate: a run that lands nothing new still finds the quarantined rows in what it would publish.
    month = date(2023, 11, 1)
    assert not runner.run_months(month, month, settings=Settings.from_env()), (
        "a re-run must not publish what is still quarantined"
    )
    assert json.loads((data / "snapshots" / "2023-11" / "latest.json").read_text())["version"] == "v1"
    assert (data / "serving" / "warehouse.duckdb").read_bytes() == serving, (
        "no serving copy changes when the snapshot fails"
    )

    capsys.readouterr()
    assert cli.main(["status"]) == 0
    status = capsys.readouterr().out
    listed = [line.split()[0] for line in status.splitlines() if "plan_catalogue" in line and "peso" in line]
    assert len(listed) == 1
    blocking = status.split("Quarantined rows that stop publications until corrected or released: ", 1)[1]
    count, *rows = blocking.splitlines()
    standing = {row.split()[1]: row.split()[0] for row in rows[: int(count)]}
    assert int(count) == 3 and standing.keys() == {"plan_catalogue", "indicator_catalogue", "local_government_index"}
    assert standing["plan_catalogue"] == listed[0]
    assert cli.main(["release", "no-such-id", "--reason", "x"]) == 2
    reasons = {
        "plan_catalogue": "El peso se corrige en el próximo catálogo; el hito no tiene informes",
        "indicator_catalogue": "La frecuencia se corrige en el próximo catálogo",
        "local_government_index": "El puntaje se verifica con el GAD",
    }
    for source, quarantine_id in standing.items():
        assert cli.main(["release", quarantine_id, "--reason", reasons[source]]) == 0
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        released = con.execute("select released_by, reason from raw.quarantine_releases").fetchall()
    assert len(released) == 3 and all(who for who, _ in released)
    assert sorted(why for _, why in released) == sorted(reasons.values())
    assert runner.run_months(month, month, settings=Settings.from_env())


def _ledger_rows(data):
    import duckdb

    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select received, loaded, quarantined from raw.ingestion_ledger where source = 'progress_reports' order by recorded_at"
        ).fetchall()


def test_a_file_that_fails_its_suite_is_checked_again_by_every_run_until_it_passes(tmp_path):
    """The check judges the data being published, not only what the last run landed: a file whose
    rows failed the suite (rows no row rule caught) fails it again in the next run, which landed
    nothing, and passes once its rows are corrected."""
    from ingestion.connection import connect
    from ingestion.ledger import LedgerEntry, record_ledger, record_validations
    from ingestion.sources import ensure_raw_schema
    from quality.landed_data import validate_landed_rows

    warehouse = tmp_path / "warehouse.duckdb"
    with connect(warehouse) as con:
        ensure_raw_schema(con)
        con.execute("""insert into raw.progress_reports (submission_id, source_tool, reporting_month, milestone_code, percent_complete,
                       review_state, commitment_code, landed_file_id, source_row_number, loaded_at)
                       values ('s1', 'spreadsheet', date '2023-11-01', 'EC0014-H1', 40, 'received', 'EC0014', 'f1', 1, now()),
                              ('s2', 'spreadsheet', date '2023-11-01', 'EC0014-H2', 40, 'received', 'mal', 'f1', 2, now())""")
        record_ledger(con, LedgerEntry("progress_reports", "f1", 2, 2, 0), "run-1")

    def check(run_id: str):
        summary = validate_landed_rows(
            warehouse, "progress_reports", run_id, docs_dir=None, batch_rows=1000, memory_limit="1GB"
        )
        with connect(warehouse) as con:
            record_validations(con, "progress_reports", summary.landed_file_ids, summary.success, run_id)
        return summary

    first = check("run-1")
    assert (first.success, first.landed_file_ids) == (False, ["f1"])
    again = check("run-2")  # nothing landed, the failing file is still published
    assert (again.success, again.landed_file_ids, again.rows) == (False, ["f1"], 2)
    with connect(warehouse) as con:  # corrected (as a re-parse would)
        con.execute("update raw.progress_reports set commitment_code = 'EC0014' where submission_id = 's2'")
    assert check("run-3").success
    assert check("run-4").landed_file_ids == []  # passed: not checked again
    # Nothing to check costs no great-expectations import (a few seconds of every run's fixed part).
    import subprocess
    import sys

    probe = (
        "import sys; from pathlib import Path; from quality.landed_data import validate_landed_rows; "
        f"validate_landed_rows(Path({str(warehouse)!r}), 'progress_reports', 'run-5', docs_dir=None, "
        "batch_rows=1000, memory_limit='1GB'); print('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "False\n"
