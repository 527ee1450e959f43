"""A run-failure sensor that tells operators, through a webhook (OGP_ALERT_WEBHOOK_URL), which
run failed, in which step, and why; and a run-success sensor that tags each run with how many
checks warned or failed."""

import dagster as dg

from exports.alerts import send_webhook_alert
from orchestration.run_outcome import tag_run_with_its_outcome
from orchestration.settings import Settings


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts a message to OGP_ALERT_WEBHOOK_URL (Slack/Teams-compatible JSON) when any run of this platform fails.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    settings = Settings.from_env()
    if not settings.alert_webhook_url:
        return dg.SkipReason("OGP_ALERT_WEBHOOK_URL is not set")
    failed_steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    message = context.failure_event.message or "the run failed"
    send_webhook_alert(
        settings.alert_webhook_url.value,
        message[:1500],
        title=f"Run failed: {context.dagster_run.job_name}",
        fields={
            "run_id": context.dagster_run.run_id,
            "job": context.dagster_run.job_name,
            "failed_steps": ", ".join(failed_steps) or "-",
            "partition": context.dagster_run.tags.get(
                "dagster/partition", context.dagster_run.tags.get("dagster/asset_partition_range_start", "-")
            ),
        },
    )


@dg.run_status_sensor(
    name="tag_runs_with_check_outcomes",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tags each successful run with how many checks warned or failed (ogp/checks_warned, ogp/checks_failed), "
    "so the runs list tells a clean success from one that published with warnings.",
)
def tag_runs_with_check_outcomes(context: dg.RunStatusSensorContext):
    tag_run_with_its_outcome(context.instance, context.dagster_run.run_id)
