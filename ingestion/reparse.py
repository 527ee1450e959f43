"""Re-parsing from the landing zone: when a loader learns something new (a date format, a header
alias, a rule), the payloads already landed are loaded again, never fetched again.

For each landed file of the chosen sources, in the order they were first loaded: its rows and
quarantine rows are deleted and the file is loaded by today's code, all sources in one
transaction (a failure leaves the warehouse as it was). Earlier ledger entries of those files are
marked superseded, not deleted, so the history of runs stays and the current totals still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.connection import transaction
from ingestion.file_kinds import file_kind
from ingestion.intake import supersede
from ingestion.landing import LandedFile
from ingestion.quarantine import forget_file_rows
from ingestion.sources import spec_for_landed
from ingestion.tabular_source import LoadResult


@dataclass(frozen=True)
class ReparsedFile:
    source: str
    original_name: str
    before: tuple[int, int]  # rows loaded, quarantined before
    result: LoadResult


def landed_files(con: duckdb.DuckDBPyConnection, sources: list[str] | None, landing_dir: Path) -> list[LandedFile]:
    """The landed files of `sources`, found under today's landing dir (`<source>/<date>/<file>`), so a
    data directory that was moved or restored elsewhere re-parses all the same."""
    rows = con.execute(
        """select source, landed_file_id, landed_path, source_uri, original_name, size_bytes, fetched_at
           from raw.landed_files
           where landed_path <> ''  -- refused before landing (a link, a file too large): nothing to read again
             and (? is null or list_contains(?, source) or (list_contains(?, 'forms_api') and regexp_matches(source, '^(kobo|odk)_')))
           order by loaded_at, landed_file_id""",
        [sources, sources, sources],
    ).fetchall()
    return [
        LandedFile(
            source,
            sha,
            landing_dir.joinpath(*Path(path).parts[-3:]),
            uri,
            name,
            size,
            fetched if isinstance(fetched, datetime) else datetime.fromisoformat(str(fetched)),
        )
        for source, sha, path, uri, name, size, fetched in rows
    ]


def reparse(
    con: duckdb.DuckDBPyConnection, sources: list[str] | None, *, landing_dir: Path, run_id: str | None
) -> list[ReparsedFile]:
    """Load every landed file of `sources` (all when None) again with today's loaders."""
    # An archive is not re-parsed itself: its members are landed files of their own.
    files = [
        f for f in landed_files(con, sources, landing_dir) if not (f.path.is_file() and file_kind(f.path) == "zip")
    ]
    missing = [f.path for f in files if not f.path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"landed payloads are missing from the landing zone (restore them first): {missing[:5]}"
        )
    done = []
    with transaction(con):
        plan = [(f, spec_for_landed(f.source, f.path)) for f in files]
        before = {}
        for landed, spec in plan:
            table = spec.table
            loaded = con.execute(f"select count(*) from {table} where landed_file_id = ?", [landed.sha256]).fetchone()[
                0
            ]
            con.execute(f"delete from {table} where landed_file_id = ?", [landed.sha256])
            before[landed.sha256] = (loaded, forget_file_rows(con, landed.sha256))
            con.execute("delete from raw.personal_data_redactions where landed_file_id = ?", [landed.sha256])
            supersede(con, landed.sha256)  # its state and warnings give way to the new load's
            con.execute(
                "update raw.ingestion_ledger set superseded_at = now() where landed_file_id = ? and superseded_at is null",
                [landed.sha256],
            )
        for landed, spec in plan:
            result = spec.load_file(con, landed, run_id=run_id)
            done.append(ReparsedFile(landed.source, landed.original_name, before[landed.sha256], result))
    return done
