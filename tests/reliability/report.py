"""`make reliability-doc`: docs/reliability.md from the outcomes the reliability suite recorded
when it last ran (build/reliability/*.json, written by tests/reliability/conftest.py). A table the
last run did not complete keeps the section the document already had."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.reliability.conftest import RESULTS_DIR

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"

INTRO = """# Reliability and security: what the platform does with bad input and failing sources

Written by `make reliability-doc` from the outcomes the reliability suite (`tests/reliability/`,
run by `make test`) observed; do not edit by hand. Every case also checks that the run's ledger
balances (received = loaded + quarantined) and that nothing else in the warehouse changed.

Beside these recorded cases, `tests/reliability/test_generated_files.py` generates report files
with Hypothesis (encodings, delimiters, mixed line endings, header names, month and percent forms,
free text with e-mails and phones, rows too wide, workbooks with %-formatted cells under title
blocks) and asserts for each: one ledger entry, every row loaded or quarantined, no contact data
stored, and every loaded value equal to an independent reading of the generated row. It also
builds whole inboxes of real spreadsheet files mutated as transfers and people do (cut short,
bytes flipped, re-encoded, hidden rows, formulas without a value, zipped and nested, a damaged
member) mixed with symbolic links, hard links and FIFOs pointing at a file outside the inbox, and
asserts that the intake completes, every entry ends in exactly one terminal state, no byte of the
outside file reaches a table or the landing zone, and what is landed stays within the caps
(`tests/test_intake.py` holds the named cases).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(results: dict[str, dict], existing: str) -> str:
    sections = {}
    for block in existing.split("\n## ")[1:]:
        title, _, body = block.partition("\n")
        sections[title.strip()] = body
    for name, rows in results.items():
        lines = ["", "| case | input | outcome |", "|---|---|---|"]
        for case, (what, outcome) in sorted(rows.items()):
            lines.append(f"| `{case}` | {_cell(what)} | {_cell(outcome)} |")
        sections[name] = "\n".join(lines) + "\n"
    return INTRO + "".join(f"\n## {title}\n{body}" for title, body in sorted(sections.items()))


def complete_tables(results_dir: Path) -> dict[str, dict]:
    """Each table's rows, joined from every process's file; only the tables whose every case ran."""
    expected, rows = {}, {}
    for path in sorted(results_dir.glob("*.json")):
        for name, table in json.loads(path.read_text(encoding="utf-8")).items():
            expected[name] = table["expected"]
            rows.setdefault(name, {}).update(table["rows"])
    return {name: rows[name] for name in rows if len(rows[name]) == expected[name]}


def main() -> int:
    results = complete_tables(RESULTS_DIR)
    if not results:
        print(
            f"no complete table of outcomes in {RESULTS_DIR}: run `make test` (or pytest tests/reliability) first",
            file=sys.stderr,
        )
        return 1
    DOC.write_text(render(results, DOC.read_text(encoding="utf-8") if DOC.exists() else ""), encoding="utf-8")
    print(f"{DOC}: {', '.join(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
