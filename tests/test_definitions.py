"""The code location as operators see it in the UI: assets, groups, checks, jobs, schedules,
sensors; and that it loads through the same command the UI uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from orchestration.partitions import PLATFORM_TIMEZONE

ROOT = Path(__file__).resolve().parents[1]


def test_assets_by_group(definitions):
    graph = definitions.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert {"raw/progress_reports", "raw/plan_milestones", "raw/ogp_dashboard_commitments"} <= groups["ingestion"]
    assert {
        "marts/dim_action_plans",
        "marts/dim_commitments",
        "marts/dim_milestones",
        "marts/fct_progress_reports",
        "marts/fct_commitment_progress_monthly",
    } <= groups["warehouse"]
    assert groups["publication"] == {
        "monthly_progress_snapshot",
        "duckdb_serving_copy",
        "postgres_serving_schema",
        "open_data_portal_publication",
        "co_creation_briefs",
    }
    assert {"search/commitment_index", "marts/fct_similar_commitments", "marts/fct_commitment_outcomes"} <= groups[
        "warehouse"
    ]
    assert "snapshots/snap_plan_milestones" in groups["warehouse"]
    assert "default" not in groups


def test_monthly_facts_are_partitioned_and_dimensions_are_not(definitions):
    graph = definitions.resolve_asset_graph()
    for model in ("fct_milestone_status_monthly", "fct_commitment_progress_monthly", "fct_plan_progress_monthly"):
        node = graph.get(dg.AssetKey(["marts", model]))
        assert isinstance(node.partitions_def, dg.MonthlyPartitionsDefinition)
        assert node.backfill_policy == dg.BackfillPolicy.single_run()  # one dbt invocation per backfill
    for model in ("dim_commitments", "dim_milestones", "fct_progress_reports"):
        assert graph.get(dg.AssetKey(["marts", model])).partitions_def is None
    # A fact's dbt tests stay checks on the fact, including those that also read a dimension.
    fact_checks = {k.name for k in graph.get(dg.AssetKey(["marts", "fct_commitment_progress_monthly"])).check_keys}
    assert any(name.startswith("relationships_fct_commitment_progress_monthly") for name in fact_checks)


def test_refresh_jobs_run_on_the_last_month_that_ended(definitions):
    from orchestration.partitions import latest_reporting_month

    schedule = definitions.resolve_schedule_def("daily_forms_schedule")
    with dg.build_schedule_context(repository_def=definitions.get_repository_def()) as context:
        request = schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == latest_reporting_month()


def test_a_full_rebuild_keeps_its_config_when_ogp_runs_it(definitions):
    """`ogp reparse` runs `rebuild_warehouse_job` with its loggers' config, which used to replace the
    job's own: dbt then rebuilt nothing whole. The runner gives both, and the job takes them."""
    from orchestration import runner

    config = runner.run_config("rebuild_warehouse_job")
    assert config["loggers"] == runner.RUN_CONFIG["loggers"]
    assert {op: c["config"]["full_refresh"] for op, c in config["ops"].items()} == {
        "warehouse_models": True,
        "monthly_progress_facts": True,
        "commitment_similarity_models": True,
    }
    assert dg.validate_run_config(definitions.resolve_job_def("rebuild_warehouse_job"), config)
    assert runner.run_config("monthly_progress_job") == runner.RUN_CONFIG


def test_snapshot_is_monthly_and_downstream_of_the_marts(definitions):
    graph = definitions.resolve_asset_graph()
    snapshot = graph.get(dg.AssetKey("monthly_progress_snapshot"))
    assert isinstance(snapshot.partitions_def, dg.MonthlyPartitionsDefinition)
    assert (
        snapshot.partitions_def.timezone == PLATFORM_TIMEZONE == (os.environ.get("OGP_TIMEZONE") or "America/Guayaquil")
    )
    assert dg.AssetKey(["marts", "fct_commitment_progress_monthly"]) in snapshot.parent_keys


def test_checks_sit_on_their_assets(definitions):
    graph = definitions.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("raw/progress_reports", "gx_progress_reports") in checks
    assert (
        "marts/fct_commitment_progress_monthly",
        "unique_combination_fct_commitment_progress_monthly_commitment_id__reporting_month",
    ) in checks
    assert any(asset == "raw/progress_reports" and name.startswith("source_unique") for asset, name in checks), (
        "source tests are checks too"
    )


def test_schedules_in_the_platform_time_zone(definitions):
    monthly = definitions.resolve_schedule_def("monthly_snapshot_schedule")
    assert monthly.cron_schedule == "0 6 5 * *"
    assert monthly.execution_timezone == PLATFORM_TIMEZONE
    daily = definitions.resolve_schedule_def("daily_forms_schedule")
    assert (daily.cron_schedule, daily.execution_timezone) == ("0 2 * * *", PLATFORM_TIMEZONE)
    weekly = definitions.resolve_schedule_def("weekly_reference_data_schedule")
    assert (weekly.cron_schedule, weekly.execution_timezone) == ("0 3 * * 1", PLATFORM_TIMEZONE)


def test_sources_and_snapshot_declare_how_stale_they_may_get(definitions):
    graph = definitions.resolve_asset_graph()
    for key in (["raw", "progress_reports"], ["raw", "ogp_dashboard_commitments"], ["monthly_progress_snapshot"]):
        assert graph.get(dg.AssetKey(key)).freshness_policy is not None, key


def test_inbox_sensor_requests_a_run_for_new_files_once(definitions, data_dir):
    sensor = definitions.resolve_sensor_def("inbox_sensor")
    assert isinstance(sensor(dg.build_sensor_context()), dg.SkipReason)
    (data_dir / "inbox").mkdir(parents=True)
    (data_dir / "inbox" / "informe.csv").write_text("Código del hito\nEC0014-H1\n", encoding="utf-8")
    first = sensor(dg.build_sensor_context())
    assert isinstance(first, dg.RunRequest)
    again = sensor(dg.build_sensor_context(cursor=first.run_key))
    assert isinstance(again, dg.SkipReason)


def test_code_location_validates_from_the_workspace(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "DAGSTER_HOME": str(home)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_a_failed_run_is_announced_on_the_webhook(definitions, httpserver, monkeypatch):
    import json

    httpserver.expect_request("/hooks/ogp", method="POST").respond_with_data("ok")
    monkeypatch.setenv("OGP_ALERT_WEBHOOK_URL", httpserver.url_for("/hooks/ogp"))

    @dg.op
    def load_reports():
        raise RuntimeError("the portal answered 503 three times")

    @dg.job(name="monthly_progress_job")
    def failing_job():
        load_reports()

    with dg.DagsterInstance.ephemeral() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        failure = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0].dagster_event
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure,
        ).for_run_failure()
        definitions.resolve_sensor_def("alert_on_run_failure")(context)
    ((request, _),) = httpserver.log
    body = json.loads(request.data)
    assert body["title"] == "Run failed: monthly_progress_job"
    fields = {f["title"]: f["value"] for f in body["fields"]}
    assert fields["failed_steps"] == "load_reports" and fields["run_id"] == result.run_id


def test_the_dbt_resource_builds_on_what_dagster_dbt_still_has():
    """WarehouseDbtResource.cli runs dbt in this process with dagster-dbt's own pieces (its
    selection for the step, its target folder naming, its DbtCliInvocation): if dagster-dbt
    renames or reshapes them, this says so before a run does."""
    import dataclasses

    from dagster_dbt import DbtCliInvocation, DbtCliResource

    from orchestration.dbt_project import WarehouseDbtResource, dbt_executable, dbt_project

    assert hasattr(DbtCliResource, "_get_unique_target_path") and hasattr(DbtCliResource, "_cli_version")
    fields = {f.name for f in dataclasses.fields(DbtCliInvocation)}
    assert {"process", "manifest", "dagster_dbt_translator", "project_dir", "target_path"} <= fields
    assert {"raise_on_error", "cli_version", "project", "context"} <= fields
    resource = WarehouseDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
    assert resource._cli_version.major == 1


def test_settings_are_typed_fields_of_the_platform_resource_read_at_run_time(definitions, monkeypatch, tmp_path):
    """What the UI's resource page and the Launchpad show: each setting by its variable's name,
    with a description; unset, the environment decides when the run starts; secrets are no field."""
    from orchestration.resources import PlatformResource

    fields = PlatformResource.to_config_schema().as_field().config_type.fields
    assert {"OGP_DATA_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DBT_TARGET", "OGP_PUBLISH_POSTGRES"} <= set(fields)
    assert all(field.description for field in fields.values())
    assert not {name for name in fields if any(word in name for word in ("KEY", "TOKEN", "PASSWORD", "DSN", "WEBHOOK"))}
    monkeypatch.setenv("OGP_DATA_DIR", str(tmp_path / "from-env"))
    assert PlatformResource().settings().data_dir == tmp_path / "from-env"
    given = PlatformResource(OGP_DATA_DIR=str(tmp_path / "given"), OGP_PUBLISH_POSTGRES=True)
    assert (given.settings().data_dir, given.settings().publish_postgres) == (tmp_path / "given", True)
    assert given.environment() == {"OGP_DATA_DIR": str(tmp_path / "given"), "OGP_PUBLISH_POSTGRES": "1"}
    assert isinstance(definitions.resources["platform"], PlatformResource)


def test_every_check_says_what_it_checks_and_what_its_failure_does(definitions):
    specs = [spec for assets in definitions.resolve_asset_graph().assets_defs for spec in assets.check_specs]
    assert len(specs) > 150
    missing = [f"{s.asset_key.to_user_string()}: {s.name}" for s in specs if not (s.description or "").strip()]
    assert not missing
    by_name = {s.name: s.description for s in specs}
    assert by_name["not_null_fct_data_quality_issues_rule_code"].startswith(
        "Every row of fct_data_quality_issues has a value in rule_code."
    )
    assert "warning" in by_name["assert_commitment_progress_never_moves_backwards"]  # its severity, in words


def test_dbt_run_folders_are_pruned_to_the_newest(tmp_path):
    import os

    from orchestration.assets.warehouse import prune_dbt_run_folders

    folders = [tmp_path / f"warehouse_models-{i:07x}-abcdef{i % 10}" for i in range(15)]
    for age, folder in enumerate(reversed(folders)):
        folder.mkdir()
        os.utime(folder, (1_000_000 + age, 1_000_000 + age))  # folders[0] is the newest
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "docs").mkdir()
    removed = prune_dbt_run_folders(tmp_path, keep=5, in_use=folders[-1])
    assert sorted(removed) == sorted(folders[5:-1])
    assert {p.name for p in tmp_path.iterdir()} == {f.name for f in folders[:5]} | {
        folders[-1].name,
        "manifest.json",
        "docs",
    }


def test_a_run_folder_pruned_by_another_run_meanwhile_is_passed_over(tmp_path, monkeypatch):
    """Runs side by side (two members, overlapping runs) share dbt's target/: a folder listed, then
    removed by the other run before its age is read, is not an error of this run's step."""
    import os
    from pathlib import Path

    from orchestration.assets.warehouse import prune_dbt_run_folders

    folders = [tmp_path / f"warehouse_models-{i:07x}-abcdef{i}" for i in range(4)]
    for folder in folders:
        folder.mkdir()
    gone, stat, calls = folders[1], Path.stat, []

    def stat_after_the_other_run(self, **kwargs):
        if self == gone:
            calls.append(self)
            if len(calls) == 2:  # listed and seen to be a folder; then the other run prunes it
                os.rmdir(gone)
        return stat(self, **kwargs)  # FileNotFoundError once it is gone, as os.stat gives

    monkeypatch.setattr(Path, "stat", stat_after_the_other_run)
    removed = prune_dbt_run_folders(tmp_path, keep=1)
    assert gone not in removed and len(removed) == 2 and len(calls) >= 2 and not os.path.exists(gone)


def test_partitions_start_where_the_tracked_plans_start():
    """The months the UI lists start at OGP_FIRST_REPORTING_MONTH (Ecuador's first plan, 2019-09,
    unless set), not at OGP's founding; read when the code location loads."""
    import subprocess
    import sys

    probe = "from orchestration.partitions import reporting_months as r; print(r.get_first_partition_key(), r.timezone)"
    env = {k: v for k, v in os.environ.items() if k not in ("OGP_FIRST_REPORTING_MONTH", "OGP_TIMEZONE")}
    default = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert default == ["2019-09-01", "America/Guayaquil"]
    moved = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "OGP_FIRST_REPORTING_MONTH": "2022-01"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert moved[0] == "2022-01-01"
