"""The warehouse: every dbt model as an asset, every dbt test as an asset check on its model
(error severity blocks downstream publication)."""


from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.ingestion import OWNERS, WAREHOUSE_POOL
from orchestration.dbt_project import dbt_project, prepare_manifest


class WarehouseTranslator(DagsterDbtTranslator):
    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return OWNERS


def build_warehouse_assets() -> dg.AssetsDefinition:
    project = dbt_project()
    manifest = prepare_manifest(project)

    @dbt_assets(
        manifest=manifest,
        project=project,
        name="warehouse_models",
        dagster_dbt_translator=WarehouseTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
        ),
        pool=WAREHOUSE_POOL,
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return warehouse_models
