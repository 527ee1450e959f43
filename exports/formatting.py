"""How the publication writes numbers, dates and names for its readers: es-EC (decimal comma,
`30/11/2023`, «noviembre de 2023»), plans named by their number, member and years, changes with
one decimal and «punto/puntos». One place for the report and the site."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
             "octubre", "noviembre", "diciembre"]
ORDINALS_ES = ["Primer", "Segundo", "Tercer", "Cuarto", "Quinto", "Sexto", "Séptimo", "Octavo", "Noveno", "Décimo"]
ORDINALS_EN = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth"]
STATUS_ES = {"completed": "Completado", "on_track": "A tiempo", "at_risk": "En riesgo", "delayed": "Retrasado",
             "not_started": "No iniciado", "withdrawn": "Retirado"}
REPORTING_ES = {"reported": "reportado", "carried_forward": "arrastrado", "stale": "desactualizado", "no_report": "sin reporte",
                "withdrawn": "retirado"}
STATUS_EN = {"completed": "Completed", "on_track": "On track", "at_risk": "At risk", "delayed": "Delayed",
             "not_started": "Not started", "withdrawn": "Withdrawn"}
REPORTING_EN = {"reported": "reported", "carried_forward": "carried forward", "stale": "stale", "no_report": "no report",
                "withdrawn": "withdrawn"}
# The code columns they label, as the marts name them (the BI schema's label table says so).
LABELLED_CODES = {"schedule_status": (STATUS_ES, STATUS_EN), "reporting_status": (REPORTING_ES, REPORTING_EN)}


def es_number(value, decimals: int = 1) -> str:
    """`1234.5` → `1.234,5`; None → `—`."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def es_percent(value, decimals: int = 1) -> str:
    return "—" if value is None else f"{es_number(value, decimals)} %"


def points(value, lang: str = "es") -> str:
    """A change in percentage points, one decimal, signed, singular only for exactly one:
    `+0,5 puntos`, `+1,0 punto`, `−2,3 puntos` (`+0.5 points` in English)."""
    if value is None:
        return "—"
    rounded = round(float(value), 1)
    if rounded == 0:
        return "0 puntos" if lang == "es" else "0 points"
    sign = "+" if rounded > 0 else "−"
    if lang == "es":
        return f"{sign}{es_number(abs(rounded))} {'punto' if abs(rounded) == 1 else 'puntos'}"
    return f"{sign}{abs(rounded):.1f} {'point' if abs(rounded) == 1 else 'points'}"


def es_points(value) -> str:
    return points(value, "es")


def es_date(value: date | None) -> str:
    return "—" if value is None else value.strftime("%d/%m/%Y")


def es_month(value: date | None) -> str:
    return "—" if value is None else f"{MONTHS_ES[value.month - 1]} de {value.year}"


def plan_title(number: int | None, member: str | None, start_year: int | None, end_year: int | None, lang: str = "es") -> str:
    """«Segundo Plan de Acción de Gobierno Abierto de <miembro> 2022-2024» from the plan's number,
    member and years (the warehouse keeps those, not a title)."""
    years = f" {start_year}-{end_year}" if start_year and end_year else ""
    if lang == "es":
        ordinal = f"{ORDINALS_ES[number - 1]} " if number and 1 <= number <= len(ORDINALS_ES) else ""
        numbered = "" if ordinal or not number else f" N.º {number}"
        return f"{ordinal}Plan de Acción de Gobierno Abierto{numbered} de {member or '—'}{years}"
    ordinal = f"{ORDINALS_EN[number - 1]} " if number and 1 <= number <= len(ORDINALS_EN) else ""
    numbered = "" if ordinal or not number else f" No. {number}"
    return f"{member or '—'} {ordinal}Open Government Action Plan{numbered}{years}"


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80] or "sin-nombre"


def page_name(kind: str, key: str) -> str:
    """The site's file for a plan, commitment or institution (`compromiso-<id>.html`)."""
    return f"{kind}-{slug(key)}.html"


def localized(name: str, lang: str) -> str:
    """A site page's file in a language: Spanish is the page itself, others `<page>.<lang>.html`."""
    return name if lang == "es" else name.replace(".html", f".{lang}.html")
