"""Loading what a source landed in one run: files seen before (by content hash) are skipped, the
others loaded by the source's spec, and what became of their rows summed up for the operator."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ingestion.landing import LandedFile
from ingestion.ledger import already_loaded, preview, row_count
from ingestion.source_spec import SourceSpec
from ingestion.tabular_source import LoadResult


@dataclass
class IngestOutcome:
    received: int = 0
    loaded: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    loaded_files: list[tuple[LandedFile, LoadResult]] = field(default_factory=list)
    skipped_files: list[LandedFile] = field(default_factory=list)
    preview: str = "_nothing new_"
    table_rows: int = 0

    @property
    def balanced(self) -> bool:
        return self.received == self.loaded + self.quarantined

    @property
    def schema_reports(self) -> dict[str, dict]:
        return {
            landed.original_name: result.schema_report for landed, result in self.loaded_files if result.schema_report
        }


def ingest_new_files(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    landed_files: list[LandedFile],
    *,
    run_id: str | None,
    together: bool = False,
) -> IngestOutcome:
    """Load the files of `landed_files` not loaded before, in order: all at once (`together`: a
    form's exports read in one scan) or one by one."""
    outcome = IngestOutcome()
    new_files, seen = [], set()
    for landed in landed_files:
        if landed.sha256 in seen or already_loaded(con, landed.sha256):
            outcome.skipped_files.append(landed)
            continue
        seen.add(landed.sha256)
        new_files.append(landed)
    if together:
        results = spec.load_files(con, new_files, run_id=run_id)
    else:
        results = (spec.load_file(con, landed, run_id=run_id) for landed in new_files)
    for landed, result in zip(new_files, results, strict=False):
        outcome.loaded_files.append((landed, result))
        outcome.received += result.ledger.received
        outcome.loaded += result.ledger.loaded
        outcome.quarantined += result.ledger.quarantined
        for rule, count in result.quarantine_reasons.items():
            outcome.quarantine_reasons[rule] = outcome.quarantine_reasons.get(rule, 0) + count
    outcome.preview = preview(
        con, spec.table, [landed.sha256 for landed, _ in outcome.loaded_files], spec.preview_columns
    )
    outcome.table_rows = row_count(con, spec.table)
    return outcome
