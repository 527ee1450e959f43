"""The warehouse: every dbt model as an asset, every dbt test as an asset check on its model
(error severity blocks downstream publication).

Two definitions over one manifest. The monthly facts (dbt tag `monthly_fact`: milestone,
commitment and plan progress) are partitioned by reporting month and incremental; everything
else (staging, dimensions, the other facts) is not partitioned and is rebuilt whole, since it is
small and has no month, model by model when what it reads changed (warehouse/build_plan.py).
Pitfalls of splitting dagster-dbt definitions, handled here:
- one dbt invocation per backfill: the facts have a single-run `BackfillPolicy`, and the range's
  first month goes to dbt in OGP_REBUILD_FROM_MONTH (the models recompute from there to the
  current month, carrying each milestone forward from the month before);
- dbt tests stay checks on the definition that owns their model; tests spanning both (a fact's
  relationship to a dimension) run with the facts (eager indirect selection), never with the
  dimensions (cautious), since the facts' step always follows the dimensions';
- the first-partition race: the first build of an incremental fact is a full build; every
  warehouse writer is in the pool `duckdb_warehouse` (limit 1), so two partitions never race to
  create it, and whichever runs second finds it and goes incremental.

Each invocation starts from the partial-parse state the last one left for this data directory
(`Settings.dbt_parse_state_dir`, `$OGP_DATA_DIR/dbt_state`): dbt re-parses the whole project when its profile differs (the DuckDB path
is in it) or when --vars change, ~2 s per invocation; hence no --vars either.
"""

import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

from ingestion.source_spec import Domain
from orchestration.assets.dbt_target import copy_to_postgres_target, pull_from_postgres_target, with_failing_rows
from orchestration.assets.warehouse_observations import observe_bookkeeping, observe_marts, observe_monthly_facts
from orchestration.assets.warehouse_reuse import (
    builds_whole_definition,
    plan_warehouse_build,
    record_warehouse_build,
    reused_events,
)
from orchestration.blast_radius import asset_domain
from orchestration.check_descriptions import dbt_test_description
from orchestration.dbt_project import dbt_project, prepare_manifest
from orchestration.partitions import reporting_months
from orchestration.resources import PlatformResource
from orchestration.settings import Settings
from orchestration.shared import OWNERS, WAREHOUSE_POOL, whole_asset_graph
from orchestration.stage_times import dbt_stages, record
from warehouse.build_plan import dbt_selection

MONTHLY_FACTS = "tag:monthly_fact"
# Built after the commitment search index (orchestration/assets/similarity.py), which reads marts.
COMMITMENT_SIMILARITY = "tag:commitment_similarity"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return OWNERS

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project):
        # Every check says what it checks and what its failure does (dagster-dbt reads only meta.description).
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
            description=dbt_test_description(manifest["nodes"][unique_id], asset_spec.key.path[-1]),
        )


class WarehouseConfig(dg.Config):
    full_refresh: bool = False  # after a change of the methodology's parameters: recompute all history


def _translator() -> WarehouseTranslator:
    return WarehouseTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
    )


REBUILD_FROM_MONTH_ENV = "OGP_REBUILD_FROM_MONTH"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# dbt writes each invocation's artifacts (run results, compiled SQL) in a folder of its own under
# target/; the newest are kept for an operator to read, the others removed after each build.
DBT_RUN_FOLDERS_KEPT = 12
DBT_RUN_FOLDER = re.compile(r".+-[0-9a-f]{7}-[0-9a-f]{7}")


def prune_dbt_run_folders(
    target_dir: Path, keep: int = DBT_RUN_FOLDERS_KEPT, *, in_use: Path | None = None
) -> list[Path]:
    """Remove all but the `keep` newest invocation folders under dbt's target/ (never `in_use`).
    Runs side by side share target/: a folder another run removed meanwhile is passed over."""
    modified = {}
    for folder in target_dir.iterdir():
        if folder != in_use and DBT_RUN_FOLDER.fullmatch(folder.name):
            try:
                if folder.is_dir():
                    modified[folder] = folder.stat().st_mtime
            except FileNotFoundError:
                continue  # pruned by another run between the listing and now
    folders = sorted(modified, key=modified.__getitem__, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]


def dbt_build_args(config: WarehouseConfig, *, indirect_selection: str = "eager") -> list[str]:
    # dbt unit tests check the method's SQL, not the data: they run once per change, in the test
    # suite (tests/test_dbt_docs.py), not in every production build (they would add ~8 s to each).
    args = ["build", "--indirect-selection", indirect_selection, "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


@contextmanager
def dbt_environment(**values: str) -> Iterator[None]:
    """Variables for the dbt invocations made inside the block, which read this process's
    environment (dbt's profile and macros read them with `env_var`)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_variables(settings: Settings, given: Mapping[str, str]) -> dict[str, str]:
    """The variables a dbt invocation gets: those given, with the data directory as the settings
    resolved it. profiles.yml takes a relative OGP_DATA_DIR from dbt's working directory, which was
    the dbt project's folder when dbt was a process of its own; in the run worker it is not, so
    dbt gets the absolute folder Python uses (a relative `./data`, as in .env.example, would
    otherwise name a warehouse outside the project). On the postgres target, its sessions run
    without JIT (`postgres_session_options`)."""
    return {
        **given,
        "OGP_DATA_DIR": str(settings.data_dir),
        "PGOPTIONS": postgres_session_options(os.environ.get("PGOPTIONS", "")),
    }


def postgres_session_options(current: str) -> str:
    """libpq's PGOPTIONS for dbt's PostgreSQL sessions: JIT off, unless the operator's options set
    it. PostgreSQL compiles a query when its estimated cost is high, and the staging views' many
    joins and CASE expressions make it so on tables just built: a read of OGP's 150 commitments
    spent 3.3 s compiling and 30 ms running, and every model and test reading those views paid it
    (the demo's month on the postgres target: dbt's models 97 s of 161 s)."""
    return current if "jit" in current else f"{current} -c jit=off".strip()


def stream_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    *,
    settings: Settings,
    nodes: str | None = None,
    first: Iterable[Any] = (),
    **env: str,
) -> Iterator[Any]:
    """`dbt build` from this data directory's partial-parse state, which it then updates.

    The step fails, and nothing downstream runs, when a model or test could not run or an
    error-severity test failed on progress data. An error-severity test that failed only on
    reference data (OGP's exports, the local-government index) is recorded as a failed check and
    the step succeeds: the publication gate then stops only the publications holding that data
    (orchestration/blast_radius.py). Its time is recorded by kind of dbt node (stage_times.py).
    `first`: events yielded once dbt has started, before its own (dbt builds meanwhile, in its
    thread, and its events wait). Returns dbt's run results."""
    parse_state, data_dir = settings.dbt_parse_state_dir, settings.data_dir
    target = Path(dbt.project_dir) / "target" / f"{context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    if (parse_state / PARTIAL_PARSE_FILE).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parse_state / PARTIAL_PARSE_FILE, target / PARTIAL_PARSE_FILE)
    started = time.perf_counter()
    failed_checks, failed_tests = [], []
    # dbt runs in this process (orchestration/dbt_in_process.py) and reads its environment while it
    # runs: the variables stay set until its last event is read.
    with dbt_environment(**dbt_variables(settings, env)):
        more = {} if nodes is None else {"nodes": nodes}  # the build's own selection (WarehouseDbtResource)
        invocation = dbt.cli(args, context=context, target_path=target, raise_on_error=False, **more)
        yield from first
        for event in invocation.stream():
            if (
                isinstance(event, (dg.AssetCheckResult, dg.AssetCheckEvaluation))
                and not event.passed
                and event.severity == dg.AssetCheckSeverity.ERROR
            ):
                failed_checks.append(event.asset_key)
            if isinstance(event, dg.AssetCheckResult) and not event.passed:
                failed_tests.append(event)  # yielded below with its failing rows, once dbt lets go of the warehouse
                continue
            yield event
    yield from with_failing_rows(failed_tests, invocation.manifest, settings)
    process_seconds = time.perf_counter() - started
    run_results = invocation.get_artifact("run_results.json") if (target / "run_results.json").exists() else {}
    if run_results:
        for stage, seconds in dbt_stages(run_results, process_seconds).items():
            record(data_dir, context.run_id, str(context.op_handle), stage, seconds)
    prune_dbt_run_folders(target.parent, in_use=target)
    if (target / PARTIAL_PARSE_FILE).exists():
        parse_state.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / PARTIAL_PARSE_FILE, parse_state / f".{PARTIAL_PARSE_FILE}.tmp")
        os.replace(parse_state / f".{PARTIAL_PARSE_FILE}.tmp", parse_state / PARTIAL_PARSE_FILE)
    if not invocation.is_successful():
        if not (target / "run_results.json").exists():  # dbt stopped before any node (its warehouse, its project)
            raise invocation.get_error()
        graph = whole_asset_graph(context)
        did_not_run = [r["unique_id"] for r in run_results["results"] if r["status"] == "error"]
        progress = sorted({k.to_user_string() for k in failed_checks if asset_domain(graph, k) == Domain.PROGRESS})
        if did_not_run or progress or not failed_checks:
            raise invocation.get_error()
        context.log.warning(
            "dbt tests failed only on reference data; the build goes on and the publications holding it are "
            f"stopped by the gate: {sorted({k.to_user_string() for k in failed_checks})}"
        )
    return run_results


def build_warehouse_assets() -> list[dg.AssetsDefinition]:
    """Three dbt definitions over one manifest (see the module's docstring)."""
    project = dbt_project()
    manifest = prepare_manifest(project)
    return [
        _warehouse_models(project, manifest),
        _monthly_progress_facts(project, manifest),
        _commitment_similarity_models(project, manifest),
    ]


def _warehouse_models(project: DbtProject, manifest: Path) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=manifest,
        project=project,
        name="warehouse_models",
        exclude=f"{MONTHLY_FACTS} {COMMITMENT_SIMILARITY}",
        dagster_dbt_translator=_translator(),
        pool=WAREHOUSE_POOL,
    )
    def warehouse_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, platform: PlatformResource, config: WarehouseConfig
    ):
        observe_bookkeeping(context, platform)
        settings = platform.settings()
        # `cautious`: a test that also reads a monthly fact (a fact's relationship to a dimension)
        # waits for the facts' run, which comes after this one.
        args = dbt_build_args(config, indirect_selection="cautious")
        plan, nodes = None, None
        if builds_whole_definition(context):
            manifest, _, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
            with dbt_environment(**dbt_variables(settings, platform.environment())):
                plan = plan_warehouse_build(context, platform, manifest, full_refresh=config.full_refresh)
            # Exactly the nodes planned: their tests are in the plan, not left to indirect selection.
            args = dbt_build_args(config, indirect_selection="empty")
            nodes = " ".join(dbt_selection(manifest, plan.to_run))
        if plan is not None and not plan.to_run:
            yield from reused_events(context, plan)  # nothing to build: dbt does not start
        else:
            on_postgres = settings.dbt_target == "postgres"
            if on_postgres:
                copy_to_postgres_target(platform, "raw")
            # What stands is reported while dbt builds the rest (each event is a write to Dagster's
            # storage): parents first, and before any node dbt builds.
            reused = reused_events(context, plan) if plan is not None else ()
            run_results = yield from stream_build(
                context, dbt, args, settings=settings, nodes=nodes, first=reused, **platform.environment()
            )
            if on_postgres:
                pull_from_postgres_target(context, platform)
            if plan is not None:
                record_warehouse_build(context, platform, plan, run_results)
        observe_marts(context, platform)

    return warehouse_models


def _monthly_progress_facts(project: DbtProject, manifest: Path) -> dg.AssetsDefinition:
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
    def monthly_progress_facts(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, platform: PlatformResource, config: WarehouseConfig
    ):
        first_month = context.partition_time_window.start.strftime("%Y-%m-%d")
        context.log.info(
            f"monthly facts recomputed from {first_month} (or an earlier month a late report changed) to the current month"
        )
        yield from stream_build(
            context,
            dbt,
            dbt_build_args(config),
            settings=platform.settings(),
            **platform.environment(),
            **{REBUILD_FROM_MONTH_ENV: first_month},
        )
        if platform.settings().dbt_target == "postgres":
            pull_from_postgres_target(context, platform)
        observe_monthly_facts(context, platform)

    return monthly_progress_facts


def _commitment_similarity_models(project: DbtProject, manifest: Path) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=manifest,
        project=project,
        name="commitment_similarity_models",
        select=COMMITMENT_SIMILARITY,
        dagster_dbt_translator=_translator(),
        pool=WAREHOUSE_POOL,
    )
    def commitment_similarity_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, platform: PlatformResource, config: WarehouseConfig
    ):
        on_postgres = platform.settings().dbt_target == "postgres"
        if on_postgres:
            copy_to_postgres_target(platform, "search", ["commitment_peers"])
        yield from stream_build(
            context, dbt, dbt_build_args(config), settings=platform.settings(), **platform.environment()
        )
        if on_postgres:
            pull_from_postgres_target(context, platform)
        observe_marts(context, platform)

    return commitment_similarity_models
