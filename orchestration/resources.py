from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import dagster as dg
import duckdb

from ingestion.connection import connect
from ingestion.sources import ensure_raw_schema
from orchestration.settings import Settings


class PlatformResource(dg.ConfigurableResource):
    """Settings and the warehouse connection, read from the environment when a run starts."""

    lock_timeout_s: float = 300.0

    def settings(self) -> Settings:
        return Settings.from_env()

    @contextmanager
    def warehouse(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = self.settings()
        with connect(settings.warehouse_path, read_only=read_only, lock_timeout_s=self.lock_timeout_s,
                     memory_limit=settings.duckdb_memory_limit) as con:
            if not read_only:
                ensure_raw_schema(con)
            yield con
