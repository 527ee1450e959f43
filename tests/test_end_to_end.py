"""The whole platform for real: every asset materialized by Dagster into a temporary
OGP_DATA_DIR, dbt building the warehouse in DuckDB, checks run, snapshots published. No mocks."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration import cli, runner
from orchestration.settings import DEMO_DATA_DIR, Settings
from tests.conftest import PRESENTED_2023_11, dbt_in_this_process


def _warehouse(data: Path, read_only: bool = True):
    return duckdb.connect(str(data / "warehouse.duckdb"), read_only=read_only)


def test_second_plan_figures_for_2023_11(demo):
    with _warehouse(demo) as con:
        rows = con.execute(
            """select commitment_id, progress_percent_rounded from marts.fct_commitment_progress_monthly
               where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id"""
        ).fetchall()
    assert [r[0] for r in rows] == [f"EC{n:04d}" for n in range(11, 26)]
    assert [r[1] for r in rows] == PRESENTED_2023_11


def test_the_figures_are_computed_not_stored(demo):
    # The demo inputs hold milestone reports only; no input file carries a commitment percentage.
    inputs = Path(DEMO_DATA_DIR)
    headers = {p.name: next(csv.reader(open(p, encoding="utf-8"))) for p in inputs.rglob("*.csv")}
    assert not any("compromiso" in h.lower() and "%" in h for cols in headers.values() for h in cols)


def test_every_received_row_is_accounted_for(demo):
    with _warehouse(demo) as con:
        ledger = con.execute("select source, received, loaded, quarantined from raw.ingestion_ledger").fetchall()
        assert ledger and all(r == loaded + q for _, r, loaded, q in ledger)
        received = con.execute(
            "select sum(received) from raw.ingestion_ledger where source = 'progress_reports'"
        ).fetchone()[0]
        loaded = con.execute("select count(*) from raw.progress_reports").fetchone()[0]
        quarantined = con.execute("select count(*) from raw.quarantine where source = 'progress_reports'").fetchone()[0]
        assert received == loaded + quarantined
        issues = dict(
            con.execute("select rule_code, count(*) from marts.fct_data_quality_issues group by 1").fetchall()
        )
    assert issues == {
        "percent_out_of_range": 1,
        "unparseable_percent": 1,
        "duplicate_submission": 1,
        "rejected_by_counterpart": 1,
        "unknown_milestone": 1,
    }


def test_methodology_rules_visible_in_the_demo(demo):
    with _warehouse(demo) as con:
        status = dict(
            con.execute(
                """select milestone_code, reporting_status from marts.fct_milestone_status_monthly
               where reporting_month = date '2023-11-01' and milestone_code in ('EC0013-H1', 'EC0019-H1', 'EC0022-H1', 'EC0016-H2')"""
            ).fetchall()
        )
        corrected = con.execute(
            "select percent_complete from marts.fct_milestone_status_monthly where milestone_code = "
            "'EC0018-H2' and reporting_month = date '2023-11-01'"
        ).fetchone()[0]
    assert status == {
        "EC0013-H1": "no_report",
        "EC0019-H1": "carried_forward",
        "EC0022-H1": "stale",
        "EC0016-H2": "reported",
    }
    assert corrected != 60  # the resubmission replaced the first report of the month


def test_snapshot_package_is_complete_and_marked_as_demo(demo):
    month_dir = demo / "snapshots" / "2023-11"
    version = json.loads((month_dir / "latest.json").read_text())["version"]
    folder = month_dir / version
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["demonstration_data"] is True and "DEMOSTRACIÓN" in package["description"]
    for resource in package["resources"]:
        path = folder / resource["path"]
        assert resource["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    sums = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) >= {
        "compromisos.csv",
        "compromisos.parquet",
        "compromisos.json",
        "informe.html",
        "datapackage.json",
    }
    with open(folder / "compromisos.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    published = [int(r["progress_percent_rounded"]) for r in rows if r["action_plan_id"] == "AP_ECU02"]
    assert published == PRESENTED_2023_11
    # One run publishes both levels: the national plan and the local one, each row with its member.
    assert {(r["member_code"], r["action_plan_id"]) for r in rows} == {("ECU", "AP_ECU02"), ("ECCU", "AP_ECCU01")}
    assert [(m["code"], m["level"], m["report"]) for m in package["members"]] == [
        ("ECU", "national", "informe-ecu.html"),
        ("ECCU", "local", "informe-eccu.html"),
    ]
    assert "Ecuador" in package["keywords"] and "Cuenca, Ecuador" in package["keywords"]
    index = (folder / "informe.html").read_text(encoding="utf-8")
    assert 'href="informe-ecu.html"' in index and 'href="informe-eccu.html"' in index
    report = (folder / "informe-ecu.html").read_text(encoding="utf-8")
    assert "DATOS DE DEMOSTRACIÓN" in report and "noviembre de 2023" in report and "<svg" in report
    assert "de Ecuador</h1>" in report and "CUE0001" not in report
    local = (folder / "informe-eccu.html").read_text(encoding="utf-8")
    assert "de Cuenca, Ecuador</h1>" in local and "CUE0001" in local and "EC0014" not in local
    # The local report shows its municipality's maturity index over the years.
    assert "Índice de gobierno abierto local de Cuenca" in local
    municipality = local.split("Índice de gobierno abierto local de Cuenca")[1].split("</table>")[0]
    assert "2022" in municipality and "2023" in municipality and "84,72" in municipality


def test_snapshot_is_a_valid_frictionless_data_package(demo):
    from frictionless import validate

    folder = demo / "snapshots" / "2023-11" / "v1"
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, [(t.name, e.message) for t in report.tasks for e in t.errors][:5]


def test_every_month_of_the_demo_plans_is_published(demo):
    months = sorted(p.name for p in (demo / "snapshots").iterdir() if (p / "latest.json").exists())
    assert months[0] == "2019-09" and months[-1] == "2024-12" and len(months) == 64


def test_checks_ran_and_passed(demo):
    import dagster as dg

    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        records = instance.get_records_for_run(
            run_id=instance.get_run_records(limit=1, ascending=True)[0].dagster_run.run_id,
            of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        ).records
        evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    names = {e.check_name for e in evaluations}
    assert {"gx_progress_reports", "gx_plan_milestones", "gx_ogp_dashboard_commitments"} <= names
    assert any(n.startswith("unique_") for n in names), "dbt tests appear as asset checks"
    failed = {(e.asset_key.to_user_string(), e.check_name, e.severity) for e in evaluations if not e.passed}
    # The first plan's EC0004 has weights 1/1/1 on purpose: normalised, and warned about; and the
    # demo reports include rows that are quarantined on purpose: warned about, then published.
    assert failed == {
        ("marts/dim_milestones", "assert_milestone_weights_sum_to_100", dg.AssetCheckSeverity.WARN),
        ("raw/progress_reports", "no_rows_quarantined", dg.AssetCheckSeverity.WARN),
    }


def test_warnings_are_recorded_in_the_published_snapshot(demo):
    package = json.loads((demo / "snapshots" / "2023-11" / "v1" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["quality_warnings"] == [
        {"asset": "marts/dim_milestones", "check": "assert_milestone_weights_sum_to_100"}
    ]


def test_status_command(demo, monkeypatch, capsys):
    monkeypatch.setenv("OGP_DATA_DIR", str(demo))
    monkeypatch.setenv("DAGSTER_HOME", str(demo / "dagster_home"))
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "Published snapshots: 64" in out and "latest: 2024-12 v1" in out
    # The last runs, with how their checks went; the open quarantine by source.
    assert re.search(r"SUCCESS\s+monthly_progress_job\s+2019-09-01\.\.2024-12-01\s+checks warned 2, failed 0", out), out
    assert re.search(r"progress_reports\s+3\s+released 0", out), out


@pytest.mark.slow
def test_reparse_loads_landed_payloads_again_without_fetching(demo, tmp_path, monkeypatch, capsys):
    """A warehouse loaded before OGP dates were interpreted: `ogp reparse` fills them from the
    landing zone (the export's address is gone), and the ledger's current totals do not change."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    monkeypatch.setenv("OGP_DASHBOARD_URL", str(tmp_path / "gone.csv"))
    totals = (
        "select source, sum(received), sum(loaded), sum(quarantined) from raw.ingestion_ledger where "
        "superseded_at is null group by 1 order by 1"
    )
    with _warehouse(data, read_only=False) as con:
        before = con.execute(totals).fetchall()
        con.execute("delete from raw.date_interpretations")
    assert cli.main(["reparse", "ogp_dashboard", "forms"]) == 0
    assert "landed file(s) re-parsed" in capsys.readouterr().out
    with _warehouse(data) as con:
        assert con.execute(totals).fetchall() == before
        assert (
            con.execute("select count(*) from raw.ingestion_ledger where superseded_at is not null").fetchone()[0] > 0
        )
        assert (
            con.execute(
                "select count(*) from staging.stg_ogp_dashboard__commitments where start_date is null and "
                "start_date_precision <> 'not_given'"
            ).fetchone()[0]
            == 0
        )
        figures = con.execute(
            """select progress_percent_rounded from marts.fct_commitment_progress_monthly
               where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id"""
        ).fetchall()
    assert [f[0] for f in figures] == PRESENTED_2023_11


MONTHLY_FACTS = ("fct_milestone_status_monthly", "fct_commitment_progress_monthly", "fct_plan_progress_monthly")
# The facts a monthly run adds to rather than rebuilds (checked equal to a full rebuild).
INCREMENTAL_FACTS = (*MONTHLY_FACTS, "fct_progress_reports")


def _facts(data: Path) -> dict[str, list]:
    """The facts without their computation or validation time, doubles to 9 decimals (sums of doubles may differ
    in the last bits with the order DuckDB's threads add them)."""
    with _warehouse(data) as con:
        facts = {}
        for table in INCREMENTAL_FACTS:
            columns = con.execute(f"describe marts.{table}").fetchall()
            select = ", ".join(
                f"round({name}, 9)" if kind == "DOUBLE" else name
                for name, kind, *_ in columns
                if name not in ("computed_at", "validated_at")
            )
            facts[table] = con.execute(f"select {select} from marts.{table} order by all").fetchall()
        return facts


def _full_rebuild(target: Path) -> None:
    """The incremental facts rebuilt from scratch in the test's data directory (OGP_DATA_DIR)."""
    dbt_in_this_process(
        ["run", "--full-refresh", "--select", "tag:monthly_fact fct_progress_reports"], target_path=target
    )


def _compiled_progress_reports(data: Path) -> str:
    """fct_progress_reports' SQL as the last run's warehouse build compiled it."""
    import dagster as dg

    from orchestration.settings import DBT_PROJECT_DIR

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
    [compiled] = (DBT_PROJECT_DIR / "target").glob(
        f"warehouse_models-{run_id[:7]}-*/compiled/ogp_progress/models/marts/fct_progress_reports.sql"
    )
    return compiled.read_text(encoding="utf-8")


@pytest.mark.slow
def test_late_reports_corrections_and_replannings_recompute_what_they_change_and_publish_a_new_version(
    demo, tmp_path, monkeypatch
):
    """The monthly facts are incremental: a report for an old month, loaded today, recomputes that
    month and the ones after it (carried forward from the month before), nothing earlier, and the
    result is exactly what a full rebuild gives. The accepted reports are incremental too: a run
    validates only what it loaded, unless the catalogue was loaded again (a milestone it lacked
    makes an old report acceptable), and either way equals a full rebuild.

    Then, before 2023-11 is published again, an institution resends a report and the core group
    moves a milestone's planned end (in the catalogue that gains the milestone): the month is
    published again as v2 with the corrected figures and the replanning shown, v1 stays byte for
    byte. (One case, so that the correction's run is the one that loads the new catalogue.)"""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    v1 = (data / "snapshots" / "2023-11" / "v1" / "SHA256SUMS").read_bytes()
    # `ogp load` drops the file into the inbox under a safe name and refreshes the warehouse.
    late = tmp_path / "informe tardío.csv"
    late.write_text(
        "Marca temporal,Institución,Código del hito,Mes que se reporta,Porcentaje de avance (%)\n"
        "10/11/2026 09:00:00,SERCOP,EC0002-H3,2021-03,90\n"
        "3/1/2024 09:00:00,Asamblea Nacional (AN),EC0014-H1,2023-12,5\n",
        encoding="utf-8",
    )
    assert cli.main(["load", str(late)]) == 0
    assert (data / "inbox" / "informe tardío.csv").exists()  # kept under its own name
    with _warehouse(data) as con:
        recomputed = con.execute(
            """select min(reporting_month), count(distinct reporting_month) from marts.fct_milestone_status_monthly
               where computed_at = (select max(computed_at) from marts.fct_milestone_status_monthly)"""
        ).fetchone()
        march = con.execute(
            """select percent_complete, last_submission_id is not null from marts.fct_milestone_status_monthly
               where milestone_code = 'EC0002-H3' and reporting_month = date '2021-03-01'"""
        ).fetchone()
        february = con.execute(
            "select min(computed_at) = max(computed_at) from marts.fct_milestone_status_monthly where reporting_month < date '2021-03-01'"
        ).fetchone()[0]
        december = con.execute(
            "select percent_complete from marts.fct_progress_reports where milestone_code = 'EC0014-H1' and "
            "reporting_month = date '2023-12-01'"
        ).fetchall()
    assert (5.0,) in december  # beside the institution's earlier report for that month
    assert recomputed[0] == date(2021, 3, 1)
    assert march[0] == 90.0
    assert february  # months before the late report were not touched
    assert "where loaded_at >" in _compiled_progress_reports(data)  # only the new reports were validated
    incremental = _facts(data)
    _full_rebuild(tmp_path / "dbt_target")
    assert _facts(data) == incremental

    # The catalogue gains EC0021-H9, unknown until now: its November report, loaded long ago and
    # rejected then, is accepted now, as every report is validated again. The same catalogue moves
    # EC0014-H2's planned end to the end of 2024.
    unknown = "select count(*) from marts.fct_progress_reports where milestone_code = 'EC0021-H9'"
    with _warehouse(data) as con:
        assert con.execute(unknown).fetchone()[0] == 0
    catalogue = tmp_path / "hitos_v2.csv"
    text = (DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if ",EC0021-H1," in row).split(",")
    line[3], line[4] = "EC0021-H9", "Hito añadido al catálogo"
    replanned = next(row for row in text.splitlines() if ",EC0014-H2," in row)
    moved = replanned.rsplit(",", 2)
    text = text.replace(replanned, f"{moved[0]},31/12/2024,{moved[2]}")
    catalogue.write_text(text.rstrip("\n") + "\n" + ",".join(line) + "\n", encoding="utf-8")
    monkeypatch.setenv("OGP_PLAN_CATALOGUE_URL", str(catalogue))
    # MINTEL resends its November report for EC0011-H2 (it was 0 %): now 50 %.
    (data / "inbox" / "correccion_mintel.csv").write_text(
        "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%),Estado de revisión\n"
        "10/12/2023 09:00:00,MINTEL,EC0011,EC0011-H2,2023-11,50,Aprobado\n"
        # ...and the fisheries vice-ministry resends the report quarantined for "150" %.
        "10/12/2023 09:05:00,Viceministerio de Acuacultura y Pesca,EC0020,EC0020-H1,2023-11,100,Aprobado\n",
        encoding="utf-8",
    )
    assert runner.run_months(date(2023, 11, 1), date(2023, 11, 1), settings=Settings.from_env())
    assert "where loaded_at >" not in _compiled_progress_reports(data)
    with _warehouse(data) as con:
        assert con.execute(unknown).fetchone()[0] == 1
    incremental = _facts(data)
    _full_rebuild(tmp_path / "dbt_target")
    assert _facts(data) == incremental

    month = data / "snapshots" / "2023-11"
    assert json.loads((month / "latest.json").read_text())["version"] == "v2"
    assert (month / "v1" / "SHA256SUMS").read_bytes() == v1
    with open(month / "v2" / "compromisos.csv", encoding="utf-8-sig", newline="") as handle:
        first = next(r for r in csv.DictReader(handle) if r["action_plan_id"] == "AP_ECU02")
    assert (first["commitment_id"], first["progress_percent_rounded"]) == ("EC0011", "35")
    with open(month / "v2" / "calidad_datos.csv", encoding="utf-8-sig", newline="") as handle:
        status = {
            r["rule_code"]: r["issue_status"] for r in csv.DictReader(handle) if r["milestone_code"] == "EC0020-H1"
        }
    assert status == {"percent_out_of_range": "released", "unparseable_percent": "released"}
    with _warehouse(data) as con:
        row = con.execute(
            "select original_planned_end, planned_end, is_replanned, catalogue_versions from "
            "marts.dim_milestones where milestone_code = 'EC0014-H2'"
        ).fetchone()
        others = con.execute("select count(*) from marts.dim_milestones where is_replanned").fetchone()[0]
    assert row[1] == date(2024, 12, 31) and row[0] != row[1] and row[2] is True and row[3] == 2
    assert others == 1
    report = (month / "v2" / "informe-ecu.html").read_text(encoding="utf-8")
    assert "Hitos replanificados" in report and "EC0014-H2" in report.split("Hitos replanificados")[1]


def test_the_demo_prints_what_a_person_follows_and_keeps_the_whole_log(demo):
    """`make demo`'s own output: progress, the figures and where things are, in at most 60 lines;
    Dagster's and dbt's output in the runs' log files, each named at the end."""
    import re

    printed = (demo / "demo-output.txt").read_text(encoding="utf-8")
    lines = printed.splitlines()
    assert len(lines) <= 60, f"{len(lines)} lines"
    assert max(map(len, lines)) < 400, "no dbt command line naming every model"
    logs = re.findall(r"run log \(Dagster's and dbt's output\): (\S+)", printed)
    assert len(logs) == 2, "the month's run and the reminders' run"
    main_log = Path(logs[0]).read_text(encoding="utf-8")
    assert "Running with dbt=" in main_log and "dbt build" in main_log, "dbt's own output is in the run's log"
    assert "AP_ECU02, 2023-11" in printed and "DEMONSTRATION DATA" in printed


def test_the_demo_run_is_listed_under_its_job_and_each_month_has_its_own_record(demo):
    """What the UI reads from the instance: the job's runs, launched through the code location (so
    the UI places them on its timeline and can re-execute them) and, per partition of the snapshot,
    a materialization that names that month only."""
    import dagster as dg

    snapshot = dg.AssetKey("monthly_progress_snapshot")
    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="monthly_progress_job"))
        assert runs and runs[-1].status == dg.DagsterRunStatus.SUCCESS
        assert all(run.remote_job_origin is not None for run in runs), "every run can be re-executed from the UI"
        assert all(run.remote_job_origin.location_name == "ogp_progress_platform" for run in runs)
        # The runs list tells a success that published with warnings (the two the demo makes on purpose).
        assert (runs[-1].tags["ogp/checks_warned"], runs[-1].tags["ogp/checks_failed"]) == ("2", "0")
        records = {}
        for month in ("2023-11-01", "2024-12-01"):
            [record] = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=snapshot, asset_partitions=[month]), limit=1
            ).records
            records[month] = record.asset_materialization.metadata
    for month, metadata in records.items():
        assert metadata["reporting_month"].value == month[:7]
        assert metadata["snapshot_path"].value.endswith(f"snapshots/{month[:7]}/v1")
        assert metadata["row_counts"].value  # that month's own counts
        assert not {"months", "first_month", "latest_month"} & set(metadata), "nothing run-wide on a month's record"
    assert records["2023-11-01"]["row_counts"].value != records["2024-12-01"]["row_counts"].value
    # The ledger and the quarantine, written by every source, are observed with what they hold.
    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        [quarantine] = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["raw", "quarantine"])), limit=1
        ).records
        [ledger] = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["raw", "ingestion_ledger"])), limit=1
        ).records
    assert quarantine.asset_observation.metadata["dagster/row_count"].value == 3
    assert ledger.asset_observation.metadata["balanced"].value is True
    # The marts, with their row counts and first rows.
    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        [commitments] = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(["marts", "dim_commitments"])), limit=1
        ).records
    assert commitments.asset_observation.metadata["dagster/row_count"].value > 100
    assert "commitment_id" in commitments.asset_observation.metadata["preview"].value
    # The monthly facts, with each month's own row count on its partition.
    plan_progress = dg.AssetKey(["marts", "fct_plan_progress_monthly"])
    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        [november] = instance.fetch_observations(
            dg.AssetRecordsFilter(asset_key=plan_progress, asset_partitions=["2023-11-01"]), limit=1
        ).records
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        [(plans,)] = con.execute(
            "select count(*) from marts.fct_plan_progress_monthly where reporting_month = date '2023-11-01'"
        ).fetchall()
    assert november.asset_observation.metadata["dagster/row_count"].value == plans > 0
    # A failing dbt test shows which rows fail (the demo's plan whose milestone weights do not add up).
    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        evaluations = instance.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000
        ).records
    [metadata] = [
        e.event_log_entry.dagster_event.event_specific_data.metadata
        for e in evaluations
        if e.event_log_entry.dagster_event.event_specific_data.check_name == "assert_milestone_weights_sum_to_100"
    ]
    assert "| EC0004" in metadata["failing_rows"].value and "total_weight" in metadata["failing_rows"].value


def test_republishing_one_month_as_the_ui_does_changes_nothing(demo, tmp_path):
    """The snapshot alone for one partition, launched through the code location as the UI's
    "Materialize" does: the same inputs and the same standing warnings, so no new version."""
    import os
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(demo, data)
    before = (data / "snapshots" / "2023-11" / "v1" / "SHA256SUMS").read_bytes()
    env = {**os.environ, "OGP_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "asset",
            "materialize",
            "-m",
            "orchestration.definitions",
            "--select",
            "monthly_progress_snapshot",
            "--partition",
            "2023-11-01",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in (data / "snapshots" / "2023-11").iterdir() if p.is_dir()) == ["v1"]
    assert (data / "snapshots" / "2023-11" / "v1" / "SHA256SUMS").read_bytes() == before


@pytest.mark.slow
def test_the_institutions_loop_receipts_reminders_and_their_record_in_public(
    demo, tmp_path, monkeypatch, capsys, smtp_server
):
    """The demo wrote each receipt and November's reminders in outbox/ and publishes each
    institution's reporting record; on a copy, with a real SMTP server: a file with one good and
    one bad row gets a receipt naming both, `ogp remind 2023-10` reminds the institutions whose
    milestones lack an October report, and a second call sends nothing new."""
    import shutil

    assert len(list((demo / "outbox").glob("acuse-*.eml"))) >= 20
    assert {p.name.split("-")[0] for p in (demo / "outbox").glob("*.eml")} == {"acuse", "reminder"}
    page = next((demo / "snapshots" / "2023-11" / "v1").glob("institucion-ministerio-de-energia-y-minas*.html"))
    record_html = page.read_text(encoding="utf-8").split("Cumplimiento del reporte mensual")[1]
    assert "noviembre de 2023" in record_html and "@" not in record_html
    with open(
        demo / "snapshots" / "2023-10" / "v1" / "cumplimiento_reporte.csv", encoding="utf-8-sig", newline=""
    ) as handle:
        overdue = {r["institution_name"] for r in csv.DictReader(handle) if int(r["not_reported"]) > 0}
    assert "Ministerio de Energía y Minas" in overdue

    mailbox, url = smtp_server
    data = tmp_path / "data"
    shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home", "outbox"))
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    monkeypatch.setenv("OGP_SMTP_URL", url)
    report = tmp_path / "reporte_mintel.csv"
    report.write_text(
        "Marca temporal,Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%)\n"
        "8/12/2023 09:00:00,MINTEL,EC0011,EC0011-H2,2023-11,55\n"
        "8/12/2023 09:01:00,MINTEL,EC0011,EC0011-H3,2023-11,ciento veinte\n",
        encoding="utf-8",
    )
    assert cli.main(["load", str(report)]) == 0
    [(to, receipt)] = [(to, m) for to, m in mailbox.messages if "reporte_mintel.csv" in m.get_body().get_content()]
    text = receipt.get_body().get_content()
    assert to == ["enlace.mintel@demo-gobiernoabierto.example"]
    assert "Filas cargadas de su institución: 1" in text and "fila 2: el porcentaje de avance «ciento veinte»" in text

    sent = len(mailbox.messages)
    assert cli.main(["remind", "2023-10"]) == 0
    reminded = {m["Subject"].rsplit("— ", 1)[1] for _, m in mailbox.messages[sent:]}
    assert reminded == overdue
    assert cli.main(["remind", "2023-10"]) == 0
    assert len(mailbox.messages) == sent + len(overdue)
    assert "0 nuevo(s) ahora" in capsys.readouterr().out


def test_every_tracked_commitment_has_an_outlook_on_its_page_and_the_transitions_count_the_export(demo):
    """Each tracked commitment's page of 2023-11 says how likely it is to end Substantial or
    Complete (between 0 and 1) and what that rests on; the transitions mart equals a count made
    here from the Dashboard export itself (mid-term and end-of-term completion, each commitment once)."""
    from collections import Counter

    with _warehouse(demo) as con:
        tracked = [
            c for (c,) in con.execute("select commitment_id from marts.dim_commitments where is_tracked").fetchall()
        ]
        outlook = dict(
            con.execute("""select commitment_id, probability_substantial_or_complete
                                      from marts.fct_commitment_outlook_monthly where reporting_month = '2023-11-01'""").fetchall()
        )
        transitions = Counter(
            {
                (f, t): n
                for f, t, n in con.execute(
                    "select from_level, to_level, commitments from marts.fct_irm_completion_transitions"
                ).fetchall()
            }
        )
    assert tracked and set(outlook) == set(tracked) and all(0 <= p <= 1 for p in outlook.values())
    version = demo / "snapshots" / "2023-11" / "v1"
    for commitment in tracked:
        page = (version / f"compromiso-{commitment.lower()}.html").read_text(encoding="utf-8")
        line = page.split("Perspectiva al cierre")[1][:600]
        assert "de probabilidad de terminar sustancial o completo" in line and "Proyección, no veredicto" in line, (
            commitment
        )

    with open(DEMO_DATA_DIR / "ogp" / "ogp_dashboard_export.csv", encoding="utf-8", newline="") as handle:
        counted = Counter(
            (r["Completion (Progress Report)"], r["Completion (End Of Term)"])
            for r in csv.DictReader(handle)
            if r["Completion (Progress Report)"] not in ("ND", "NR", "")
            and r["Completion (End Of Term)"] not in ("ND", "NR", "")
        )
    assert transitions == counted and sum(counted.values()) > 0


def test_a_run_started_by_ogp_is_on_the_timeline_and_re_executes_from_the_ui(demo, tmp_path):
    """The UI's own GraphQL API, served by `dagster-webserver` over a copy of the demo's instance:
    every run `ogp` started has its code location's origin (what the timeline places runs by), and
    "Re-execute all" of one launches a new run that succeeds."""
    import shutil
    import socket
    import subprocess
    import sys
    import time

    import requests

    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(demo / "dagster_home", data / "dagster_home")
    shutil.copy(demo / "warehouse.duckdb", data / "warehouse.duckdb")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OGP_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    webserver = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"

    def graphql(query: str) -> dict:
        answer = requests.post(url, json={"query": query}, timeout=60).json()
        assert "errors" not in answer, answer
        return answer["data"]

    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                runs = graphql(
                    "{ runsOrError { ... on Runs { results { runId jobName status "
                    "repositoryOrigin { repositoryLocationName } } } } }"
                )["runsOrError"]["results"]
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the webserver did not start"
                time.sleep(1)
        assert runs and all(
            r["repositoryOrigin"] and r["repositoryOrigin"]["repositoryLocationName"] == "ogp_progress_platform"
            for r in runs
        ), runs
        parent = next(r["runId"] for r in runs if r["jobName"] == "institution_reminders_job")
        launched = graphql(
            f'mutation {{ launchRunReexecution(reexecutionParams: {{parentRunId: "{parent}", strategy: ALL_STEPS}}) '
            "{ __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"
        )
        result = launched["launchRunReexecution"]
        assert result["__typename"] == "LaunchRunSuccess", result
        child = result["run"]["runId"]
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline and status not in ("SUCCESS", "FAILURE", "CANCELED"):
            time.sleep(1)
            status = graphql(f'{{ runOrError(runId: "{child}") {{ ... on Run {{ status }} }} }}')["runOrError"][
                "status"
            ]
        assert status == "SUCCESS"
    finally:
        os.killpg(webserver.pid, 15)
        webserver.wait(timeout=60)
