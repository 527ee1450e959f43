from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

# What the Presidency presented to the core group on 17 Nov 2023 for the second plan (2022-2024).
PRESENTED_2023_11 = [20, 0, 0, 0, 20, 38, 23, 48, 13, 48, 39, 19, 26, 25, 42]


# Temporary folders in memory when the machine has room there: every run's Dagster events are
# committed to SQLite one by one, and DuckDB and the snapshot write and sync many small files; on a
# disk, syncing them costs about a third of a run.
MEMORY_TEMPROOT, MEMORY_TEMPROOT_MIN_FREE = Path("/dev/shm"), 4 * 1024**3


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_DEBUG_TEMPROOT") or config.option.basetemp:
        return  # a place chosen by the person running the tests
    try:
        free = os.statvfs(MEMORY_TEMPROOT)
    except OSError:
        return
    if free.f_bavail * free.f_frsize >= MEMORY_TEMPROOT_MIN_FREE and os.access(MEMORY_TEMPROOT, os.W_OK):
        # pytest's own variable for where its numbered temporary folders go (read when first needed).
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_TEMPROOT)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end cases (`e2e`: they use the demo or are `slow`, as every case that launches a job is) are marked so
    `make test-fast` leaves them out, and the order is set for two workers.

    pytest-xdist's worksteal hands the first half of the list to one worker and the second half to
    the other, then moves work from the end of the busier one's queue. So the first half starts
    with the tests that need no demo (that worker works while the other builds it), then every
    other long case; the second half starts with the remaining long cases (its first builds the
    demo) and ends with the demo's short tests, which the first worker takes over when it is done."""

    def uses_demo(item: pytest.Item) -> bool:
        return "demo" in item.fixturenames  # its fixtures' fixtures too

    for item in items:
        if uses_demo(item) or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.e2e)

    slow = [item for item in items if item.get_closest_marker("slow")]
    long_with_demo = [item for item in slow if uses_demo(item)]
    without_demo = [item for item in slow if not uses_demo(item)]
    without_demo += [item for item in items if not item.get_closest_marker("slow") and not uses_demo(item)]
    short_with_demo = [item for item in items if not item.get_closest_marker("slow") and uses_demo(item)]
    half = len(items) // 2
    alternate = long_with_demo[1::2]
    while len(without_demo) + len(alternate) > half and len(without_demo) > 1:
        short_with_demo.append(without_demo.pop())  # to the end of the other half
    first = without_demo + alternate
    second = long_with_demo[0::2] + short_with_demo
    while len(first) < half and len(second) > 1:
        first.append(second.pop())  # a short test of the demo: built by then
    items[:] = first + second


@pytest.fixture(autouse=True)
def jobs_run_in_the_tests_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs a test starts are executed in the test's own process (OGP_RUN_IN_PROCESS): the same
    assets, checks and instance records, without loading the code location twice more per run, and
    dbt's parsed project is reused from one test to the next. A test about launching (marked
    `launched`: the UI's timeline, queued runs, the daemon) and the demo launch them as `ogp` does by
    default; so do the tests that start `ogp` as a process of its own."""
    if request.node.get_closest_marker("launched"):
        monkeypatch.delenv("OGP_RUN_IN_PROCESS", raising=False)
    else:
        monkeypatch.setenv("OGP_RUN_IN_PROCESS", "1")


@pytest.fixture(scope="session")
def definitions():
    """The code location's definitions, loaded once per worker (reading them changes nothing)."""
    from orchestration.definitions import defs

    return defs()


def built_once(tmp_path_factory, worker_id: str, name: str, build) -> Path:
    """A folder `build(folder)` fills once for the whole session, whichever xdist worker asks first:
    the others wait for it, then share it (they read it, or copy it before they change anything).
    A failed build fails every test that asks for it, with what the build said."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder every xdist worker's own temporary folder sits in
    folder, built, failed = shared / name / "data", shared / name / "built", shared / name / "failed"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"{name} failed (built by another worker):\n{failed.read_text(encoding='utf-8')}")
        if not built.exists():
            try:
                build(folder)
            except BaseException as exc:
                failed.write_text(str(exc)[-5000:] or exc.__class__.__name__, encoding="utf-8")
                raise
            built.touch()
    return folder


@pytest.fixture(scope="session")
def demo(tmp_path_factory, worker_id):
    """`ogp demo` for real into a temporary OGP_DATA_DIR: every asset, every demo month, built once
    for the whole session and shared by the workers."""
    from orchestration import cli

    def build(data: Path) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("OGP_DATA_DIR", str(data))
            mp.setenv("DAGSTER_HOME", str(data / "dagster_home"))
            for name in (
                "OGP_INBOX_DIR",
                "OGP_PLAN_CATALOGUE_URL",
                "OGP_DASHBOARD_URL",
                "OGP_DBT_TARGET",
                "OGP_RUN_IN_PROCESS",  # `make demo` launches its runs
            ):
                mp.delenv(name, raising=False)
            printed = io.StringIO()  # what a person running `make demo` reads
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                status = cli.main(["demo"])
        (data / "demo-output.txt").write_text(printed.getvalue(), encoding="utf-8")
        if status != 0:
            pytest.fail(f"ogp demo failed:\n{printed.getvalue()[-5000:]}")

    return built_once(tmp_path_factory, worker_id, "demo", build)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh OGP_DATA_DIR (and Dagster home) for one test; settings are read from it at run time."""
    data = tmp_path / "data"
    monkeypatch.setenv("OGP_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    for name in ("OGP_INBOX_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DASHBOARD_URL", "OGP_DBT_TARGET"):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture
def smtp_server():
    """(mailbox, smtp://127.0.0.1:port): a real SMTP server for the test's length."""
    from aiosmtpd.controller import Controller

    from tests.mail_server import Mailbox, free_port

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def warehouse(tmp_path: Path):
    from ingestion.connection import connect
    from ingestion.sources import ensure_raw_schema

    with connect(tmp_path / "warehouse.duckdb") as con:
        ensure_raw_schema(con)
        yield con


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def dbt_in_this_process(args: list[str], *, target_path: Path) -> None:
    """`dbt <args>` run as a job's step runs it, in this process (orchestration/dbt_in_process.py),
    so it reuses the project the worker's runs already parsed instead of importing dbt and parsing
    it again in a process of its own (~10-20 s a call). Fails with dbt's own messages."""
    from orchestration.dbt_project import WarehouseDbtResource, dbt_executable, dbt_project

    resource = WarehouseDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
    resource.cli(args, target_path=target_path, raise_on_error=True).wait()


def postgres_dsn() -> str:
    """The PostgreSQL server for server-target tests. Unreachable: skipped with the reason, or
    failed when OGP_REQUIRE_POSTGRES=1 (as in CI, where it must run)."""
    import psycopg

    dsn = os.environ.get("OGP_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        with psycopg.connect(dsn, connect_timeout=3) as con:
            con.execute("select 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        message = (
            f"PostgreSQL at {dsn.split('@')[-1]} is not reachable ({exc.__class__.__name__}: {exc}); start it "
            "with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
        )
        if os.environ.get("OGP_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return dsn
