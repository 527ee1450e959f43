"""A read-only serving copy of the warehouse for DuckDB users (BI tools, notebooks).

DuckDB lets one process write a database file; a BI tool holding `warehouse.duckdb` open would
block the pipeline. Readers open `$OGP_DATA_DIR/serving/warehouse.duckdb` instead: a copy of the
published schemas, written under a temporary name and renamed into place, so a reader opens
either the previous complete copy or the new one.

The new copy starts from the previous one: a monthly fact (it has `reporting_month` and
`computed_at`) gets only the months recomputed since, the other tables are written again. A fact
whose row count then differs from the warehouse's (months removed by a full rebuild) is written
again whole."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb


def publish_serving_copy(
    con: duckdb.DuckDBPyConnection, target: Path, *, schemas: tuple[str, ...] = ("marts",)
) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copies left by a run killed mid-write (one publisher at a time: the warehouse pool).
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    if target.exists():
        shutil.copyfile(target, tmp)
    counts: dict[str, int] = {}
    con.execute(f"attach '{tmp}' as serving_copy")
    try:
        for schema in schemas:
            con.execute(f'create schema if not exists serving_copy."{schema}"')
            tables = _tables(con, "current_database()", schema)
            previous = set(_tables(con, "'serving_copy'", schema))
            for stale in sorted(previous - set(tables)):
                con.execute(f'drop table serving_copy."{schema}"."{stale}"')
            for table in tables:
                counts[f"{schema}.{table}"] = _copy_table(con, schema, table, in_previous_copy=table in previous)
        con.execute("detach serving_copy")
        os.replace(tmp, target)
    except BaseException:
        try:
            con.execute("detach serving_copy")
        except duckdb.Error:
            pass
        tmp.unlink(missing_ok=True)
        raise
    return counts


def _tables(con: duckdb.DuckDBPyConnection, catalog_sql: str, schema: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            f"select table_name from information_schema.tables where table_schema = ? and table_catalog = {catalog_sql} order by 1",
            [schema],
        ).fetchall()
    ]


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {relation}").fetchall()]


def _copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, *, in_previous_copy: bool) -> int:
    """Bring serving_copy.schema.table level with the warehouse's; returns its row count."""
    source, copy = f'"{schema}"."{table}"', f'serving_copy."{schema}"."{table}"'
    columns = _columns(con, source)
    names = {name for name, _ in columns}
    if in_previous_copy and {"reporting_month", "computed_at"} <= names and _columns(con, copy) == columns:
        # Months from the earliest one recomputed since this copy was written.
        since = (
            f"reporting_month >= (select coalesce(min(reporting_month), date '9999-12-31') from {source} "
            f"where computed_at > (select coalesce(max(computed_at), timestamp '1900-01-01') from {copy}))"
        )
        con.execute(f"delete from {copy} where {since}")
        con.execute(f"insert into {copy} select * from {source} where {since}")
        [(copied, expected)] = con.execute(
            f"select (select count(*) from {copy}), (select count(*) from {source})"
        ).fetchall()
        if copied == expected:
            return copied
    con.execute(f"drop table if exists {copy}")
    con.execute(f"create table {copy} as select * from {source}")
    return con.execute(f"select count(*) from {copy}").fetchone()[0]
