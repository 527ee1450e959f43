"""Which nodes a warehouse build runs (warehouse/build_plan.py): those whose inputs changed, and
what depends on them; the rest stand as the last build left them."""

import json
from datetime import date
from pathlib import Path

import duckdb
import psycopg

from tests.conftest import postgres_dsn
from warehouse.build_plan import (
    definition_nodes,
    existing_relations,
    node_fingerprints,
    plan_build,
    project_fingerprint,
    record_builds,
    recorded_builds,
    source_fingerprints,
    topological,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "source.p.raw.reports"


def node(unique_id: str, parents: list[str], *, code: str = "select 1", schema: str = "marts") -> dict:
    kind, _, name = unique_id.split(".")
    return {
        "resource_type": kind,
        "fqn": ["p", schema, name],
        "schema": schema,
        "alias": name,
        "raw_code": code,
        "depends_on": {"macros": [], "nodes": parents},
    }


def manifest() -> dict:
    """reports (a source) -> stg_reports (a view) -> fct_progress (a table, reads the clock);
    a seed of labels -> dim_labels; a test on each model and one on the source; a fact of another
    definition reading fct_progress."""
    nodes = {
        "model.p.stg_reports": node("model.p.stg_reports", [SOURCE], schema="staging"),
        "model.p.fct_progress": node(
            "model.p.fct_progress", ["model.p.stg_reports"], code="select current_date as computed_on"
        ),
        "seed.p.labels": node("seed.p.labels", [], schema="reference"),
        "model.p.dim_labels": node("model.p.dim_labels", ["seed.p.labels"]),
        "test.p.not_null_fct_progress": node("test.p.not_null_fct_progress", ["model.p.fct_progress"]),
        "test.p.unique_dim_labels": node("test.p.unique_dim_labels", ["model.p.dim_labels"]),
        "test.p.source_not_null_reports": node("test.p.source_not_null_reports", [SOURCE]),
        "model.p.fct_monthly": node("model.p.fct_monthly", ["model.p.fct_progress"]),
        "test.p.relationships_fct_monthly": node(
            "test.p.relationships_fct_monthly", ["model.p.fct_monthly", "model.p.dim_labels"]
        ),
    }
    parents = {u: n["depends_on"]["nodes"] for u, n in nodes.items()} | {SOURCE: []}
    children = {u: [c for c, ps in parents.items() if u in ps] for u in parents}
    return {
        "nodes": nodes,
        "sources": {SOURCE: {"schema": "raw", "identifier": "reports"}},
        "macros": {},
        "parent_map": parents,
        "child_map": children,
    }


BUILT = ["model.p.stg_reports", "model.p.fct_progress", "seed.p.labels", "model.p.dim_labels"]
RELATIONS = {("staging", "stg_reports"), ("marts", "fct_progress"), ("reference", "labels"), ("marts", "dim_labels")}
TODAY = date(2026, 12, 3)


def test_a_definition_holds_what_it_builds_and_the_tests_that_read_only_that_and_sources():
    assert definition_nodes(manifest(), BUILT) == {
        *BUILT,
        "test.p.not_null_fct_progress",
        "test.p.unique_dim_labels",
        "test.p.source_not_null_reports",
    }  # the relationship to the other definition's fact runs with that fact


def plan(recorded, *, sources="10:1", today=TODAY, relations=RELATIONS, project="code"):
    m = manifest()
    nodes = definition_nodes(m, BUILT)
    fingerprints = node_fingerprints(m, nodes, project, {SOURCE: sources}, today)
    return plan_build(m, nodes, fingerprints, recorded, relations)


def as_recorded(built_plan, run_id="run-1", *, but=()):
    return {u: (f, run_id) for u, f in built_plan.fingerprints.items() if u not in but}


def test_the_first_build_runs_everything_and_the_same_inputs_run_nothing():
    first = plan({})
    assert first.to_run == definition_nodes(manifest(), BUILT) and not first.reused
    again = plan(as_recorded(first))
    assert again.to_run == set() and set(again.reused) == first.to_run
    assert set(again.reused.values()) == {"run-1"}
    # Parents before children, as Dagster takes a definition's assets.
    order = list(again.reused)
    assert order.index("model.p.stg_reports") < order.index("model.p.fct_progress")
    assert order.index("seed.p.labels") < order.index("model.p.dim_labels")


def test_new_rows_in_a_source_run_what_reads_them_and_nothing_else():
    recorded = as_recorded(plan({}))
    changed = plan(recorded, sources="11:7")
    assert changed.to_run == {
        "model.p.stg_reports",
        "model.p.fct_progress",
        "test.p.not_null_fct_progress",
        "test.p.source_not_null_reports",
    }
    assert set(changed.reused) == {"seed.p.labels", "model.p.dim_labels", "test.p.unique_dim_labels"}


def test_a_new_day_runs_what_reads_the_clock_and_what_depends_on_it():
    recorded = as_recorded(plan({}))
    assert plan(recorded, today=date(2026, 12, 4)).to_run == {"model.p.fct_progress", "test.p.not_null_fct_progress"}


def test_a_change_of_the_project_runs_everything():
    recorded = as_recorded(plan({}))
    assert plan(recorded, project="other code").to_run == definition_nodes(manifest(), BUILT)


def test_a_relation_gone_is_built_again_with_what_reads_it():
    recorded = as_recorded(plan({}))
    gone = plan(recorded, relations=RELATIONS - {("reference", "labels")})
    assert gone.to_run == {"seed.p.labels", "model.p.dim_labels", "test.p.unique_dim_labels"}


def test_a_test_that_did_not_pass_runs_again_alone():
    recorded = as_recorded(plan({}), but={"test.p.unique_dim_labels"})
    assert plan(recorded).to_run == {"test.p.unique_dim_labels"}


def test_a_node_reading_outside_its_definition_always_runs():
    m = manifest()
    nodes = {"model.p.fct_monthly", "test.p.relationships_fct_monthly"}
    fingerprints = node_fingerprints(m, nodes, "code", {SOURCE: "10:1"}, TODAY)
    assert fingerprints == {}  # fct_progress is another definition's: its inputs are not known here
    assert plan_build(m, nodes, fingerprints, {}, {("marts", "fct_monthly")}).to_run == nodes


def test_topological_order_puts_parents_first():
    m = manifest()
    order = topological(m, m["nodes"])
    for unique_id in m["nodes"]:
        for parent in m["parent_map"][unique_id]:
            if parent in m["nodes"]:
                assert order.index(parent) < order.index(unique_id)


def test_the_project_fingerprint_is_its_files_and_variables_not_dbts_output_nor_the_data_directory(
    tmp_path, monkeypatch
):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text("select 1")
    (tmp_path / "target").mkdir()

    def fingerprint():
        return project_fingerprint(tmp_path, "1.11", ["OGP_SETTING", "OGP_DATA_DIR"])

    monkeypatch.setenv("OGP_SETTING", "a")
    monkeypatch.setenv("OGP_DATA_DIR", "/one")
    first = fingerprint()
    (tmp_path / "target" / "run_results.json").write_text("{}")
    monkeypatch.setenv("OGP_DATA_DIR", "/elsewhere")  # a warehouse copied to another directory
    assert fingerprint() == first
    monkeypatch.setenv("OGP_SETTING", "b")
    assert fingerprint() != first
    monkeypatch.setenv("OGP_SETTING", "a")
    (tmp_path / "models" / "a.sql").write_text("select 2")
    assert fingerprint() != first


def test_a_source_fingerprint_changes_with_any_row_and_knows_a_missing_table():
    m = {
        "sources": {
            SOURCE: {"schema": "raw", "identifier": "reports"},
            "source.p.raw.gone": {"schema": "raw", "identifier": "gone"},
        }
    }
    con = duckdb.connect()
    con.execute("create schema raw; create table raw.reports as select range as id, 'a' as status from range(1000)")
    first = source_fingerprints(con, m, [SOURCE, "source.p.raw.gone"])
    assert first["source.p.raw.gone"] == "missing"
    con.execute("update raw.reports set status = 'b' where id = 500")  # in place: same count
    assert source_fingerprints(con, m, [SOURCE])[SOURCE] != first[SOURCE]
    con.execute("update raw.reports set status = 'a' where id = 500")
    assert source_fingerprints(con, m, [SOURCE])[SOURCE] == first[SOURCE]


def record_and_read(con):
    first = plan({})
    results = [
        {"unique_id": u, "status": "warn" if u == "test.p.unique_dim_labels" else "success"} for u in first.to_run
    ]
    assert record_builds(con, "warehouse_models", "run-1", first, results) == len(first.to_run) - 1
    recorded = recorded_builds(con, "warehouse_models")
    assert recorded == as_recorded(first, but={"test.p.unique_dim_labels"})
    assert recorded_builds(con, "monthly_progress_facts") == {}
    # The next build runs the test that warned; it fails now, and is forgotten again.
    second = plan(recorded)
    assert second.to_run == {"test.p.unique_dim_labels"}
    record_builds(
        con, "warehouse_models", "run-2", second, [{"unique_id": "test.p.unique_dim_labels", "status": "fail"}]
    )
    assert recorded_builds(con, "warehouse_models") == recorded
    assert ("dbt_build_state", "node_inputs") in existing_relations(con)


def test_the_record_of_builds_lives_in_a_duckdb_target(tmp_path):
    con = duckdb.connect()
    assert recorded_builds(con, "warehouse_models") == {}
    record_and_read(con)
    # Another database attached to the connection (a serving copy) is not the target.
    con.execute(f"attach '{tmp_path / 'other.duckdb'}' as other")
    con.execute("create schema other.marts; create table other.marts.gone (x int)")
    assert ("marts", "gone") not in existing_relations(con)


def test_the_record_of_builds_lives_in_a_postgres_target():
    dsn = postgres_dsn()
    with psycopg.connect(dsn) as con:
        con.execute("drop schema if exists dbt_build_state cascade")
        try:
            assert recorded_builds(con, "warehouse_models") == {}
            record_and_read(con)
        finally:
            con.rollback()  # nothing of the test stays in the server


def test_the_warehouse_definition_holds_every_check_it_declares(definitions):
    """The plan's nodes are those of the warehouse's build: every dbt test the definition reports as
    a check is among them, and no monthly fact nor what reads one."""
    from orchestration.assets.warehouse_reuse import UNIQUE_ID

    m = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    (models,) = [
        a for a in definitions.assets if getattr(a, "node_def", None) and a.node_def.name == "warehouse_models"
    ]
    built = {spec.metadata[UNIQUE_ID] for spec in models.specs}
    nodes = definition_nodes(m, built)
    assert {check.metadata[UNIQUE_ID] for check in models.check_specs} <= nodes
    assert not any("monthly_fact" in m["nodes"][u].get("tags", []) for u in nodes)
