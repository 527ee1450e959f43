"""Running a job as the UI and the daemon do, for `ogp` and the tests: the instance made ready, runs
abandoned by a killed process freed, the run launched through the instance to the code location
(`dagster job launch`, Dagster's own command), then followed from the instance's event log until it
ends. A run started here is like one started from the UI: it carries its code location's origin, so
the UI lists it on its timeline and re-executes it, and it runs in its own process with the job's
executor, as a UI or scheduled run does (so one costs what the other does)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.settings import PROJECT_ROOT, Settings

WORKSPACE = PROJECT_ROOT / "workspace.yaml"

INSTANCE_YAML = """\
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
"""

# What earlier versions wrote, word for word: a file still exactly so was never edited, and is
# brought up to date (its runs would otherwise wait in a queue no daemon serves).
EARLIER_INSTANCE_YAMLS = ("""\
# Dagster instance for this platform (written by `ogp init-instance`; edit freely).
# Every asset that writes the DuckDB warehouse is in the pool `duckdb_warehouse`: one at a time.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
""",)
# A run still queued this long with no daemon to take it will not start by itself.
QUEUED_WITHOUT_DAEMON_SECONDS = 60

# The run's own log: INFO and above (the UI shows every level from the event log).
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
POLL_SECONDS = 0.5
# A run the launcher gave no sign of within this time (no run record) did not start.
LAUNCH_TIMEOUT_SECONDS = 300


class LaunchFailed(RuntimeError):
    """`dagster job launch` ended without creating the run (its log says why)."""


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
    unfinished = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED], tags={"ogp/trigger": "cli"}))
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
        instance.report_run_failed(run, message=f"The process that ran it ({gone}) is gone; marked failed and its pool slots freed.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(run.run_id)
        print(f"run {run.run_id} had been abandoned (its process {gone} is gone): marked failed", file=sys.stderr)
    return recovered


# --- launching and following ---------------------------------------------------------------------


def launch(job_name: str, run_id: str, *, tags: dict[str, str], log) -> subprocess.Popen:
    """`dagster job launch` on the project's workspace: it loads the code location, creates the run
    with the location's origin and submits it to the instance's run coordinator (the run launcher
    starts it in its own process). Its output and the run's go to `log`."""
    command = [str(Path(sys.executable).parent / "dagster"), "job", "launch", "-w", str(WORKSPACE), "-j", job_name,
               "--run-id", run_id, "--tags", json.dumps(tags), "--config-json", json.dumps(RUN_CONFIG)]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)


@dataclass
class Progress:
    """What a person can follow: a bar on a terminal; elsewhere a line every tenth of the steps."""
    job_name: str
    interactive: bool
    total: int = 0
    printed_tenth: int = 0
    started: float = field(default_factory=time.monotonic)
    bar: object = None

    def steps(self, total: int) -> None:
        if self.total or not total:
            return
        self.total = total
        if self.interactive:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="step", desc=self.job_name, file=sys.stderr,
                            bar_format="{desc:<48.48} {bar} {n_fmt}/{total_fmt} steps [{elapsed}]")

    def advance(self, done: int, running: str | None) -> None:
        if self.bar is not None:
            self.bar.set_description_str(f"{self.job_name}: {running or 'starting'}")
            self.bar.update(done - self.bar.n)
        elif self.total:
            tenth = done * 10 // self.total
            if tenth > self.printed_tenth:
                self.printed_tenth = tenth
                elapsed = int(time.monotonic() - self.started)
                print(f"  {self.job_name}: {done}/{self.total} steps, {elapsed // 60}:{elapsed % 60:02d}"
                      + (f" ({running})" if running and done < self.total else ""), file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stream(path: Path, stop: threading.Event) -> None:
    """`-v`: the run's log on stderr as it is written."""
    with open(path, encoding="utf-8", errors="replace") as source:
        while True:
            line = source.readline()
            if line:
                sys.stderr.write(line)
            elif stop.is_set():
                return
            else:
                time.sleep(0.2)


def follow(instance, run_id: str, launcher: subprocess.Popen, progress: Progress):
    """Wait for the run to end, reading its steps from the event log; the run when it has ended."""
    from dagster import DagsterEventType, DagsterRunStatus

    queued_since = None
    finished = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED}
    cursor, done, running = None, 0, None
    deadline = time.monotonic() + LAUNCH_TIMEOUT_SECONDS
    while True:
        run = instance.get_run_by_id(run_id)
        if run is None:
            if launcher.poll() is not None or time.monotonic() > deadline:
                raise LaunchFailed(f"dagster job launch ended ({launcher.poll()}) without creating run {run_id}")
            time.sleep(POLL_SECONDS)
            continue
        if run.execution_plan_snapshot_id and not progress.total:
            plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
            progress.steps(len(plan.step_keys_to_execute or plan.steps))
        connection = instance.get_records_for_run(run_id, cursor=cursor, of_type={DagsterEventType.STEP_START, *finished})
        cursor = connection.cursor
        for record in connection.records:
            event = record.event_log_entry.dagster_event
            if event.event_type in finished:
                done += 1
            else:
                running = event.step_key
        progress.advance(done, running)
        if run.status == DagsterRunStatus.QUEUED:
            queued_for = time.monotonic() - (queued_since := queued_since or time.monotonic())
            if queued_for > QUEUED_WITHOUT_DAEMON_SECONDS and not _daemon_running(instance):
                raise LaunchFailed(
                    f"run {run_id} is queued and no Dagster daemon takes queued runs from this instance: start one "
                    "(`dagster-daemon run`, as deploy/ does, or `make ui`), or let runs start at once "
                    "(run_coordinator DefaultRunCoordinator in $DAGSTER_HOME/dagster.yaml); the run stays queued")
        if run.is_finished:
            return run
        time.sleep(POLL_SECONDS)


def _daemon_running(instance) -> bool:
    """Whether a Dagster daemon beside this instance has said it is alive lately."""
    return bool(instance.get_daemon_statuses(["QUEUED_RUN_COORDINATOR"])["QUEUED_RUN_COORDINATOR"].healthy)


def explain_failure(instance, run) -> None:
    """On failure, say which checks or steps failed, in words, on stderr (the UI has the detail)."""
    from dagster import DagsterEventType, DagsterRunStatus

    if run.status == DagsterRunStatus.SUCCESS:
        return
    kinds = {DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}
    said = False
    for record in instance.get_records_for_run(run.run_id, of_type=kinds).records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION and not data.passed:
            print(f"check failed ({data.severity.value}): {data.asset_key.to_user_string()} {data.check_name}", file=sys.stderr)
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            error = data.error
            while error.cause is not None and error.cls_name.startswith("Dagster"):  # the user code's own error
                error = error.cause
            print(f"step failed: {event.step_key} ({error.cls_name}): {error.message.strip()[:500]}", file=sys.stderr)
            said = True
        elif event.event_type == DagsterEventType.RUN_FAILURE and not said:
            print(f"run failed: {record.event_log_entry.message[:500]}", file=sys.stderr)
    print(f"run {run.run_id} {run.status.value.lower()}; nothing downstream of the failure was published.", file=sys.stderr)


def run_tags() -> dict[str, str]:
    """Who launched it, so a later command can tell an abandoned run from a live one."""
    return {"ogp/trigger": "cli", "ogp/pid": str(os.getpid()), "ogp/host": socket.gethostname()}


def run_job(settings: Settings, job_name: str, *, tags: dict[str, str], verbose: bool = False) -> bool:
    """Launch `job_name` with `tags` (its partition or range among them), follow it with a progress
    display, keep its whole log in $OGP_DATA_DIR/logs/ (named at the end), explain a failure and
    print the closing summary; True when it succeeded. Ctrl-C terminates the run."""
    import dagster as dg

    from orchestration import stage_times
    from orchestration.run_outcome import tag_run_with_its_outcome

    init_instance(settings)
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.get() as instance:
        recover_abandoned_runs(instance)
        run_id = str(uuid.uuid4())
        final_log = log_dir / f"{job_name}-{run_id[:8]}.log"
        stop = threading.Event()
        with open(final_log, "w", encoding="utf-8") as log:
            launcher = launch(job_name, run_id, tags={**run_tags(), **tags}, log=log)
        streamer = threading.Thread(target=_stream, args=(final_log, stop), daemon=True) if verbose else None
        if streamer:
            streamer.start()
        progress = Progress(job_name, interactive=sys.stderr.isatty() and not verbose)
        try:
            run = follow(instance, run_id, launcher, progress)
        except LaunchFailed as failed:
            raise LaunchFailed(f"{failed} (log: {final_log})") from None
        except KeyboardInterrupt:
            print(f"\nterminating run {run_id}…", file=sys.stderr)
            instance.run_launcher.terminate(run_id)
            raise
        finally:
            progress.close()
            stop.set()
            with contextlib.suppress(subprocess.TimeoutExpired):
                launcher.wait(timeout=30)
            if streamer:
                streamer.join(timeout=5)
        explain_failure(instance, run)
        # The closing summary, and the same counts as tags on the run for the UI's run list.
        for line in tag_run_with_its_outcome(instance, run_id, data_dir=settings.data_dir).lines():
            print(line, file=sys.stderr)
        print(f"run log (Dagster's and dbt's output): {final_log}", file=sys.stderr)
    stage_times.prune(settings.data_dir)
    return run.status == dg.DagsterRunStatus.SUCCESS
