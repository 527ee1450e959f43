"""great-expectations suites as blocking asset checks on what each ingestion asset landed in
this run. dbt tests become asset checks through dagster-dbt (orchestration/assets/warehouse.py)."""


import dagster as dg

from orchestration.resources import PlatformResource

LANDED_TABLES = {
    "progress_reports": ["raw", "progress_reports"],
    "plan_milestones": ["raw", "plan_milestones"],
    "ogp_dashboard_commitments": ["raw", "ogp_dashboard_commitments"],
    "local_government_index": ["raw", "local_government_index"],
    "indicator_values": ["raw", "indicator_values"],
    "indicator_catalogue": ["raw", "indicator_catalogue"],
}


def _landed_data_check(suite: str, key: list[str]) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(key),
        name=f"gx_{suite}",
        blocking=True,
        description=f"great-expectations suite `{suite}` (quality/landed_data.py) on the rows landed by this run.",
    )
    def check(context: dg.AssetCheckExecutionContext, platform: PlatformResource) -> dg.AssetCheckResult:
        from quality.landed_data import validate

        with platform.warehouse(read_only=True) as con:
            frame = con.execute(
                f"""select * exclude (raw_payload) from raw.{suite}
                    where landed_file_id in (select landed_file_id from raw.ingestion_ledger where run_id = ?)""",
                [context.run.run_id],
            ).df()
        if frame.empty:
            return dg.AssetCheckResult(passed=True, metadata={"rows_checked": 0, "note": "nothing new landed in this run"})
        docs_dir = platform.settings().data_dir / "data_docs" / context.run.run_id
        summary = validate(suite, frame, docs_dir=docs_dir)
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


LANDED_DATA_CHECKS = [_landed_data_check(suite, key) for suite, key in LANDED_TABLES.items()]
