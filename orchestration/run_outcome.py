"""What a run did, read back from the instance's event log: the checks that warned or failed
and the snapshot versions it wrote. Shown as the CLI's closing summary and as tags on the run, so
the UI's run list tells a clean success from one that published with warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

SNAPSHOT = dg.AssetKey("monthly_progress_snapshot")
TAG_WARNED = "ogp/checks_warned"
TAG_FAILED = "ogp/checks_failed"


@dataclass
class RunOutcome:
    run_id: str
    job_name: str
    status: str
    warned: list[str] = field(default_factory=list)   # "asset: check" of warning-severity failures
    failed: list[str] = field(default_factory=list)   # "asset: check" of error-severity failures
    versions: list[dict] = field(default_factory=list)  # {"month", "version", "new", "path"} per snapshot month

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
        written = [v for v in self.versions if v["new"]]
        if self.versions:
            lines.append(f"snapshots: {len(self.versions)} month(s), {len(written)} new version(s)")
            for version in written[-12:]:
                lines.append(f"  {version['month']} {version['version']}: {version['path']}")
            if len(written) > 12:
                lines.append(f"  ... and {len(written) - 12} earlier")
        return lines


def run_outcome(instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
    run = instance.get_run_by_id(run_id)
    outcome = RunOutcome(run_id, run.job_name, run.status.value)
    evaluations = instance.get_records_for_run(run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000).records
    for record in evaluations:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed:
            name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
            (outcome.warned if evaluation.severity == dg.AssetCheckSeverity.WARN else outcome.failed).append(name)
    observations = instance.get_records_for_run(run_id=run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION, limit=100_000).records
    for record in observations:
        observation = record.event_log_entry.asset_observation
        if observation is None or observation.asset_key != SNAPSHOT:
            continue
        metadata = observation.metadata
        outcome.versions.append({
            "month": metadata["reporting_month"].value, "version": metadata["version"].value,
            "new": bool(metadata["new_version"].value), "path": metadata["snapshot_path"].value,
        })
    outcome.warned.sort()
    outcome.failed.sort()
    return outcome


def tag_run_with_its_outcome(instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
    outcome = run_outcome(instance, run_id)
    instance.add_run_tags(run_id, outcome.tags())
    return outcome
