"""Opening the warehouse and the transactions every load runs in.

DuckDB allows one writing process per file. A second pipeline step or a BI reader holding it must
make us wait, not crash the run; any other failure to open it is raised at once."""

from __future__ import annotations

import fcntl
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class WarehouseLockTimeout(RuntimeError):
    """Another process kept the warehouse locked for longer than the wait allowed."""


def locked_by_another_process(path: Path, *, read_only: bool) -> bool:
    """Whether another process holds a lock on `path` that conflicts with opening it this way.

    DuckDB locks its file with POSIX record locks (shared for readers, exclusive for the writer),
    so the same lock asked without waiting tells whether the file is held, whatever words the
    error carried. Only asked after DuckDB failed to open the file: this process then holds no
    lock on it that closing the probe could release."""
    try:
        handle = open(path, "rb" if read_only else "r+b")
    except OSError:
        return False
    with handle:
        try:
            fcntl.lockf(handle, (fcntl.LOCK_SH if read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, lock_timeout_s: float = 120.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting for another process's lock instead of failing at once. With
    `memory_limit`, work past it spills to disk instead of growing the process (a backlog of
    every member's reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    free_but_failing = 0
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not locked_by_another_process(path, read_only=read_only):
                # The holder may have let go between the two: one more try before it is an error.
                free_but_failing += 1
                if free_but_failing > 1:
                    raise
                continue
            if time.monotonic() >= deadline:
                raise WarehouseLockTimeout(
                    f"The warehouse {path} stayed locked by another process for {lock_timeout_s:.0f} s: {exc}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        if memory_limit:
            con.execute("set memory_limit = ?", [memory_limit])
        yield con
    finally:
        con.close()


_OPEN_TRANSACTIONS: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a `transaction` block is open on `con` (a re-parse's): a failure inside it aborts it
    whole, so it cannot be recorded and carried on from."""
    return con in _OPEN_TRANSACTIONS


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All of a file's rows, its quarantine, ledger and landed-file record commit together or not at
    all. Inside a transaction already open on `con` (a re-parse replaces many files at once), the
    block joins it and the outer one commits or rolls back. (DuckDB has no nested transactions, and
    a refused nested `begin` would abort the outer one, so open ones are remembered here, by
    connection, without keeping a closed connection alive.)"""
    if con in _OPEN_TRANSACTIONS:
        yield
        return
    con.execute("begin transaction")
    _OPEN_TRANSACTIONS.add(con)
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")
    finally:
        _OPEN_TRANSACTIONS.discard(con)
