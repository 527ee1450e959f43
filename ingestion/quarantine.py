"""The quarantine as the publication gate reads it: which quarantined rows still stand in the way of
a publication, and the operator's explicit decisions to release one.

A row is identified by a stable id (the same for the same source, file, row and rule, whichever run
quarantined it). A row blocks while it belongs to the version of a blocking source that is being
published (for a whole-file source such as a plan catalogue: the latest file that loaded rows) and
no decision released it. Re-running changes none of that: only a corrected file (a new version)
or `ogp release <id> --reason` does, and each release is recorded with who, when and why."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

import duckdb

DDL = """
create table if not exists raw.quarantine (
    source varchar not null,
    landed_file_id varchar,
    source_row_number bigint,
    submission_id varchar,
    rule varchar not null,
    reason varchar not null,
    raw_payload json,
    quarantined_at timestamptz not null,
    reporting_month date,                      -- when the row said which month it reports
    milestone_code varchar                     -- and for which milestone (to release it once corrected)
);
alter table raw.quarantine add column if not exists reporting_month date;
alter table raw.quarantine add column if not exists milestone_code varchar;

create table if not exists raw.quarantine_releases (
    quarantine_id varchar primary key,
    reason varchar not null,
    released_by varchar,
    released_at timestamptz not null
);
"""

# The same id for the same row of the same file under the same rule.
QUARANTINE_ID_SQL = (
    "substr(md5(q.source || '|' || coalesce(q.landed_file_id, '') || '|' || "
    "coalesce(cast(q.source_row_number as varchar), '') || '|' || q.rule), 1, 16)"
)


# --- the one writer of raw.quarantine: every quarantined row and item goes in through these ---------


def quarantine_rows(con: duckdb.DuckDBPyConnection, *, source: str, rows_sql: str, params: list | None = None) -> None:
    """Quarantine the rows `rows_sql` selects, by column name: `landed_file_id`, `source_row_number`,
    `rule`, `reason` and what else the source could tell (`submission_id`, `raw_payload`,
    `reporting_month`, `milestone_code`); a column it does not name stays empty."""
    con.execute(
        f"insert into raw.quarantine by name select ? as source, now() as quarantined_at, r.* from ({rows_sql}) r",
        [source, *(params or [])],
    )


def quarantine_item(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    landed_file_id: str,
    rule: str,
    reason: str,
    position: int | None = None,
) -> None:
    """One received item that has no rows to quarantine (a refused file, a file none of whose rows
    could be read, an archive's refused member at `position`), so it does not vanish."""
    quarantine_rows(
        con,
        source=source,
        rows_sql="select ? as landed_file_id, ? as source_row_number, ? as rule, ? as reason",
        params=[landed_file_id, position, rule, reason],
    )


def forget_file_rows(con: duckdb.DuckDBPyConnection, landed_file_id: str) -> int:
    """A landed file's quarantined rows, removed before it is parsed again; how many there were."""
    [(count,)] = con.execute(
        "select count(*) from raw.quarantine where landed_file_id = ?", [landed_file_id]
    ).fetchall()
    con.execute("delete from raw.quarantine where landed_file_id = ?", [landed_file_id])
    return count


@dataclass(frozen=True)
class BlockingRow:
    quarantine_id: str
    source: str
    file_name: str | None
    source_row_number: int | None
    rule: str
    reason: str


def blocking_rows(con: duckdb.DuckDBPyConnection, sources: list[str]) -> list[BlockingRow]:
    """Quarantined rows of the published version of each of `sources` that no decision released."""
    if not sources:
        return []
    rows = con.execute(
        f"""
        with current_files as (
            -- the file each source publishes: the latest one that loaded rows (or the latest at all)
            select source, arg_max(landed_file_id, (loaded > 0, recorded_at)) as landed_file_id
            from raw.ingestion_ledger
            where superseded_at is null and list_contains(?, source)
            group by source
        )
        select {QUARANTINE_ID_SQL} as quarantine_id, q.source, f.original_name, q.source_row_number, q.rule, q.reason
        from raw.quarantine q
        join current_files c on c.source = q.source and c.landed_file_id = q.landed_file_id
        left join raw.landed_files f on f.landed_file_id = q.landed_file_id
        where {QUARANTINE_ID_SQL} not in (select quarantine_id from raw.quarantine_releases)
        order by q.source, q.source_row_number
        """,
        [sources],
    ).fetchall()
    return [BlockingRow(*row) for row in rows]


class UnknownQuarantineId(LookupError):
    """No quarantined row has the id given."""


def release(con: duckdb.DuckDBPyConnection, quarantine_id: str, reason: str, *, released_by: str | None = None) -> str:
    """Record the operator's decision to publish despite a quarantined row; returns its reason."""
    [(found, row_reason)] = con.execute(
        f"select count(*), any_value(q.reason) from raw.quarantine q where {QUARANTINE_ID_SQL} = ?", [quarantine_id]
    ).fetchall()
    if not found:
        raise UnknownQuarantineId(quarantine_id)
    con.execute(
        "insert or replace into raw.quarantine_releases values (?, ?, ?, now())",
        [quarantine_id, reason, released_by or getpass.getuser()],
    )
    return row_reason


@dataclass(frozen=True)
class SourceQuarantine:
    source: str
    rows: int
    released: int


def quarantine_by_source(con: duckdb.DuckDBPyConnection) -> list[SourceQuarantine]:
    """Quarantined rows by source, and how many of them an operator released."""
    rows = con.execute(
        f"""
        select q.source, count(*), count(*) filter (where {QUARANTINE_ID_SQL} in (select quarantine_id from raw.quarantine_releases))
        from raw.quarantine q
        group by q.source order by q.source
        """
    ).fetchall()
    return [SourceQuarantine(*row) for row in rows]
