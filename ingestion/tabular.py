"""Reading landed spreadsheets (CSV in any common dialect, XLSX) into a DuckDB table of text
columns, one row per input row with its row number, so that every row can be accounted for."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import duckdb


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


# Where each row came from, first in every loaded table; not the file's own columns.
BOOKKEEPING_COLUMNS = ("_source_row_number", "_landed_file_id")


def load_table(con: duckdb.DuckDBPyConnection, path: Path, table: str, *, skip_rows: int = 0, landed_file_id: str = "") -> list[str]:
    """Create temp table `table` from a CSV or XLSX file: all columns as text, after
    `_source_row_number` (1 = first data row) and `_landed_file_id`. Returns the file's column
    names in order."""
    con.execute(f"drop table if exists {quote_ident(table)}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _load_xlsx(con, path, table, skip_rows, landed_file_id)
    elif suffix == ".json":
        _load_json(con, path, table, landed_file_id)
    else:
        _load_csv(con, path, table, skip_rows, landed_file_id)
    return _file_columns(con, table)


def _file_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    columns = [row[0] for row in con.execute(f"describe {quote_ident(table)}").fetchall()]
    return [c for c in columns if c not in BOOKKEEPING_COLUMNS]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def csv_layout(con: duckdb.DuckDBPyConnection, path: Path, skip_rows: int = 0) -> tuple | None:
    """The dialect and header of a UTF-8 CSV file as DuckDB's sniffer sees them, or None when it
    is not one (other encodings, spreadsheets, unreadable files go through `load_table`). Files of
    the same layout (a form's monthly exports) can be read together by `load_csv_files`."""
    if path.suffix.lower() != ".csv" or path.stat().st_size == 0:
        return None
    try:
        delimiter, quote, escape, new_line, _, skip, has_header, columns, *_ = con.execute(
            "select * from sniff_csv(?, all_varchar = true, null_padding = true, skip = ?)", [str(path), skip_rows]
        ).fetchone()
    except duckdb.Error:
        return None
    if not has_header or not columns:
        return None
    return (delimiter, quote, escape, new_line, skip, tuple(c["name"] for c in columns))


def load_csv_files(con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str]], layout: tuple, table: str) -> list[str]:
    """Create temp table `table` from several CSV files of one `csv_layout`, read in one scan, in
    file order: the same columns as `load_table`, each row numbered within its own file and
    carrying its file's id. Raises duckdb.Error when a file does not fit the layout after all."""
    delimiter, quote, escape, new_line, skip, _ = layout
    empty = "(empty)"  # how the sniffer reports an absent quote or escape character
    options = {
        "delim": delimiter, "quote": "" if quote == empty else quote, "escape": "" if escape == empty else escape,
    }
    paths = "[" + ", ".join(_literal(str(path)) for path, _ in files) + "]"
    ids = ", ".join(f"({_literal(str(path))}, {_literal(sha)})" for path, sha in files)
    con.execute(f"drop table if exists {quote_ident(table)}")
    # One sequential scan keeps every file's rows in order (as `load_table` does); the row's
    # number in its file is its place in the scan minus its file's first place.
    con.execute(
        f"""
        create or replace temp table _scanned as
        select row_number() over () as _scan_row, *
        from read_csv({paths}, header = true, all_varchar = true, null_padding = true, parallel = false,
                      skip = {int(skip)}, filename = '_ogp_file', auto_detect = true,
                      {", ".join(f"{k} = {_literal(v)}" for k, v in options.items())})
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
    if path.stat().st_size == 0:
        raise UndecodableFile(f"{path.name} is empty")
    try:
        _read_csv_into(con, path, table, skip_rows, landed_file_id)
        return
    except duckdb.Error as exc:
        if "unicode" not in str(exc).lower() and "utf-8" not in str(exc).lower():
            message = str(exc).splitlines()[0].replace(str(path), path.name)
            raise UndecodableFile(f"{path.name} could not be read as CSV: {message}") from exc
    # Not UTF-8: spreadsheets saved on Windows in Spanish are usually Windows-1252 / Latin-1.
    with tempfile.TemporaryDirectory() as tmp:
        utf8, encoding = _transcode_to_utf8(path, Path(tmp) / "utf8.csv")
        try:
            _read_csv_into(con, utf8, table, skip_rows, landed_file_id)
        except duckdb.Error as exc:
            # The message names the temporary copy; the operator knows the file by its own name.
            message = str(exc).splitlines()[0].replace(str(utf8), path.name)
            raise UndecodableFile(f"{path.name} could not be read as CSV ({encoding}): {message}") from exc


def _read_csv_into(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int, landed_file_id: str) -> None:
    rel = con.read_csv(  # read by name below: DuckDB scans the Python variable `rel`
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
        f"select row_number() over () as _source_row_number, {_literal(landed_file_id)} as _landed_file_id, * from rel"
    )


def _transcode_to_utf8(path: Path, target: Path) -> tuple[Path, str]:
    """Re-encode a file to UTF-8 in chunks; the source encoding is the first that decodes it whole."""
    head = path.read_bytes()[:4]
    candidates = ["utf-16"] if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ["cp1252", "latin-1"]
    for encoding in candidates:
        try:
            with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as out:
                for chunk in iter(lambda: src.read(1 << 20), ""):
                    out.write(chunk)
            return target, encoding
        except UnicodeDecodeError:
            continue
    raise UndecodableFile(f"{path.name} is in no encoding the platform reads (UTF-8, UTF-16, Windows-1252, Latin-1)")


def _load_json(con: duckdb.DuckDBPyConnection, path: Path, table: str, landed_file_id: str) -> None:
    """A JSON array of records (a page from a form tool's API): every field as text. KoboToolbox's
    `_validation_status` object keeps its `uid`; other nested values stay JSON text."""
    try:
        rel = con.read_json(str(path), format="array")  # scanned by name in the SQL below
        columns = con.execute("describe select * from rel").fetchall()
    except duckdb.Error as exc:
        raise UndecodableFile(f"{path.name} could not be read as JSON records: {str(exc).splitlines()[0]}") from exc
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
        f"select row_number() over () as _source_row_number, {_literal(landed_file_id)} as _landed_file_id, "
        f"{', '.join(selects)} from rel"
    )


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int, landed_file_id: str) -> None:
    import pandas as pd  # only spreadsheets need it; keeps module import light

    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, skiprows=skip_rows, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for broken workbooks
        raise UndecodableFile(f"{path.name} could not be read as XLSX: {exc}") from exc
    frame = frame.dropna(how="all")
    frame.columns = [str(c) for c in frame.columns]
    frame.insert(0, "_source_row_number", range(1, len(frame) + 1))
    frame.insert(1, "_landed_file_id", landed_file_id)
    con.register("_xlsx_frame", frame)
    try:
        con.execute(f"create temp table {quote_ident(table)} as select * from _xlsx_frame")
    finally:
        con.unregister("_xlsx_frame")


def peek_columns(path: Path) -> list[str]:
    """The column names of a CSV/XLSX file (empty when it cannot be read as a table). A UTF-8 CSV
    file's header is read by the sniffer, without reading the whole file."""
    with duckdb.connect() as con:
        layout = csv_layout(con, path)
        if layout is not None:
            return list(layout[-1])
        try:
            return load_table(con, path, "_peek")
        except UndecodableFile:
            return []
