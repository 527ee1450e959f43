"""The one loading path shared by every file-shaped source (spreadsheets, CSV exports).

A source module describes itself as a `TabularSource`: which header names mean which canonical
field, how to select the canonical record in SQL, and the row rules with their reasons. This
module does the rest the same way for all: read the landed file, quarantine files that cannot be
used, split rows into loaded and quarantined, write the ledger, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import duckdb

from ingestion.dates import record_date_interpretations
from ingestion.landing import LandedFile
from ingestion.tabular import UndecodableFile, load_table, normalize_header, quote_ident
from ingestion.warehouse import (
    LedgerEntry,
    quarantine_whole_file,
    record_landed_file,
    split_checked_batch,
    transaction,
)


@dataclass(frozen=True)
class TabularSource:
    name: str
    target_table: str
    field_aliases: dict[str, tuple[str, ...]]
    required_fields: tuple[str, ...]
    # (mapping canonical->file column, landed_file_id, file columns) -> SQL selecting from `_batch b`
    canonical_select: Callable[[dict[str, str], str, list[str]], str]
    rules_sql: str
    reasons_sql: str
    skip_rows: int = 0
    # Optional header check (e.g. schema drift against a known export vintage).
    describe_schema: Callable[[list[str]], dict] = field(default=lambda columns: {})
    # Headers (normalised) holding personal data: never stored, not even in quarantine payloads.
    personal_data: tuple[str, ...] = ()
    # Canonical columns holding free-form dates, interpreted once per distinct text (ingestion.dates).
    date_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    ledger: LedgerEntry
    column_mapping: dict[str, str]
    unmapped_columns: list[str]
    quarantine_reasons: dict[str, int]
    schema_report: dict


def source_column(mapping: dict[str, str], name: str) -> str:
    """SQL for the file's column holding a canonical field, or NULL when the file has none."""
    return f"b.{quote_ident(mapping[name])}" if name in mapping else "cast(null as varchar)"


def map_columns(columns: list[str], field_aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical field -> the file's own column name; the first alias present wins."""
    by_normalized: dict[str, str] = {}
    for column in columns:
        by_normalized.setdefault(normalize_header(column), column)
    mapping = {}
    for name, aliases in field_aliases.items():
        for alias in aliases:
            if alias in by_normalized:
                mapping[name] = by_normalized[alias]
                break
    return mapping


def load_file(con: duckdb.DuckDBPyConnection, spec: TabularSource, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    with transaction(con):
        result = _load(con, spec, landed, run_id)
        record_landed_file(con, landed)
    return result


def _load(con: duckdb.DuckDBPyConnection, spec: TabularSource, landed: LandedFile, run_id: str | None) -> LoadResult:
    def whole_file(rule: str, reason: str, batch_table: str | None, mapping: dict, columns: list[str]) -> LoadResult:
        entry = quarantine_whole_file(con, source=spec.name, landed_file_id=landed.sha256, rule=rule,
                                      reason=reason, batch_table=batch_table, run_id=run_id)
        return LoadResult(entry, mapping, columns, {rule: entry.quarantined}, spec.describe_schema(columns))

    try:
        columns = load_table(con, landed.path, "_batch", skip_rows=spec.skip_rows)
    except UndecodableFile as exc:
        return whole_file("undecodable_file", str(exc), None, {}, [])
    mapping = map_columns(columns, spec.field_aliases)
    missing = [f for f in spec.required_fields if f not in mapping]
    if missing:
        reason = f"missing required column(s): {', '.join(missing)}; the file has: {', '.join(columns)}"
        personal = [c for c in columns if normalize_header(c) in spec.personal_data]
        exclude = f" exclude ({', '.join(quote_ident(c) for c in personal)})" if personal else ""
        con.execute(f"create or replace temp view _batch_kept as select *{exclude} from _batch")
        return whole_file("missing_column", reason, "_batch_kept", mapping, columns)

    canonical = spec.canonical_select(mapping, landed.sha256, columns)
    con.execute(f"create or replace temp table _canonical as {canonical}")
    con.execute(f"create or replace temp table _checked as select *, {spec.rules_sql} as rule from _canonical")
    entry, reasons = split_checked_batch(
        con, source=spec.name, landed_file_id=landed.sha256, checked_table="_checked",
        target_table=spec.target_table, reasons_sql=spec.reasons_sql, run_id=run_id,
    )
    record_date_interpretations(con, "_canonical", spec.date_columns)
    used = set(mapping.values())
    return LoadResult(entry, mapping, [c for c in columns if c not in used], reasons, spec.describe_schema(columns))
