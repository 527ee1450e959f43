"""Reading landed spreadsheets (CSV in any common dialect, XLSX) into a DuckDB table of text
columns, one row per input row with its row number, so that every row can be accounted for."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import duckdb


class UndecodableFile(ValueError):
    """The file could not be read as a table at all; every row of it is quarantined by the caller."""


def normalize_header(name: str) -> str:
    """`Porcentaje de avance (%)` -> `porcentaje_de_avance`; `grupo/codigo_hito` -> `codigo_hito`."""
    last = str(name).strip().split("/")[-1]
    ascii_only = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", ascii_only.lower()).strip("_")


def snake_case(name: str) -> str:
    """Column names of OGP exports as warehouse names; a leading `_` marks OGP's coded twin."""
    ascii_only = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    snake = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_only).strip("_").lower()
    return snake + "_code" if str(name).startswith("_") else snake


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def load_table(con: duckdb.DuckDBPyConnection, path: Path, table: str, *, skip_rows: int = 0) -> list[str]:
    """Create temp table `table` from a CSV or XLSX file: all columns as text, plus
    `_source_row_number` (1 = first data row). Returns the file's column names in order."""
    con.execute(f"drop table if exists {quote_ident(table)}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _load_xlsx(con, path, table, skip_rows)
    else:
        _load_csv(con, path, table, skip_rows)
    columns = [row[0] for row in con.execute(f"describe {quote_ident(table)}").fetchall()]
    return [c for c in columns if c != "_source_row_number"]


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int) -> None:
    if path.stat().st_size == 0:
        raise UndecodableFile(f"{path.name} is empty")
    errors = []
    for encoding in ("utf-8", "latin-1"):
        try:
            rel = con.read_csv(
                str(path),
                header=True,
                all_varchar=True,
                encoding=encoding,
                skiprows=skip_rows,
                null_padding=True,
                # Sequential reading keeps row numbers in file order and allows ragged rows with
                # quoted newlines; institutional spreadsheets are small, so nothing is lost.
                parallel=False,
            )
            con.execute(
                f"create temp table {quote_ident(table)} as "
                "select row_number() over () as _source_row_number, * from rel"
            )
            return
        except (duckdb.Error, UnicodeDecodeError) as exc:
            errors.append(f"{encoding}: {str(exc).splitlines()[0]}")
    raise UndecodableFile(f"{path.name} could not be read as CSV ({'; '.join(errors)})")


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, skip_rows: int) -> None:
    import pandas as pd  # only spreadsheets need it; keeps module import light

    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=str, skiprows=skip_rows, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for broken workbooks
        raise UndecodableFile(f"{path.name} could not be read as XLSX: {exc}") from exc
    frame = frame.dropna(how="all")
    frame.columns = [str(c) for c in frame.columns]
    frame.insert(0, "_source_row_number", range(1, len(frame) + 1))
    con.register("_xlsx_frame", frame)
    try:
        con.execute(f"create temp table {quote_ident(table)} as select * from _xlsx_frame")
    finally:
        con.unregister("_xlsx_frame")
