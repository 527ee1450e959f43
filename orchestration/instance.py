"""The Dagster instance `ogp` and the tests run on ($DAGSTER_HOME): its file written once (runs start
at once: `DefaultRunCoordinator`; events in Dagster's SQLite files without its per-event costs:
`event_log_storage.py`; a file an earlier `ogp` wrote and nobody edited is brought up to date), its
storages created under a lock, and runs left behind by a killed process found by their
run worker's pid and marked failed, so their pool slots are freed."""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from pathlib import Path

from orchestration.settings import Settings

INSTANCE_YAML = """\
# Dagster instance for this platform (written by `ogp init-instance`; edit freely).
# Runs start as soon as they are launched (`ogp`, the UI), with no daemon needed to dequeue them;
# every asset that writes the DuckDB warehouse is in the pool `duckdb_warehouse`: one at a time.
# Events are kept in Dagster's SQLite files under this folder, written without Dagster's per-event
# engine and disk wait (the instance class, orchestration/event_log_storage.py).
# (The deployment queues runs instead, with the daemon, and keeps events in PostgreSQL: deploy/dagster.yaml.)
instance_class:
  module: orchestration.event_log_storage
  class: LocalDagsterInstance
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""

# What earlier versions wrote, word for word: a file still exactly so was never edited, and is
# brought up to date (its runs would otherwise wait in a queue no daemon serves).
EARLIER_INSTANCE_YAMLS = (
    """\
# Dagster instance for this platform (written by `ogp init-instance`; edit freely).
# Runs start as soon as they are launched (`ogp`, the UI), with no daemon needed to dequeue them;
# every asset that writes the DuckDB warehouse is in the pool `duckdb_warehouse`: one at a time.
# (The deployment queues runs instead, with the daemon: deploy/dagster.yaml.)
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
""",
    """\
# Dagster instance for this platform (written by `ogp init-instance`; edit freely).
# Every asset that writes the DuckDB warehouse is in the pool `duckdb_warehouse`: one at a time.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
""",
)


def dagster_home(settings: Settings) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_dir / "dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _write_instance_yaml(config: Path) -> None:
    tmp = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
    tmp.write_text(INSTANCE_YAML, encoding="utf-8")
    os.replace(tmp, config)


def init_instance(settings: Settings) -> Path:
    """$DAGSTER_HOME with its dagster.yaml and its storage created, once, under a file lock: two
    commands starting together on a new home would otherwise both create Dagster's SQLite storage,
    and one fails ("table alembic_version already exists")."""
    home = dagster_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    config, ready = home / "dagster.yaml", home / ".storage-initialised"
    if ready.exists():
        if config.read_text(encoding="utf-8") in EARLIER_INSTANCE_YAMLS:
            _write_instance_yaml(config)
        return home
    with open(home / ".init.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not config.exists():
            _write_instance_yaml(config)
        if not ready.exists():
            import dagster as dg

            with dg.DagsterInstance.from_config(str(home)) as instance:
                # Touching each storage creates it (and runs its migrations).
                instance.run_storage, instance.event_log_storage, instance.schedule_storage  # noqa: B018
            ready.touch()
    return home


# --- runs whose process is gone ------------------------------------------------------------------


def _alive(pid: int, word: bytes) -> bool:
    try:
        os.kill(pid, 0)
        return word in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ProcessLookupError, PermissionError, FileNotFoundError):
        return False


def run_worker_pid(instance, run_id: str) -> int | None:
    """The process that executes the run, as the run worker reports it when it starts (Dagster's
    engine event with the `pid`)."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT).records
    for record in records:
        pid = record.event_log_entry.dagster_event.event_specific_data.metadata.get("pid")
        if pid is not None:
            return int(pid.value)
    return None


def recover_abandoned_runs(instance) -> list[str]:
    """Runs launched by `ogp` on this machine whose run worker is gone (killed, power cut) stay
    'started' and keep their slot in the warehouse pool, so every later run would wait for ever.
    They are marked failed and their slots freed. A run whose worker still runs is left alone,
    even if the `ogp` that launched it was stopped. (With the daemon, run monitoring does this:
    deploy/dagster.yaml.)"""
    import dagster as dg

    recovered = []
    unfinished = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED], tags={"ogp/trigger": "cli"}
        )
    )
    for run in unfinished:
        if run.tags.get("ogp/host") != socket.gethostname():
            continue
        worker = run_worker_pid(instance, run.run_id)
        launcher = int(run.tags.get("ogp/pid", "0") or 0)
        if worker is not None and _alive(worker, b"python"):
            continue
        if worker is None and (launcher == os.getpid() or _alive(launcher, b"ogp")):
            continue  # still being launched
        gone = worker or launcher
        instance.report_run_failed(
            run, message=f"The process that ran it ({gone}) is gone; marked failed and its pool slots freed."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(run.run_id)
        print(f"run {run.run_id} had been abandoned (its process {gone} is gone): marked failed", file=sys.stderr)
    return recovered
