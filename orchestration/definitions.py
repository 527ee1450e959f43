"""The code location: assets, checks, jobs, schedules, sensors and resources, assembled once.
Policies (pool, retries, owners) are set where the assets are defined; nothing here reads
settings, so loading the location is the same on every machine."""

import functools

import dagster as dg

from orchestration.assets.correspondence import build_correspondence_assets
from orchestration.assets.ingestion import INGESTION_ASSETS, ingestion_bookkeeping
from orchestration.assets.publication import build_serving_assets, build_snapshot_asset
from orchestration.assets.similarity import build_commitment_index_asset, co_creation_briefs
from orchestration.assets.warehouse import build_warehouse_assets
from orchestration.checks import LANDED_DATA_CHECKS
from orchestration.dbt_project import WarehouseDbtResource, dbt_executable, dbt_project
from orchestration.jobs import JOBS, SCHEDULES, SENSORS
from orchestration.resources import PlatformResource


@dg.definitions
@functools.cache  # Dagster calls it twice when it loads the location (to find it, then to build it)
def defs() -> dg.Definitions:
    warehouse = build_warehouse_assets()
    snapshot = build_snapshot_asset(warehouse)
    return dg.Definitions(
        assets=[
            *INGESTION_ASSETS,
            *ingestion_bookkeeping,
            *warehouse,
            build_commitment_index_asset(warehouse),
            co_creation_briefs,
            snapshot,
            *build_serving_assets(warehouse, snapshot),
            *build_correspondence_assets(warehouse),
        ],
        asset_checks=LANDED_DATA_CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        # Every step in the run's own process, one after another: a UI or scheduled run of a month
        # costs what `ogp`'s does (a process per step would add each step's start-up, ~35 times).
        # The warehouse admits one writer at a time anyway (the pool `duckdb_warehouse`).
        executor=dg.in_process_executor,
        resources={
            "platform": PlatformResource(),
            "dbt": WarehouseDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
        },
    )
