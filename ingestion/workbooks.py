"""Spreadsheets as institutions save them: Excel 2007+ (.xlsx, .xlsm, with openpyxl), Excel 97
(.xls, with xlrd) and OpenDocument (.ods, with odfpy), every sheet, each cell as the person saw it.

A number formatted as a percentage is read as the percentage shown (0.355 shown as `35,5 %` is
`35.5`), a date cell as an ISO date, whole numbers without `.0`; text stays text. The file's kind
is told by its first bytes, not its name (a workbook saved as `.csv` is still a workbook).
Which row is the header, and which sheets hold data, is decided by the caller's scoring of
header rows (a title block above the header, an instructions sheet beside the data)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable

WORKBOOK_KINDS = ("xlsx", "xls", "ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
HEADER_SEARCH_ROWS = 30  # a title block is a few rows; the header is within the first thirty


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[str | None]]


def file_kind(path: Path) -> str:
    """`xlsx`, `xls`, `ods`, `zip` (any other archive) or `text` (CSV, JSON, or unreadable)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return "ods"
                if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                    return "xlsx"
        except zipfile.BadZipFile:
            return "text"
        return "zip"
    return "text"


def cell_text(value, *, percent: bool = False) -> str | None:
    """A cell's value as the text a person saw: percentages as shown, whole numbers without `.0`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        number = value * 100 if percent else value
        rounded = round(float(number), 9)  # float noise of the binary format (0.355 * 100)
        return str(int(rounded)) if rounded.is_integer() else repr(rounded)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _trimmed(rows: list[list[str | None]]) -> list[list[str | None]]:
    out = []
    for row in rows:
        while row and row[-1] is None:
            row = row[:-1]
        out.append(row)
    return out


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    # Opened as a stream: openpyxl refuses a workbook whose name does not end in .xlsx.
    with open(path, "rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            return [
                Sheet(sheet.title, _trimmed([
                    [cell_text(c.value, percent="%" in (getattr(c, "number_format", "") or "")) for c in row]
                    for row in sheet.iter_rows()
                ]))
                for sheet in book.worksheets
            ]
        finally:
            book.close()


def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheets = []
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_NUMBER:
                    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                    row.append(cell_text(cell.value, percent=bool(fmt and "%" in fmt.format_str)))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(cell_text(bool(cell.value)))
                else:
                    row.append(cell_text(cell.value))
            rows.append(row)
        sheets.append(Sheet(sheet.name, _trimmed(rows)))
    return sheets


def _read_ods(path: Path) -> list[Sheet]:
    from odf import teletype
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableRow

    document = load(str(path))
    sheets = []
    for table in document.spreadsheet.getElementsByType(Table):
        rows: list[list[str | None]] = []
        for row in table.getElementsByType(TableRow):
            cells: list[str | None] = []
            for cell in row.childNodes:
                repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1) if cell.qname[0] == TABLENS else 1
                kind = cell.getAttribute("valuetype") if cell.qname[1] == "table-cell" else None
                if kind == "percentage":
                    text = cell_text(float(cell.getAttribute("value")), percent=True)
                elif kind in ("float", "currency"):
                    text = cell_text(float(cell.getAttribute("value")))
                elif kind == "date":
                    text = cell.getAttribute("datevalue")
                elif kind == "boolean":
                    text = cell_text(cell.getAttribute("booleanvalue") == "true")
                else:
                    text = cell_text(teletype.extractText(cell))
                # Trailing empty cells repeated to the sheet's edge are not data.
                cells.extend([text] * (repeat if text is not None else min(repeat, 1024)))
            row_repeat = int(row.getAttribute("numberrowsrepeated") or 1)
            cells = _trimmed([cells])[0]
            # Empty rows repeated to the sheet's edge are one empty row (empty rows are not data).
            rows.extend([list(cells) for _ in range(row_repeat if cells else 1)])
        sheets.append(Sheet(table.getAttribute("name"), rows))
    return sheets


READERS: dict[str, Callable[[Path], list[Sheet]]] = {"xlsx": _read_xlsx, "xls": _read_xls, "ods": _read_ods}


def read_workbook(path: Path, kind: str) -> list[Sheet]:
    return READERS[kind](path)


def header_row(rows: list[list[str | None]], score: Callable[[list[str]], int] | None) -> int:
    """The index of the header: the row within the first rows that the caller scores highest
    (its columns mean most canonical fields); the first non-empty row when nothing scores."""
    candidates = [(i, row) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(v is not None for v in row)]
    if not candidates:
        return 0
    if score is not None:
        best, best_score = candidates[0][0], 0
        for i, row in candidates:
            value = score([v or "" for v in row])
            if value > best_score:
                best, best_score = i, value
        if best_score:
            return best
    return candidates[0][0]
