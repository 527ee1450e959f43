"""Names every asset module shares: owners, the warehouse pool, retry and freshness policies, and
how a dbt model or a publication's dbt exposure is found among the warehouse's definitions."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_shared.check import CheckError

from orchestration import stage_times
from orchestration.dbt_project import dbt_project

OWNERS = ["team:datos-gobierno-abierto"]
# Every asset that opens the DuckDB warehouse: one at a time (limit 1 in the instance config).
# One pool per warehouse: a deployment per member (its own data directory) names its own, so two
# members' runs sharing a Dagster instance proceed side by side. Read when the code location
# loads (a pool is part of the definitions), the one setting that is.
WAREHOUSE_POOL = os.environ.get("OGP_WAREHOUSE_POOL") or "duckdb_warehouse"
SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

# How stale each kind of source may get before the UI flags it (forms daily, reference data weekly).
FORMS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=3), warn_window=timedelta(days=2))
REFERENCE_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=15), warn_window=timedelta(days=8))


def stage_clock(context: dg.AssetExecutionContext, data_dir: Path, stage: str):
    """Time one part of this step (orchestration/stage_times.py)."""
    return stage_times.timed(data_dir, context.run_id, str(context.op_handle), stage)


def model_asset_key(warehouse: list[dg.AssetsDefinition], model: str) -> dg.AssetKey:
    """The asset key of a dbt model, whichever of the warehouse's definitions holds it."""
    for definition in warehouse:
        key = get_asset_key_for_model([definition], model)
        if key in definition.keys:
            return key
    raise KeyError(f"no dbt model named {model}")


@lru_cache(maxsize=4)
def _exposures(manifest_path: Path, modified: float) -> dict[str, list[str]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        exposure["name"]: [manifest["nodes"][node]["name"] for node in exposure["depends_on"]["nodes"]]
        for exposure in manifest["exposures"].values()
    }


def exposure_models(exposure: str) -> list[str]:
    """The dbt models a publication reads, as its exposure (dbt_project/models/exposures.yml) lists them."""
    path = dbt_project().manifest_path
    models = _exposures(path, path.stat().st_mtime).get(exposure)
    if models is None:
        raise KeyError(f"no dbt exposure named {exposure} in {path}")
    return models


def exposure_inputs(warehouse: list[dg.AssetsDefinition], exposure: str) -> list[dg.AssetKey]:
    """A publication's Dagster deps: the asset keys of the models its dbt exposure lists."""
    return [model_asset_key(warehouse, model) for model in exposure_models(exposure)]


def whole_asset_graph(context: dg.AssetExecutionContext):
    """Every asset and check of the code location, whichever job runs the step: a run launched
    from the UI to publish one month holds only the snapshot, yet its gate and warnings must read
    the whole lineage. An in-process run (`ogp`, tests) has no code location attached; it runs a
    whole job, whose graph is used."""
    try:
        return context.repository_def.asset_graph
    except CheckError:
        return context.job_def.asset_layer.asset_graph
