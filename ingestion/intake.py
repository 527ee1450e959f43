"""One file, one terminal state: what became of every file the platform received.

Every file that arrives (in the inbox, at a source's address, as a member of an archive) ends in
exactly one state, recorded in `raw.intake_files` in the same transaction as its rows, its
quarantine and its ledger entry:

- `loaded`: every row it brought was loaded;
- `partly_loaded`: some rows were loaded, the others are in the quarantine, each with its reason;
- `refused`: nothing of it was loaded (it could not be read, or no row was usable), with the
  reason in Spanish saying what the clerk should do.

So a crash at any point leaves a file without a state, and the next run processes it again; it
is never "loaded" with its rows missing. An archive gets its state only once each of its members
has one. Warnings (a value read one way that a person may have meant another, two rows for the
same milestone and month) do not change a state: they are kept in `raw.intake_warnings`, by file
and row, for the operator and the institution's receipt.

`refusal_reason` turns what one file raised while being read into that reason, by the exception's
type, so that no error of one file stops another file, the step or the run."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass

import duckdb

from ingestion.connection import transaction
from ingestion.load_engine import quarantine_whole_file
from ingestion.personal_data import phone_regions, redact

LOADED, PARTLY_LOADED, REFUSED = "loaded", "partly_loaded", "refused"

DDL = """
create table if not exists raw.intake_files (
    file_id varchar not null,          -- the landed file's sha256; for an entry never read (a link), a hash of its name
    source varchar not null,           -- the record it feeds, as in the ledger
    file_name varchar not null,        -- as sent; an archive member as `archive.zip/member`
    archive_id varchar,                -- the archive it came in, if any
    state varchar not null,            -- loaded | partly_loaded | refused
    reason varchar,                    -- what happened and what to do, in Spanish
    received bigint not null,
    loaded bigint not null,
    quarantined bigint not null,
    warnings bigint not null,
    run_id varchar,
    recorded_at timestamptz not null,
    superseded_at timestamptz          -- set when the file is re-parsed (a new state follows)
);

create table if not exists raw.intake_warnings (
    source varchar not null,
    landed_file_id varchar not null,
    source_row_number bigint,
    rule varchar not null,
    message varchar not null,          -- in Spanish, naming the row and the value
    recorded_at timestamptz not null
);
"""


@dataclass(frozen=True)
class FileState:
    file_id: str
    source: str
    file_name: str
    state: str
    reason: str | None
    received: int
    loaded: int
    quarantined: int
    warnings: int
    archive_id: str | None = None


def state_of(received: int, loaded: int, quarantined: int) -> str:
    if quarantined == 0:
        return LOADED
    return PARTLY_LOADED if loaded else REFUSED


def summary_reason(state: str, reasons: dict[str, int], first_reason: str | None) -> str | None:
    """The reason a partly loaded or refused file carries: its first quarantine reason, and how
    many more rows were kept apart (each listed with its own reason)."""
    if state == LOADED:
        return None
    others = sum(reasons.values()) - 1
    more = (
        f" (y {others} fila{'s' if others > 1 else ''} más en cuarentena, cada una con su motivo)" if others > 0 else ""
    )
    return f"{first_reason or 'filas en cuarentena'}{more}"


def record_state(con: duckdb.DuckDBPyConnection, state: FileState, run_id: str | None) -> None:
    """The file's terminal state; call inside the transaction that writes its rows."""
    con.execute(
        "insert into raw.intake_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), null)",
        [
            state.file_id,
            state.source,
            state.file_name,
            state.archive_id,
            state.state,
            state.reason,
            state.received,
            state.loaded,
            state.quarantined,
            state.warnings,
            run_id,
        ],
    )


def record_loaded_file(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    landed_file_id: str,
    file_name: str,
    received: int,
    loaded: int,
    quarantined: int,
    reasons: dict[str, int],
    run_id: str | None,
) -> FileState:
    """The state of a file the load engine has just split into loaded and quarantined rows (its
    first quarantine reason and its warnings are read from what the same transaction wrote)."""
    [(first_reason,)] = con.execute(
        """select min_by(reason, coalesce(source_row_number, 0)) from raw.quarantine
           where source = ? and landed_file_id = ?""",
        [source, landed_file_id],
    ).fetchall()
    [(warnings,)] = con.execute(
        "select count(*) from raw.intake_warnings where source = ? and landed_file_id = ?", [source, landed_file_id]
    ).fetchall()
    state = state_of(received, loaded, quarantined)
    file_state = FileState(
        landed_file_id,
        source,
        file_name,
        state,
        summary_reason(state, reasons, first_reason),
        received,
        loaded,
        quarantined,
        int(warnings),
    )
    record_state(con, file_state, run_id)
    return file_state


def supersede(con: duckdb.DuckDBPyConnection, landed_file_id: str) -> None:
    """A file about to be re-parsed: its state and warnings give way to the new load's."""
    con.execute(
        "update raw.intake_files set superseded_at = now() where file_id = ? and superseded_at is null",
        [landed_file_id],
    )
    con.execute("delete from raw.intake_warnings where landed_file_id = ?", [landed_file_id])


def record_warnings(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    canonical_table: str,
    warnings_sql: str,
    messages_sql: str,
    loaded_filter: str,
) -> None:
    """Warnings on the rows of `canonical_table` that were loaded (`loaded_filter`: a predicate over
    its rows): values a person may have meant otherwise, rows that contradict each other."""
    con.execute(
        f"""
        insert into raw.intake_warnings
        select '{source}', landed_file_id, source_row_number, rule, {messages_sql} as message, now()
        from (select *, {warnings_sql} as rule from {canonical_table} c where {loaded_filter})
        where rule is not null
        """
    )


# --- why a file could not be read, by what it raised -------------------------------------------

DAMAGED = (
    "está dañado o incompleto (se cortó al copiarlo, descargarlo o comprimirlo); expórtelo de nuevo y vuelva a enviarlo"
)
NOT_A_SPREADSHEET = (
    "no se pudo leer como hoja de cálculo: está dañado o no es del formato que dice su nombre; "
    "ábralo, guárdelo como .xlsx o .csv y envíelo de nuevo"
)
FORBIDDEN_XML = (
    "contiene construcciones XML que la plataforma no abre por seguridad; guárdelo de nuevo como .xlsx o .csv"
)
TOO_LARGE_TO_READ = "es demasiado grande para leerlo de una vez; divídalo en archivos más pequeños"
UNREADABLE_ON_DISK = "no se pudo abrir en el disco (permisos o un archivo que desapareció); envíelo de nuevo"


def refusal_reason(exc: BaseException) -> str:
    """The reason, in Spanish, for a file whose reading raised `exc` (decided by its type)."""
    from csv import Error as CsvError
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return DAMAGED
    if isinstance(exc, DefusedXmlException):
        return FORBIDDEN_XML
    if isinstance(exc, MemoryError):
        return TOO_LARGE_TO_READ
    if isinstance(exc, (ParseError, UnicodeError)):
        return NOT_A_SPREADSHEET
    if isinstance(exc, CsvError):  # a NUL byte or an unclosed quote the tolerant reader cannot get past
        return (
            "no se pudo leer como CSV: tiene caracteres nulos o comillas sin cerrar; ábralo en una hoja de cálculo, "
            "guárdelo como CSV o .xlsx y envíelo de nuevo"
        )
    if isinstance(exc, OSError):
        return UNREADABLE_ON_DISK
    return (
        f"no se pudo procesar por un error interno de la plataforma ({type(exc).__name__}); el archivo quedó "
        "guardado y el equipo técnico puede volver a procesarlo con `ogp reparse`"
    )


# --- what the operator is shown (`ogp status`) -------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: str
    files: int


def states_recorded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has the file states (one no run has touched since they came has not)."""
    [(present,)] = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'intake_files'"
    ).fetchall()
    return bool(present)


def state_counts(con: duckdb.DuckDBPyConnection) -> list[StateCount]:
    """How many files (and archive members) are in each terminal state now."""
    rows = con.execute("""select state, count(*) from raw.intake_files where superseded_at is null
                          group by state order by state""").fetchall()
    return [StateCount(*row) for row in rows]


def files_not_fully_loaded(con: duckdb.DuckDBPyConnection) -> list[FileState]:
    """Every refused file and member, then every partly loaded one, by name, with its reason."""
    rows = con.execute(
        """select file_id, source, file_name, state, reason, received, loaded, quarantined, warnings, archive_id
           from raw.intake_files where superseded_at is null and state <> 'loaded'
           order by state = 'partly_loaded', file_name, recorded_at"""
    ).fetchall()
    return [FileState(*row) for row in rows]


@dataclass(frozen=True)
class RowNote:
    file_name: str | None
    source_row_number: int | None
    rule: str
    text: str


def quarantined_rows(con: duckdb.DuckDBPyConnection, *, limit: int) -> tuple[list[RowNote], int]:
    """The quarantined rows of current files by file and row (the first `limit`), and how many there are."""
    query = """from raw.quarantine q left join raw.landed_files f using (landed_file_id)
               where q.source_row_number is not null and q.rule <> 'archive_member_refused'"""
    [(total,)] = con.execute(f"select count(*) {query}").fetchall()
    rows = con.execute(f"""select f.original_name, q.source_row_number, q.rule, q.reason {query}
                           order by f.original_name, q.source_row_number limit {int(limit)}""").fetchall()
    return [RowNote(*row) for row in rows], int(total)


def warnings_by_row(con: duckdb.DuckDBPyConnection, *, limit: int) -> tuple[list[RowNote], int]:
    """The warnings on loaded rows by file and row (the first `limit`), and how many there are."""
    query = "from raw.intake_warnings w left join raw.landed_files f using (landed_file_id)"
    [(total,)] = con.execute(f"select count(*) {query}").fetchall()
    rows = con.execute(f"""select f.original_name, w.source_row_number, w.rule, w.message {query}
                           order by f.original_name, w.source_row_number limit {int(limit)}""").fetchall()
    return [RowNote(*row) for row in rows], int(total)


LANDING_SOURCE = "forms"  # what the inbox receives: the forms' exports and the template, filled in


@dataclass(frozen=True)
class IntakeLimits:
    """What one file may cost. Every archive is bounded as a whole, nested ones included."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_archive_members: int = 1000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200  # unpacked / packed, for members over 1 MiB (a zip bomb is 1000:1)
    max_archive_depth: int = 3  # a zip inside a zip inside a zip, and no deeper


def refuse_entry(
    con: duckdb.DuckDBPyConnection,
    *,
    file_id: str,
    name: str,
    reason: str,
    size: int,
    uri: str,
    ledger_source: str,
    run_id: str | None,
    archive_id: str | None = None,
) -> FileState:
    """An entry refused before any row was read (a link, a file too large, an archive that cannot be
    opened): one quarantined item with its reason (as the load engine quarantines a whole file),
    its landed-file record (so it is not tried again until it changes) and its terminal state,
    committed together. The reason names the file, so it is redacted like every text that leaves
    the landing zone."""
    said = redact(f"{name}: {reason}", phone_regions(con))
    state = FileState(file_id, ledger_source, name, REFUSED, said, 1, 0, 1, 0, archive_id)
    with transaction(con):
        quarantine_whole_file(
            con,
            source=ledger_source,
            landed_file_id=file_id,
            rule="file_refused",
            reason=said,
            batch_table=None,
            run_id=run_id,
        )
        con.execute(
            "insert or ignore into raw.landed_files values (?, ?, ?, '', ?, ?, now(), now())",
            [file_id, LANDING_SOURCE, uri, name, size],
        )
        record_state(con, state, run_id)
    return state
