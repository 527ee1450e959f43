"""The layout of a UTF-8 CSV file (dialect and header) as DuckDB's sniffer sees it: files of one
layout (a form's monthly exports) are read together in one scan (`tabular.load_csv_files`)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.text_files import is_utf16

# Layouts sniffed, by file (path, size, modification) and rows skipped: a landed file is sniffed
# when its source is chosen and again when it is loaded (each sniff reads up to the whole file).
_LAYOUTS: dict[tuple, tuple | None] = {}
LAYOUTS_KEPT = 4096


def csv_layout(con: duckdb.DuckDBPyConnection, path: Path, skip_rows: int = 0) -> tuple | None:
    """The dialect and header of a UTF-8 CSV file as DuckDB's sniffer sees them, or None when it
    is not one (other encodings, spreadsheets, unreadable files go through `load_table`). Files of
    the same layout (a form's monthly exports) can be read together by `load_csv_files`."""
    if path.suffix.lower() != ".csv":
        return None
    stat = path.stat()
    if stat.st_size == 0:
        return None
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, skip_rows)
    if key not in _LAYOUTS:
        if len(_LAYOUTS) >= LAYOUTS_KEPT:
            _LAYOUTS.clear()
        _LAYOUTS[key] = _sniffed_layout(con, path, skip_rows)
    return _LAYOUTS[key]


def _sniffed_layout(con: duckdb.DuckDBPyConnection, path: Path, skip_rows: int) -> tuple | None:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if is_utf16(head) or head.lstrip(b"\xef\xbb\xbf")[:4].lower() == b"sep=" or b"\x00" in head:
        return None  # read by the tolerant reader, which knows these
    try:
        delimiter, quote, escape, new_line, _, skip, has_header, columns, *_ = con.execute(
            "select * from sniff_csv(?, all_varchar = true, null_padding = true, skip = ?)", [str(path), skip_rows]
        ).fetchone()
    except duckdb.Error:
        return None
    if not has_header or not columns:
        return None
    return (delimiter, quote, escape, new_line, skip, tuple(c["name"] for c in columns))
