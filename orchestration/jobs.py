"""Jobs, schedules and sensors, all in the platform's time zone (OGP_TIMEZONE)."""

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from ingestion.inbox import inbox_files
from ingestion.sources import SOURCES
from orchestration.alerts import alert_on_run_failure, tag_runs_with_check_outcomes
from orchestration.partitions import PLATFORM_TIMEZONE, latest_reporting_month, reporting_months
from orchestration.settings import Settings

REMINDERS = dg.AssetSelection.assets(dg.AssetKey(["correspondence", "reporting_reminders"]))
RECEIPTS = dg.AssetSelection.assets(dg.AssetKey(["correspondence", "delivery_receipts"]))
INGESTION_AND_WAREHOUSE = dg.AssetSelection.groups("ingestion", "warehouse") | RECEIPTS

# The main job: every source, the warehouse, its checks, the receipts and the snapshot of one
# reporting month (reminders go on their own schedule).
monthly_progress_job = dg.define_asset_job(
    "monthly_progress_job",
    selection=dg.AssetSelection.all() - REMINDERS,
    partitions_def=reporting_months,
    description="Ingest every source, build the warehouse with its checks, publish the month's snapshot.",
)

# Between publications: forms are loaded and the warehouse rebuilt so operators see fresh figures.
# Jobs that include the monthly facts run on the last month that has ended (the facts are
# recomputed from there, or from the earliest month a late report changed, to the current month).
refresh_warehouse_job = dg.define_asset_job(
    "refresh_warehouse_job",
    selection=INGESTION_AND_WAREHOUSE,
    partitions_def=reporting_months,
    description="Load new progress reports and source data, send their receipts, rebuild the warehouse and run its checks.",
)

# After `ogp reparse`: the warehouse from what raw holds now, nothing fetched, every incremental
# model rebuilt whole (re-parsing may have removed rows that a model added before).
WAREHOUSE_FULL_REFRESH = {
    "ops": {
        op: {"config": {"full_refresh": True}}
        for op in ("warehouse_models", "monthly_progress_facts", "commitment_similarity_models")
    }
}
rebuild_warehouse_job = dg.define_asset_job(
    "rebuild_warehouse_job",
    selection=dg.AssetSelection.groups("warehouse"),
    partitions_def=reporting_months,
    config=WAREHOUSE_FULL_REFRESH,
    description="Rebuild the warehouse whole and run its checks from the raw tables as they are (no source is read).",
)

# Sources that arrive as one file at an address (catalogues, OGP's exports, the local-government
# index) change rarely: weekly.
REFERENCE_SOURCES = dg.AssetSelection.assets(*(spec.asset_key for spec in SOURCES if spec.address_setting))
refresh_reference_data_job = dg.define_asset_job(
    "refresh_reference_data_job",
    selection=REFERENCE_SOURCES | (REFERENCE_SOURCES.downstream() & dg.AssetSelection.groups("warehouse")),
    partitions_def=reporting_months,
    description="Reload the catalogues, OGP's exports and the local-government index, and rebuild the warehouse.",
)


def latest_month_schedule(name: str, job, cron: str, description: str) -> dg.ScheduleDefinition:
    """A schedule for a job that includes the monthly facts: each tick runs the last ended month."""

    @dg.schedule(name=name, job=job, cron_schedule=cron, execution_timezone=PLATFORM_TIMEZONE, description=description)
    def _schedule(context: dg.ScheduleEvaluationContext):
        return dg.RunRequest(partition_key=latest_reporting_month())

    return _schedule


weekly_reference_data_schedule = latest_month_schedule(
    "weekly_reference_data_schedule",
    refresh_reference_data_job,
    "0 3 * * 1",
    "Mondays at 03:00: catalogues, OGP data and the local-government index.",
)

monthly_snapshot_schedule = dg.build_schedule_from_partitioned_job(
    monthly_progress_job,
    name="monthly_snapshot_schedule",
    day_of_month=5,
    hour_of_day=6,
    description=f"On the 5th at 06:00 ({PLATFORM_TIMEZONE}), the snapshot of the month that just ended.",
)

daily_forms_schedule = latest_month_schedule(
    "daily_forms_schedule",
    refresh_warehouse_job,
    "0 2 * * *",
    "Every day at 02:00: new progress reports into the warehouse.",
)


institution_reminders_job = dg.define_asset_job(
    "institution_reminders_job",
    selection=REMINDERS,
    partitions_def=reporting_months,
    description="Remind institutions with milestones under way and no report for the month; a second time, coordination copied.",
)


def months_to_remind(today: date, settings: Settings) -> list[date]:
    """The reporting months a reminder falls on `today` for: the month just ended on OGP_REMINDER_DAY
    and OGP_ESCALATION_DAYS after it; the month before when its second reminder falls this late.
    A run finds due only what was not sent, so one missed catches up at the next."""
    this_month = today.replace(day=1)
    just_ended = (this_month - timedelta(days=1)).replace(day=1)
    months = []
    for month, first_day in ((just_ended, this_month), ((just_ended - timedelta(days=1)).replace(day=1), just_ended)):
        first = first_day.replace(day=settings.reminder_day)
        if today in (first, first + timedelta(days=settings.escalation_days)):
            months.append(month)
    return months


@dg.schedule(
    job=institution_reminders_job,
    cron_schedule="0 8 * * *",
    execution_timezone=PLATFORM_TIMEZONE,
    description="At 08:00 on the reminder day and on the second reminder's day: the month each falls for.",
)
def institution_reminders_schedule(context: dg.ScheduleEvaluationContext):
    now = context.scheduled_execution_time or datetime.now(ZoneInfo(PLATFORM_TIMEZONE))
    today = now.astimezone(ZoneInfo(PLATFORM_TIMEZONE)).date()
    months = months_to_remind(today, Settings.from_env())
    if not months:
        return dg.SkipReason(f"{today}: no reminder falls today (OGP_REMINDER_DAY, OGP_ESCALATION_DAYS)")
    return [
        dg.RunRequest(run_key=f"reminders-{month:%Y-%m}-{today}", partition_key=month.isoformat()) for month in months
    ]


@dg.sensor(
    job=refresh_warehouse_job, minimum_interval_seconds=60, description="New spreadsheet drops in OGP_INBOX_DIR."
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    inbox = Settings.from_env().inbox_dir
    if not inbox.is_dir():
        return dg.SkipReason(f"{inbox} does not exist")
    files = inbox_files(inbox)
    # lstat: a link in the inbox is never followed, not even to see whether it changed.
    state = hashlib.sha256(
        "".join(f"{p.name}:{p.lstat().st_size}:{p.lstat().st_mtime_ns}\n" for p in files).encode()
    ).hexdigest()
    if not files or state == context.cursor:
        return dg.SkipReason("no new or changed files in the inbox")
    context.update_cursor(state)
    # The ingestion asset skips files already loaded (by content hash), so a run per change is safe.
    return dg.RunRequest(run_key=state, partition_key=latest_reporting_month(), tags={"ogp/trigger": "inbox"})


# The config each job runs with, which `ogp` gives beside its loggers (orchestration/runner.py): a
# run config given at launch replaces the job's own.
JOB_RUN_CONFIG = {"rebuild_warehouse_job": WAREHOUSE_FULL_REFRESH}

JOBS = [
    monthly_progress_job,
    refresh_warehouse_job,
    refresh_reference_data_job,
    rebuild_warehouse_job,
    institution_reminders_job,
]
SCHEDULES = [
    monthly_snapshot_schedule,
    daily_forms_schedule,
    weekly_reference_data_schedule,
    institution_reminders_schedule,
]
SENSORS = [inbox_sensor, alert_on_run_failure, tag_runs_with_check_outcomes]
