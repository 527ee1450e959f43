"""Asset checks on what each ingestion asset landed in this run, one pair per source of the
registry (`ingestion.sources`): its great-expectations suite, when it has one, and whether any
row it received was quarantined. dbt tests become asset checks through dagster-dbt
(orchestration/assets/warehouse.py)."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import dagster as dg

from ingestion.ledger import quarantined_in_run, record_validations, run_totals
from ingestion.source_spec import Domain, SourceSpec
from ingestion.sources import SOURCES
from orchestration.resources import PlatformResource

GX_BATCH_ROWS = 250_000  # of the few columns a suite reads (great-expectations needs ~4x the frame)
GX_CHILD_PROCESS_ROWS = 1_000_000  # landings larger than this are validated in a child process


def quarantine_severity(spec: SourceSpec) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if spec.quarantine_blocks_publication else dg.AssetCheckSeverity.WARN


def _blocks_the_build(spec: SourceSpec, severity: dg.AssetCheckSeverity) -> bool:
    """Dagster's blocking (nothing downstream runs) only for progress data: a reference source's
    failure is left to the publication gate, which stops only the publications holding it."""
    return severity == dg.AssetCheckSeverity.ERROR and spec.domain == Domain.PROGRESS


def _landed_data_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    suite = spec.table_name

    @dg.asset_check(
        asset=dg.AssetKey(spec.asset_key),
        name=f"gx_{suite}",
        blocking=_blocks_the_build(spec, dg.AssetCheckSeverity.ERROR),
        description=f"great-expectations suite `{suite}` (declared by the source `{spec.name}`) on the rows landed by this run.",
    )
    def check(context: dg.AssetCheckExecutionContext, platform: PlatformResource) -> dg.AssetCheckResult:
        from quality.landed_data import validate_landed_rows  # great-expectations: not at code-location load

        settings = platform.settings()
        docs_dir = settings.data_dir / "data_docs"  # one site: each suite's latest validation
        with platform.warehouse(read_only=True) as con:
            landed = run_totals(con, context.run.run_id, spec.name).loaded
        arguments = (settings.warehouse_path, suite, context.run.run_id)
        options = {
            "docs_dir": docs_dir,
            "batch_rows": GX_BATCH_ROWS,
            "memory_limit": settings.duckdb_memory_limit,
            "lock_timeout_s": platform.lock_timeout_s,
        }
        if landed > GX_CHILD_PROCESS_ROWS:
            # A large landing is validated in a child process: the memory pandas and
            # great-expectations take is returned when it ends, not kept through the dbt build.
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
                summary = child.submit(validate_landed_rows, *arguments, **options).result()
        else:
            summary = validate_landed_rows(*arguments, **options)
        if summary.landed_file_ids:
            # A file that fails stays to be checked by every run until it passes.
            with platform.warehouse() as con:
                record_validations(con, suite, summary.landed_file_ids, summary.success, context.run.run_id)
        if summary.rows == 0:
            return dg.AssetCheckResult(
                passed=True, metadata={"rows_checked": 0, "note": "nothing new landed in this run"}
            )
        failing = sum(f.unexpected_count or 0 for f in summary.failures)
        return dg.AssetCheckResult(
            passed=summary.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_checked": summary.rows,
                "files_checked": len(summary.landed_file_ids),
                "expectations": summary.evaluated,
                "failed_expectations": len(summary.failures),
                "failing_rows": failing,
                "result": dg.MetadataValue.md(summary.markdown()),
                **({"data_docs": dg.MetadataValue.path(str(summary.docs_page))} if summary.docs_page else {}),
            },
        )

    return check


def _quarantine_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    # What quarantined rows mean for publication is the source's own declaration
    # (`SourceSpec.quarantine_blocks_publication`): error, or warning with the rows in the annex.
    severity = quarantine_severity(spec)

    @dg.asset_check(
        asset=dg.AssetKey(spec.asset_key),
        name="no_rows_quarantined",
        blocking=_blocks_the_build(spec, severity),
        description=(
            f"Every row of `{spec.name}` received in this run was loaded; quarantined rows are listed with their "
            f"rule and reason ({severity.value.lower()} when any)."
        ),
    )
    def check(context: dg.AssetCheckExecutionContext, platform: PlatformResource) -> dg.AssetCheckResult:
        import pandas  # not at code-location load

        with platform.warehouse(read_only=True) as con:
            totals = run_totals(con, context.run.run_id, spec.name)
            sample = quarantined_in_run(con, context.run.run_id, spec.name)
        return dg.AssetCheckResult(
            passed=totals.quarantined == 0,
            severity=severity,
            metadata={
                "received": totals.received,
                "loaded": totals.loaded,
                "quarantined": totals.quarantined,
                "rule": f"every received row of {spec.name} is loaded",
                "quarantined_rows": dg.MetadataValue.md(
                    pandas.DataFrame(sample).to_markdown(index=False) if sample else "_none_"
                ),
            },
        )

    return check


LANDED_DATA_CHECKS = [_landed_data_check(spec) for spec in SOURCES if spec.expectations] + [
    _quarantine_check(spec) for spec in SOURCES
]
