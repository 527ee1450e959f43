"""Taking in the inbox in one call, as the forms asset does it (land, load each source's files,
then settle the archives), for the `ogp` engine's callers that have no Dagster around them: the
tests and the property-based suite."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.inbox import land_inbox
from ingestion.inbox_archives import InboxLanding, settle_archives
from ingestion.ingest import IngestOutcome, ingest_new_files
from ingestion.intake import FileState, IntakeLimits
from ingestion.sources import INDICATOR_VALUES, PROGRESS_REPORTS


@dataclass(frozen=True)
class InboxIntake:
    landing: InboxLanding
    outcomes: dict[str, IngestOutcome]
    archives: list[FileState]


def take_in_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, *, landing_dir: Path, limits: IntakeLimits, run_id: str | None
) -> InboxIntake:
    landing = land_inbox(
        con, inbox, landing_dir=landing_dir, limits=limits, run_id=run_id, ledger_source=PROGRESS_REPORTS.name
    )
    outcomes = {
        spec.name: ingest_new_files(con, spec, landing.files.get(spec.name, []), run_id=run_id, together=True)
        for spec in (PROGRESS_REPORTS, INDICATOR_VALUES)
    }
    archives = settle_archives(con, landing, ledger_source=PROGRESS_REPORTS.name, run_id=run_id)
    return InboxIntake(landing, outcomes, archives)
