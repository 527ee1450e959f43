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
from typing import Callable

import duckdb

from ingestion.indicators import holds_indicator_values, load_indicator_catalogue_file, load_indicator_values_file
from ingestion.landing import LandedFile
from ingestion.local_government_index import load_local_government_index_file
from ingestion.ogp_dashboard import load_ogp_dashboard_file
from ingestion.ogp_explorer import load_ogp_explorer_file
from ingestion.open_data_portal import load_portal_evidence_checks, load_portal_organizations_page, load_portal_page
from ingestion.plan_catalogue import load_plan_catalogue_file
from ingestion.progress_reports import load_progress_report_file
from ingestion.tabular_source import LoadResult
from ingestion.warehouse import transaction

Loader = Callable[..., LoadResult]

# Landing-zone source name -> (loader, raw table). Form APIs land under kobo_<uid> / odk_<p>_<f>.
FILE_LOADERS: dict[str, tuple[Loader, str]] = {
    "plan_catalogue": (load_plan_catalogue_file, "raw.plan_milestones"),
    "indicator_catalogue": (load_indicator_catalogue_file, "raw.indicator_catalogue"),
    "ogp_dashboard": (load_ogp_dashboard_file, "raw.ogp_dashboard_commitments"),
    "ogp_explorer": (load_ogp_explorer_file, "raw.ogp_explorer_commitments"),
    "local_government_index": (load_local_government_index_file, "raw.local_government_index"),
    "open_data_portal": (load_portal_page, "raw.portal_datasets"),
    "open_data_portal_organizations": (load_portal_organizations_page, "raw.portal_organizations"),
    "open_data_portal_evidence": (load_portal_evidence_checks, "raw.portal_evidence_checks"),
}
PROGRESS_REPORTS = (load_progress_report_file, "raw.progress_reports")
INDICATOR_VALUES = (load_indicator_values_file, "raw.indicator_values")


def loader_for(source: str, path: Path) -> tuple[Loader, str]:
    if source in FILE_LOADERS:
        return FILE_LOADERS[source]
    if source == "forms":  # spreadsheet drops: the header says which of the forms' two records it holds
        return INDICATOR_VALUES if holds_indicator_values(path) else PROGRESS_REPORTS
    if source.startswith(("kobo_", "odk_")):
        return PROGRESS_REPORTS
    raise ValueError(f"no loader for landed source {source!r}")


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
           where ? is null or list_contains(?, source) or (list_contains(?, 'forms_api') and regexp_matches(source, '^(kobo|odk)_'))
           order by loaded_at, landed_file_id""",
        [sources, sources, sources],
    ).fetchall()
    return [
        LandedFile(source, sha, landing_dir.joinpath(*Path(path).parts[-3:]), uri, name, size, fetched if isinstance(fetched, datetime) else datetime.fromisoformat(str(fetched)))
        for source, sha, path, uri, name, size, fetched in rows
    ]


def reparse(con: duckdb.DuckDBPyConnection, sources: list[str] | None, *, landing_dir: Path, run_id: str | None) -> list[ReparsedFile]:
    """Load every landed file of `sources` (all when None) again with today's loaders."""
    files = landed_files(con, sources, landing_dir)
    missing = [f.path for f in files if not f.path.is_file()]
    if missing:
        raise FileNotFoundError(f"landed payloads are missing from the landing zone (restore them first): {missing[:5]}")
    done = []
    with transaction(con):
        plan = [(f, *loader_for(f.source, f.path)) for f in files]
        before = {}
        for landed, _, table in plan:
            loaded = con.execute(f"select count(*) from {table} where landed_file_id = ?", [landed.sha256]).fetchone()[0]
            quarantined = con.execute("select count(*) from raw.quarantine where landed_file_id = ?", [landed.sha256]).fetchone()[0]
            before[landed.sha256] = (loaded, quarantined)
            con.execute(f"delete from {table} where landed_file_id = ?", [landed.sha256])
            con.execute("delete from raw.quarantine where landed_file_id = ?", [landed.sha256])
            con.execute("delete from raw.personal_data_redactions where landed_file_id = ?", [landed.sha256])
            con.execute(
                "update raw.ingestion_ledger set superseded_at = now() where landed_file_id = ? and superseded_at is null",
                [landed.sha256],
            )
        for landed, loader, _ in plan:
            result = loader(con, landed, run_id=run_id)
            done.append(ReparsedFile(landed.source, landed.original_name, before[landed.sha256], result))
    return done
