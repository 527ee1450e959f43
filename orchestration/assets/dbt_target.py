"""Where dbt builds, seen from the warehouse's assets: a read connection to it (DuckDB, or the
postgres target), each failed dbt test's first failing rows, and on the postgres target the
copies both ways (what the platform writes in DuckDB there first; the marts dbt built back)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg

from orchestration.resources import PlatformResource
from orchestration.settings import Settings


@contextmanager
def dbt_target_connection(settings: Settings, *, read_only: bool = True) -> Iterator[Any]:
    """A connection to where dbt builds: the DuckDB warehouse, or the postgres target (whose
    transaction is committed when the block ends without an error)."""
    if settings.dbt_target == "postgres":
        import psycopg

        with psycopg.connect(settings.warehouse_pg_conninfo.value) as con:
            yield con
    else:
        from ingestion.connection import connect

        with connect(settings.warehouse_path, read_only=read_only, memory_limit=settings.duckdb_memory_limit) as con:
            yield con


def with_failing_rows(
    results: list[dg.AssetCheckResult], manifest: Mapping[str, Any], settings: Settings
) -> Iterator[dg.AssetCheckResult]:
    """Each failed dbt test's check with its first failing rows (the view dbt stored them in,
    `store_failures_as: view`): which commitment, which month."""
    import duckdb
    import psycopg

    from exports.queries import first_rows_markdown

    if not results:
        return
    with dbt_target_connection(settings) as con:
        for result in results:
            node = manifest["nodes"].get(result.metadata["unique_id"].value) if "unique_id" in result.metadata else None
            if node is None or not node["config"].get("store_failures"):
                yield result
                continue
            try:
                preview = first_rows_markdown(con, f'"{node["schema"]}"."{node["alias"]}"')
            except (duckdb.Error, psycopg.Error) as error:  # the view was not written (the test itself errored)
                preview = f"_failing rows not stored: {type(error).__name__}_"
                if isinstance(con, psycopg.Connection):
                    con.rollback()
            yield result.with_metadata({**result.metadata, "failing_rows": dg.MetadataValue.md(preview)})


def copy_to_postgres_target(platform: PlatformResource, schema: str, tables: list[str] | None = None) -> None:
    """On the postgres target, what dbt reads that the platform writes in DuckDB (the raw schema,
    the search index's peers) is copied there first, whole, in one swap; the columns that hold
    personal data on purpose (the contacts' and the messages' addresses) stay behind."""
    from correspondence.schema import PERSONAL_COLUMNS as MESSAGE_RECIPIENTS
    from exports.postgres import copy_schema  # psycopg: at run time
    from ingestion.sources import personal_columns

    settings = platform.settings()
    raw_zone_only = {**personal_columns(), "outbound_messages": MESSAGE_RECIPIENTS} if schema == "raw" else {}
    with platform.warehouse(read_only=True) as con:
        copy_schema(
            con,
            settings.warehouse_pg_conninfo.value,
            source_schema=schema,
            target_schema=schema,
            tables=tables,
            leave_out_columns=raw_zone_only,
        )


def pull_from_postgres_target(context: dg.AssetExecutionContext, platform: PlatformResource) -> None:
    """On the postgres target, the marts (and the milestone history) dbt just built there are
    copied into the DuckDB warehouse, which the search index, the snapshot and the serving copies
    read: what they publish is what PostgreSQL computed."""
    from exports.postgres import pull_schema  # psycopg: at run time

    settings = platform.settings()
    built = {key.path[-1]: key.path[0] for key in context.selected_asset_keys if key.path[0] in ("marts", "snapshots")}
    with platform.warehouse() as con:
        for schema in sorted(set(built.values())):
            pull_schema(
                settings.warehouse_pg_conninfo.value,
                con,
                source_schema=schema,
                target_schema=schema,
                tables=sorted(name for name, s in built.items() if s == schema),
            )
