"""Publication: the monthly progress snapshot (one partition per reporting month) and the copies
that BI tools and the national open-data portal read."""

from datetime import date, timedelta

import dagster as dg

from exports.bi_contract import load_contracts
from exports.catalogue import update_catalogue
from exports.ckan import CkanClient, publish_snapshot
from exports.formatting import LABELLED_CODES
from exports.postgres import copy_schema
from exports.serving import publish_serving_copy
from exports.snapshot import build_monthly_snapshot
from exports.versions import current_version_dir
from ingestion.http import redact_url
from ingestion.quarantine import blocking_rows
from ingestion.sources import blocking_sources
from orchestration.blast_radius import BLOCKED_BY, asset_domain
from orchestration.dbt_project import dbt_project
from orchestration.methodology import methodology_parameters
from orchestration.partitions import reporting_months
from orchestration.resources import PlatformResource
from orchestration.shared import OWNERS, WAREHOUSE_POOL, exposure_inputs, exposure_models, whole_asset_graph


def build_snapshot_asset(warehouse_assets: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    # The marts it reads are its dbt exposure's (dbt_project/models/exposures.yml).
    inputs = exposure_inputs(warehouse_assets, "monthly_progress_snapshot")
    return dg.asset(
        name="monthly_progress_snapshot",
        group_name="publication",
        partitions_def=reporting_months,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=inputs,
        kinds={"parquet", "csv", "html"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        # Published on the 5th for the month before: stale if a month goes by without one.
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(days=40), warn_window=timedelta(days=36)),
        description=SNAPSHOT_DESCRIPTION,
    )(monthly_progress_snapshot)


SNAPSHOT_DESCRIPTION = (
    "The monthly progress snapshot: open-data package (datapackage.json, CSV/Parquet/JSON, SHA-256 "
    "manifest), the report in Spanish and the site, under `$OGP_DATA_DIR/snapshots/YYYY-MM/vN/`. A re-run "
    "with the same inputs writes nothing new; a correction becomes a new version beside the old one. "
    "Each partition's materialization names that month only: its path, version, row counts and warnings."
)


def monthly_progress_snapshot(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    reference_failures = stop_if_blocking_checks_failed(context, "monthly_progress_snapshot", platform)
    settings = platform.settings()
    methodology = methodology_parameters()
    months = [date.fromisoformat(k) for k in context.partition_keys]
    warnings = _standing_check_warnings(context) + reference_failures
    for warning in warnings:
        context.log.warning(f"publishing with a data-quality warning: {warning['check']} on {warning['asset']}")
    results = []
    with platform.warehouse(read_only=True) as con:
        sources = [
            {"title": "Informes de avance de las instituciones (formularios)", "path": str(settings.inbox_dir.name)},
            {
                "title": "Catálogo de hitos de los planes de acción",
                "path": redact_url(settings.plan_catalogue_url).rsplit("/", 1)[-1],
            },
            {"title": "OGP Data Dashboard", "path": "https://www.opengovpartnership.org/"},
        ]
        for month in months:
            result = build_monthly_snapshot(
                con,
                month,
                settings.snapshots_dir,
                is_demo=settings.uses_demo_data,
                sources=sources,
                methodology=methodology,
                quality_warnings=warnings,
                report_languages=settings.report_languages,
                portal_url=settings.ckan_url or None,
                reuse_dir=settings.page_reuse_dir,
            )
            results.append(result)
            context.log.info(
                f"{result.reporting_month}: {result.version} ({'new' if result.created else 'unchanged'}) at {result.path}; "
                f"{result.pages_reused} of {result.pages_reused + result.pages_rendered} commitment and "
                "institution pages' bodies and briefs taken from the publication before"
            )
            # Each partition's materialization carries its own month's facts only (a run over many
            # months materializes them all; nothing run-wide is added to them).
            context.add_asset_metadata(
                partition_key=month.isoformat(),
                metadata={
                    "reporting_month": result.reporting_month,
                    "version": result.version,
                    "new_version": result.created,
                    "snapshot_path": dg.MetadataValue.path(str(result.path)),
                    "site": dg.MetadataValue.path(str(result.path / "index.html")),
                    "report": dg.MetadataValue.path(str(result.path / "informe.html")),
                    "row_counts": dg.MetadataValue.json(result.row_counts),
                    "pages_taken_from_before": result.pages_reused,
                    "quality_warnings": dg.MetadataValue.json(warnings),
                    "demonstration_data": settings.uses_demo_data,
                },
            )
    update_catalogue(settings.snapshots_dir)
    context.log.info(f"{len(results)} month(s), {sum(r.created for r in results)} new version(s)")
    return dg.MaterializeResult()


def stop_if_blocking_checks_failed(
    context: dg.AssetExecutionContext, publication: str, platform: PlatformResource
) -> list[dict]:
    """The publication gate. It judges the data being published, whichever run landed it: a row
    of a blocking source's published version still in quarantine (not corrected by a new file,
    not released with `ogp release`) stops `publication`, as does an error-severity check that
    failed earlier in this run on data of a domain the publication is blocked by (its blast
    radius, orchestration/blast_radius.py). The other error-level failures are returned, to be
    published as warnings. (Dagster's own blocking does not reach every downstream shape, e.g. a
    dbt multi-asset, so the gate is kept here, where publishing happens.)"""
    blocked_by = BLOCKED_BY[publication]
    with platform.warehouse(read_only=True) as con:
        standing = blocking_rows(con, blocking_sources(blocked_by))
    if standing:
        lines = [
            f"{r.quarantine_id} ({r.source}, {r.file_name}, fila {r.source_row_number}): {r.reason}"
            for r in standing[:20]
        ]
        raise dg.Failure(
            description=(
                f"Publicación detenida: {len(standing)} fila(s) en cuarentena en los datos que se publicarían. "
                'Corrija el archivo o libérelas con `ogp release <id> --reason "..."`: ' + "; ".join(lines)
            ),
            metadata={"quarantined_rows": dg.MetadataValue.json([r.__dict__ for r in standing[:100]])},
            allow_retries=False,
        )
    graph = whole_asset_graph(context)
    failed, outside = [], []
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
    ).records
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            domain = asset_domain(graph, evaluation.asset_key)
            entry = {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "severity": "error",
                "domain": domain.value,
            }
            (failed if domain in blocked_by else outside).append(entry)
    if failed:
        names = sorted(f"{f['asset']}: {f['check']}" for f in failed)
        raise dg.Failure(
            description="Publication blocked: error-level data-quality checks failed in this run: " + "; ".join(names),
            metadata={"failed_checks": dg.MetadataValue.json(names)},
            allow_retries=False,
        )
    for entry in outside:
        context.log.warning(
            f"publishing although {entry['check']} failed on {entry['asset']} ({entry['domain']} data: "
            f"it does not block {publication})"
        )
    return sorted(outside, key=lambda w: (w["asset"], w["check"]))


# Checks about what one run received (its quarantine): their findings are published in the
# data-quality annex of the package, not as standing warnings, so a re-run with nothing new still
# gives the same bytes.
PER_RUN_CHECKS = {"no_rows_quarantined"}


def _standing_check_warnings(context: dg.AssetExecutionContext) -> list[dict]:
    """Warning-severity checks whose latest evaluation failed: publication goes on, and says so.
    (An error-severity failure in the same run fails its step and stops publication.) The latest
    evaluation is used, not this run's, and every check of the code location is read, not only those
    of the job that runs it, so re-publishing a month from the UI (the snapshot alone) records the
    same warnings as the monthly job."""
    warnings = []
    for check_key in whole_asset_graph(context).asset_check_keys:
        if check_key.name in PER_RUN_CHECKS:
            continue
        record = context.instance.get_latest_asset_check_evaluation_record(check_key)
        if record is None or record.event is None or record.event.dagster_event is None:
            continue
        evaluation = record.event.dagster_event.event_specific_data
        if (
            isinstance(evaluation, dg.AssetCheckEvaluation)
            and not evaluation.passed
            and evaluation.severity == dg.AssetCheckSeverity.WARN
        ):
            warnings.append({"asset": check_key.asset_key.to_user_string(), "check": check_key.name})
    return sorted(warnings, key=lambda w: (w["asset"], w["check"]))


def build_serving_assets(
    warehouse_assets: list[dg.AssetsDefinition], snapshot: dg.AssetsDefinition
) -> list[dg.AssetsDefinition]:
    """The copies BI tools and the national portal read, downstream of the marts and the snapshot
    (each exposure's inputs): when the month's snapshot fails, no serving copy changes (the
    month's publications switch together)."""

    def inputs(exposure: str) -> list[dg.AssetKey]:
        return exposure_inputs(warehouse_assets, exposure) + [snapshot.key]

    return [
        _duckdb_serving_copy(inputs("duckdb_serving_copy")),
        _postgres_serving_schema(inputs("postgres_serving_schema")),
        _open_data_portal_publication(inputs("open_data_portal_publication")),
    ]


def _duckdb_serving_copy(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The marts as a read-only DuckDB file for BI tools."""

    @dg.asset(
        group_name="publication",
        deps=deps,
        kinds={"duckdb"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        description=(
            "Read-only serving copy of the marts for DuckDB users at $OGP_DATA_DIR/serving/warehouse.duckdb, "
            "replaced by atomic rename so readers never hold the pipeline's write lock."
        ),
    )
    def duckdb_serving_copy(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        stop_if_blocking_checks_failed(context, "duckdb_serving_copy", platform)
        settings = platform.settings()
        with platform.warehouse() as con:
            counts = publish_serving_copy(con, settings.serving_warehouse_path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(settings.serving_warehouse_path)),
                "tables": dg.MetadataValue.json(counts),
            }
        )

    return duckdb_serving_copy


def _postgres_serving_schema(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The marts in a PostgreSQL schema for BI tools."""

    @dg.asset(
        group_name="publication",
        deps=deps,
        kinds={"postgres"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        output_required=False,
        description=(
            "The marts in PostgreSQL (OGP_PG_DSN, schema OGP_PG_SERVING_SCHEMA) for Metabase, Superset or "
            "Power BI, swapped in atomically. Runs when OGP_PUBLISH_POSTGRES=1."
        ),
    )
    def postgres_serving_schema(context: dg.AssetExecutionContext, platform: PlatformResource):
        stop_if_blocking_checks_failed(context, "postgres_serving_schema", platform)
        settings = platform.settings()
        if not settings.publish_postgres:
            context.log.info("OGP_PUBLISH_POSTGRES is not set: the PostgreSQL serving schema is not published")
            return
        # What its exposure lists: the marts, and the milestone history from the snapshots schema.
        served = exposure_models("postgres_serving_schema")
        history = {name: f"snapshots.{name}" for name in served if name.startswith("snap_")}
        contracts = load_contracts(dbt_project().manifest_path, set(served))
        with platform.warehouse(read_only=True) as con:
            copied = copy_schema(
                con,
                settings.pg_dsn.value,
                source_schema="marts",
                target_schema=settings.pg_serving_schema,
                tables=[name for name in served if name not in history],
                also=history,
                contracts=contracts,
                labels=LABELLED_CODES,
                leave_out_empty=True,
            )
        yield dg.MaterializeResult(
            metadata={
                "schema": settings.pg_serving_schema,
                "tables": dg.MetadataValue.json({c.table: c.rows for c in copied}),
            }
        )

    return postgres_serving_schema


def _open_data_portal_publication(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The month's snapshot on the national open-data portal."""

    @dg.asset(
        group_name="publication",
        partitions_def=reporting_months,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=deps,
        kinds={"ckan"},
        owners=OWNERS,
        retry_policy=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL),
        output_required=False,
        description=(
            "The month's snapshot published to the national open-data portal (CKAN action API at OGP_CKAN_URL "
            "with OGP_CKAN_API_KEY): one dataset per month, re-runs update instead of duplicating."
        ),
    )
    def open_data_portal_publication(context: dg.AssetExecutionContext, platform: PlatformResource):
        stop_if_blocking_checks_failed(context, "open_data_portal_publication", platform)
        settings = platform.settings()
        if not settings.ckan_url:
            context.log.info("OGP_CKAN_URL is not set: nothing is published to the open-data portal")
            return
        client = CkanClient(settings.ckan_url, settings.ckan_api_key.value)
        for key in context.partition_keys:
            month = key[:7]
            result = publish_snapshot(
                client,
                current_version_dir(settings.snapshots_dir, month),
                reporting_month=month,
                organization=settings.ckan_organization or None,
            )
            context.log.info(f"{result.dataset}: {len(result.uploaded)} uploaded, {len(result.unchanged)} unchanged")
            context.add_asset_metadata(
                partition_key=key,
                metadata={
                    "portal": redact_url(settings.ckan_url),
                    "dataset": result.dataset,
                    "created": result.created_dataset,
                    "uploaded": len(result.uploaded),
                },
            )
        yield dg.MaterializeResult()

    return open_data_portal_publication
