"""The load engine every source shares: rows that break a row rule go to the quarantine with
their reason, the others to the source's raw table, and the ledger records, file by file, that
every received row went one way."""

from __future__ import annotations

import duckdb

from ingestion.ledger import LedgerEntry, record_ledger
from ingestion.personal_data import phone_regions, redact, redacted_sql
from ingestion.quarantine import quarantine_item, quarantine_rows


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
    _quarantine_broken_rows(con, source=source, canonical_table=canonical_table, reasons_sql=reasons_sql)
    received, quarantined, reasons = _counts_by_file(con, canonical_table)
    if inserted != sum(received.values()) - sum(quarantined.values()):
        raise AssertionError(
            f"{source}: {inserted} rows inserted, but {sum(received.values())} received "
            f"and {sum(quarantined.values())} quarantined; a row would be lost"
        )
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


def _quarantine_broken_rows(con: duckdb.DuckDBPyConnection, *, source: str, canonical_table: str, reasons_sql: str):
    """The rows in `_broken` to the quarantine, each with its reason and what the source could tell
    of it (submission, month, milestone, when it has them)."""
    present = _columns(con, canonical_table)

    def optional(column: str, sql_type: str) -> str:
        return column if column in present else f"cast(null as {sql_type})"

    # A reason may quote a code, date or number cell, which the bulk redaction does not search.
    reason = redacted_sql(con, reasons_sql)
    quarantine_rows(
        con,
        source=source,
        rows_sql=f"""
            select landed_file_id, source_row_number, {optional("submission_id", "varchar")} as submission_id,
                   rule, {reason} as reason, raw_payload,
                   {optional("reporting_month", "date")} as reporting_month,
                   {optional("milestone_code", "varchar")} as milestone_code
            from {canonical_table} join _broken using (landed_file_id, source_row_number)
        """,
    )


def _counts_by_file(
    con: duckdb.DuckDBPyConnection, canonical_table: str
) -> tuple[dict[str, int], dict[str, int], dict[str, dict[str, int]]]:
    """Rows received and quarantined per file, and the quarantine's rules with their counts per file."""
    received = dict(con.execute(f"select landed_file_id, count(*) from {canonical_table} group by all").fetchall())
    reasons: dict[str, dict[str, int]] = {}
    for landed_file_id, rule, count in con.execute(
        "select landed_file_id, rule, count(*) from _broken group by all order by rule"
    ).fetchall():
        reasons.setdefault(landed_file_id, {})[rule] = count
    quarantined = {landed_file_id: sum(counts.values()) for landed_file_id, counts in reasons.items()}
    return received, quarantined, reasons


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
    reason = redact(reason, phone_regions(con))
    if batch_table is not None and not con.execute(f"select count(*) from {batch_table}").fetchone()[0]:
        batch_table = None  # no row to quarantine: the file is the item, so it does not vanish
    if batch_table is None:
        quarantine_item(con, source=source, landed_file_id=landed_file_id, rule=rule, reason=reason)
        received = 1
    else:
        quarantine_rows(
            con,
            source=source,
            rows_sql=f"""select ? as landed_file_id, _source_row_number as source_row_number, ? as rule,
                                ? as reason, to_json(b) as raw_payload from {batch_table} b""",
            params=[landed_file_id, rule, reason],
        )
        received = con.execute(f"select count(*) from {batch_table}").fetchone()[0]
    entry = LedgerEntry(source, landed_file_id, received, 0, received)
    record_ledger(con, entry, run_id)
    return entry


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in con.execute(f"describe {table}").fetchall()}
