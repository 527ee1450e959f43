"""The warehouse's build runs only what changed (warehouse/build_plan.py): the plan before dbt
starts, Dagster's events for what stands, and the record once dbt is done."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
from dagster_dbt.asset_utils import get_checks_on_sources_upstream_of_selected_assets

from orchestration.assets.dbt_target import dbt_target_connection
from orchestration.dbt_in_process import variables_read
from orchestration.dbt_project import dbt_project
from orchestration.partitions import PLATFORM_TIMEZONE
from orchestration.resources import PlatformResource
from warehouse.build_plan import (
    BuildPlan,
    definition_nodes,
    existing_relations,
    node_fingerprints,
    plan_build,
    project_fingerprint,
    record_builds,
    recorded_builds,
    source_fingerprints,
)

UNIQUE_ID = "dagster_dbt/unique_id"


def builds_whole_definition(context: dg.AssetExecutionContext) -> bool:
    """When only some of the definition's models were chosen (in the UI), dbt builds those, as
    asked, and nothing is planned nor recorded."""
    return set(context.selected_asset_keys) == set(context.assets_def.keys)


def plan_warehouse_build(
    context: dg.AssetExecutionContext, platform: PlatformResource, manifest: Mapping[str, Any], *, full_refresh: bool
) -> BuildPlan:
    """Which of the definition's nodes dbt runs: all of them on a full refresh (what they were
    built with is recorded all the same). Called with dbt's variables set, as dbt sees them."""
    from dbt.version import __version__ as dbt_version

    settings = platform.settings()
    built = {spec.metadata[UNIQUE_ID] for spec in context.assets_def.specs if UNIQUE_ID in spec.metadata}
    nodes = definition_nodes(manifest, built)
    sources = {p for n in nodes for p in manifest["parent_map"].get(n, []) if p in manifest["sources"]}
    project = dbt_project()
    project_key = project_fingerprint(
        project.project_dir,
        dbt_version,
        variables_read(*sorted({str(project.project_dir), str(project.profiles_dir)})),
    )
    with platform.warehouse(read_only=True) as con:
        source_keys = source_fingerprints(con, manifest, sources)
    with dbt_target_connection(settings) as con:
        relations = existing_relations(con)
        recorded = {} if full_refresh else recorded_builds(con, context.op.name)
    today = datetime.now(ZoneInfo(PLATFORM_TIMEZONE)).date()
    fingerprints = node_fingerprints(manifest, nodes, project_key, source_keys, today)
    plan = plan_build(manifest, nodes, fingerprints, recorded, relations)
    context.log.info(
        f"dbt rebuilds all {len(nodes)} node(s) (full refresh)"
        if full_refresh
        else f"dbt runs {len(plan.to_run)} of {len(nodes)} node(s): those whose inputs changed, or whose test did "
        f"not pass last time; {len(plan.reused)} stand as built or passed in earlier runs"
    )
    return plan


def reused_events(
    context: dg.AssetExecutionContext, plan: BuildPlan
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """What stands, as Dagster sees it: each model a materialization and each test a passed check,
    both saying they were not run again and which run built or passed them (so that the assets
    downstream run, and the month's gate reads every check of the build)."""
    specs = {spec.metadata.get(UNIQUE_ID): spec for spec in context.assets_def.specs}
    for unique_id, run_id in plan.reused.items():  # parents first, as Dagster requires
        if (spec := specs.get(unique_id)) is not None:
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={"reused": dg.MetadataValue.text(f"not rebuilt: its inputs are those of run {run_id}")},
            )
    # The checks dagster-dbt reports for a build of these assets: those selected, and those on the
    # sources they read.
    reported = {
        *context.selected_asset_check_keys,
        *get_checks_on_sources_upstream_of_selected_assets(
            assets_def=context.assets_def, selected_asset_keys=context.selected_asset_keys
        ),
    }
    for check in context.assets_def.check_specs:
        run_id = plan.reused.get(check.metadata.get(UNIQUE_ID, ""))
        if run_id is not None and check.key in reported:
            yield dg.AssetCheckResult(
                asset_key=check.asset_key,
                check_name=check.name,
                passed=True,
                metadata={
                    "reused": dg.MetadataValue.text(f"not run again: passed on the same inputs in run {run_id}"),
                    "unique_id": check.metadata[UNIQUE_ID],
                },
            )


def record_warehouse_build(
    context: dg.AssetExecutionContext, platform: PlatformResource, plan: BuildPlan, run_results: Mapping[str, Any]
) -> None:
    with dbt_target_connection(platform.settings(), read_only=False) as con:
        recorded = record_builds(con, context.op.name, context.run_id, plan, run_results.get("results", []))
    context.log.info(f"{recorded} of the {len(plan.to_run)} node(s) dbt ran recorded as built or passed")
