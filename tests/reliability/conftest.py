"""The reliability suite records the outcome of every case it runs; when a whole table (the bad-
input corpus, the source faults) ran, its outcomes are in `build/reliability/` (untracked, one file
per test process). `make reliability-doc` (tests/reliability/report.py) writes `docs/reliability.md`
from them, so the document says what the code did when the suite last ran, and no test writes a
tracked file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RESULTS_DIR = Path(
    os.environ.get("OGP_RELIABILITY_RESULTS") or Path(__file__).resolve().parents[2] / "build" / "reliability"
)
TABLES: dict[str, dict] = {}  # table name -> {"expected": n, "rows": {case id: (what, outcome)}}


def record(table: str, expected: int, case: str, what: str, outcome: str) -> None:
    TABLES.setdefault(table, {"expected": expected, "rows": {}})["rows"][case] = (what, outcome)


def pytest_configure(config: pytest.Config) -> None:
    """A new run starts from no recorded outcome (in the controlling process, not each worker)."""
    if not hasattr(config, "workerinput") and RESULTS_DIR.is_dir():
        for stale in RESULTS_DIR.glob("*.json"):
            stale.unlink()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The outcomes this process recorded, one file per process (pytest-xdist workers each ran a
    part of a table); the report joins them and writes only the tables that ran whole."""
    if not TABLES:
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    path = RESULTS_DIR / f"{worker}-{os.getpid()}.json"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(TABLES, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
