"""Operating it for real: a production-style Dagster instance on PostgreSQL storage runs a
three-month backfill as one run (single-run backfill policy)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from psycopg.conninfo import conninfo_to_dict

from orchestration import cli, runner
from orchestration.settings import Settings
from tests.conftest import postgres_dsn

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.launched  # the deployment's queue and its daemon
def test_three_month_backfill_on_postgres_instance_storage(demo, tmp_path, monkeypatch):
    import dagster as dg
    import psycopg

    dsn = postgres_dsn()
    params = conninfo_to_dict(dsn)
    database = f"dagster_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'create database "{database}"')
    try:
        data = tmp_path / "data"
        shutil.copytree(demo, data, ignore=shutil.ignore_patterns("dagster_home"))
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copyfile(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        for name, value in {
            "DAGSTER_PG_HOST": params.get("host", "127.0.0.1"),
            "DAGSTER_PG_PORT": str(params.get("port", 5432)),
            "DAGSTER_PG_USER": params.get("user", "postgres"),
            "DAGSTER_PG_PASSWORD": params.get("password", ""),
            "DAGSTER_PG_DB": database,
            "OGP_DATA_DIR": str(data),
            "DAGSTER_HOME": str(home),
        }.items():
            monkeypatch.setenv(name, value)

        # The deployment's instance queues runs: its daemon takes them from the queue (deploy/compose.yaml).
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = datetime.now()
        try:
            assert runner.run_months(date(2023, 9, 1), date(2023, 11, 1), settings=Settings.from_env())
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
        # The backfill's first month reached dbt: the facts were recomputed from it, not from the last month.
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            [(first_recomputed,)] = con.execute(
                "select min(reporting_month) from marts.fct_milestone_status_monthly where computed_at >= ?", [started]
            ).fetchall()
        assert first_recomputed == date(2023, 9, 1)
        assert "OGP_REBUILD_FROM_MONTH" not in os.environ

        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            runs = instance.get_run_records()
            assert len(runs) == 1, "three months, one run"
            materialized = instance.fetch_materializations(dg.AssetKey("monthly_progress_snapshot"), limit=10).records
            partitions = sorted(r.partition_key for r in materialized)
        assert partitions == ["2023-09-01", "2023-10-01", "2023-11-01"]
    finally:
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(f'drop database if exists "{database}" with (force)')


def test_an_instance_file_written_by_an_earlier_ogp_is_brought_up_to_date(tmp_path, monkeypatch):
    """A dagster.yaml exactly as an earlier `ogp init-instance` wrote it (never edited) gets the
    run coordinator that starts runs at once; an edited one is left as it is."""
    from orchestration import instance

    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    (home / ".storage-initialised").touch()
    for earlier in instance.EARLIER_INSTANCE_YAMLS:
        (home / "dagster.yaml").write_text(earlier, encoding="utf-8")
        instance.init_instance(Settings.from_env())
        assert (home / "dagster.yaml").read_text(encoding="utf-8") == instance.INSTANCE_YAML
    edited = instance.EARLIER_INSTANCE_YAMLS[0] + "# mine\n"
    (home / "dagster.yaml").write_text(edited, encoding="utf-8")
    instance.init_instance(Settings.from_env())
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == edited


@pytest.mark.slow
@pytest.mark.launched  # the deployment's queue and its daemon
def test_a_run_queued_with_no_daemon_to_take_it_is_said_not_waited_for(data_dir, monkeypatch, capsys):
    from orchestration import runner

    home = data_dir / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n", encoding="utf-8"
    )
    monkeypatch.setattr(runner, "QUEUED_WITHOUT_DAEMON_SECONDS", 0)
    assert cli.main(["refresh"]) == 1
    said = capsys.readouterr().err
    assert "no Dagster daemon takes queued runs" in said and "dagster-daemon run" in said and "Traceback" not in said
