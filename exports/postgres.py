"""Copying warehouse schemas from DuckDB to PostgreSQL, atomically.

Used for the BI serving schema (the marts, for Metabase / Superset / Power BI) and to give dbt's
`postgres` target the raw schema it builds from. Each copy loads into a fresh staging schema and
swaps it in with renames inside one transaction, so a query running during a load sees either
the previous complete data or the new complete data, never half of it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import psycopg

PG_TYPES = {
    "VARCHAR": "text", "DOUBLE": "double precision", "FLOAT": "real", "INTEGER": "integer",
    "BIGINT": "bigint", "HUGEINT": "numeric", "SMALLINT": "smallint", "BOOLEAN": "boolean",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz", "JSON": "jsonb",
}


@dataclass(frozen=True)
class CopiedTable:
    table: str
    rows: int


def _pg_type(duck_type: str) -> str:
    if duck_type.startswith("DECIMAL"):
        return duck_type.replace("DECIMAL", "numeric")
    return PG_TYPES.get(duck_type, "text")


def copy_schema(
    duck: duckdb.DuckDBPyConnection,
    pg_dsn: str,
    *,
    source_schema: str,
    target_schema: str,
    tables: list[str] | None = None,
) -> list[CopiedTable]:
    """Copy the tables (and views, as tables) of a DuckDB schema into PostgreSQL `target_schema`."""
    names = tables or [
        row[0] for row in duck.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name", [source_schema]
        ).fetchall()
    ]
    loading, previous = f"{target_schema}__loading", f"{target_schema}__previous"
    copied = []
    import psycopg  # imported when publishing, so the code location loads without it
    from psycopg import sql

    with psycopg.connect(pg_dsn) as pg, tempfile.TemporaryDirectory() as tmp:
        with pg.cursor() as cur:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(loading)))
            cur.execute(sql.SQL("create schema {}").format(sql.Identifier(loading)))
        pg.commit()
        for name in names:
            copied.append(_copy_table(duck, pg, f'"{source_schema}"."{name}"', loading, name, Path(tmp)))
        pg.commit()
        # The swap: readers see the old schema until this transaction commits, then the new one.
        with pg.transaction(), pg.cursor() as cur:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(previous)))
            cur.execute(
                "select 1 from information_schema.schemata where schema_name = %s", [target_schema]
            )
            if cur.fetchone():
                cur.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(target_schema), sql.Identifier(previous)))
            cur.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(loading), sql.Identifier(target_schema)))
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(previous)))
    return copied


def _copy_table(duck: duckdb.DuckDBPyConnection, pg: psycopg.Connection, source: str, schema: str, name: str, tmp: Path) -> CopiedTable:
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
        with cur.copy(sql.SQL("copy {} from stdin (format csv, null '\\N')").format(target)) as copy, open(csv_path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                copy.write(chunk)
        cur.execute(sql.SQL("select count(*) from {}").format(target))
        rows = cur.fetchone()[0]
    csv_path.unlink()
    return CopiedTable(name, rows)
