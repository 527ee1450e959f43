"""Spreadsheets as institutions save them, written by the tests: Excel 2007+ with a title block,
an instructions sheet and two data sheets, Excel 97 and OpenDocument with %-formatted cells. Every
value here is invented."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

HEADER = ["Código del hito", "Mes que se reporta", "Porcentaje de avance (%)", "Descripción del avance"]


def xlsx_with_title_block_and_sheets(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    instructions = book.active
    instructions.title = "Instrucciones"
    instructions.append(["Llene la hoja «Informes»; el porcentaje va como porcentaje."])
    reports = book.create_sheet("Informes")
    reports.append(["Informe mensual de avance — Ministerio de Ejemplo"])
    reports.append([])
    reports.append(HEADER)
    reports.append(["EC0011-H1", "nov-23", 0.355, "Talleres realizados"])  # 35,5 % as Excel shows it
    reports["C4"].number_format = "0.0%"
    reports.append(["TOTAL", None, None, None])  # a totals row
    more = book.create_sheet("Más informes")
    more.append(HEADER)
    more.append(["EC0011-H2", datetime(2023, 11, 1), 40, "Segundo hito"])
    book.save(path)
    return path


def xls_with_percent(path: Path) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Hoja1")
    for column, name in enumerate(HEADER):
        sheet.write(0, column, name)
    for column, value in enumerate(["EC0011-H1", "2023-11"]):
        sheet.write(1, column, value)
    sheet.write(1, 2, 0.355, xlwt.easyxf(num_format_str="0.0%"))
    sheet.write(1, 3, "Avance")
    book.save(str(path))
    return path


def ods_with_percent(path: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Hoja1")
    for cells in (HEADER, ["EC0011-H1", "2023-11", ("percentage", 0.355), "Avance"]):
        row = TableRow()
        for cell in cells:
            if isinstance(cell, tuple):
                element = TableCell(valuetype=cell[0], value=cell[1])
                element.addElement(P(text="35,5 %"))
            else:
                element = TableCell(valuetype="string")
                element.addElement(P(text=cell))
            row.addElement(element)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A .zip (deflated) holding `members` by name."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
