"""The reliability suite records the outcome of every case it runs; when a whole table (the bad-
input corpus, the source faults) ran, `docs/reliability.md` is written from what was observed,
so the document says what the code does today, not what it was meant to do."""

from __future__ import annotations

from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
TABLES: dict[str, dict] = {}  # table name -> {"expected": n, "rows": {case id: (what, outcome)}}

INTRO = """# Reliability and security: what the platform does with bad input and failing sources

Written by the test suite (`tests/reliability/`, run by `make test`) from the outcomes it
observed; do not edit by hand. Every case also checks that the run's ledger balances
(received = loaded + quarantined) and that nothing else in the warehouse changed.

Beside these recorded cases, `tests/reliability/test_generated_files.py` generates report files
with Hypothesis (encodings, delimiters, mixed line endings, header names, month and percent forms,
free text with e-mails and phones, rows too wide, workbooks with %-formatted cells under title
blocks) and asserts for each: one ledger entry, every row loaded or quarantined, no contact data
stored, and every loaded value equal to an independent reading of the generated row.
"""


def record(table: str, expected: int, case: str, what: str, outcome: str) -> None:
    TABLES.setdefault(table, {"expected": expected, "rows": {}})["rows"][case] = (what, outcome)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    complete = {name: t for name, t in TABLES.items() if len(t["rows"]) == t["expected"]}
    if not complete or exitstatus != 0:
        return
    import fcntl

    # With pytest-xdist each worker writes the tables it ran: one at a time.
    with open(DOC.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _write(complete)


def _write(complete: dict) -> None:
    existing = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    sections = {}
    for block in existing.split("\n## ")[1:]:
        title, _, body = block.partition("\n")
        sections[title.strip()] = body
    for name, table in complete.items():
        lines = ["", "| case | input | outcome |", "|---|---|---|"]
        for case, (what, outcome) in sorted(table["rows"].items()):
            lines.append(f"| `{case}` | {_cell(what)} | {_cell(outcome)} |")
        sections[name] = "\n".join(lines) + "\n"
    text = INTRO + "".join(f"\n## {title}\n{body}" for title, body in sorted(sections.items()))
    DOC.write_text(text, encoding="utf-8")
