"""A read-only serving copy of the warehouse for DuckDB users (BI tools, notebooks).

DuckDB lets one process write a database file; a BI tool holding `warehouse.duckdb` open would
block the pipeline. Readers open `$OGP_DATA_DIR/serving/warehouse.duckdb` instead: a copy of the
published schemas, written under a temporary name and renamed into place, so a reader opens
either the previous complete copy or the new one."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb


def publish_serving_copy(con: duckdb.DuckDBPyConnection, target: Path, *, schemas: tuple[str, ...] = ("marts",)) -> dict[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copies left by a run killed mid-write (one publisher at a time: the warehouse pool).
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    counts: dict[str, int] = {}
    con.execute(f"attach '{tmp}' as serving_copy")
    try:
        for schema in schemas:
            con.execute(f'create schema serving_copy."{schema}"')
            tables = [r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ? and table_catalog = current_database() order by 1",
                [schema],
            ).fetchall()]
            for table in tables:
                con.execute(f'create table serving_copy."{schema}"."{table}" as select * from "{schema}"."{table}"')
                counts[f"{schema}.{table}"] = con.execute(f'select count(*) from serving_copy."{schema}"."{table}"').fetchone()[0]
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
