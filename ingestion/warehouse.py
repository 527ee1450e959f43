"""The warehouse's raw schema: where every source lands its canonical records, its quarantine and
its per-run ledger. dbt's staging models are the only readers of these tables."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from ingestion.personal_data import DDL as REDACTIONS_DDL, redact, redacted_sql

RAW_SCHEMA_DDL = """
create schema if not exists raw;

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

-- Report tables have no primary key: a submission is unique by the quarantine rule
-- `duplicate_submission` (against the table and within each load) and by the staging model's
-- test; an index over a decade of every member's reports would cost more than loading them.
create table if not exists raw.progress_reports (
    submission_id varchar not null,
    source_tool varchar not null,
    submitted_at timestamp,
    submitted_at_raw varchar,
    reporting_month date not null,
    reporting_month_raw varchar,
    institution varchar,
    commitment_code varchar,
    milestone_code varchar not null,
    percent_complete double not null,
    percent_complete_raw varchar,
    status varchar,
    narrative varchar,
    evidence_urls varchar,
    challenges varchar,
    review_state varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.plan_milestones (
    action_plan_id varchar,
    commitment_id varchar,
    commitment_number varchar,
    milestone_code varchar,
    milestone_title varchar,
    weight double,
    weight_raw varchar,
    planned_start date,
    planned_start_raw varchar,
    planned_end date,
    planned_end_raw varchar,
    responsible_institution varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.local_government_index (
    municipality varchar,
    province varchar,
    year integer,
    transparency double,
    participation double,
    accountability double,
    open_data double,
    index_score double,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.indicator_catalogue (
    indicator_code varchar,
    commitment_id varchar,
    milestone_code varchar,
    indicator_name varchar,
    unit varchar,
    baseline double,
    target double,
    frequency varchar,
    direction varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.indicator_values (
    submission_id varchar not null,
    submitted_at timestamp,
    indicator_code varchar not null,
    period_raw varchar,
    period_start date not null,
    period_precision varchar not null,
    value double not null,
    value_raw varchar,
    evidence_url varchar,
    institution varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

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

create table if not exists raw.portal_organizations (
    organization_id varchar,
    organization_name varchar,
    organization_title varchar,
    package_count integer,                     -- as the portal counts them (may include private ones)
    created_at timestamp,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.portal_evidence_checks (
    dataset_reference varchar,                 -- the name or id an evidence link points at
    http_status integer,
    found boolean,
    dataset_id varchar,
    dataset_name varchar,
    organization_name varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.portal_datasets (
    dataset_id varchar,
    dataset_name varchar,
    title varchar,
    organization_name varchar,
    organization_title varchar,
    metadata_created timestamp,
    metadata_modified timestamp,
    resource_count integer,
    resource_urls varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.ogp_explorer_commitments (
    country varchar,
    action_plan_number varchar,
    commitment_number varchar,
    commitment_title varchar,
    lead_institution varchar,
    year_of_submission varchar,
    specificity varchar,
    specificity_code varchar,
    potential_impact varchar,
    potential_impact_code varchar,
    completion_progress varchar,
    completion_progress_code varchar,
    completion_end_of_term varchar,
    completion_end_of_term_code varchar,
    did_it_open_government varchar,
    did_it_open_government_code varchar,
    raw_payload json,                          -- without officials' contact data
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);

create table if not exists raw.source_cursors (
    source varchar primary key,                -- e.g. kobo_<asset uid>, odk_<project>_<form>
    high_water_mark varchar,                   -- the latest submission time already loaded
    updated_at timestamptz not null
);

-- Columns added after the first release: warehouses created before get them here.
alter table raw.quarantine add column if not exists reporting_month date;
alter table raw.quarantine add column if not exists milestone_code varchar;
alter table raw.plan_milestones add column if not exists withdrawn_on date;
alter table raw.plan_milestones add column if not exists withdrawn_on_raw varchar;
alter table raw.ogp_explorer_commitments add column if not exists start_date varchar;
alter table raw.ogp_explorer_commitments add column if not exists end_date varchar;
alter table raw.ogp_explorer_commitments add column if not exists short_title varchar;
alter table raw.ogp_explorer_commitments add column if not exists full_text varchar;
alter table raw.ogp_explorer_commitments add column if not exists theme varchar;
alter table raw.ogp_explorer_commitments add column if not exists supporting_institutions varchar;
alter table raw.ogp_explorer_commitments add column if not exists progress_report_year varchar;
alter table raw.ogp_explorer_commitments add column if not exists end_of_term_year varchar;
alter table raw.ogp_explorer_commitments add column if not exists starred_progress varchar;
alter table raw.ogp_explorer_commitments add column if not exists starred_end_of_term varchar;

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
"""


class WarehouseLockTimeout(RuntimeError):
    pass


@contextmanager
def connect(path: Path, *, read_only: bool = False, lock_timeout_s: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting for another process's write lock instead of failing at once.

    DuckDB allows one writing process per file; a second pipeline step or a BI reader holding it
    must make us wait, not crash the run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLockTimeout(
                    f"The warehouse {path} stayed locked by another process for {lock_timeout_s:.0f} s: {exc}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        yield con
    finally:
        con.close()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    from ingestion.dates import DDL as DATE_INTERPRETATIONS_DDL
    from ingestion.ogp_dashboard import dashboard_table_ddl  # the export's columns are data, read once here
    from ingestion.quarantine import DDL as QUARANTINE_RELEASES_DDL

    con.execute(RAW_SCHEMA_DDL)
    con.execute(DATE_INTERPRETATIONS_DDL)
    con.execute(REDACTIONS_DDL)
    con.execute(QUARANTINE_RELEASES_DDL)
    con.execute(dashboard_table_ddl())


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


_IN_TRANSACTION: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All of a file's rows, its quarantine, ledger and landed-file record commit together or not at
    all. Nested use joins the outer transaction (a re-parse replaces many files at once)."""
    if id(con) in _IN_TRANSACTION:
        yield
        return
    con.execute("begin transaction")
    _IN_TRANSACTION.add(id(con))
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")
    finally:
        _IN_TRANSACTION.discard(id(con))


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return con.execute("select count(*) from raw.landed_files where landed_file_id = ?", [sha256]).fetchone()[0] > 0


def record_landed_file(con: duckdb.DuckDBPyConnection, landed) -> None:
    con.execute(
        "insert or ignore into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, now())",
        [landed.sha256, landed.source, landed.source_uri, str(landed.path), landed.original_name,
         landed.size_bytes, landed.fetched_at],
    )


def split_checked_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    landed_file_ids: list[str],
    canonical_table: str,
    rules_sql: str,
    target_table: str,
    reasons_sql: str,
    run_id: str | None,
    set_aside: dict[str, dict[str, int]] | None = None,
) -> list[tuple[LedgerEntry, dict[str, int]]]:
    """Rows of `canonical_table` that break none of `rules_sql` go to `target_table`, the others to
    the quarantine with their reason; the ledger records, file by file, that every received row
    went one way. Returns each file's ledger entry and quarantine reasons, in the order given.
    `set_aside`: a file's rows already quarantined before its canonical records were built, by rule.

    The rules are evaluated over the few columns they read and only the rows that break one are
    kept: carrying every column of every row through the rules' window functions cost more than
    the rest of the load."""
    con.execute(
        f"""
        create or replace temp table _broken as
        select landed_file_id, source_row_number, rule from (
            select landed_file_id, source_row_number, {rules_sql} as rule from {canonical_table}
        ) where rule is not null
        """
    )
    [(inserted,)] = con.execute(
        f"insert into {target_table} by name "
        f"select c.* exclude (_file_position), now() as loaded_at from {canonical_table} c "
        f"anti join _broken using (landed_file_id, source_row_number)"
    ).fetchall()
    present = _columns(con, canonical_table)

    def optional(column: str, sql_type: str) -> str:
        # Quarantine keeps what the source could tell: submission, month, milestone, when it has them.
        return column if column in present else f"cast(null as {sql_type})"

    # A reason may quote a code, date or number cell, which the bulk redaction does not search.
    reason = redacted_sql(con, reasons_sql)
    con.execute(
        f"""
        insert into raw.quarantine by name
        select '{source}' as source, landed_file_id, source_row_number,
               {optional('submission_id', 'varchar')} as submission_id,
               rule, {reason} as reason, raw_payload, now() as quarantined_at,
               {optional('reporting_month', 'date')} as reporting_month,
               {optional('milestone_code', 'varchar')} as milestone_code
        from {canonical_table} join _broken using (landed_file_id, source_row_number)
        """
    )
    received = dict(con.execute(f"select landed_file_id, count(*) from {canonical_table} group by all").fetchall())
    reasons: dict[str, dict[str, int]] = {}
    for landed_file_id, rule, count in con.execute(
        "select landed_file_id, rule, count(*) from _broken group by all order by rule"
    ).fetchall():
        reasons.setdefault(landed_file_id, {})[rule] = count
    quarantined = {landed_file_id: sum(counts.values()) for landed_file_id, counts in reasons.items()}
    if inserted != sum(received.values()) - sum(quarantined.values()):
        raise AssertionError(f"{source}: {inserted} rows inserted, but {sum(received.values())} received "
                             f"and {sum(quarantined.values())} quarantined; a row would be lost")
    for landed_file_id, counts in (set_aside or {}).items():
        for rule, count in counts.items():
            file_reasons = reasons.setdefault(landed_file_id, {})
            file_reasons[rule] = file_reasons.get(rule, 0) + count
            received[landed_file_id] = received.get(landed_file_id, 0) + count
            quarantined[landed_file_id] = quarantined.get(landed_file_id, 0) + count
    outcomes = []
    for landed_file_id in landed_file_ids:
        # A file of headers only received nothing.
        file_received, file_quarantined = received.get(landed_file_id, 0), quarantined.get(landed_file_id, 0)
        entry = LedgerEntry(source, landed_file_id, file_received, file_received - file_quarantined, file_quarantined)
        record_ledger(con, entry, run_id)
        outcomes.append((entry, reasons.get(landed_file_id, {})))
    return outcomes


def quarantine_whole_file(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    landed_file_id: str,
    rule: str,
    reason: str,
    batch_table: str | None,
    run_id: str | None,
) -> LedgerEntry:
    """A file that cannot be used at all: each of its rows (or, if none could be read, the file
    itself as one received item) is quarantined with the same reason. The reason may quote the
    file's first row or a reader's message, so it is redacted like any text that leaves the
    landing zone."""
    reason = redact(reason)
    if batch_table is not None and not con.execute(f"select count(*) from {batch_table}").fetchone()[0]:
        batch_table = None  # no row to quarantine: the file is the item, so it does not vanish
    if batch_table is None:
        con.execute(
            "insert into raw.quarantine values (?, ?, null, null, ?, ?, null, now(), null, null)",
            [source, landed_file_id, rule, reason],
        )
        received = 1
    else:
        con.execute(
            f"insert into raw.quarantine select ?, ?, _source_row_number, null, ?, ?, to_json(b), now(), null, null from {batch_table} b",
            [source, landed_file_id, rule, reason],
        )
        received = con.execute(f"select count(*) from {batch_table}").fetchone()[0]
    entry = LedgerEntry(source, landed_file_id, received, 0, received)
    record_ledger(con, entry, run_id)
    return entry


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in con.execute(f"describe {table}").fetchall()}
