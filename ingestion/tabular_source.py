"""The one loading path shared by every file-shaped source (spreadsheets, CSV exports).

A source module describes itself as a `TabularSource`: which header names mean which canonical
field, how to select the canonical record in SQL, and the row rules with their reasons. This
module does the rest the same way for all: read the landed file, quarantine files that cannot be
used, split rows into loaded and quarantined, write the ledger, all in one transaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from ingestion import sql_expressions as sx
from ingestion.connection import in_transaction, transaction
from ingestion.csv_layout import csv_layout
from ingestion.dates import record_date_interpretations
from ingestion.intake import record_loaded_file, record_warnings, refusal_reason
from ingestion.landing import LandedFile
from ingestion.ledger import LedgerEntry, record_landed_file
from ingestion.load_engine import quarantine_whole_file, split_checked_batch
from ingestion.personal_data import record_redactions, redact_columns, redacted_sql
from ingestion.quarantine import quarantine_rows
from ingestion.tabular import (
    HEADER_COMPLETE,
    SET_ASIDE_DETAIL,
    SET_ASIDE_RULE,
    UndecodableFile,
    load_csv_files,
    load_table,
    normalize_header,
    quote_ident,
    sql_literal,
)

log = logging.getLogger(__name__)

# Files read together are capped, so one transaction's temporary tables stay a bounded size
# however large the backlog in the inbox.
FILES_READ_TOGETHER_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class TabularSource:
    name: str
    target_table: str
    field_aliases: dict[str, tuple[str, ...]]
    required_fields: tuple[str, ...]
    # (mapping canonical->file column, file columns) -> SQL selecting from `_batch b`, whose
    # `_source_row_number` and `_landed_file_id` say where each row came from
    canonical_select: Callable[[dict[str, str], list[str]], str]
    rules_sql: str
    reasons_sql: str
    skip_rows: int = 0
    # Warnings on loaded rows (a value a person may have meant otherwise, rows that contradict each
    # other): SQL over the canonical rows giving a rule code or NULL, and the message for each rule.
    warnings_sql: str | None = None
    warning_messages_sql: str | None = None
    # Optional header check (e.g. schema drift against a known export vintage).
    describe_schema: Callable[[list[str]], dict] = field(default=lambda columns: {})
    # Headers (normalised) holding personal data: never stored, not even in quarantine payloads.
    personal_data: tuple[str, ...] = ()
    # Canonical columns holding free-form dates, interpreted once per distinct text (ingestion.dates).
    date_columns: tuple[str, ...] = ()
    # Canonical fields that are codes, numbers, dates or links: never searched for personal data.
    # Every other column of a file (free text, and columns the platform does not know) is.
    structured_fields: tuple[str, ...] = ()
    # Or, for sources whose columns are not mapped one by one: (mapping, file columns) -> the
    # file columns not to search.
    structured_columns: Callable[[dict[str, str], list[str]], set[str]] | None = None

    def columns_to_redact(self, mapping: dict[str, str], columns: list[str]) -> list[str]:
        if self.structured_columns is not None:
            exempt = self.structured_columns(mapping, columns)
        else:
            exempt = {mapping[f] for f in self.structured_fields if f in mapping}
        return [c for c in columns if c not in exempt]


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


def header_score(*specs: TabularSource):
    """How well a header row describes one of `specs`' records (for finding the header under a
    title block, and the sheets of a workbook that hold data)."""

    def score(columns: list[str]) -> int:
        best = 0
        for spec in specs:
            mapping = map_columns(columns, spec.field_aliases)
            complete = all(f in mapping for f in spec.required_fields)
            best = max(best, len(mapping) + (HEADER_COMPLETE if complete else 0))
        return best

    return score


def load_file(
    con: duckdb.DuckDBPyConnection, spec: TabularSource, landed: LandedFile, *, run_id: str | None
) -> LoadResult:
    """Load one landed file: its rows, quarantine, ledger entry, landed-file record and terminal
    state commit together. Whatever reading or loading it raises, the file is refused with a
    reason and the caller goes on to the next file (hostile input is normal input)."""
    sx.create_parser_macros(con)  # before the transaction: a rolled-back file would take them with it
    # Read before the transaction: a file DuckDB fails to read part-way would abort it, and the
    # file's quarantine must still be written.
    try:
        columns, unreadable = (
            load_table(
                con,
                landed.path,
                "_batch",
                skip_rows=spec.skip_rows,
                landed_file_id=landed.sha256,
                header_score=header_score(spec),
            ),
            None,
        )
    except UndecodableFile as exc:
        # Named as the institution named it, not as the landing zone stores it.
        columns, unreadable = [], str(exc).replace(landed.path.name, landed.original_name)
    except Exception as exc:  # noqa: BLE001 - any failure of one file's reader is that file's refusal
        if in_transaction(con) and isinstance(exc, duckdb.Error):
            raise  # a re-parse's transaction is aborted: it fails whole, as it promises
        log.warning("%s could not be read (%s)", landed.original_name, type(exc).__name__, exc_info=True)
        columns, unreadable = [], f"{landed.original_name} {refusal_reason(exc)}"
    try:
        with transaction(con):
            result = _load(con, spec, landed, columns, unreadable, run_id)
            record_landed_file(con, landed)
    except Exception as exc:  # noqa: BLE001 - the file is refused; the others still load
        if in_transaction(con):
            raise
        log.warning("%s could not be loaded (%s); refused", landed.original_name, type(exc).__name__, exc_info=True)
        with transaction(con):
            result = _load(con, spec, landed, [], f"{landed.original_name} {refusal_reason(exc)}", run_id)
            record_landed_file(con, landed)
    return result


def load_files(
    con: duckdb.DuckDBPyConnection, spec: TabularSource, landed_files: list[LandedFile], *, run_id: str | None
) -> list[LoadResult]:
    """Load many landed files, in order, with the same outcome as `load_file` on each in turn.

    Consecutive CSV files of one layout (a form's monthly exports) are read, checked and inserted
    together in one transaction: the per-row work is done once for all of them, and each file
    still gets its own ledger entry, quarantine rows and landed-file record. If such a group fails
    as a whole, its files are loaded again one by one, so one broken file cannot block the rest."""
    sx.create_parser_macros(con)  # before the transactions: a rolled-back group would take them with it
    results: list[LoadResult] = []
    for layout, group in _runs_of_one_layout(con, spec, landed_files):
        if layout is not None and len(group) > 1:
            try:
                with transaction(con):
                    results.extend(_load_together(con, spec, group, layout, run_id))
                    for landed in group:
                        record_landed_file(con, landed)
                continue
            except Exception as exc:  # noqa: BLE001 - loaded one by one, each with its own outcome
                if in_transaction(con):
                    raise
                log.warning(
                    "%d %s files could not be loaded together (%s); loading them one by one",
                    len(group),
                    spec.name,
                    type(exc).__name__,
                )
        results.extend(load_file(con, spec, landed, run_id=run_id) for landed in group)
    return results


def _runs_of_one_layout(con, spec: TabularSource, landed_files: list[LandedFile]):
    """(layout, files) for each run of consecutive files sharing a CSV layout (None: load alone)."""
    runs: list[tuple[tuple | None, list[LandedFile]]] = []
    for landed in landed_files:
        layout = csv_layout(con, landed.path, spec.skip_rows)
        if (
            runs
            and layout is not None
            and runs[-1][0] == layout
            and sum(f.size_bytes for f in runs[-1][1]) + landed.size_bytes <= FILES_READ_TOGETHER_MAX_BYTES
        ):
            runs[-1][1].append(landed)
        else:
            runs.append((layout, [landed]))
    return runs


def _load_together(
    con, spec: TabularSource, group: list[LandedFile], layout: tuple, run_id: str | None
) -> list[LoadResult]:
    columns = load_csv_files(con, [(landed.path, landed.sha256) for landed in group], layout, "_batch")
    mapping = map_columns(columns, spec.field_aliases)
    if any(f not in mapping for f in spec.required_fields):
        # Every file lacks the column: each is quarantined whole, with its own reason, by `_load`.
        raise duckdb.InvalidInputException("a required column is missing")
    record_redactions(con, spec.name, redact_columns(con, "_batch", spec.columns_to_redact(mapping, columns)))
    positions = ", ".join(f"('{landed.sha256}', {i})" for i, landed in enumerate(group))
    con.execute(
        f"create or replace temp table _canonical as select c.*, p._file_position from ({spec.canonical_select(mapping, columns)}) c "
        f"join (values {positions}) p(landed_file_id, _file_position) using (landed_file_id)"
    )
    outcomes = split_checked_batch(
        con,
        source=spec.name,
        landed_file_ids=[landed.sha256 for landed in group],
        canonical_table="_canonical",
        rules_sql=spec.rules_sql,
        target_table=spec.target_table,
        reasons_sql=spec.reasons_sql,
        run_id=run_id,
    )
    record_date_interpretations(con, "_canonical", spec.date_columns)
    _record_warnings(con, spec)
    used = set(mapping.values())
    unmapped = [c for c in columns if c not in used]
    names = {landed.sha256: landed.original_name for landed in group}
    for entry, reasons in outcomes:
        _record_state(con, spec, entry, reasons, names, run_id)
    return [LoadResult(entry, mapping, unmapped, reasons, spec.describe_schema(columns)) for entry, reasons in outcomes]


def _record_warnings(con: duckdb.DuckDBPyConnection, spec: TabularSource) -> None:
    if spec.warnings_sql and spec.warning_messages_sql:
        record_warnings(
            con,
            source=spec.name,
            canonical_table="_canonical",
            warnings_sql=spec.warnings_sql,
            messages_sql=spec.warning_messages_sql,
            loaded_filter="not exists (select 1 from _broken k where k.landed_file_id = c.landed_file_id "
            "and k.source_row_number = c.source_row_number)",
        )


def _record_state(
    con, spec: TabularSource, entry: LedgerEntry, reasons: dict[str, int], names: dict[str, str], run_id: str | None
) -> None:
    record_loaded_file(
        con,
        source=spec.name,
        landed_file_id=entry.landed_file_id,
        file_name=names[entry.landed_file_id],
        received=entry.received,
        loaded=entry.loaded,
        quarantined=entry.quarantined,
        reasons=reasons,
        run_id=run_id,
    )


_DATA_LIKE_CELL = re.compile(
    r"[A-Z]{2,3}[0-9]{4}.*|-?[0-9]+([.,][0-9]+)?\s*%?|[0-9]{1,4}[-/][0-9]{1,2}([-/][0-9]{1,4})?"
)


def header_is_data(columns: list[str]) -> bool:
    """Whether a file's first row reads as a report rather than column names: a cell holding an
    OGP code, a number or a date (no column is named like that)."""
    return any(_DATA_LIKE_CELL.fullmatch(str(c).strip()) for c in columns)


def _header_struct(columns: list[str]) -> str:
    return "struct_pack(" + ", ".join(f"{quote_ident(c)} := {sql_literal(c)}" for c in columns) + ")"


def _quarantine_set_aside_rows(con: duckdb.DuckDBPyConnection, source: str, landed_file_id: str) -> dict[str, int]:
    """Rows the reader found are not reports (more cells than the header, hidden or filtered out,
    a formula saved without its value) are quarantined alone with the reader's reason, naming the
    row as the person sees it; the file's other rows load."""
    present = {row[0] for row in con.execute("describe _batch").fetchall()}
    if SET_ASIDE_RULE not in present:
        return {}
    counts = dict(
        con.execute(
            f"select {SET_ASIDE_RULE}, count(*) from _batch where {SET_ASIDE_RULE} is not null group by all"
        ).fetchall()
    )
    if counts:
        where = "' (hoja ' || _hoja || ', fila ' || _fila || ')'" if {"_hoja", "_fila"} <= present else "''"
        detail = f"'fila ' || _source_row_number || coalesce({where}, '') || ': ' || {SET_ASIDE_DETAIL}"
        quarantine_rows(
            con,
            source=source,
            rows_sql=f"""select ? as landed_file_id, _source_row_number as source_row_number,
                                {SET_ASIDE_RULE} as rule, {redacted_sql(con, detail)} as reason, to_json(b) as raw_payload
                         from _batch b where {SET_ASIDE_RULE} is not null""",
            params=[landed_file_id],
        )
        con.execute(f"delete from _batch where {SET_ASIDE_RULE} is not null")
    return counts


def _load(
    con: duckdb.DuckDBPyConnection,
    spec: TabularSource,
    landed: LandedFile,
    columns: list[str],
    unreadable: str | None,
    run_id: str | None,
) -> LoadResult:
    names = {landed.sha256: landed.original_name}

    def whole_file(rule: str, reason: str, batch_table: str | None, mapping: dict, columns: list[str]) -> LoadResult:
        entry = quarantine_whole_file(
            con,
            source=spec.name,
            landed_file_id=landed.sha256,
            rule=rule,
            reason=reason,
            batch_table=batch_table,
            run_id=run_id,
        )
        reasons = {rule: entry.quarantined}
        _record_state(con, spec, entry, reasons, names, run_id)
        return LoadResult(entry, mapping, columns, reasons, spec.describe_schema(columns))

    if unreadable is not None:
        return whole_file("undecodable_file", unreadable, None, {}, [])
    mapping = map_columns(columns, spec.field_aliases)
    # Before anything is built from the rows: canonical records, payloads and quarantine alike.
    record_redactions(con, spec.name, redact_columns(con, "_batch", spec.columns_to_redact(mapping, columns)))
    missing = [f for f in spec.required_fields if f not in mapping]
    if missing:
        personal = [c for c in columns if normalize_header(c) in spec.personal_data]
        exclude = f" exclude ({', '.join(quote_ident(c) for c in personal)})" if personal else ""
        kept = f"select *{exclude} from _batch"
        if header_is_data(columns):
            # The first row is a report, not a header: it is a received row too (row 0).
            reason = (
                "el archivo no tiene fila de encabezado: su primera fila ya son datos "
                f"({', '.join(columns[:6])}); agregue los nombres de las columnas"
            )
            kept = f"select 0 as _source_row_number, {_header_struct(columns)} as _header_row union all by name {kept}"
        else:
            reason = f"faltan columnas obligatorias: {', '.join(missing)}; el archivo tiene: {', '.join(columns)}"
        con.execute(f"create or replace temp table _batch_kept as {kept}")
        return whole_file("missing_column", reason, "_batch_kept", mapping, columns)

    set_aside = _quarantine_set_aside_rows(con, spec.name, landed.sha256)
    canonical = spec.canonical_select(mapping, columns)
    con.execute(f"create or replace temp table _canonical as select *, 0 as _file_position from ({canonical})")
    [(entry, reasons)] = split_checked_batch(
        con,
        source=spec.name,
        landed_file_ids=[landed.sha256],
        canonical_table="_canonical",
        rules_sql=spec.rules_sql,
        target_table=spec.target_table,
        reasons_sql=spec.reasons_sql,
        run_id=run_id,
        set_aside={landed.sha256: set_aside} if set_aside else None,
    )
    record_date_interpretations(con, "_canonical", spec.date_columns)
    _record_warnings(con, spec)
    _record_state(con, spec, entry, reasons, names, run_id)
    used = set(mapping.values())
    return LoadResult(entry, mapping, [c for c in columns if c not in used], reasons, spec.describe_schema(columns))
