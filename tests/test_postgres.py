"""PostgreSQL for real (the server on 127.0.0.1:5432): the marts served to BI tools, and the
whole dbt project built and tested (its unit tests too) on the `postgres` target by the monthly job."""

from __future__ import annotations

import json
import subprocess

import duckdb
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from exports.postgres import copy_schema
from orchestration import runner
from orchestration.demo import seed_demo_inbox
from orchestration.settings import Settings
from tests.conftest import PRESENTED_2023_11, dbt_in_this_process, postgres_dsn

FIGURES_SQL = """
    select progress_percent_rounded from {schema}.fct_commitment_progress_monthly
    where reporting_month = date '2023-11-01' and action_plan_id = 'AP_ECU02' order by commitment_id
"""


@pytest.fixture(scope="module")
def pg() -> str:
    return postgres_dsn()


def test_marts_are_served_in_postgres_atomically(demo, pg):
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as duck:
        copied = copy_schema(duck, pg, source_schema="marts", target_schema="ogp_serving_test")
        again = copy_schema(duck, pg, source_schema="marts", target_schema="ogp_serving_test")
    assert {c.table for c in copied} >= {
        "dim_commitments",
        "fct_commitment_progress_monthly",
        "fct_plan_progress_monthly",
    }
    assert [c.rows for c in copied] == [c.rows for c in again]
    with psycopg.connect(pg) as con:
        figures = [r[0] for r in con.execute(FIGURES_SQL.format(schema="ogp_serving_test")).fetchall()]
        leftovers = con.execute(
            "select schema_name from information_schema.schemata where schema_name like 'ogp_serving_test\\_\\_%'"
        ).fetchall()
    assert figures == PRESENTED_2023_11
    assert leftovers == []


# A monthly run published to the serving schema and to the open-data portal, twice, is the
# idempotent-month case in tests/reliability/test_crash_and_concurrency.py (one run serves both).


def _psql(dsn: str, query: str) -> list[list[str]]:
    """Read back as a BI tool's user would, with psql."""
    import shutil

    psql = shutil.which("psql")
    assert psql, "psql (PostgreSQL's client) is needed for the BI smoke test"
    result = subprocess.run(
        [psql, dsn, "-X", "-A", "-t", "-F", "\t", "-c", query], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def test_the_bi_contract_is_served_with_comments_keys_labels_and_history(demo, pg):
    """What Metabase, Superset or Power BI read from the serving schema: descriptions as comments,
    primary and foreign keys and NOT NULLs from the warehouse's tests, the status labels in Spanish
    and English, the milestone history; and no empty table of a source that is not configured."""
    from exports.bi_contract import load_contracts
    from exports.formatting import LABELLED_CODES
    from orchestration.dbt_project import dbt_project
    from orchestration.shared import exposure_models

    schema = "ogp_bi_contract_test"
    served = exposure_models("postgres_serving_schema")
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as duck:
        copied = copy_schema(
            duck,
            pg,
            source_schema="marts",
            target_schema=schema,
            tables=[t for t in served if t != "snap_plan_milestones"],
            also={"snap_plan_milestones": "snapshots.snap_plan_milestones"},
            contracts=load_contracts(dbt_project().manifest_path, set(served)),
            labels=LABELLED_CODES,
            leave_out_empty=True,
        )
        empty = {
            t
            for t in served
            if t != "snap_plan_milestones" and duck.execute(f"select count(*) from marts.{t}").fetchone()[0] == 0
        }
    tables = {c.table for c in copied}
    assert "snap_plan_milestones" in tables and "status_labels" in tables
    assert empty and not (empty & tables)  # e.g. the portal's tables, with no portal configured
    [[comment]] = _psql(pg, f"select obj_description('{schema}.fct_commitment_progress_monthly'::regclass)")
    assert comment.startswith("Commitment x month progress")
    [[described, columns]] = _psql(
        pg,
        f"""select count(col_description(a.attrelid, a.attnum)), count(*)
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = '{schema}' and c.relname = 'dim_commitments' and a.attnum > 0 and not a.attisdropped""",
    )
    assert int(described) == int(columns) > 5
    keys = _psql(
        pg,
        f"""select tc.table_name, tc.constraint_type, string_agg(kcu.column_name, ',' order by kcu.ordinal_position)
        from information_schema.table_constraints tc
        join information_schema.key_column_usage kcu using (constraint_schema, constraint_name)
        where tc.table_schema = '{schema}' group by 1, 2, tc.constraint_name order by 1, 2, 3""",
    )
    assert ["dim_commitments", "PRIMARY KEY", "commitment_id"] in keys
    assert ["fct_irm_assessments", "FOREIGN KEY", "commitment_id"] in keys
    [[nullable]] = _psql(
        pg,
        f"""select is_nullable from information_schema.columns
        where table_schema = '{schema}' and table_name = 'dim_commitments' and column_name = 'commitment_id'""",
    )
    assert nullable == "NO"
    assert ["schedule_status", "on_track", "A tiempo", "On track"] in _psql(
        pg, f"select * from {schema}.status_labels order by 1, 2"
    )
    with psycopg.connect(pg, autocommit=True) as con:
        con.execute(f'drop schema if exists "{schema}" cascade')


@pytest.mark.slow
def test_the_monthly_job_on_the_postgres_target_publishes_duckdbs_figures(demo, pg, tmp_path, monkeypatch):
    """OGP_DBT_TARGET=postgres, end to end: the job lands the demo in DuckDB's raw zone, copies it
    to PostgreSQL, builds and tests dbt there, and publishes what PostgreSQL computed. Every
    commitment-month equals the DuckDB demo's, and so does the published 2023-11. In a database
    of its own (dbt's schemas have fixed names)."""
    import csv
    import uuid
    from datetime import date

    database = f"ogp_e2e_{uuid.uuid4().hex[:10]}"
    params = conninfo_to_dict(pg)
    with psycopg.connect(pg, autocommit=True) as admin:
        admin.execute(f'create database "{database}"')
    try:
        data = tmp_path / "data"
        for name, value in {
            "OGP_DATA_DIR": data,
            "DAGSTER_HOME": data / "dagster_home",
            "OGP_DBT_TARGET": "postgres",
            "OGP_PG_HOST": params.get("host", "127.0.0.1"),
            "OGP_PG_PORT": params.get("port", "5432"),
            "OGP_PG_USER": params.get("user", "postgres"),
            "OGP_PG_PASSWORD": params.get("password", ""),
            "OGP_PG_DATABASE": database,
        }.items():
            monkeypatch.setenv(name, str(value))
        for name in ("OGP_INBOX_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DASHBOARD_URL"):
            monkeypatch.delenv(name, raising=False)
        settings = Settings.from_env()
        seed_demo_inbox(settings)
        assert runner.run_months(date(2023, 11, 1), date(2023, 11, 1), settings=settings)

        facts = """select commitment_id, cast(reporting_month as varchar), progress_percent_rounded, schedule_status
                   from marts.fct_commitment_progress_monthly order by 1, 2"""
        with psycopg.connect(settings.warehouse_pg_conninfo.value) as on_postgres:
            computed_there = on_postgres.execute(facts).fetchall()
            figures = [r[0] for r in on_postgres.execute(FIGURES_SQL.format(schema="marts")).fetchall()]
        with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as duck:
            computed_on_duckdb = duck.execute(facts).fetchall()
        assert figures == PRESENTED_2023_11
        assert len(computed_there) > 1000 and computed_there == computed_on_duckdb
        # dbt built nothing in DuckDB: its marts there are PostgreSQL's, copied back for the exports.
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as duck:
            schemas = {s for (s,) in duck.execute("select schema_name from information_schema.schemata").fetchall()}
            published_from = duck.execute(facts).fetchall()
        assert {"raw", "marts", "snapshots", "search"} <= schemas and not schemas & {
            "staging",
            "intermediate",
            "reference",
        }
        assert published_from == computed_there

        version = json.loads((data / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
        with open(
            data / "snapshots" / "2023-11" / version / "compromisos.csv", encoding="utf-8-sig", newline=""
        ) as handle:
            published = [
                int(r["progress_percent_rounded"]) for r in csv.DictReader(handle) if r["action_plan_id"] == "AP_ECU02"
            ]
        assert published == PRESENTED_2023_11
        for report in ("informe.html", "informe-ecu.html", "informe-eccu.html"):
            assert (data / "snapshots" / "2023-11" / version / report).exists()

        # The methodology's dbt unit tests pass on PostgreSQL too (against the relations just built).
        dbt_in_this_process(["test", "--select", "test_type:unit"], target_path=tmp_path / "dbt_target")
    finally:
        with psycopg.connect(pg, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{database}" with (force)')


def test_the_contacts_and_recipients_addresses_stay_out_of_the_servers_raw_copy(pg, tmp_path):
    """What the postgres target's copy of the raw schema leaves behind: the columns that hold
    addresses on purpose (as `orchestration.assets.dbt_target.copy_to_postgres_target` passes them)."""
    from correspondence.schema import PERSONAL_COLUMNS, ensure_tables
    from ingestion.sources import ensure_raw_schema, personal_columns

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as duck:
        ensure_raw_schema(duck)
        ensure_tables(duck)
        duck.execute(
            "insert into raw.institution_contacts (institution, email, role, landed_file_id, source_row_number, loaded_at) "
            "values ('MSP', 'enlace@salud.example', 'responsable', 'f', 1, now())"
        )
        copy_schema(
            duck,
            pg,
            source_schema="raw",
            target_schema="ogp_raw_zone_test",
            tables=["institution_contacts", "outbound_messages"],
            leave_out_columns={**personal_columns(), "outbound_messages": PERSONAL_COLUMNS},
        )
    with psycopg.connect(pg) as con:
        columns = {
            (t, c)
            for t, c in con.execute(
                "select table_name, column_name from information_schema.columns where table_schema = 'ogp_raw_zone_test'"
            ).fetchall()
        }
        rows = con.execute("select institution, role from ogp_raw_zone_test.institution_contacts").fetchall()
        con.execute("drop schema ogp_raw_zone_test cascade")
    assert ("institution_contacts", "email") not in columns and ("institution_contacts", "role") in columns
    assert (
        not {("outbound_messages", c) for c in PERSONAL_COLUMNS} & columns and ("outbound_messages", "kind") in columns
    )
    assert rows == [("MSP", "responsable")]
