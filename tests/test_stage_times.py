"""Where a run's time goes: the split by stage that `ogp` prints and the benchmark records."""

from __future__ import annotations

from orchestration import stage_times


def _result(unique_id: str, start: str, end: str) -> dict:
    return {
        "unique_id": unique_id,
        "timing": [
            {
                "name": "compile",
                "started_at": f"2026-11-30T10:00:{start}Z",
                "completed_at": f"2026-11-30T10:00:{start}Z",
            },
            {"name": "execute", "started_at": f"2026-11-30T10:00:{start}Z", "completed_at": f"2026-11-30T10:00:{end}Z"},
        ],
    }


def test_dbt_time_is_shared_among_the_kinds_of_node_running_at_once():
    # A model alone for 2 s, then a model and a test together for 2 s, then the test alone for 1 s;
    # the process took 8 s: 3 s were dbt's own start-up.
    results = {
        "results": [_result("model.p.a", "00", "04"), _result("test.p.t", "02", "05"), _result("seed.p.s", "05", "05")]
    }
    stages = stage_times.dbt_stages(results, process_seconds=8.0)
    assert stages[stage_times.DBT_MODELS] == 3.0
    assert stages[stage_times.DBT_TESTS] == 2.0
    assert stages[stage_times.DBT_START_UP] == 3.0
    assert sum(stages.values()) == 8.0


def test_a_runs_stages_add_up_to_its_wall_time(tmp_path):
    stage_times.record(tmp_path, "run-1", "form_submissions", stage_times.LANDING, 1.0)
    stage_times.record(tmp_path, "run-1", "form_submissions", stage_times.PARSING, 2.5)
    steps = [
        ("form_submissions", None, 4.0),
        ("monthly_progress_snapshot", stage_times.SNAPSHOT, 3.0),
        ("some_new_step", None, 0.5),
    ]
    stages = stage_times.by_stage(10.0, steps, stage_times.recorded(tmp_path, "run-1"))
    assert stages == {
        stage_times.LANDING: 1.0,
        stage_times.PARSING: 2.5,
        stage_times.SNAPSHOT: 3.0,
        "some_new_step": 0.5,
        stage_times.ORCHESTRATION: 3.0,
    }  # 0.5 s of the ingestion step, 2.5 s between steps
    assert list(stages)[-1] == stage_times.ORCHESTRATION
    assert sum(stages.values()) == 10.0


def test_the_demo_run_says_where_its_time_went(demo):
    import dagster as dg

    from orchestration.run_outcome import run_outcome

    with dg.DagsterInstance.from_config(str(demo / "dagster_home")) as instance:
        # The demo's main run (the presented month's reminders follow it in a run of their own).
        [run] = instance.get_runs(filters=dg.RunsFilter(job_name="monthly_progress_job"), limit=1)
        outcome = run_outcome(instance, run.run_id, data_dir=demo)
    stages = outcome.stages
    for stage in (
        stage_times.LANDING,
        stage_times.PARSING,
        stage_times.GREAT_EXPECTATIONS,
        stage_times.DBT_MODELS,
        stage_times.DBT_TESTS,
        stage_times.DBT_START_UP,
        stage_times.SNAPSHOT,
        stage_times.SERVING_DUCKDB,
    ):
        assert stages.get(stage, 0) > 0, stage
    assert abs(sum(stages.values()) - outcome.seconds) < 0.5
    assert any(line.startswith(f"time {outcome.seconds:.1f} s: ") for line in outcome.lines())
