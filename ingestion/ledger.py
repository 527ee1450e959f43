"""The ledger: for every file a source received, how many rows were loaded and how many
quarantined (received = loaded + quarantined), per run; and the record of every landed file.

Also the questions asked of them after a load (what a run loaded, what it quarantined, what a
source holds), so the orchestration and the CLI ask them here instead of writing SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

DDL = """
create table if not exists raw.landed_files (
    landed_file_id varchar primary key,        -- sha256 of the payload, as received
    source varchar not null,
    source_uri varchar not null,
    landed_path varchar not null,
    original_name varchar,
    size_bytes bigint not null,
    fetched_at timestamptz not null,
    loaded_at timestamptz not null
);

create table if not exists raw.ingestion_ledger (
    run_id varchar,
    source varchar not null,
    landed_file_id varchar,
    received bigint not null,
    loaded bigint not null,
    quarantined bigint not null,
    recorded_at timestamptz not null
);
alter table raw.ingestion_ledger add column if not exists superseded_at timestamptz;  -- set when a file is re-parsed

-- The great-expectations outcome for each landed file a suite checked: a file whose latest
-- validation failed is checked again by every run until it passes (corrected or re-parsed), so a
-- check judges the data being published, not only what the last run landed.
create table if not exists raw.landed_file_validations (
    landed_file_id varchar not null,
    suite varchar not null,
    passed boolean not null,
    run_id varchar,
    validated_at timestamptz not null
);
"""


@dataclass(frozen=True)
class LedgerEntry:
    source: str
    landed_file_id: str | None
    received: int
    loaded: int
    quarantined: int

    def __post_init__(self) -> None:
        if self.received != self.loaded + self.quarantined:
            raise AssertionError(
                f"{self.source}: received {self.received} rows but loaded {self.loaded} "
                f"and quarantined {self.quarantined}; a row would be lost"
            )

    def as_metadata(self) -> dict[str, int]:
        return {"received": self.received, "loaded": self.loaded, "quarantined": self.quarantined}


def record_ledger(con: duckdb.DuckDBPyConnection, entry: LedgerEntry, run_id: str | None) -> None:
    con.execute(
        "insert into raw.ingestion_ledger values (?, ?, ?, ?, ?, ?, now(), null)",
        [run_id, entry.source, entry.landed_file_id, entry.received, entry.loaded, entry.quarantined],
    )


def record_validations(
    con: duckdb.DuckDBPyConnection, suite: str, landed_file_ids: list[str], passed: bool, run_id: str | None
) -> None:
    """The outcome of one validation for each file it checked."""
    if landed_file_ids:
        con.execute(
            "insert into raw.landed_file_validations select unnest(?), ?, ?, ?, now()",
            [landed_file_ids, suite, passed, run_id],
        )


def files_to_validate_sql(suite: str) -> str:
    """SQL selecting the landed files a suite checks in a run (parameter: the run id): those the
    run loaded, and those whose latest validation by the suite failed."""
    return f"""
        select landed_file_id from raw.ingestion_ledger where run_id = ?
        union
        select landed_file_id from raw.landed_file_validations where suite = '{suite}'
        group by landed_file_id having not arg_max(passed, validated_at)
    """


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return con.execute("select count(*) from raw.landed_files where landed_file_id = ?", [sha256]).fetchone()[0] > 0


def landed_file_ids(con: duckdb.DuckDBPyConnection, landing_source: str) -> set[str]:
    """The payload hashes already landed under `landing_source` (a file seen before is skipped)."""
    return {
        sha
        for (sha,) in con.execute(
            "select landed_file_id from raw.landed_files where source = ?", [landing_source]
        ).fetchall()
    }


def record_landed_file(con: duckdb.DuckDBPyConnection, landed) -> None:
    con.execute(
        "insert or ignore into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, now())",
        [
            landed.sha256,
            landed.source,
            landed.source_uri,
            str(landed.path),
            landed.original_name,
            landed.size_bytes,
            landed.fetched_at,
        ],
    )


@dataclass(frozen=True)
class RunTotals:
    received: int
    loaded: int
    quarantined: int


def run_totals(con: duckdb.DuckDBPyConnection, run_id: str, source: str) -> RunTotals:
    """What run `run_id` received, loaded and quarantined of `source` (from the ledger: no table scan)."""
    received, loaded, quarantined = con.execute(
        """select coalesce(sum(received), 0), coalesce(sum(loaded), 0), coalesce(sum(quarantined), 0)
           from raw.ingestion_ledger where run_id = ? and source = ?""",
        [run_id, source],
    ).fetchone()
    return RunTotals(int(received), int(loaded), int(quarantined))


def quarantined_in_run(con: duckdb.DuckDBPyConnection, run_id: str, source: str, *, limit: int = 20) -> list[dict]:
    """The first quarantined rows of the files run `run_id` loaded for `source`: rule, reason, row, file."""
    cursor = con.execute(
        """select q.rule, q.reason, q.source_row_number, f.original_name
           from raw.quarantine q
           join raw.ingestion_ledger l on l.landed_file_id = q.landed_file_id and l.source = q.source
           left join raw.landed_files f on f.landed_file_id = q.landed_file_id
           where l.run_id = ? and q.source = ?
           order by f.original_name, q.source_row_number limit ?""",
        [run_id, source, limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def preview(con: duckdb.DuckDBPyConnection, table: str, landed_ids: list[str], columns: str, *, limit: int = 5) -> str:
    """A markdown table of the first rows `landed_ids` loaded into `table`."""
    if not landed_ids:
        return "_nothing new_"
    frame = con.execute(
        f"select {columns} from {table} where landed_file_id in (select unnest(?)) order by source_row_number limit {int(limit)}",
        [landed_ids],
    ).df()
    return frame.to_markdown(index=False)


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


@dataclass(frozen=True)
class SourceLedger:
    source: str
    files: int
    received: int
    loaded: int
    quarantined: int
    last_recorded_at: datetime


def ledger_by_source(con: duckdb.DuckDBPyConnection) -> list[SourceLedger]:
    """Current totals per source (entries superseded by a re-parse left out)."""
    rows = con.execute(
        """select source, count(*), sum(received), sum(loaded), sum(quarantined), max(recorded_at)
           from raw.ingestion_ledger where superseded_at is null group by source order by source"""
    ).fetchall()
    return [SourceLedger(*row) for row in rows]


def quarantine_by_rule(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return con.execute("select rule, count(*) from raw.quarantine group by rule order by 2 desc, 1").fetchall()


# Tables every source writes beside its own, with what they hold (the ingestion assets declare
# them as assets from this; the warehouse step observes their row counts).
BOOKKEEPING_TABLES = {
    "quarantine": "Rows ingestion could not load, with source, rule and reason (written by every ingestion asset).",
    "date_interpretations": "Each distinct date text of the OGP exports with the period it names and its precision.",
    "landed_files": "Every file landed, refused or taken apart: hash, source, original name, size, landing time.",
    "personal_data_redactions": (
        "E-mail addresses and phone numbers redacted from free text at ingestion: counts per source, file and column."
    ),
    "ingestion_ledger": "Per run and file: received = loaded + quarantined (written by every ingestion asset).",
    "landed_file_validations": (
        "Each landed file's latest great-expectations outcome per suite (a failed one is checked again by every run)."
    ),
    "intake_files": "Each file and archive member received, in its one terminal state (loaded, partly loaded, refused) with the reason.",
    "intake_warnings": "Values loaded that a person may have meant otherwise, and rows that contradict each other, by file and row.",
}


def bookkeeping_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each bookkeeping table of the raw schema."""
    return {table: row_count(con, f"raw.{table}") for table in BOOKKEEPING_TABLES}
