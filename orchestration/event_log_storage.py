"""Dagster's SQLite event log for a local instance (`ogp`, the demo, the tests), without what each
event costs there: Dagster's own `SqliteEventLogStorage` builds a new SQLAlchemy engine for every
statement (so every statement is compiled again) and, in WAL mode with SQLite's default
`synchronous=FULL`, waits for the disk on every commit. A month's run writes ~1,100 events.

Here each database (the run's own and the index) keeps one engine, so its connection and compiled
statements are reused, and its connections use `synchronous=NORMAL`, which in WAL mode is still
consistent after a crash (a power cut may lose the last events, never the database); a write
touches the database's file, so the UI following a run (Dagster watches that file) sees each event
as it did. The files, the schema and the migrations are Dagster's own: an instance can switch to
or from this class at any time. The dagster.yaml `ogp init-instance` writes names the instance
class below, which Dagster gives the instance's folder. The deployment keeps its events in
PostgreSQL (deploy/dagster.yaml) and does not use it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa
import yaml
from dagster._core.instance.ref import InstanceRef

# Dagster's documented storage classes (its Internals reference) live under its private modules.
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData

# A run worker touches its run's database and the index; the UI reads many runs': the engines of
# the most recently used databases are kept, the others disposed.
ENGINES_KEPT = 8


def _quicker_commits(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class LocalSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one engine per database and commits that do not wait for the
    disk (see the module's docstring)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data)

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
            with engine.connect() as conn:
                before = conn.connection.dbapi_connection.total_changes
                with conn.begin():
                    yield conn
                if conn.connection.dbapi_connection.total_changes != before:
                    self._signal_change(shard)

    def _signal_change(self, shard: str) -> None:
        """Tell whoever watches this database (the UI following a run, through Dagster's file
        watcher on the `.db` file) that it changed. Dagster's engine-per-statement closed its
        connection after each write, and SQLite then copied the write-ahead log into the `.db` file;
        a connection kept open leaves the writes in the log, which the watcher does not look at."""
        with contextlib.suppress(FileNotFoundError):  # a run's file removed meanwhile (a wipe)
            os.utime(self.path_for_shard(shard))

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


class LocalDagsterInstance(dg.DagsterInstance):
    """A local instance (`instance_class` in the dagster.yaml `ogp init-instance` writes): Dagster's
    own defaults for the folder it is given, but for the event log, which is this module's. The
    folder comes from Dagster (the one the dagster.yaml is in), so an instance opened by its folder
    reads that folder's events, whatever DAGSTER_HOME says."""

    @classmethod
    def config_schema(cls) -> dict:
        return {}

    @classmethod
    def config_defaults(cls, base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        defaults = dict(InstanceRef.config_defaults(base_dir))
        events_dir = yaml.safe_load(defaults["event_log_storage"].config_yaml)["base_dir"]  # Dagster's place
        events = ConfigurableClassData(
            __name__, LocalSqliteEventLogStorage.__name__, yaml.dump({"base_dir": events_dir})
        )
        defaults["event_log_storage"] = events
        # Dagster's composition of separate storages (what a dagster.yaml naming each one makes):
        # its own run and schedule storages for this folder, with this module's event log.
        parts = {
            "run_storage": defaults["run_storage"],
            "event_log_storage": events,
            "schedule_storage": defaults["schedule_storage"],
        }
        defaults["storage"] = ConfigurableClassData(
            "dagster._core.storage.legacy_storage",
            "CompositeStorage",
            yaml.dump(
                {
                    name: {
                        "module_name": part.module_name,
                        "class_name": part.class_name,
                        "config_yaml": part.config_yaml,
                    }
                    for name, part in parts.items()
                }
            ),
        )
        return defaults
