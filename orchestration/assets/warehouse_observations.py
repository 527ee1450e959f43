"""What the warehouse's build shows in the UI besides dbt's own events: the bookkeeping tables it
reads, and the marts and monthly facts it built, as observations."""

import dagster as dg

from ingestion.ledger import bookkeeping_counts, ledger_by_source
from ingestion.quarantine import quarantine_by_source
from orchestration.resources import PlatformResource


def observe_bookkeeping(context: dg.AssetExecutionContext, platform: PlatformResource) -> None:
    """The ledger and the quarantine, which every ingestion asset writes and none materializes, as
    observed before the build reads them: row counts (and the ledger's balance), so the UI shows
    what they hold."""
    with platform.warehouse(read_only=True) as con:
        counts = bookkeeping_counts(con)
        ledger = ledger_by_source(con)
        quarantine = quarantine_by_source(con)
    totals = {k: sum(getattr(s, k) for s in ledger) for k in ("received", "loaded", "quarantined")}
    extra = {
        "ingestion_ledger": {
            **totals,
            "balanced": totals["received"] == totals["loaded"] + totals["quarantined"],
            "by_source": dg.MetadataValue.json(
                {
                    s.source: {
                        "files": s.files,
                        "received": s.received,
                        "loaded": s.loaded,
                        "quarantined": s.quarantined,
                    }
                    for s in ledger
                }
            ),
        },
        "quarantine": {
            "by_source": dg.MetadataValue.json({q.source: {"rows": q.rows, "released": q.released} for q in quarantine})
        },
    }
    for table, rows in counts.items():
        context.log_event(
            dg.AssetObservation(asset_key=["raw", table], metadata={"dagster/row_count": rows, **extra.get(table, {})})
        )


def observe_marts(context: dg.AssetExecutionContext, platform: PlatformResource) -> None:
    """Each mart this step built, as observed once dbt is done: its row count and first rows."""
    from exports.queries import table_summary  # pandas: at run time, not at code-location load

    marts = [key for key in context.selected_asset_keys if len(key.path) == 2 and key.path[0] == "marts"]
    with platform.warehouse(read_only=True) as con:
        for key in marts:
            rows, preview = table_summary(con, f"marts.{key.path[-1]}")
            context.log_event(
                dg.AssetObservation(
                    asset_key=key, metadata={"dagster/row_count": rows, "preview": dg.MetadataValue.md(preview)}
                )
            )


def observe_monthly_facts(context: dg.AssetExecutionContext, platform: PlatformResource) -> None:
    """Each monthly fact's rows per month of the run, recorded on that month's partition (the
    build's one materialization per fact cannot say how many rows each month has)."""
    from exports.queries import rows_by_month

    first, last = context.partition_keys[0], context.partition_keys[-1]
    marts = [key for key in context.selected_asset_keys if len(key.path) == 2 and key.path[0] == "marts"]
    with platform.warehouse(read_only=True) as con:
        for key in marts:
            for month, rows in rows_by_month(con, f"marts.{key.path[-1]}", first, last).items():
                context.log_event(
                    dg.AssetObservation(asset_key=key, partition=month, metadata={"dagster/row_count": rows})
                )
