"""Running a job as the UI and the daemon do, for `ogp` and the tests: the instance made ready, runs
abandoned by a killed process freed, the run launched through the instance to the code location
(`dagster job launch`, Dagster's own command), then followed from the instance's event log until it
ends. A run started here is like one started from the UI: it carries its code location's origin, so
the UI lists it on its timeline and re-executes it, and it runs in its own process with the job's
executor, as a UI or scheduled run does (so one costs what the other does).

With OGP_RUN_IN_PROCESS=1 the job is executed inside the command instead (`execute_here`)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.instance import init_instance, recover_abandoned_runs
from orchestration.settings import PROJECT_ROOT, Settings

WORKSPACE = PROJECT_ROOT / "workspace.yaml"

# A run still queued this long with no daemon to take it will not start by itself.
QUEUED_WITHOUT_DAEMON_SECONDS = 60

# The run's own log: INFO and above (the UI shows every level from the event log).
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
POLL_SECONDS = 0.5
# A run the launcher gave no sign of within this time (no run record) did not start.
LAUNCH_TIMEOUT_SECONDS = 300


class LaunchFailed(RuntimeError):
    """`dagster job launch` ended without creating the run (its log says why)."""


# --- launching and following ---------------------------------------------------------------------


def launch(job_name: str, run_id: str, *, tags: dict[str, str], log) -> subprocess.Popen:
    """`dagster job launch` on the project's workspace: it loads the code location, creates the run
    with the location's origin and submits it to the instance's run coordinator (the run launcher
    starts it in its own process). Its output and the run's go to `log`."""
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "job",
        "launch",
        "-w",
        str(WORKSPACE),
        "-j",
        job_name,
        "--run-id",
        run_id,
        "--tags",
        json.dumps(tags),
        "--config-json",
        json.dumps(run_config(job_name)),
    ]
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

            self.bar = tqdm(
                total=total,
                unit="step",
                desc=self.job_name,
                file=sys.stderr,
                bar_format="{desc:<48.48} {bar} {n_fmt}/{total_fmt} steps [{elapsed}]",
            )

    def advance(self, done: int, running: str | None) -> None:
        if self.bar is not None:
            self.bar.set_description_str(f"{self.job_name}: {running or 'starting'}")
            self.bar.update(done - self.bar.n)
        elif self.total:
            tenth = done * 10 // self.total
            if tenth > self.printed_tenth:
                self.printed_tenth = tenth
                elapsed = int(time.monotonic() - self.started)
                print(
                    f"  {self.job_name}: {done}/{self.total} steps, {elapsed // 60}:{elapsed % 60:02d}"
                    + (f" ({running})" if running and done < self.total else ""),
                    file=sys.stderr,
                )

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
        connection = instance.get_records_for_run(
            run_id, cursor=cursor, of_type={DagsterEventType.STEP_START, *finished}
        )
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
                    "(run_coordinator DefaultRunCoordinator in $DAGSTER_HOME/dagster.yaml); the run stays queued"
                )
        if run.is_finished:
            return run
        time.sleep(POLL_SECONDS)


def run_config(job_name: str) -> dict:
    """The loggers `ogp` sets, with the job's own config (a full rebuild's `full_refresh`), which
    a run config given at launch would otherwise replace."""
    from orchestration.jobs import JOB_RUN_CONFIG

    return {**RUN_CONFIG, **JOB_RUN_CONFIG.get(job_name, {})}


def execute_here(instance, job_name: str, run_id: str, *, tags: dict[str, str]):
    """The job executed in this process (Dagster's `execute_in_process`), its log printed as it goes;
    the run when it has ended. The instance records it as it records a launched run (events,
    checks, materializations, tags), but the run has no code location origin, so the UI shows it and
    cannot re-execute it. Nothing loads the code location a second or third time (the launcher, the
    code server, the run worker): a run starts about 10 s sooner, and a second run in the same
    process reuses dbt's parsed project."""
    from orchestration.definitions import defs

    job = defs().resolve_job_def(job_name)
    result = job.execute_in_process(
        instance=instance, run_config=run_config(job_name), tags=tags, run_id=run_id, raise_on_error=False
    )
    return result.dagster_run


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
            print(
                f"check failed ({data.severity.value}): {data.asset_key.to_user_string()} {data.check_name}",
                file=sys.stderr,
            )
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            error = data.error
            while error.cause is not None and error.cls_name.startswith("Dagster"):  # the user code's own error
                error = error.cause
            print(f"step failed: {event.step_key} ({error.cls_name}): {error.message.strip()[:500]}", file=sys.stderr)
            said = True
        elif event.event_type == DagsterEventType.RUN_FAILURE and not said:
            print(f"run failed: {record.event_log_entry.message[:500]}", file=sys.stderr)
    print(
        f"run {run.run_id} {run.status.value.lower()}; nothing downstream of the failure was published.",
        file=sys.stderr,
    )


def run_tags() -> dict[str, str]:
    """Who launched it, so a later command can tell an abandoned run from a live one."""
    return {"ogp/trigger": "cli", "ogp/pid": str(os.getpid()), "ogp/host": socket.gethostname()}


def run_job(settings: Settings, job_name: str, *, tags: dict[str, str], verbose: bool = False) -> bool:
    """Launch `job_name` with `tags` (its partition or range among them), follow it with a progress
    display, keep its whole log in $OGP_DATA_DIR/logs/ (named at the end), explain a failure and
    print the closing summary; True when it succeeded. Ctrl-C terminates the run. With
    `settings.run_in_process` the job is executed here instead, its log printed as it goes."""
    import dagster as dg

    from orchestration import stage_times
    from orchestration.run_outcome import tag_run_with_its_outcome

    init_instance(settings)
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.get() as instance:
        recover_abandoned_runs(instance)
        run_id = str(uuid.uuid4())
        tags = {**run_tags(), **tags}
        if settings.run_in_process:
            run, final_log = execute_here(instance, job_name, run_id, tags=tags), None
        else:
            run, final_log = _launch_and_follow(instance, job_name, run_id, tags=tags, verbose=verbose, log_dir=log_dir)
        explain_failure(instance, run)
        # The closing summary, and the same counts as tags on the run for the UI's run list.
        for line in tag_run_with_its_outcome(instance, run_id, data_dir=settings.data_dir).lines():
            print(line, file=sys.stderr)
        if final_log is not None:
            print(f"run log (Dagster's and dbt's output): {final_log}", file=sys.stderr)
    stage_times.prune(settings.data_dir)
    return run.status == dg.DagsterRunStatus.SUCCESS


def _launch_and_follow(instance, job_name: str, run_id: str, *, tags: dict[str, str], verbose: bool, log_dir: Path):
    """The run launched to the code location and followed to its end; the run and its log file."""
    final_log = log_dir / f"{job_name}-{run_id[:8]}.log"
    stop = threading.Event()
    with open(final_log, "w", encoding="utf-8") as log:
        launcher = launch(job_name, run_id, tags=tags, log=log)
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
    return run, final_log


def run_reporting_months(
    settings: Settings, job_name: str, *, first: date | None = None, last: date | None = None, verbose: bool = False
) -> bool:
    """`job_name` for a month, a range of months in one run, or (neither given) the last ended month:
    the partition tags of every command that runs a job."""
    from orchestration.partitions import latest_reporting_month

    if first is not None and last is not None and first != last:
        tags = {
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        }
    else:
        tags = {"dagster/partition": (first or date.fromisoformat(latest_reporting_month())).isoformat()}
    return run_job(settings, job_name, tags=tags, verbose=verbose)


def run_months(first: date, last: date, *, settings: Settings, verbose: bool = False) -> bool:
    """Run the main job over a range of reporting months in one run (single-run backfill)."""
    return run_reporting_months(settings, "monthly_progress_job", first=first, last=last, verbose=verbose)


def refresh_warehouse(settings: Settings, job_name: str = "refresh_warehouse_job", verbose: bool = False) -> bool:
    return run_reporting_months(settings, job_name, verbose=verbose)
