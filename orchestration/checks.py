"""great-expectations suites as blocking asset checks on what each ingestion asset landed in
this run. dbt tests become asset checks through dagster-dbt (orchestration/assets/warehouse.py)."""


import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import dagster as dg

from orchestration.blast_radius import Domain, raw_table_domain
from orchestration.resources import PlatformResource

GX_BATCH_ROWS = 250_000  # of the few columns a suite reads (great-expectations needs ~4x the frame)
GX_CHILD_PROCESS_ROWS = 1_000_000  # landings larger than this are validated in a child process

LANDED_TABLES = {
    "progress_reports": ["raw", "progress_reports"],
    "plan_milestones": ["raw", "plan_milestones"],
    "ogp_dashboard_commitments": ["raw", "ogp_dashboard_commitments"],
    "local_government_index": ["raw", "local_government_index"],
    "indicator_values": ["raw", "indicator_values"],
    "indicator_catalogue": ["raw", "indicator_catalogue"],
}


def _blocks_the_build(key: list[str], severity: dg.AssetCheckSeverity) -> bool:
    """Dagster's blocking (nothing downstream runs) only for progress data: a reference source's
    failure is left to the publication gate, which stops only the publications holding it."""
    return severity == dg.AssetCheckSeverity.ERROR and raw_table_domain(key[-1]) == Domain.PROGRESS


def _landed_data_check(suite: str, key: list[str]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(key),
        name=f"gx_{suite}",
        blocking=_blocks_the_build(key, dg.AssetCheckSeverity.ERROR),
        description=f"great-expectations suite `{suite}` (quality/landed_data.py) on the rows landed by this run.",
    )
    def check(context: dg.AssetCheckExecutionContext, platform: PlatformResource) -> dg.AssetCheckResult:
        from quality.landed_data import validate_landed_rows

        settings = platform.settings()
        docs_dir = settings.data_dir / "data_docs" / context.run.run_id
        # The ledger names the source that landed the table, as the quarantine checks do.
        ledger_source = next(source for source, table in QUARANTINE_ASSETS.items() if table == key)
        with platform.warehouse(read_only=True) as con:
            # Rows the ledger says this run loaded; it is only a count (no table scan).
            [(landed,)] = con.execute(
                "select coalesce(sum(loaded), 0) from raw.ingestion_ledger where run_id = ? and source = ?",
                [context.run.run_id, ledger_source],
            ).fetchall()
        arguments = (settings.warehouse_path, suite, context.run.run_id)
        options = {"docs_dir": docs_dir, "batch_rows": GX_BATCH_ROWS, "memory_limit": settings.duckdb_memory_limit}
        if landed > GX_CHILD_PROCESS_ROWS:
            # A large landing is validated in a child process: the memory pandas and
            # great-expectations take is returned when it ends, not kept through the dbt build.
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
                summary = child.submit(validate_landed_rows, *arguments, **options).result()
        else:
            summary = validate_landed_rows(*arguments, **options)
        if summary.rows == 0:
            return dg.AssetCheckResult(passed=True, metadata={"rows_checked": 0, "note": "nothing new landed in this run"})
        failing = sum(f.unexpected_count or 0 for f in summary.failures)
        return dg.AssetCheckResult(
            passed=summary.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_checked": summary.rows,
                "expectations": summary.evaluated,
                "failed_expectations": len(summary.failures),
                "failing_rows": failing,
                "result": dg.MetadataValue.md(summary.markdown()),
                **({"data_docs": dg.MetadataValue.path(str(summary.docs_index))} if summary.docs_index else {}),
            },
        )

    return check


# What quarantined rows mean for publication, per source. A report that cannot be used is
# excluded and listed in the annex (warning); a catalogue row that cannot be used leaves the plan
# definition incomplete, so every figure could be wrong (error: publication stops); a
# local-government index row changes the published ranking (error, for the publications holding
# it: orchestration/blast_radius.py); a row of OGP's global exports is one commitment missing from
# the reference data, listed in the annex (warning).
QUARANTINE_SEVERITY = {
    "progress_reports": dg.AssetCheckSeverity.WARN,
    "indicator_values": dg.AssetCheckSeverity.WARN,
    "plan_catalogue": dg.AssetCheckSeverity.ERROR,
    "indicator_catalogue": dg.AssetCheckSeverity.ERROR,
    "ogp_dashboard": dg.AssetCheckSeverity.WARN,
    "local_government_index": dg.AssetCheckSeverity.ERROR,
    "open_data_portal": dg.AssetCheckSeverity.WARN,
    "open_data_portal_organizations": dg.AssetCheckSeverity.WARN,
    "open_data_portal_evidence": dg.AssetCheckSeverity.WARN,
    "ogp_explorer": dg.AssetCheckSeverity.WARN,
}
QUARANTINE_ASSETS = {
    "progress_reports": ["raw", "progress_reports"],
    "indicator_values": ["raw", "indicator_values"],
    "plan_catalogue": ["raw", "plan_milestones"],
    "indicator_catalogue": ["raw", "indicator_catalogue"],
    "ogp_dashboard": ["raw", "ogp_dashboard_commitments"],
    "local_government_index": ["raw", "local_government_index"],
    "open_data_portal": ["raw", "portal_datasets"],
    "open_data_portal_organizations": ["raw", "portal_organizations"],
    "open_data_portal_evidence": ["raw", "portal_evidence_checks"],
    "ogp_explorer": ["raw", "ogp_explorer_commitments"],
}


def _quarantine_check(source: str, key: list[str]) -> dg.AssetChecksDefinition:
    severity = QUARANTINE_SEVERITY[source]

    @dg.asset_check(
        asset=dg.AssetKey(key),
        name="no_rows_quarantined",
        blocking=_blocks_the_build(key, severity),
        description=(
            f"Every row of `{source}` received in this run was loaded; quarantined rows are listed with their "
            f"rule and reason ({severity.value.lower()} when any)."
        ),
    )
    def check(context: dg.AssetCheckExecutionContext, platform: PlatformResource) -> dg.AssetCheckResult:
        with platform.warehouse(read_only=True) as con:
            received, loaded, quarantined = con.execute(
                """select coalesce(sum(received), 0), coalesce(sum(loaded), 0), coalesce(sum(quarantined), 0)
                   from raw.ingestion_ledger where run_id = ? and source = ?""",
                [context.run.run_id, source],
            ).fetchone()
            sample = con.execute(
                """select q.rule, q.reason, q.source_row_number, f.original_name
                   from raw.quarantine q
                   join raw.ingestion_ledger l on l.landed_file_id = q.landed_file_id and l.source = q.source
                   left join raw.landed_files f on f.landed_file_id = q.landed_file_id
                   where l.run_id = ? and q.source = ?
                   order by f.original_name, q.source_row_number limit 20""",
                [context.run.run_id, source],
            ).df()
        return dg.AssetCheckResult(
            passed=quarantined == 0,
            severity=severity,
            metadata={
                "received": int(received), "loaded": int(loaded), "quarantined": int(quarantined),
                "rule": f"every received row of {source} is loaded",
                "quarantined_rows": dg.MetadataValue.md(sample.to_markdown(index=False) if len(sample) else "_none_"),
            },
        )

    return check


LANDED_DATA_CHECKS = [_landed_data_check(suite, key) for suite, key in LANDED_TABLES.items()] + [
    _quarantine_check(source, key) for source, key in QUARANTINE_ASSETS.items()
]
