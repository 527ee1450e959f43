from __future__ import annotations

import os
import contextlib
import io
from pathlib import Path

import pytest


# What the Presidency presented to the core group on 17 Nov 2023 for the second plan (2022-2024).
PRESENTED_2023_11 = [20, 0, 0, 0, 20, 38, 23, 48, 13, 48, 39, 19, 26, 25, 42]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long end-to-end cases (`slow`) first, the rest in their order: the two workers then
    end together instead of one finishing a long case alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def definitions():
    """The code location's definitions, loaded once per worker (reading them changes nothing)."""
    from orchestration.definitions import defs

    return defs()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """`ogp demo` for real into a temporary OGP_DATA_DIR: every asset, every demo month."""
    from orchestration import cli

    data = tmp_path_factory.mktemp("e2e") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGP_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(data / "dagster_home"))
        for name in ("OGP_INBOX_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DASHBOARD_URL", "OGP_DBT_TARGET"):
            mp.delenv(name, raising=False)
        printed = io.StringIO()  # what a person running `make demo` reads
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = cli.main(["demo"])
        (data / "demo-output.txt").write_text(printed.getvalue(), encoding="utf-8")
        assert status == 0, printed.getvalue()[-5000:]
    return data


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


def postgres_dsn() -> str:
    """The PostgreSQL server for server-target tests. Unreachable: skipped with the reason, or
    failed when OGP_REQUIRE_POSTGRES=1 (as in CI, where it must run)."""
    import psycopg

    dsn = os.environ.get("OGP_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        with psycopg.connect(dsn, connect_timeout=3) as con:
            con.execute("select 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same thing here
        message = f"PostgreSQL at {dsn.split('@')[-1]} is not reachable ({exc.__class__.__name__}: {exc}); start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
        if os.environ.get("OGP_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return dsn
