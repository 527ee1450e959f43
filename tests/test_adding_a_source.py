"""ARCHITECTURE.md's worked example, run: a source declared as one `SourceSpec` (here OGP's list of
member governments, in a module of its own) gets its raw table, its loading with quarantine and
ledger, its Dagster asset and both checks, re-parsing and the publication gate's attention, from
the spec alone. The registry is extended for the test, as a new module's line in
`ingestion/sources.py` would."""

from __future__ import annotations

import dagster as dg
import pytest

from ingestion import sources
from ingestion import sql_expressions as sx
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular_source import TabularSource, source_column
from tests.conftest import write

FIELD_ALIASES = {"member_code": ("member_code", "codigo"), "member_name": ("member_name", "miembro", "name")}
MEMBERS = TabularSource(
    name="ogp_members",
    target_table="raw.ogp_members",
    field_aliases=FIELD_ALIASES,
    required_fields=("member_code",),
    canonical_select=lambda mapping, columns: canonical_select(
        f"""
        {sx.text(source_column(mapping, "member_code"))} as member_code,
        {sx.text(source_column(mapping, "member_name"))} as member_name"""
    ),
    rules_sql="case when member_code is null then 'missing_member_code' end",
    reasons_sql="case rule when 'missing_member_code' then 'fila ' || source_row_number || ': falta el código del miembro' end",
    structured_fields=("member_code",),
)
DDL = f"""create table if not exists raw.ogp_members (member_code varchar, member_name varchar,
    {RAW_BOOKKEEPING_COLUMNS});"""


def expectations(gx):
    return [gx.expectations.ExpectColumnValuesToBeUnique(column="member_code")]


SPEC = SourceSpec(
    MEMBERS,
    ddl=DDL,
    domain=Domain.REFERENCE,
    quarantine_blocks_publication=True,
    expectations=expectations,
    address_setting="ogp_explorer_url",  # an existing setting, for the test
    preview_columns="member_code, member_name",
    description="OGP's member governments.",
)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(sources, "SOURCES", (*sources.SOURCES, SPEC))
    monkeypatch.setattr(sources, "BY_NAME", {**sources.BY_NAME, SPEC.name: SPEC})
    monkeypatch.setattr(sources, "BY_TABLE", {**sources.BY_TABLE, SPEC.table_name: SPEC})


def test_a_source_declared_once_is_loaded_checked_and_gated_everywhere(registry, data_dir, tmp_path, monkeypatch):
    from orchestration.assets.ingestion import file_source_asset
    from orchestration.checks import _landed_data_check, _quarantine_check
    from orchestration.resources import PlatformResource

    members = write(
        tmp_path / "miembros.csv", "codigo,miembro\nECU,Ecuador\nCOL,Colombia\n,sin código, escriba a ana@example.org\n"
    )
    monkeypatch.setenv("OGP_EXPLORER_URL", str(members))
    asset = file_source_asset(SPEC)
    result = dg.materialize(
        [asset, _landed_data_check(SPEC), _quarantine_check(SPEC)],
        resources={"platform": PlatformResource()},
        raise_on_error=False,
    )
    [materialization] = result.asset_materializations_for_node(asset.op.name)
    assert {k: materialization.metadata[k].value for k in ("received", "loaded", "quarantined")} == {
        "received": 3,
        "loaded": 2,
        "quarantined": 1,
    }
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["gx_ogp_members"].passed
    assert (
        not checks["no_rows_quarantined"].passed
        and checks["no_rows_quarantined"].severity == dg.AssetCheckSeverity.ERROR
    )

    from ingestion.connection import connect
    from ingestion.quarantine import blocking_rows
    from ingestion.reparse import reparse

    assert sources.blocking_sources({Domain.REFERENCE})[-1] == "ogp_members"
    assert "ogp_members" not in sources.blocking_sources({Domain.PROGRESS})
    with connect(data_dir / "warehouse.duckdb") as con:
        [row] = blocking_rows(con, ["ogp_members"])  # the gate sees it until corrected or released
        assert "ana@example.org" not in row.reason
        [again] = reparse(con, ["ogp_members"], landing_dir=data_dir / "landing", run_id="reparse")
        assert (again.before, again.result.ledger.loaded) == ((2, 1), 2)
        assert con.execute("select list(member_code order by member_code) from raw.ogp_members").fetchone()[0] == [
            "COL",
            "ECU",
        ]


@pytest.mark.parametrize("spec", sources.SOURCES, ids=lambda spec: spec.name)
def test_each_sources_select_gives_exactly_its_raw_tables_columns(spec):
    """A source lists its fields twice, in its canonical select and in its raw table's DDL; the load
    inserts by name, so a column the select forgot would be NULL in every row unnoticed. Both
    lists are compared here, for every registered source."""
    import duckdb

    from ingestion.sql_expressions import create_parser_macros
    from ingestion.tabular import quote_ident

    con = duckdb.connect()
    sources.ensure_raw_schema(con)
    create_parser_macros(con)
    fields = list(spec.tabular.field_aliases)
    columns = ", ".join(f"null::varchar as {quote_ident(f)}" for f in fields)
    con.execute(
        f"create temp table _batch as select {columns}, 1::bigint as _source_row_number, 'f' as _landed_file_id limit 0"
    )
    selected = {
        row[0]
        for row in con.execute(f"describe {spec.tabular.canonical_select({f: f for f in fields}, fields)}").fetchall()
    }
    schema, table = spec.tabular.target_table.split(".")
    declared = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    assert selected == declared - {"loaded_at"}, (sorted(declared - selected), sorted(selected - declared))
