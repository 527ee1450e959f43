"""The warehouse: every dbt model as an asset, every dbt test as an asset check on its model
(error severity blocks downstream publication).

Two definitions over one manifest. The monthly facts (dbt tag `monthly_fact`: milestone,
commitment and plan progress) are partitioned by reporting month and incremental; everything
else (staging, dimensions, the other facts) is not partitioned and is rebuilt whole, since it is
small and has no month. Pitfalls of splitting dagster-dbt definitions, handled here:
- one dbt invocation per backfill: the facts have a single-run `BackfillPolicy`, and the range's
  first month goes to dbt as `rebuild_from_month` (the models recompute from there to the
  current month, carrying each milestone forward from the month before);
- dbt tests stay checks on the definition that owns their model; tests spanning both (a fact's
  relationship to a dimension) run with the facts (eager indirect selection), never with the
  dimensions (cautious), since the facts' step always follows the dimensions';
- the first-partition race: the first build of an incremental fact is a full build; every
  warehouse writer is in the pool `duckdb_warehouse` (limit 1), so two partitions never race to
  create it, and whichever runs second finds it and goes incremental.
"""


import json
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets, get_asset_key_for_model

from orchestration.assets.ingestion import OWNERS, WAREHOUSE_POOL
from orchestration.dbt_project import dbt_project, prepare_manifest
from orchestration.partitions import reporting_months

MONTHLY_FACTS = "tag:monthly_fact"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return OWNERS


class WarehouseConfig(dg.Config):
    full_refresh: bool = False  # after a change of the methodology's parameters: recompute all history


def _translator() -> WarehouseTranslator:
    return WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True))


def dbt_build_args(config: WarehouseConfig, rebuild_from_month: str | None = None, *, indirect_selection: str = "eager") -> list[str]:
    # dbt unit tests check the method's SQL, not the data: they run once per change, in the test
    # suite (tests/test_dbt_docs.py), not in every production build (they would add ~8 s to each).
    args = ["build", "--indirect-selection", indirect_selection, "--exclude-resource-type", "unit_test"]
    if rebuild_from_month:
        args += ["--vars", json.dumps({"rebuild_from_month": rebuild_from_month})]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


def model_asset_key(warehouse: list[dg.AssetsDefinition], model: str) -> dg.AssetKey:
    """The asset key of a dbt model, whichever of the warehouse's definitions holds it."""
    for definition in warehouse:
        key = get_asset_key_for_model([definition], model)
        if key in definition.keys:
            return key
    raise KeyError(f"no dbt model named {model}")


def build_warehouse_assets() -> list[dg.AssetsDefinition]:
    project = dbt_project()
    manifest = prepare_manifest(project)

    @dbt_assets(
        manifest=manifest,
        project=project,
        name="warehouse_models",
        exclude=MONTHLY_FACTS,
        dagster_dbt_translator=_translator(),
        pool=WAREHOUSE_POOL,
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: WarehouseConfig):
        # `cautious`: a test that also reads a monthly fact (a fact's relationship to a dimension)
        # waits for the facts' run, which comes after this one.
        yield from dbt.cli(dbt_build_args(config, indirect_selection="cautious"), context=context).stream()

    @dbt_assets(
        manifest=manifest,
        project=project,
        name="monthly_progress_facts",
        select=MONTHLY_FACTS,
        partitions_def=reporting_months,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=_translator(),
        pool=WAREHOUSE_POOL,
    )
    def monthly_progress_facts(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: WarehouseConfig):
        first_month = context.partition_time_window.start.strftime("%Y-%m-%d")
        context.log.info(f"monthly facts recomputed from {first_month} (or an earlier month a late report changed) to the current month")
        yield from dbt.cli(dbt_build_args(config, first_month), context=context).stream()

    return [warehouse_models, monthly_progress_facts]
