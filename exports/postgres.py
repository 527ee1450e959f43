"""Copying warehouse schemas from DuckDB to PostgreSQL, atomically.

Used for the BI serving schema (the marts, for Metabase / Superset / Power BI) and to give dbt's
`postgres` target the raw schema it builds from. Each copy loads into a fresh staging schema and
swaps it in with renames inside one transaction, so a query running during a load sees either
the previous complete data or the new complete data, never half of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from exports.bi_contract import TableContract, contract_statements
from ingestion.tabular import quote_ident

if TYPE_CHECKING:
    import psycopg

PG_TYPES = {
    "VARCHAR": "text",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "JSON": "jsonb",
}


@dataclass(frozen=True)
class CopiedTable:
    table: str
    rows: int


def _pg_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return PG_TYPES.get(duck_type, "text")


LABELS_TABLE = "status_labels"


def copy_schema(
    duck: duckdb.DuckDBPyConnection,
    pg_dsn: str,
    *,
    source_schema: str,
    target_schema: str,
    tables: list[str] | None = None,
    also: Mapping[str, str] | None = None,
    contracts: Mapping[str, TableContract] | None = None,
    labels: Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]] | None = None,
    leave_out_empty: bool = False,
    leave_out_columns: Mapping[str, tuple[str, ...]] | None = None,
) -> list[CopiedTable]:
    """Copy the tables (and views, as tables) of a DuckDB schema into PostgreSQL `target_schema`.

    For BI tools: `also` adds tables from elsewhere (served name -> DuckDB relation, e.g. the
    milestone history); `contracts` become comments, NOT NULLs and keys (exports/bi_contract.py);
    `labels` (code column -> Spanish and English labels of each code) become the table
    `status_labels`; `leave_out_empty` leaves out tables with no rows (an optional source not
    configured); `leave_out_columns` (table -> columns) keeps columns out of the copy (personal
    data that stays in the raw zone)."""
    relations = _served_relations(duck, source_schema, tables, also, leave_out_columns, leave_out_empty=leave_out_empty)
    loading, previous = f"{target_schema}__loading", f"{target_schema}__previous"
    copied = []
    import psycopg  # imported when publishing, so the code location loads without it
    from psycopg import sql

    with psycopg.connect(pg_dsn) as pg, tempfile.TemporaryDirectory() as tmp:
        with pg.cursor() as cur:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(loading)))
            cur.execute(sql.SQL("create schema {}").format(sql.Identifier(loading)))
        pg.commit()
        for name, relation in relations.items():
            copied.append(_copy_table(duck, pg, relation, loading, name, Path(tmp)))
        with pg.cursor() as cur:
            if labels:
                copied.append(_write_labels(cur, loading, labels))
            if contracts:
                present = {
                    name: {row[0] for row in duck.execute(f"describe {relation}").fetchall()}
                    for name, relation in relations.items()
                }
                for statement, params in contract_statements(loading, contracts, present):
                    cur.execute(statement, params or None)
        pg.commit()
        _swap_in(pg, loading, target_schema, previous)
    return copied


def _served_relations(
    duck: duckdb.DuckDBPyConnection,
    source_schema: str,
    tables: list[str] | None,
    also: Mapping[str, str] | None,
    leave_out_columns: Mapping[str, tuple[str, ...]] | None,
    *,
    leave_out_empty: bool,
) -> dict[str, str]:
    """Served name -> the DuckDB relation it is copied from (columns left out already applied)."""
    names = tables or [
        row[0]
        for row in duck.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [source_schema],
        ).fetchall()
    ]
    relations = {name: f'"{source_schema}"."{name}"' for name in names} | dict(also or {})
    for name, columns in (leave_out_columns or {}).items():
        if name in relations and columns:
            relations[name] = f"(select * exclude ({', '.join(map(quote_ident, columns))}) from {relations[name]})"
    if leave_out_empty:
        relations = {
            name: rel for name, rel in relations.items() if duck.execute(f"select count(*) from {rel}").fetchone()[0]
        }
    return relations


def _swap_in(pg, loading: str, target_schema: str, previous: str) -> None:
    """The swap: readers see the old schema until this transaction commits, then the new one."""
    from psycopg import sql

    with pg.transaction(), pg.cursor() as cur:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(previous)))
        cur.execute("select 1 from information_schema.schemata where schema_name = %s", [target_schema])
        if cur.fetchone():
            cur.execute(
                sql.SQL("alter schema {} rename to {}").format(sql.Identifier(target_schema), sql.Identifier(previous))
            )
        cur.execute(
            sql.SQL("alter schema {} rename to {}").format(sql.Identifier(loading), sql.Identifier(target_schema))
        )
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(previous)))


def _write_labels(cur, schema: str, labels: Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]]) -> CopiedTable:
    from psycopg import sql

    table = sql.Identifier(schema, LABELS_TABLE)
    cur.execute(
        sql.SQL(
            "create table {} (code_column text not null, code text not null, label_es text not null, "
            "label_en text not null, primary key (code_column, code))"
        ).format(table)
    )
    rows = [
        (column, code, spanish[code], english.get(code, code))
        for column, (spanish, english) in sorted(labels.items())
        for code in sorted(spanish)
    ]
    cur.executemany(sql.SQL("insert into {} values (%s, %s, %s, %s)").format(table), rows)
    cur.execute(
        sql.SQL("comment on table {} is {}").format(
            table,
            sql.Literal(
                "Labels of the status codes in the marts (code_column names the column, e.g. schedule_status). / "
                "Etiquetas de los códigos de estado de las tablas."
            ),
        )
    )
    return CopiedTable(LABELS_TABLE, len(rows))


def _copy_table(
    duck: duckdb.DuckDBPyConnection, pg: psycopg.Connection, source: str, schema: str, name: str, tmp: Path
) -> CopiedTable:
    from psycopg import sql

    columns = duck.execute(f"describe {source}").fetchall()
    column_defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col[0]), sql.SQL(_pg_type(col[1]))) for col in columns
    )
    target = sql.Identifier(schema, name)
    csv_path = tmp / f"{name}.csv"
    duck.execute(f"copy (select * from {source}) to '{csv_path}' (format csv, header false, null '\\N')")
    with pg.cursor() as cur:
        cur.execute(sql.SQL("create table {} ({})").format(target, column_defs))
        with (
            cur.copy(sql.SQL("copy {} from stdin (format csv, null '\\N')").format(target)) as copy,
            open(csv_path, "rb") as handle,
        ):
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                copy.write(chunk)
        cur.execute(sql.SQL("select count(*) from {}").format(target))
        rows = cur.fetchone()[0]
    csv_path.unlink()
    return CopiedTable(name, rows)


# PostgreSQL's types (information_schema's data_type) as DuckDB's, for the way back.
DUCK_TYPES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "jsonb": "JSON",
    "json": "JSON",
}


def pull_schema(
    pg_dsn: str,
    duck: duckdb.DuckDBPyConnection,
    *,
    source_schema: str,
    target_schema: str,
    tables: list[str] | None = None,
) -> list[CopiedTable]:
    """Copy PostgreSQL tables into a DuckDB schema (each replaced in one transaction): what dbt
    built on the `postgres` target, for the steps that read the warehouse through DuckDB (the
    search index, the snapshot, the serving copies). Types follow PostgreSQL's; `numeric` keeps
    its precision and scale when declared, else becomes DOUBLE."""
    import psycopg  # imported when needed, so the code location loads without it
    from psycopg import sql

    copied = []
    duck.execute(f'create schema if not exists "{target_schema}"')
    with psycopg.connect(pg_dsn) as pg, tempfile.TemporaryDirectory() as tmp:
        names = tables or [
            r[0]
            for r in pg.execute(
                "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE' order by 1",
                [source_schema],
            ).fetchall()
        ]
        for name in names:
            columns = pg.execute(
                """select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns
                   where table_schema = %s and table_name = %s order by ordinal_position""",
                [source_schema, name],
            ).fetchall()
            types = {
                column: (
                    f"DECIMAL({precision},{scale})"
                    if data_type == "numeric" and precision and precision <= 38
                    else "DOUBLE"
                    if data_type == "numeric"
                    else DUCK_TYPES.get(data_type, "VARCHAR")
                )
                for column, data_type, precision, scale in columns
            }
            csv_path = Path(tmp) / f"{name}.csv"
            with pg.cursor() as cur, open(csv_path, "wb") as handle:
                with cur.copy(
                    sql.SQL("copy {} to stdout (format csv, null '\\N')").format(sql.Identifier(source_schema, name))
                ) as copy:
                    for chunk in copy:
                        handle.write(chunk)
            quoted = ", ".join(f'"{c}"' for c in types)
            spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types.items()) + "}"
            duck.execute("begin")
            duck.execute(
                f'create or replace table "{target_schema}"."{name}" as select {quoted} from read_csv('
                f"'{csv_path}', header = false, nullstr = '\\N', columns = {spec}, auto_detect = false)"
            )
            rows = duck.execute(f'select count(*) from "{target_schema}"."{name}"').fetchone()[0]
            duck.execute("commit")
            copied.append(CopiedTable(name, rows))
    return copied
