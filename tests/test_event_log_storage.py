"""The local instance's event log (orchestration/event_log_storage.py): Dagster's SQLite files and
schema, one engine per database, commits that do not wait for the disk."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration import event_log_storage
from orchestration.event_log_storage import LocalDagsterInstance, LocalSqliteEventLogStorage
from orchestration.instance import init_instance
from orchestration.settings import Settings


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@dg.asset_check(asset=counted)
def counted_has_rows() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("OGP_DATA_DIR", str(tmp_path / "data"))
    init_instance(Settings.from_env())
    return home


def test_a_local_instance_keeps_its_events_where_dagster_does_and_dagster_reads_them(home):
    """Runs on the instance `ogp` writes are stored by the local class, in Dagster's own files:
    Dagster's `SqliteEventLogStorage` (an instance file without the class) reads every event back."""
    with dg.DagsterInstance.get() as instance:
        assert type(instance) is LocalDagsterInstance
        assert type(instance.event_log_storage) is LocalSqliteEventLogStorage
        assert instance.event_log_storage._base_dir == str(home / "history" / "runs")
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert (home / "history" / "runs.db").is_file()  # Dagster's run storage, in its place
        result = dg.materialize([counted, counted_has_rows], instance=instance)
        assert result.success
        events = instance.get_records_for_run(result.run_id, limit=1000).records
    assert (home / "history" / "runs" / f"{result.run_id}.db").is_file()

    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with dg.DagsterInstance.get() as plain:
        assert type(plain.event_log_storage).__name__ == "SqliteEventLogStorage"
        again = plain.get_records_for_run(result.run_id, limit=1000).records
        materialized = plain.fetch_materializations(dg.AssetKey("counted"), limit=1).records
        check = plain.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("counted"), "counted_has_rows")]
        )
    assert [e.storage_id for e in again] == [e.storage_id for e in events]
    assert materialized[0].asset_materialization.metadata["rows"].value == 3
    assert next(iter(check.values())).status.value == "SUCCEEDED"


def test_each_database_keeps_one_engine_whose_commits_do_not_wait_for_the_disk(home, monkeypatch):
    storage = LocalSqliteEventLogStorage(str(home / "history" / "runs"))
    try:
        with storage.index_connection() as conn:
            first = conn.engine
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"  # Dagster's own setting
        with storage.index_connection() as conn:
            assert conn.engine is first

        # The most recently used databases keep their engines; the others are disposed.
        monkeypatch.setattr(event_log_storage, "ENGINES_KEPT", 3)
        for run in ("a", "b", "c", "d"):
            with storage.run_connection(f"run-{run}"):
                pass
        assert list(storage._engines) == ["run-b", "run-c", "run-d"]
    finally:
        storage.dispose()
    assert not storage._engines


def test_wiping_the_event_log_removes_the_runs_files_it_holds_engines_on(home):
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([counted], instance=instance)
        run_file = home / "history" / "runs" / f"{result.run_id}.db"
        assert run_file.is_file()
        instance.event_log_storage.wipe()
        assert not run_file.exists()
        assert not instance.fetch_materializations(dg.AssetKey("counted"), limit=1).records
        # And it goes on storing events after.
        assert dg.materialize([counted], instance=instance).success
        assert instance.fetch_materializations(dg.AssetKey("counted"), limit=1).records


def test_an_instance_opened_by_its_folder_reads_that_folders_events(home, tmp_path, monkeypatch):
    """The events' folder is the instance's own (Dagster gives it to the instance class), never
    DAGSTER_HOME's: an instance copied elsewhere, opened by its folder, reads its own events."""
    import shutil

    with dg.DagsterInstance.get() as instance:
        run_id = dg.materialize([counted], instance=instance).run_id
    copy = tmp_path / "copied_home"
    shutil.copytree(home, copy)
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.wipe()  # the original's events gone; the copy's kept
    monkeypatch.delenv("DAGSTER_HOME")
    with dg.DagsterInstance.from_config(str(copy)) as instance:
        assert instance.event_log_storage._base_dir == str(copy / "history" / "runs")
        assert instance.get_records_for_run(run_id, limit=10).records
        assert instance.get_ref().storage_data.config_yaml.count(str(copy)) == 3  # what run workers are given


def test_a_run_followed_in_the_ui_sees_each_event_as_it_is_written(home):
    """The UI follows a run on a local instance through Dagster's watcher on the run's `.db` file:
    events written by another process's storage (the run worker's) reach it while the run goes on."""
    import threading

    run_id = "0f0f0f0f-0000-0000-0000-000000000001"
    events = str(home / "history" / "runs")
    writer, watcher = LocalSqliteEventLogStorage(events), LocalSqliteEventLogStorage(events)
    seen, arrived = [], threading.Event()

    def callback(entry, _cursor):
        seen.append(entry.user_message)
        arrived.set()

    try:
        with writer.run_connection(run_id):
            pass  # the run's database exists before the UI watches it, as once a run has started
        watcher.watch(run_id, None, callback)
        for message in ("first", "second"):
            arrived.clear()
            writer.store_event(
                dg.EventLogEntry(
                    error_info=None,
                    level="INFO",
                    user_message=message,
                    run_id=run_id,
                    timestamp=0.0,
                    step_key=None,
                    job_name="job",
                    dagster_event=None,
                )
            )
            assert arrived.wait(10), f"the watcher was not told of {message!r}"
        assert seen[-1] == "second"
    finally:
        watcher.end_watch(run_id, callback)
        watcher.dispose()
        writer.dispose()
