"""What a run did, read back from the instance's event log: the checks that warned or failed,
the snapshot versions it wrote, and where its time went (by stage). Shown as the CLI's closing summary and as tags on the run, so
the UI's run list tells a clean success from one that published with warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from orchestration import stage_times

SNAPSHOT = dg.AssetKey("monthly_progress_snapshot")
TAG_WARNED = "ogp/checks_warned"
TAG_FAILED = "ogp/checks_failed"
SHOWN_VERSIONS = 3  # the newest versions a run wrote, named in its summary (the catalogue lists them all)


@dataclass
class RunOutcome:
    run_id: str
    job_name: str
    status: str
    warned: list[str] = field(default_factory=list)  # "asset: check" of warning-severity failures
    failed: list[str] = field(default_factory=list)  # "asset: check" of error-severity failures
    versions: list[dict] = field(default_factory=list)  # {"month", "version", "new", "path"} per snapshot month
    seconds: float = 0.0  # the run's wall time, from its start event to its end event
    stages: dict[str, float] = field(default_factory=dict)  # stage -> seconds (orchestration/stage_times.py)
    rows: dict[str, int] = field(
        default_factory=dict
    )  # received, loaded, quarantined: the rows of the files this run loaded

    def tags(self) -> dict[str, str]:
        return {TAG_WARNED: str(len(self.warned)), TAG_FAILED: str(len(self.failed))}

    def lines(self) -> list[str]:
        lines = [f"run {self.run_id} ({self.job_name}): {self.status.lower()}"]
        if self.failed:
            lines.append(f"checks failed ({len(self.failed)}): " + "; ".join(self.failed))
        if self.warned:
            lines.append(f"checks warned ({len(self.warned)}): " + "; ".join(self.warned))
        if not self.failed and not self.warned:
            lines.append("every check passed")
        if self.rows:
            lines.append(
                f"rows of the files it loaded: {self.rows['received']} received = {self.rows['loaded']} loaded"
                f" + {self.rows['quarantined']} quarantined"
            )
        written = [v for v in self.versions if v["new"]]
        if self.versions:
            lines.append(f"snapshots: {len(self.versions)} month(s), {len(written)} new version(s)")
            for version in written[-SHOWN_VERSIONS:]:
                lines.append(f"  {version['month']} {version['version']}: {version['path']}")
            if len(written) > SHOWN_VERSIONS:
                lines.append(f"  ... and {len(written) - SHOWN_VERSIONS} earlier")
        if self.stages:
            largest = sorted(self.stages.items(), key=lambda kv: -kv[1])[:6]
            lines.append(
                f"time {self.seconds:.1f} s: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in largest)
            )
        return lines


# Steps that are one stage of the work, by step key; ingestion and dbt steps record their parts.
STEP_STAGES = {
    "monthly_progress_snapshot": stage_times.SNAPSHOT,
    "duckdb_serving_copy": stage_times.SERVING_DUCKDB,
    "postgres_serving_schema": stage_times.SERVING_POSTGRES,
    "open_data_portal_publication": stage_times.PORTAL,
    "search__commitment_index": stage_times.SIMILARITY,
    "co_creation_briefs": stage_times.SIMILARITY,
    "correspondence__delivery_receipts": stage_times.CORRESPONDENCE,
    "correspondence__reporting_reminders": stage_times.CORRESPONDENCE,
}


def step_stage(step_key: str) -> str | None:
    if step_key in STEP_STAGES:
        return STEP_STAGES[step_key]
    if "_gx_" in step_key:
        return stage_times.GREAT_EXPECTATIONS
    if step_key.endswith("no_rows_quarantined"):
        return stage_times.QUARANTINE_CHECKS
    return None


_STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.RUN_START,
    dg.DagsterEventType.RUN_SUCCESS,
    dg.DagsterEventType.RUN_FAILURE,
}


def run_stages(instance: dg.DagsterInstance, run_id: str, data_dir: Path) -> tuple[float, dict[str, float]]:
    """The run's wall time and its split by stage, from its step events and the parts its steps
    recorded. Steps run one at a time in this platform (the warehouse pool), so the parts add up."""
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    run_start = run_end = None
    for entry in instance.all_logs(run_id, of_type=_STEP_EVENTS):
        kind, step = entry.dagster_event.event_type, entry.step_key
        if kind == dg.DagsterEventType.RUN_START:
            run_start = entry.timestamp
        elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            run_end = entry.timestamp
        elif kind == dg.DagsterEventType.STEP_START:
            starts.setdefault(step, entry.timestamp)
        else:
            ends[step] = entry.timestamp
    if run_start is None or run_end is None:
        return 0.0, {}
    steps = [(step, step_stage(step), ends[step] - start) for step, start in starts.items() if step in ends]
    return run_end - run_start, stage_times.by_stage(run_end - run_start, steps, stage_times.recorded(data_dir, run_id))


def run_outcome(instance: dg.DagsterInstance, run_id: str, *, data_dir: Path | None = None) -> RunOutcome:
    run = instance.get_run_by_id(run_id)
    outcome = RunOutcome(run_id, run.job_name, run.status.value)
    if data_dir is not None:
        outcome.seconds, outcome.stages = run_stages(instance, run_id, data_dir)
    evaluations = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    for record in evaluations:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed:
            name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
            (outcome.warned if evaluation.severity == dg.AssetCheckSeverity.WARN else outcome.failed).append(name)
    # Each month's snapshot partition carries that month's own version and path.
    materializations = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=100_000
    ).records
    for record in materializations:
        materialization = record.event_log_entry.asset_materialization
        if materialization is not None and {"received", "loaded", "quarantined"} <= set(materialization.metadata):
            for key in ("received", "loaded", "quarantined"):  # an ingestion asset's ledger of this run
                outcome.rows[key] = outcome.rows.get(key, 0) + int(materialization.metadata[key].value)
        if (
            materialization is None
            or materialization.asset_key != SNAPSHOT
            or "version" not in materialization.metadata
        ):
            continue
        metadata = materialization.metadata
        outcome.versions.append(
            {
                "month": metadata["reporting_month"].value,
                "version": metadata["version"].value,
                "new": bool(metadata["new_version"].value),
                "path": metadata["snapshot_path"].value,
            }
        )
    outcome.warned.sort()
    outcome.failed.sort()
    return outcome


def tag_run_with_its_outcome(instance: dg.DagsterInstance, run_id: str, *, data_dir: Path | None = None) -> RunOutcome:
    outcome = run_outcome(instance, run_id, data_dir=data_dir)
    instance.add_run_tags(run_id, outcome.tags())
    return outcome
