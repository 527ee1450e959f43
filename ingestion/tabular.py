"""Reading landed spreadsheets (CSV in any common dialect, workbooks: ingestion/workbooks.py) into a DuckDB table of text
columns, one row per input row with its row number, so that every row can be accounted for."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingestion.csv_layout import csv_layout
from ingestion.file_kinds import REFUSED_KINDS, WORKBOOK_KINDS, file_kind
from ingestion.text_files import UndecodableText, decode_text, is_utf16, separator_line
from ingestion.workbooks import HIDDEN_SHEET_MARK, RefusedWorkbook, header_row, read_workbook


class UndecodableFile(ValueError):
    """The file could not be read as a table at all; every row of it is quarantined by the caller."""


def normalize_header(name: str) -> str:
    """`Porcentaje de avance (%)` -> `porcentaje_de_avance`; `grupo/codigo_hito` -> `codigo_hito`."""
    last = str(name).strip().split("/")[-1]
    # Leading underscores mark system fields (KoboToolbox `_id`, ODK `__id`): they are kept.
    prefix = last[: len(last) - len(last.lstrip("_"))]
    ascii_only = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
    return prefix + re.sub(r"[^0-9a-z]+", "_", ascii_only.lower()).strip("_")


def snake_case(name: str) -> str:
    """Column names of OGP exports as warehouse names; a leading `_` marks OGP's coded twin."""
    ascii_only = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    snake = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_only).strip("_").lower()
    return snake + "_code" if str(name).startswith("_") else snake


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


# Where each row came from, first in every loaded table; not the file's own columns. A workbook's
# rows also say their sheet and row as the person sees them (kept in the row's payload).
# A row a reader found is not a report (more cells than the header, hidden or filtered out, a
# formula saved without its value) carries the rule and what the person should know: the loader
# quarantines it alone, and the file's other rows load.
SET_ASIDE_RULE, SET_ASIDE_DETAIL = "_regla_apartada", "_motivo_apartada"
BOOKKEEPING_COLUMNS = ("_source_row_number", "_landed_file_id", "_hoja", "_fila", SET_ASIDE_RULE, SET_ASIDE_DETAIL)
ROW_TOO_WIDE = "row_too_wide"

# (the header row's cells) -> how well they describe the caller's record: the number of canonical
# fields they name, plus HEADER_COMPLETE when every required field is among them.
HeaderScore = Callable[[list[str]], int]
HEADER_COMPLETE = 1000


def load_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    skip_rows: int = 0,
    landed_file_id: str = "",
    header_score: HeaderScore | None = None,
) -> list[str]:
    """Create temp table `table` from a CSV, JSON or workbook file (.xlsx, .xlsm, .xls, .ods, told
    by its content): all columns as text, after `_source_row_number` (1 = first data row) and
    `_landed_file_id`. Returns the file's column names in order."""
    con.execute(f"drop table if exists {quote_ident(table)}")
    kind = file_kind(path) if path.stat().st_size else "text"
    if kind in REFUSED_KINDS:
        raise UndecodableFile(f"{path.name} {REFUSED_KINDS[kind]}")
    if kind in WORKBOOK_KINDS:
        _load_workbook(con, path, kind, table, skip_rows, landed_file_id, header_score)
    elif kind == "zip":
        raise UndecodableFile(
            f"{path.name}: es un archivo comprimido dentro de otro o no se pudo abrir; "
            "envíe las hojas de cálculo sin comprimir o en un .zip sin anidar"
        )
    elif path.suffix.lower() == ".json":
        _load_json(con, path, table, landed_file_id)
    elif not _may_be_text_table(path):
        raise UndecodableFile(
            f"{path.name} no es una hoja de cálculo que la plataforma lea "
            "(CSV, .xlsx, .xlsm, .xls, .ods, .zip); envíe los datos en uno de esos formatos"
        )
    else:
        _load_csv(con, path, table, skip_rows, landed_file_id)
    return _file_columns(con, table)


# Names text tables come under: a CSV or TSV that a web system saved as `.xls` is read too.
TEXT_TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ".xls", ""}


def _may_be_text_table(path: Path) -> bool:
    """A CSV-like file: a text-table name (or none), and no NUL byte in its first block unless it
    is UTF-16 text (PDFs, Word files and images have them, or say what they are in their name)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    binary = b"\x00" in head and not is_utf16(head)
    return not binary and not head.startswith(b"%PDF") and path.suffix.lower() in TEXT_TABLE_SUFFIXES


def _file_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    columns = [row[0] for row in con.execute(f"describe {quote_ident(table)}").fetchall()]
    return [c for c in columns if c not in BOOKKEEPING_COLUMNS]


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_csv_files(
    con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str]], layout: tuple, table: str
) -> list[str]:
    """Create temp table `table` from several CSV files of one `csv_layout`, read in one scan, in
    file order: the same columns as `load_table`, each row numbered within its own file and
    carrying its file's id. Raises duckdb.Error when a file does not fit the layout after all."""
    delimiter, quote, escape, new_line, skip, _ = layout
    empty = "(empty)"  # how the sniffer reports an absent quote or escape character
    options = {
        "delim": delimiter,
        "quote": "" if quote == empty else quote,
        "escape": "" if escape == empty else escape,
    }
    paths = "[" + ", ".join(sql_literal(str(path)) for path, _ in files) + "]"
    ids = ", ".join(f"({sql_literal(str(path))}, {sql_literal(sha)})" for path, sha in files)
    con.execute(f"drop table if exists {quote_ident(table)}")
    # One sequential scan keeps every file's rows in order (as `load_table` does); the row's
    # number in its file is its place in the scan minus its file's first place.
    con.execute(
        f"""
        create or replace temp table _scanned as
        select row_number() over () as _scan_row, *
        from read_csv({paths}, header = true, all_varchar = true, null_padding = true, parallel = false,
                      skip = {int(skip)}, filename = '_ogp_file', auto_detect = true,
                      {", ".join(f"{k} = {sql_literal(v)}" for k, v in options.items())})
        """
    )
    con.execute(
        f"""
        create temp table {quote_ident(table)} as
        with ids(_ogp_file, _landed_file_id) as (values {ids}),
        files as (
            select _ogp_file, _landed_file_id, min(_scan_row) as first_row
            from _scanned join ids using (_ogp_file) group by all
        )
        select _scan_row - files.first_row + 1 as _source_row_number, files._landed_file_id,
               _scanned.* exclude (_scan_row, _ogp_file)
        from _scanned join files using (_ogp_file)
        """
    )
    con.execute("drop table _scanned")
    return _file_columns(con, table)


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int, landed_file_id: str) -> None:
    """DuckDB's reader first (fast, parallel-safe); when its sniffer cannot make the file out (line
    endings mixed, a row wider than the header, another encoding), Python's csv module reads it
    tolerantly, row by row: a small institutional file, never the bulk of a month's exports."""
    if path.stat().st_size == 0:
        raise UndecodableFile(f"{path.name} está vacío")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if is_utf16(head) or head.lstrip(b"\xef\xbb\xbf")[:4].lower() == b"sep=":
        _read_csv_tolerantly(con, path, table, skip_rows, landed_file_id)
        return
    try:
        _read_csv_into(con, path, table, skip_rows, landed_file_id)
        if not _read_as_one_column(con, table):
            return
    except duckdb.Error:
        pass
    _read_csv_tolerantly(con, path, table, skip_rows, landed_file_id)


def _read_as_one_column(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether DuckDB gave up on the dialect and read each line as one text column."""
    columns = _file_columns(con, table)
    return len(columns) == 1 and any(d in columns[0] for d in ",;\t|")


def _decoded(path: Path) -> tuple[str, str]:
    try:
        return decode_text(path.read_bytes(), path.name)
    except UndecodableText as exc:
        raise UndecodableFile(str(exc)) from exc


def _read_csv_tolerantly(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int, landed_file_id: str
) -> None:
    import csv
    import io

    import pandas as pd  # only this fallback needs it

    text, encoding = _decoded(path)
    named, text = separator_line(text)  # Excel's `sep=;` line names the separator
    # Otherwise the separator is the one that splits the header into the most columns (csv.Sniffer
    # reads a space in "Código del hito" as one when a single row is ragged).
    lines = text.splitlines()
    header_line = lines[skip_rows] if len(lines) > skip_rows else ""
    delimiter = named or max(",;\t|", key=lambda d: (len(next(csv.reader([header_line], delimiter=d), [])), d == ","))
    # newline="" semantics: \r\n, \n and \r all end a row, quoted newlines stay in their cell.
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)][skip_rows:]
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise UndecodableFile(f"{path.name} no tiene filas ({encoding})")
    header = _unique_names(rows[0])
    if len(header) < 2 and len(rows) > 1:
        raise UndecodableFile(
            f"{path.name} no se pudo leer como CSV ({encoding}): no se encontró un separador de columnas"
        )
    width = len(header)
    body = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    extra = [" | ".join(r[width:]) if len(r) > width and any(c.strip() for c in r[width:]) else None for r in rows[1:]]
    frame.insert(
        0, SET_ASIDE_DETAIL, [None if e is None else f"tiene más celdas que el encabezado; sobran: {e}" for e in extra]
    )
    frame.insert(0, SET_ASIDE_RULE, [None if e is None else ROW_TOO_WIDE for e in extra])
    _frame_into(con, frame, table, landed_file_id)


def _frame_into(con: duckdb.DuckDBPyConnection, frame, table: str, landed_file_id: str) -> None:
    """A pandas frame read by a Python reader as the temp table `table`, every cell text, its rows
    numbered in file order after the bookkeeping columns, as `load_table` promises."""
    frame.insert(0, "_source_row_number", range(1, len(frame) + 1))
    frame.insert(1, "_landed_file_id", landed_file_id)
    frame = frame.astype({c: "string" for c in frame.columns if c != "_source_row_number"})
    con.register("_python_frame", frame)
    try:
        con.execute(f"create or replace temp table {quote_ident(table)} as select * from _python_frame")
    finally:
        con.unregister("_python_frame")


def _read_csv_into(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int, landed_file_id: str) -> None:
    rel = con.read_csv(  # noqa: F841 - read by name below: DuckDB scans the Python variable `rel`
        str(path),
        header=True,
        all_varchar=True,
        skiprows=skip_rows,
        null_padding=True,
        # Sequential reading keeps row numbers in file order and allows ragged rows with quoted
        # newlines; institutional spreadsheets are small, so nothing is lost.
        parallel=False,
    )
    con.execute(
        f"create temp table {quote_ident(table)} as "
        f"select row_number() over () as _source_row_number, {sql_literal(landed_file_id)} as _landed_file_id, * from rel"
    )


def _load_json(con: duckdb.DuckDBPyConnection, path: Path, table: str, landed_file_id: str) -> None:
    """A JSON array of records (a page from a form tool's API): every field as text. KoboToolbox's
    `_validation_status` object keeps its `uid`; other nested values stay JSON text."""
    try:
        rel = con.read_json(str(path), format="array")  # noqa: F841 - scanned by name in the SQL below
        columns = con.execute("describe select * from rel").fetchall()
    except duckdb.Error as exc:
        raise UndecodableFile(
            f"{path.name} no se pudo leer como registros JSON (una lista de objetos): está dañado o incompleto"
        ) from exc
    selects = []
    for name, dtype, *_ in columns:
        column = quote_ident(name)
        if name == "_validation_status":
            # KoboToolbox's review: {"uid": "validation_status_approved", ...} or {} when not reviewed
            # (a page of only {} is read as another type, so go through JSON text either way).
            selects.append(f"json_extract_string(to_json({column}), '$.uid') as {column}")
        elif dtype.startswith(("STRUCT", "MAP")) or dtype.endswith("[]") or dtype == "JSON":
            selects.append(f"cast(to_json({column}) as varchar) as {column}")
        else:
            selects.append(f"cast({column} as varchar) as {column}")
    con.execute(
        f"create temp table {quote_ident(table)} as "
        f"select row_number() over () as _source_row_number, {sql_literal(landed_file_id)} as _landed_file_id, "
        f"{', '.join(selects)} from rel"
    )


def _load_workbook(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    table: str,
    skip_rows: int,
    landed_file_id: str,
    header_score: HeaderScore | None,
) -> None:
    """Every visible sheet whose header names all the record's required fields (or, when none does,
    the best visible sheet), each below its own header (a title block above it is skipped), in
    sheet order. A hidden sheet whose header names them is read too, every row of it set aside as
    not a report; so are the rows the reader marked (hidden, filtered out, formulas without value)."""
    import pandas as pd  # only spreadsheets need it; keeps module import light

    try:
        sheets = read_workbook(path, kind)
    except (UndecodableFile, UnicodeError):
        raise
    except RefusedWorkbook as exc:  # its message is already the reason
        raise UndecodableFile(f"{path.name} {exc}") from exc
    except Exception as exc:  # each reader raises its own kinds for a broken workbook: the reason is ours
        raise UndecodableFile(
            f"{path.name} no se pudo leer como hoja de cálculo ({_KIND_NAMES.get(kind, kind)}): está dañado, incompleto o "
            "no es del formato que dice su nombre; ábralo, guárdelo de nuevo como .xlsx o .csv y envíelo"
        ) from exc
    scored = []
    for sheet in sheets:
        rows = sheet.rows[skip_rows:]
        at = header_row(rows, header_score)
        header = [v or "" for v in rows[at]] if rows else []
        scored.append((header_score(header) if header_score else 0, sheet, rows, at))
    visible = [s for s in scored if not s[1].hidden]
    complete = [s for s in visible if s[0] >= HEADER_COMPLETE]
    chosen = complete or sorted(visible, key=lambda s: -s[0])[:1]
    chosen += [s for s in scored if s[1].hidden and s[0] >= HEADER_COMPLETE]
    frames = []
    for _, sheet, rows, at in sorted(chosen, key=lambda s: sheets.index(s[1])):
        if not rows:
            continue
        header = _unique_names([rows[at][i] if i < len(rows[at]) else None for i in range(max(len(r) for r in rows))])
        body = [(at + 1 + n, r) for n, r in enumerate(rows[at + 1 :]) if any(v is not None for v in r)]
        marks = [HIDDEN_SHEET_MARK if sheet.hidden else sheet.marks.get(skip_rows + i) for i, _ in body]
        frame = pd.DataFrame([r + [None] * (len(header) - len(r)) for _, r in body], columns=header, dtype=object)
        frame.insert(0, SET_ASIDE_DETAIL, [m[1] if m else None for m in marks])
        frame.insert(0, SET_ASIDE_RULE, [m[0] if m else None for m in marks])
        frame.insert(0, "_fila", [str(skip_rows + i + 1) for i, _ in body])
        frame.insert(0, "_hoja", sheet.name)
        frames.append(frame)
    if not frames:
        raise UndecodableFile(f"{path.name}: el libro no tiene filas con datos")
    _frame_into(
        con, pd.concat(frames, ignore_index=True).astype(object).where(lambda f: f.notna(), None), table, landed_file_id
    )


_KIND_NAMES = {
    "xlsx": "Excel .xlsx",
    "xls": "Excel 97 .xls",
    "ods": "OpenDocument .ods",
    "html": "tabla HTML",
    "xml2003": "Excel 2003 XML",
}


def _unique_names(cells: list[str | None]) -> list[str]:
    """Header cells as column names: empty ones `columnN`, repeated ones with a suffix."""
    names, seen = [], set()
    for i, cell in enumerate(cells):
        name = (cell or "").strip() or f"column{i}"
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        names.append(candidate)
    return names


def peek_columns(path: Path, header_score: HeaderScore | None = None) -> list[str]:
    """The column names of a CSV or workbook file (empty when it cannot be read as a table). A
    UTF-8 CSV file's header is read by the sniffer, without reading the whole file."""
    con = _scratch_connection()
    layout = csv_layout(con, path)
    if layout is not None:
        return list(layout[-1])
    try:
        return load_table(con, path, "_peek", header_score=header_score)
    except UndecodableFile:
        return []
    finally:
        con.execute("drop table if exists _peek")


_scratch = threading.local()


def _scratch_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory database of this thread's own for peeking at files (opening one costs ~30 ms,
    and every file of a forms drop is peeked at)."""
    if getattr(_scratch, "con", None) is None:
        _scratch.con = duckdb.connect()
    return _scratch.con
