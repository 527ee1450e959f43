"""Writes the form templates institutions use (run: `python forms/build_templates.py`; output committed).

- `avance_mensual.xlsx`: an XLSForm for KoboToolbox and ODK Central. Its field names are the
  ones the platform maps to the canonical progress-report record (docs/sources.md); groups may be
  renamed freely (only the last path segment is used).
- `plantilla_informe_avance.xlsx`: the spreadsheet template for drops in the inbox (and the
  question titles for a Google Form whose export the platform reads as is).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent

SURVEY = [
    (
        "type",
        "name",
        "label::Español (es)",
        "required",
        "constraint",
        "constraint_message::Español (es)",
        "hint::Español (es)",
    ),
    ("start", "start", "", "", "", "", ""),
    ("end", "end", "", "", "", "", ""),
    ("text", "institucion", "Institución que reporta", "yes", "", "", "Nombre oficial de la institución"),
    ("begin_group", "avance", "Avance del hito", "", "", "", ""),
    (
        "text",
        "codigo_compromiso",
        "Código del compromiso (OGP)",
        "yes",
        "regex(., '^[A-Z]{2,3}[0-9]{4}$')",
        "Use el código OGP del compromiso: 2 o 3 letras y 4 cifras",
        "",
    ),
    (
        "text",
        "codigo_hito",
        "Código del hito",
        "yes",
        "regex(., '^[A-Z]{2,3}[0-9]{4}-H[0-9]+$')",
        "Use el código del catálogo: el del compromiso, -H y el número del hito",
        "",
    ),
    (
        "text",
        "mes_reportado",
        "Mes que se reporta (AAAA-MM)",
        "yes",
        "regex(., '^[0-9]{4}-[0-9]{2}$')",
        "Formato AAAA-MM, p. ej. 2023-11",
        "",
    ),
    (
        "decimal",
        "porcentaje_avance",
        "Porcentaje de avance del hito (%)",
        "yes",
        ". >= 0 and . <= 100",
        "Entre 0 y 100",
        "",
    ),
    ("select_one estado", "estado", "Estado del hito", "yes", "", "", ""),
    ("text", "descripcion", "Descripción del avance", "", "", "", ""),
    (
        "text",
        "evidencias",
        "Enlaces a evidencias",
        "",
        "",
        "",
        "Enlaces separados por espacios; de preferencia al portal de datos abiertos",
    ),
    ("text", "dificultades", "Dificultades", "", "", "", ""),
    ("end_group", "", "", "", "", "", ""),
]
CHOICES = [
    ("list_name", "name", "label::Español (es)"),
    ("estado", "no_iniciado", "No iniciado"),
    ("estado", "en_curso", "En curso"),
    ("estado", "completado", "Completado"),
    ("estado", "retrasado", "Retrasado"),
    ("estado", "retirado", "Retirado"),
]
SETTINGS = [
    ("form_title", "form_id", "version", "default_language"),
    ("Informe mensual de avance - Plan de Acción de Gobierno Abierto", "avance_mensual", "2026110101", "Español (es)"),
]

TEMPLATE_HEADER = [
    "Marca temporal",
    "Institución",
    "Código del compromiso",
    "Código del hito",
    "Mes que se reporta",
    "Porcentaje de avance (%)",
    "Estado del hito",
    "Descripción del avance",
    "Enlaces a evidencias",
    "Dificultades",
    "Estado de revisión",
]


def write_sheet(workbook: Workbook, title: str, rows) -> None:
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def main() -> None:
    xlsform = Workbook()
    xlsform.remove(xlsform.active)
    write_sheet(xlsform, "survey", SURVEY)
    write_sheet(xlsform, "choices", CHOICES)
    write_sheet(xlsform, "settings", SETTINGS)
    xlsform.save(HERE / "avance_mensual.xlsx")

    template = Workbook()
    sheet = template.active
    sheet.title = "informes"
    sheet.append(TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    states = DataValidation(
        type="list", formula1='"No iniciado,En curso,Completado,Retrasado,Retirado"', allow_blank=True
    )
    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=False)
    sheet.add_data_validation(states)
    sheet.add_data_validation(percent)
    states.add("G2:G5000")
    percent.add("F2:F5000")
    template.save(HERE / "plantilla_informe_avance.xlsx")


if __name__ == "__main__":
    main()
