"""dbt run inside the run worker, through dbt's programmatic runner, not as a child process.

dagster-dbt starts a `dbt` process for every invocation, and a monthly run has three: each one
imported dbt (~3 s) and loaded its partial-parse state (~2 s; a whole parse, +6-10 s, on a data
directory it had not seen). Here dbt is imported and the project parsed once per run worker, and
the parsed manifest is handed to every later invocation with the same profile (dbt's "reusing
objects"; a build with a manifest given does not parse).

dagster-dbt's `DbtCliInvocation` still turns dbt's events into Dagster's: it reads them, as the
JSON lines `dbt --log-format json` would print, from a `DbtInProcess`, which stands where its
subprocess would. dbt runs in a thread of its own so that those events reach the UI while the build
goes on.

What follows from running in the worker:
- dbt reads the worker's environment (its profile's `env_var`s, `OGP_REBUILD_FROM_MONTH`) when an
  invocation starts: the caller keeps it unchanged until the invocation is read to its end;
- dbt's runner cannot run two invocations at once in one process: a lock makes them wait;
- a run worker killed with SIGKILL takes its dbt with it (no orphan build goes on writing the
  warehouse), and an interrupted step cancels dbt's open queries, as dbt does on Ctrl-C;
- dbt-duckdb keeps its DuckDB database open between invocations; it is closed after each one, so
  the step (and any other process) can open the warehouse once dbt is done."""

from __future__ import annotations

import functools
import json
import logging
import os
import queue
import re
import subprocess
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from warehouse.build_plan import project_files

logger = logging.getLogger(__name__)

# The levels `dbt --log-format json` prints by default (its debug events go to dbt.log only).
PRINTED_LEVELS = frozenset({"info", "warn", "error"})
# dbt's exit codes: 0 done, 1 done with failures (a test or model failed), 2 dbt itself failed.
EXIT_FAILURES, EXIT_ERROR = 1, 2
CANCEL_INTERVAL_SECONDS = 0.2

_invocation_lock = threading.Lock()
# Parsed manifests by what their parse depended on (project, profile, environment), the latest few:
# a run worker needs one; a process that runs jobs for several data directories (OGP_RUN_IN_PROCESS)
# may alternate between targets.
_manifests: dict[tuple, Any] = {}
MANIFESTS_KEPT = 2
# Read when a build runs, not when the project is parsed: the month a build recomputes from, and
# the data directory. The warehouse's path is in the profile, but the manifest does not depend on
# it: dbt-duckdb names the database after the file, `warehouse` in every data directory, and no
# model reads the variable.
NOT_PARSED = frozenset({"OGP_REBUILD_FROM_MONTH", "OGP_DATA_DIR", "OGP_RUN_IN_PROCESS"})
# `env_var('NAME')` in a project's files; a call that names its variable otherwise (a Jinja
# expression) matches with no name.
ENV_VAR_CALL = re.compile(r"""env_var\(\s*(?:'(\w+)'|"(\w+)"|)""")
PROJECT_FILES = (".sql", ".yml", ".yaml")


@functools.cache
def variables_read(*folders: str) -> frozenset[str] | None:
    """The environment variables a dbt project's files read (its profile's folder among
    `folders`); None when a call names its variable with an expression, so that it cannot be told."""
    names: set[str] = set()
    for folder in folders:
        for path in project_files(folder):
            if not path.name.endswith(PROJECT_FILES):
                continue
            for literal, quoted in ENV_VAR_CALL.findall(path.read_text(encoding="utf-8", errors="replace")):
                if not (literal or quoted):
                    return None
                names.add(literal or quoted)
    return frozenset(names)


def _argument(arguments: Sequence[str], flag: str) -> str | None:
    return arguments[arguments.index(flag) + 1] if flag in arguments[:-1] else None


def _profile_key(parse_args: Sequence[str]) -> tuple:
    """What a parse depends on besides the project's files (which do not change under a running
    worker): its arguments but the target path (project, profile, target), dbt's own `DBT_`
    variables, and the variables the project and its profile read (`variables_read`; every
    `OGP_` one if that cannot be told), but those read only when a build runs (`NOT_PARSED`). A
    setting dbt never reads (a portal's address, an API key) does not make a new parse."""
    project = _argument(parse_args, "--project-dir") or os.getcwd()
    read = variables_read(*sorted({project, _argument(parse_args, "--profiles-dir") or project}))

    def counts(name: str) -> bool:
        if name in NOT_PARSED:
            return False
        return name.startswith("DBT_") or (name in read if read is not None else name.startswith("OGP_"))

    environment = tuple(sorted((name, value) for name, value in os.environ.items() if counts(name)))
    arguments = list(parse_args)
    for flag in ("--target-path", "--log-path"):
        if flag in arguments:
            del arguments[arguments.index(flag) : arguments.index(flag) + 2]
    return (tuple(arguments), environment)


class _EventLines:
    """The invocation's events as the byte lines a subprocess's stdout would give."""

    def __init__(self) -> None:
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.closed = False

    def put(self, line: bytes | None) -> None:
        self._lines.put(line)

    def __iter__(self) -> Iterator[bytes]:
        while (line := self._lines.get()) is not None:
            yield line

    def __enter__(self) -> _EventLines:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.closed = True


class DbtInProcess:
    """One dbt invocation in this process, with the part of `subprocess.Popen`'s interface that
    dagster-dbt's `DbtCliInvocation` uses (args, stdout, wait, poll, returncode, send_signal)."""

    def __init__(self, args: Sequence[str], *, parse_args: Sequence[str]) -> None:
        """`args`: the command line as `dbt` would take it (its first item naming dbt);
        `parse_args`: `dbt parse` with the same project, profile and target path, run first when
        this process has no manifest for that profile yet."""
        self.args = list(args)  # dagster-dbt names the command by them: `dbt build ...`
        self.returncode: int | None = None
        self.stdout = _EventLines()
        self._thread = threading.Thread(
            target=self._run, args=(self.args[1:], list(parse_args)), name="dbt-in-process", daemon=True
        )
        self._thread.start()

    def _print(self, message: Any) -> None:
        """One of dbt's events, as `--log-format json` prints it."""
        from dbt_common.events.functions import msg_to_dict

        if message.info.level in PRINTED_LEVELS:
            self.stdout.put(json.dumps(msg_to_dict(message), default=str).encode())

    def _run(self, dbt_args: list[str], parse_args: list[str]) -> None:
        try:
            with _invocation_lock:
                try:
                    self.returncode = self._invoke(dbt_args, parse_args)
                finally:
                    _close_duckdb()  # under the lock: never another invocation's database
        except BaseException as error:  # the thread's end must reach the reader whatever happened
            logger.exception("dbt could not run in this process")
            self.stdout.put(f"dbt could not run in this process: {error!r}".encode())
            self.returncode = EXIT_ERROR
        finally:
            self.stdout.put(None)

    def _invoke(self, dbt_args: list[str], parse_args: list[str]) -> int:
        from dbt.cli.main import dbtRunner

        key = _profile_key(parse_args)
        manifest = _manifests.get(key)
        if manifest is None:
            parsed = dbtRunner(callbacks=[self._print]).invoke(parse_args)
            if not parsed.success:
                return EXIT_ERROR
            while len(_manifests) >= MANIFESTS_KEPT:
                del _manifests[next(iter(_manifests))]
            manifest = _manifests[key] = parsed.result
        result = dbtRunner(manifest=manifest, callbacks=[self._print]).invoke(dbt_args)
        if result.success:
            return 0
        return EXIT_ERROR if result.exception is not None else EXIT_FAILURES

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode

    def send_signal(self, signal_number: int) -> None:
        """dagster-dbt forwards an interrupted step's SIGINT to dbt. dbt's own answer to Ctrl-C is to
        cancel its adapters' open queries; here that is repeated until the invocation ends, since a
        query about to start when the signal came would otherwise run to its end, and so would each
        node after it."""
        threading.Thread(target=self._cancel_until_done, name="dbt-cancel", daemon=True).start()

    def _cancel_until_done(self) -> None:
        from dbt.adapters.factory import FACTORY

        while self._thread.is_alive():
            for adapter in list(FACTORY.adapters.values()):
                adapter.cancel_open_connections()
            self._thread.join(CANCEL_INTERVAL_SECONDS)


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between invocations (a process exit would
    have), so the warehouse is free for the step's own reads and for other processes."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: a PostgreSQL-only deployment
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if environment is not None:
        environment.close()
