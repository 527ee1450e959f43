"""Spreadsheets as institutions save them: Excel 2007+ (.xlsx, .xlsm, with openpyxl), Excel 97
(.xls, with xlrd), OpenDocument (.ods, with odfpy), and what web systems save as `.xls` (an HTML
table, read with pandas and lxml; Excel 2003 XML), every sheet, each cell as the person saw it.

Read as a person sees the workbook: a hidden or filtered-out row, and every row of a hidden sheet,
is marked (`Sheet.marks`) so the loader keeps it apart with its reason instead of taking it for a
report; a formula cell uses the value the program saved with it, and a formula saved without one
(a file written by a script, never opened) marks its row, naming the cell. The file's kind is told
by its bytes; kinds no reader here can open (an encrypted workbook, Excel's binary .xlsb, another
OLE document) are refused with a reason a clerk can act on (`RefusedWorkbook`).

A number formatted as a percentage is read as the percentage shown (0.355 shown as `35,5 %` is
`35.5`), a date cell as an ISO date, whole numbers without `.0`; text stays text. The file's kind
is told by its first bytes, not its name (a workbook saved as `.csv` is still a workbook).
Which row is the header, and which sheets hold data, is decided by the caller's scoring of
header rows (a title block above the header, an instructions sheet beside the data)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from ingestion.file_kinds import REFUSED_KINDS, SilentLog

HEADER_SEARCH_ROWS = 30  # a title block is a few rows; the header is within the first thirty
MAX_COLUMNS = 16384  # as many as Excel has: a cell repeated further is not data
# A workbook is a zip of XML: what it unpacks to is bounded (a small file can hold gigabytes of
# rows), and so is how much more than the file it is.
MAX_WORKBOOK_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_WORKBOOK_RATIO = 200


class RefusedWorkbook(ValueError):
    """A file recognised as a kind no reader here can open; its message is the reason in Spanish."""


# Why a row of a workbook is not a report (rule codes of the quarantine).
HIDDEN_ROW, HIDDEN_SHEET, FORMULA_WITHOUT_VALUE = "hidden_row", "hidden_sheet", "formula_without_value"


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[str | None]]
    hidden: bool = False
    # row index (into `rows`) -> (rule, what the person should know), for rows that are not reports
    marks: dict[int, tuple[str, str]] = field(default_factory=dict)


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


_HIDDEN_ROW_DETAIL = (
    "está oculta o filtrada en el libro: no se toma como informe; si lo es, muéstrela y envíe el archivo de nuevo"
)
# The mark of every row of a hidden sheet the reader of a record chooses to read (tabular.py).
HIDDEN_SHEET_MARK = (
    HIDDEN_SHEET,
    "está en una hoja oculta del libro: no se toma como informe; si lo es, muestre la hoja y envíe el archivo de nuevo",
)


def _formula_detail(cell: str, formula: str) -> str:
    return (
        f"la celda {cell} tiene una fórmula sin valor guardado ({formula[:80]}); abra el archivo en Excel o "
        "LibreOffice, guárdelo para que calcule y envíelo de nuevo"
    )


def _marks(
    rows: list[list[str | None]], hidden_rows: set[int], formulas: dict[int, tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    """Marks by row index: hidden first (a hidden row is not read at all), then formulas."""
    marks = {i: (HIDDEN_ROW, _HIDDEN_ROW_DETAIL) for i in hidden_rows if i < len(rows)}
    for i, (cell, formula) in formulas.items():
        if i < len(rows) and i not in marks:
            marks[i] = (FORMULA_WITHOUT_VALUE, _formula_detail(cell, formula))
    return marks


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package, from the workbook and its relationships."""
    from defusedxml.ElementTree import fromstring

    workbook = fromstring(archive.read("xl/workbook.xml"))
    relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter(f"{_PKG_REL_NS}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _xlsx_row_facts(archive: zipfile.ZipFile, part: str) -> tuple[set[int], dict[int, tuple[str, str]]]:
    """What openpyxl's value reader does not say, read from the sheet's XML as one stream: the rows
    hidden (by hand or by a filter) and the formula cells saved without a value, by row index."""
    from defusedxml.ElementTree import iterparse

    hidden: set[int] = set()
    formulas: dict[int, tuple[str, str]] = {}
    index = -1
    with archive.open(part) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == f"{_MAIN_NS}row":
                    number = element.get("r") or ""
                    index = int(number) - 1 if number.isdigit() else index + 1
                    if element.get("hidden") in ("1", "true"):
                        hidden.add(index)
                continue
            if element.tag == f"{_MAIN_NS}c":
                formula, value = element.find(f"{_MAIN_NS}f"), element.find(f"{_MAIN_NS}v")
                saved = value is not None and bool((value.text or "").strip())
                # A shared formula's followers carry no text of their own, only a reference.
                if formula is not None and not saved and element.find(f"{_MAIN_NS}is") is None:
                    formulas.setdefault(index, (element.get("r") or "?", "=" + (formula.text or "…")))
                element.clear()
            elif element.tag == f"{_MAIN_NS}row":
                element.clear()
    return hidden, formulas


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    # Opened as a stream: openpyxl refuses a workbook whose name does not end in .xlsx.
    with open(path, "rb") as handle, zipfile.ZipFile(path) as archive:
        parts = _xlsx_sheet_parts(archive)
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            sheets = []
            for sheet in book.worksheets:
                rows = _trimmed(
                    [
                        [cell_text(c.value, percent="%" in (getattr(c, "number_format", "") or "")) for c in row]
                        for row in sheet.iter_rows()
                    ]
                )
                part = parts.get(sheet.title)
                hidden, formulas = _xlsx_row_facts(archive, part) if part in archive.NameToInfo else (set(), {})
                sheets.append(Sheet(sheet.title, rows, sheet.sheet_state != "visible", _marks(rows, hidden, formulas)))
            return sheets
        finally:
            book.close()


def _read_xls(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, logfile=SilentLog())
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
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(None)
                else:
                    row.append(cell_text(cell.value))
            rows.append(row)
        # Excel 97 always saves a formula's result with it; rows hide by hand or by a filter.
        hidden = {r for r, info in sheet.rowinfo_map.items() if info.hidden}
        sheets.append(Sheet(sheet.name, _trimmed(rows), sheet.visibility != 0, _marks(rows, hidden, {})))
    return sheets


def _read_ods(path: Path) -> list[Sheet]:
    from odf import teletype
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.style import Style, TableProperties
    from odf.table import Table, TableRow

    document = load(str(path))
    hidden_styles = set()
    for style in [*document.automaticstyles.getElementsByType(Style), *document.styles.getElementsByType(Style)]:
        for properties in style.getElementsByType(TableProperties):
            if properties.getAttribute("display") == "false":
                hidden_styles.add(style.getAttribute("name"))
    sheets = []
    for table in document.spreadsheet.getElementsByType(Table):
        rows: list[list[str | None]] = []
        hidden: set[int] = set()
        formulas: dict[int, tuple[str, str]] = {}
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
                formula = cell.getAttribute("formula") if cell.qname[1] == "table-cell" else None
                if formula and not kind and text is None:
                    formulas.setdefault(len(rows), (f"columna {len(cells) + 1}", formula.removeprefix("of:")))
                # Trailing empty cells repeated to the sheet's edge are not data.
                cells.extend([text] * min(repeat, MAX_COLUMNS if text is not None else 1024))
            row_repeat = int(row.getAttribute("numberrowsrepeated") or 1)
            cells = _trimmed([cells])[0]
            if row.getAttribute("visibility") in ("collapse", "filter") and cells:
                hidden.update(range(len(rows), len(rows) + min(row_repeat, 1024)))
            # Empty rows repeated to the sheet's edge are one empty row (empty rows are not data).
            rows.extend([list(cells) for _ in range(min(row_repeat, 1024) if cells else 1)])
        sheets.append(
            Sheet(
                table.getAttribute("name"),
                rows,
                table.getAttribute("stylename") in hidden_styles,
                _marks(rows, hidden, formulas),
            )
        )
    return sheets


def _read_html(path: Path) -> list[Sheet]:
    """An HTML table saved with an .xls name (many web systems' "export to Excel"): every table is
    a sheet, each cell's text as shown; a row styled `display: none` is hidden."""
    import lxml.html

    from ingestion.text_files import decode_text

    text, _ = decode_text(path.read_bytes(), path.name)
    document = lxml.html.document_fromstring(
        text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8", no_network=True)
    )
    sheets = []
    for number, table in enumerate(document.iter("table"), start=1):
        rows, hidden = [], set()
        for row in table.iter("tr"):
            cells: list[str | None] = []
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                value = " ".join(cell.text_content().split()) or None
                span = cell.get("colspan") or "1"
                cells.extend([value] + [None] * (min(int(span), 100) - 1 if span.isdigit() and int(span) > 1 else 0))
            if "display:none" in (row.get("style") or "").replace(" ", "").lower():
                hidden.add(len(rows))
            rows.append(cells)
        rows = _trimmed(rows)
        sheets.append(Sheet(f"tabla {number}", rows, False, _marks(rows, hidden, {})))
    if not sheets:
        raise RefusedWorkbook("es una página web sin ninguna tabla; envíe la hoja de cálculo")
    return sheets


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _read_xml2003(path: Path) -> list[Sheet]:
    """Excel 2003 XML (SpreadsheetML), which some systems save as .xls: its cells' data as shown,
    rows hidden and sheets hidden as such, a formula without its data marked."""
    from defusedxml.ElementTree import parse

    root = parse(str(path)).getroot()
    sheets = []
    for worksheet in root.iter(f"{_SS}Worksheet"):
        rows: list[list[str | None]] = []
        hidden: set[int] = set()
        formulas: dict[int, tuple[str, str]] = {}
        for table in worksheet.iter(f"{_SS}Table"):
            for row in table.iter(f"{_SS}Row"):
                at = row.get(f"{_SS}Index")
                while at and at.isdigit() and len(rows) < min(int(at) - 1, 1_000_000):
                    rows.append([])
                cells: list[str | None] = []
                for cell in row.iter(f"{_SS}Cell"):
                    column = cell.get(f"{_SS}Index")
                    if column and column.isdigit():
                        cells.extend([None] * max(0, min(int(column) - 1, 16384) - len(cells)))
                    data = cell.find(f"{_SS}Data")
                    value = "".join(data.itertext()) if data is not None else None
                    if cell.get(f"{_SS}Formula") and not value:
                        formulas.setdefault(len(rows), (f"columna {len(cells) + 1}", cell.get(f"{_SS}Formula")))
                    if data is not None and data.get(f"{_SS}Type") == "Number" and value:
                        try:
                            value = cell_text(float(value))
                        except ValueError:
                            pass
                    cells.append(value.strip() or None if value else None)
                if row.get(f"{_SS}Hidden") == "1":
                    hidden.add(len(rows))
                rows.append(cells)
        options = worksheet.find("{urn:schemas-microsoft-com:office:excel}WorksheetOptions")
        visible = options.find("{urn:schemas-microsoft-com:office:excel}Visible") if options is not None else None
        is_hidden = visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
        rows = _trimmed(rows)
        sheets.append(
            Sheet(
                worksheet.get(f"{_SS}Name") or f"hoja {len(sheets) + 1}",
                rows,
                is_hidden,
                _marks(rows, hidden, formulas),
            )
        )
    return sheets


READERS: dict[str, Callable[[Path], list[Sheet]]] = {
    "xlsx": _read_xlsx,
    "xls": _read_xls,
    "ods": _read_ods,
    "html": _read_html,
    "xml2003": _read_xml2003,
}


def read_workbook(path: Path, kind: str) -> list[Sheet]:
    if kind in REFUSED_KINDS:
        raise RefusedWorkbook(REFUSED_KINDS[kind])
    if kind in ("xlsx", "ods"):
        _check_unpacked_size(path)
    return READERS[kind](path)


def _check_unpacked_size(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        unpacked = sum(info.file_size for info in package.infolist())
    packed = max(path.stat().st_size, 1)
    if unpacked > MAX_WORKBOOK_UNPACKED_BYTES or (unpacked > 1 << 24 and unpacked > MAX_WORKBOOK_RATIO * packed):
        raise RefusedWorkbook(
            f"es un libro que se descomprime en {unpacked:,} bytes, demasiado para leerlo; "
            "divídalo en libros más pequeños o envíelo como CSV"
        )


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
