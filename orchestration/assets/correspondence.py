"""The institutions' loop: wires correspondence/ (receipts after each load, reminders on their
schedule) to the warehouse. Neither ever fails a run for a message that could not be delivered:
the message is recorded as failed, retried at the next run and shown in `ogp status`."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from ingestion import sources
from orchestration.partitions import PLATFORM_TIMEZONE, reporting_months
from orchestration.resources import PlatformResource
from orchestration.settings import Settings
from orchestration.shared import OWNERS, WAREHOUSE_POOL, exposure_inputs

RECEIPTS_KEY = dg.AssetKey(["correspondence", "delivery_receipts"])
REMINDERS_KEY = dg.AssetKey(["correspondence", "reporting_reminders"])

# Written by both assets below; declared so the dbt source that reads it has a home. Nothing in
# the warehouse depends on the assets themselves: no build or publication waits for the mail.
outbound_messages = dg.AssetSpec(
    ["raw", "outbound_messages"],
    group_name="correspondence",
    kinds={"duckdb"},
    owners=OWNERS,
    description="Every message written to an institution (who, what, when, outcome), written by the receipts and "
    "reminders; the recipients' addresses stay in the raw zone.",
)


def mail_transport(settings: Settings):
    from correspondence.mailer import transport_for  # smtplib, jinja: at run time

    return transport_for(
        settings.smtp_url.value,
        user=settings.smtp_user,
        password=settings.smtp_password.value,
        outbox=settings.outbox_dir,
    )


def today_in_deployment() -> date:
    return datetime.now(ZoneInfo(PLATFORM_TIMEZONE)).date()


def outcome_metadata(outcome, settings: Settings) -> dict:
    return {
        "composed": outcome.composed,
        "new": outcome.new,
        "delivered": dg.MetadataValue.json(outcome.by_state),
        "transport": "smtp" if settings.smtp_url else "outbox",
        **({} if settings.smtp_url else {"outbox": dg.MetadataValue.path(str(settings.outbox_dir))}),
    }


def log_deliveries(context, outcome) -> None:
    for is_warning, line in outcome.summary():
        (context.log.warning if is_warning else context.log.info)(line)


def build_correspondence_assets(warehouse_assets: list[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Receipts and reminders read what their exposures name in the warehouse's definitions."""
    return [_delivery_receipts(warehouse_assets), _reporting_reminders(warehouse_assets), outbound_messages]


def _delivery_receipts(warehouse_assets: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        key=RECEIPTS_KEY,
        group_name="correspondence",
        # What was loaded, whom to write to, and the warehouse's validation of the reports (its exposure).
        deps=[
            *(
                dg.AssetKey(s.asset_key)
                for s in (sources.PROGRESS_REPORTS, sources.INDICATOR_VALUES, sources.INSTITUTION_CONTACTS)
            ),
            *exposure_inputs(warehouse_assets, "delivery_receipts"),
        ],
        kinds={"duckdb", "email"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        description=(
            "A receipt (acuse de recibo) for every file delivered and not acknowledged yet: to each institution whose "
            "rows arrived, every file with its state, its rows loaded and each row set aside with its reason and the "
            "warnings; what names no institution, to the coordinating office. Through OGP_SMTP_URL, or written to "
            "$OGP_DATA_DIR/outbox/ when no server is set. Recorded in raw.outbound_messages."
        ),
    )
    def delivery_receipts(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        from correspondence.loop import send_receipts

        settings = platform.settings()
        with platform.warehouse() as con:
            outcome = send_receipts(
                con,
                mail_transport(settings),
                today=today_in_deployment(),
                sender=settings.mail_from,
                run_id=context.run_id,
            )
        log_deliveries(context, outcome)
        return dg.MaterializeResult(metadata=outcome_metadata(outcome, settings))

    return delivery_receipts


def _reporting_reminders(warehouse_assets: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        key=REMINDERS_KEY,
        group_name="correspondence",
        deps=[
            dg.AssetKey(sources.INSTITUTION_CONTACTS.asset_key),
            *exposure_inputs(warehouse_assets, "reporting_reminders"),
        ],
        partitions_def=reporting_months,
        kinds={"duckdb", "email"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        description=(
            "Reminders for the partition's month: from OGP_REMINDER_DAY of the next month, each institution with "
            "milestones under way and no report for it is reminded once; OGP_ESCALATION_DAYS later, a second one with "
            "the coordinating office copied. A stage missed (the schedule was off) goes out at the next run."
        ),
    )
    def reporting_reminders(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        from correspondence.loop import send_reminders
        from correspondence.reminders import WarehouseNotBuilt
        from orchestration.methodology import methodology_parameters

        settings = platform.settings()
        month = context.partition_time_window.start.date()
        due_day = int(methodology_parameters()["report_due_day"])
        timing = dict(
            today=today_in_deployment(),
            sender=settings.mail_from,
            reminder_day=settings.reminder_day,
            escalation_days=settings.escalation_days,
            due_day=due_day,
            run_id=context.run_id,
        )
        with platform.warehouse() as con:
            try:
                outcome = send_reminders(con, mail_transport(settings), month, **timing)
            except WarehouseNotBuilt as missing:
                raise dg.Failure(description=str(missing), allow_retries=False) from None
        log_deliveries(context, outcome)
        return dg.MaterializeResult(metadata=outcome_metadata(outcome, settings))

    return reporting_reminders
