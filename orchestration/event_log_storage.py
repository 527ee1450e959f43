"""Dagster's SQLite event log for a local instance (`ogp`, the demo, the tests), without what each
event costs there: Dagster's own `SqliteEventLogStorage` builds a new SQLAlchemy engine for every
statement (so every statement is compiled again) and, in WAL mode with SQLite's default
`synchronous=FULL`, waits for the disk on every commit. A month's run writes ~1,100 events.

Here each database (the run's own and the index) keeps one engine, so its connection and compiled
statements are reused, and its connections use `synchronous=NORMAL`, which in WAL mode is still
consistent after a crash (a power cut may lose the last events, never the database). The files, the
schema and the migrations are Dagster's own: an instance can switch to or from this class at any
time. The deployment keeps its events in PostgreSQL (deploy/dagster.yaml) and does not use it."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

# Dagster's documented storage classes (its Internals reference) live under its private modules.
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData

# A run worker touches its run's database and the index; the UI reads many runs': the engines of
# the most recently used databases are kept, the others disposed.
ENGINES_KEPT = 8
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def _events_dir() -> str:
    """Where Dagster keeps a local instance's event logs: $DAGSTER_HOME/history/runs."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("DAGSTER_HOME is not set: the instance's events are kept under it (history/runs)")
    return os.path.join(home, "history", "runs")


def _quicker_commits(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class LocalSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one engine per database and commits that do not wait for the
    disk (see the module's docstring). Configured in dagster.yaml with no `base_dir`, it keeps the
    events where Dagster's default does, under $DAGSTER_HOME."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_seen: set[str] = set()
        super().__init__(base_dir or _events_dir(), inst_data)

    @classmethod
    def config_type(cls):
        import dagster as dg

        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> LocalSqliteEventLogStorage:  # ty: ignore[invalid-method-override]
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> sa.Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = sa.create_engine(
                self.conn_string_for_shard(shard),
                # Used by one thread at a time (the storage's lock), not always the same one.
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                pool_size=1,
                max_overflow=2,
            )
            sa.event.listen(engine, "connect", _quicker_commits)
            self._engines[shard] = engine
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked for each asset-check event; a table, once there, stays (Dagster's migrations add).
        if table_name not in self._tables_seen:
            if not super().has_table(table_name):
                return False
            self._tables_seen.add(table_name)
        return True

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # the run databases' files are deleted
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
