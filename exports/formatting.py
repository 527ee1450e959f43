"""How the publication writes numbers, dates, counts and names for its readers, in one place for
the report, the site and the messages: es-EC by Babel's CLDR data (decimal comma, `30/11/2023`,
«noviembre de 2023»), counts with their noun in the right plural form («1 compromiso», «2
compromisos»), plans named by their number, member and years, changes with one decimal and
«punto/puntos», OGP's labels and country names in Spanish."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALES = {"es": "es_EC", "en": "en"}
# Babel takes 8-17 us a number or date, and a month's site writes one or two for every report of
# every tracked plan (10 million at the large bench's scale); the values repeat (months, rounded
# percentages), so each formatted value is kept. Numbers are keyed by value: equal values (1, 1.0,
# Decimal("1.0")) format alike, as float() makes them one number first.
FORMATTED_KEPT = 1 << 16
ORDINALS_ES = ["Primer", "Segundo", "Tercer", "Cuarto", "Quinto", "Sexto", "Séptimo", "Octavo", "Noveno", "Décimo"]
ORDINALS_EN = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth"]
STATUS_ES = {
    "completed": "Completado",
    "on_track": "A tiempo",
    "at_risk": "En riesgo",
    "delayed": "Retrasado",
    "not_started": "No iniciado",
    "withdrawn": "Retirado",
}
REPORTING_ES = {
    "reported": "reportado",
    "carried_forward": "arrastrado",
    "stale": "desactualizado",
    "no_report": "sin reporte",
    "withdrawn": "retirado",
}
STATUS_EN = {
    "completed": "Completed",
    "on_track": "On track",
    "at_risk": "At risk",
    "delayed": "Delayed",
    "not_started": "Not started",
    "withdrawn": "Withdrawn",
}
REPORTING_EN = {
    "reported": "reported",
    "carried_forward": "carried forward",
    "stale": "stale",
    "no_report": "no report",
    "withdrawn": "withdrawn",
}
# The code columns they label, as the marts name them (the BI schema's label table says so).
LABELLED_CODES = {"schedule_status": (STATUS_ES, STATUS_EN), "reporting_status": (REPORTING_ES, REPORTING_EN)}

# Counted nouns and adjectives, by CLDR plural category ("many" falls back to "other").
COUNTED = {
    "commitment": {"es": ("compromiso", "compromisos"), "en": ("commitment", "commitments")},
    "milestone": {"es": ("hito", "hitos"), "en": ("milestone", "milestones")},
    "plan": {"es": ("plan de acción", "planes de acción"), "en": ("action plan", "action plans")},
    "delayed": {"es": ("retrasado", "retrasados"), "en": ("delayed", "delayed")},
    "delayed_milestone": {
        "es": ("hito retrasado", "hitos retrasados"),
        "en": ("delayed milestone", "delayed milestones"),
    },
    "ogp_commitment": {"es": ("compromiso de OGP", "compromisos de OGP"), "en": ("OGP commitment", "OGP commitments")},
    "report": {"es": ("informe", "informes"), "en": ("report", "reports")},
    "month": {"es": ("mes", "meses"), "en": ("month", "months")},
    "point": {"es": ("punto", "puntos"), "en": ("point", "points")},
    "substantial_or_complete": {
        "es": ("sustancial o completo", "sustanciales o completos"),
        "en": ("substantial or complete", "substantial or complete"),
    },
    "opened_government": {
        "es": ("abrió el gobierno o dio resultados notables", "abrieron el gobierno o dieron resultados notables"),
        "en": ("opened government or had notable results", "opened government or had notable results"),
    },
    "starred": {"es": ("estelar", "estelares"), "en": ("starred", "starred")},
}


def count(n, noun: str, lang: str = "es") -> str:
    """`1 compromiso`, `2 compromisos`, `0 compromisos`: the number and the noun in its plural form."""
    one, other = COUNTED[noun][lang]
    if n is None:
        return f"— {other}"
    category = Locale.parse(LOCALES[lang]).plural_form(abs(n))
    return f"{number(n, 0, lang) if isinstance(n, float) else n} {one if category == 'one' else other}"


@lru_cache(maxsize=FORMATTED_KEPT)
def number(value, decimals: int = 1, lang: str = "es") -> str:
    """`1234.5` → `1.234,5` (es) or `1,234.5` (en); None → `—`."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(float(value), pattern, locale=LOCALES[lang])


def percent(value, decimals: int = 1, lang: str = "es") -> str:
    """`24,1 %`, the sign kept on the number's line (a no-break space, as CLDR writes it)."""
    return "—" if value is None else f"{number(value, decimals, lang)}\u00a0%"


@lru_cache(maxsize=FORMATTED_KEPT)
def long_date(value: date | None, lang: str = "es") -> str:
    """`30/11/2023` (es) or `30 Nov 2023` (en)."""
    return "—" if value is None else format_date(value, "dd/MM/y" if lang == "es" else "d MMM y", locale=LOCALES[lang])


@lru_cache(maxsize=FORMATTED_KEPT)
def month_name(value: date | None, lang: str = "es") -> str:
    """«noviembre de 2023» (es) or «November 2023» (en)."""
    return (
        "—" if value is None else format_date(value, "MMMM 'de' y" if lang == "es" else "MMMM y", locale=LOCALES[lang])
    )


def es_percent(value, decimals: int = 1) -> str:
    return percent(value, decimals, "es")


def points(value, lang: str = "es") -> str:
    """A change in percentage points, one decimal, signed, singular only for exactly one:
    `+0,5 puntos`, `+1,0 punto`, `−2,3 puntos` (`+0.5 points` in English)."""
    if value is None:
        return "—"
    rounded = round(float(value), 1)
    if rounded == 0:
        return "0 puntos" if lang == "es" else "0 points"
    sign = "+" if rounded > 0 else "−"
    one, other = COUNTED["point"][lang]
    return f"{sign}{number(abs(rounded), 1, lang)} {one if abs(rounded) == 1 else other}"


def es_date(value: date | None) -> str:
    return long_date(value, "es")


def es_month(value: date | None) -> str:
    return month_name(value, "es")


# OGP's vocabularies in Spanish (the IRM's scales, the indicators' frequencies), declared once in
# the dbt seed the warehouse's texts use too. A value not there is shown as it came.
LABELS_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "ogp_crosswalks" / "ogp_labels_es.csv"


@cache
def _ogp_labels_es() -> dict[str, str]:
    with open(LABELS_SEED, encoding="utf-8", newline="") as seed:
        return {row["canonical_value"].lower(): row["label_es"] for row in csv.DictReader(seed)}


# OGP's names of members that CLDR names otherwise (its English names are looked up there, with
# "&" read as "and").
OGP_COUNTRY_NAMES = {
    "Republic of Korea": "KR",
    "Korea, Republic of": "KR",
    "Slovak Republic": "SK",
    "Kyrgyz Republic": "KG",
    "Cote d'Ivoire": "CI",
    "Côte d'Ivoire": "CI",
    "Ivory Coast": "CI",
    "Cabo Verde": "CV",
    "Cape Verde": "CV",
    "Czech Republic": "CZ",
    "North Macedonia": "MK",
    "Macedonia": "MK",
    "Moldova": "MD",
    "Republic of Moldova": "MD",
    "United States of America": "US",
    "USA": "US",
    "UK": "GB",
    "Turkey": "TR",
    "The Gambia": "GM",
    "Timor-Leste": "TL",
    "Scotland": "GB-SCT",
}
REGIONS_ES = {
    "GB-SCT": "Escocia",
    "Americas": "Américas",
    "Europe": "Europa",
    "Africa and the Middle East": "África y Medio Oriente",
    "Asia and the Pacific": "Asia y el Pacífico",
    "Africa": "África",
    "Asia": "Asia",
}


def ogp_label(value: str | None, lang: str = "es") -> str:
    """An OGP label (an IRM verdict, a frequency) for the reader: Spanish when the vocabulary knows
    it, else as it came."""
    if not value:
        return "—"
    return _ogp_labels_es().get(value.strip().lower(), value) if lang == "es" else value


@cache
def _territory_codes() -> dict[str, str]:
    english = Locale.parse("en").territories
    codes = {name.replace("’", "'"): code for code, name in english.items() if code.isalpha()}
    codes |= {name.replace(" & ", " and "): code for name, code in codes.items() if " & " in name}
    return codes | OGP_COUNTRY_NAMES


@lru_cache(maxsize=FORMATTED_KEPT)  # every peer of every brief names its member
def place_name(name: str | None, lang: str = "es") -> str:
    """A member's or country's name in Spanish by its parts («Paris, France» → «Paris, Francia»,
    «Republic of Korea» → «Corea del Sur»): each part CLDR knows as a territory or OGP region is
    translated, the rest (a city's own name) is kept."""
    if not name or lang != "es":
        return name or "—"
    spanish = Locale.parse("es").territories
    parts = []
    for part in name.split(", "):
        code = _territory_codes().get(part.strip().replace("’", "'"))
        parts.append(REGIONS_ES.get(code) or spanish.get(code) or REGIONS_ES.get(part) or part)
    return ", ".join(parts)


def template_filters(lang: str) -> dict:
    """The filters every template of the publication uses: one formatter for the report and the site."""
    return {
        "number": lambda v, d=1: number(v, d, lang),
        "pct": lambda v, d=1: percent(v, d, lang),
        "pts": lambda v: points(v, lang),
        "fecha": lambda v: long_date(v, lang),
        "mes": lambda v: month_name(v, lang),
        "count": lambda n, noun: count(n, noun, lang),
        "ogp": lambda v: ogp_label(v, lang),
        "place": lambda v: place_name(v, lang),
        "score": lambda v: number(v, 2, lang),
    }


def plan_title(
    number: int | None, member: str | None, start_year: int | None, end_year: int | None, lang: str = "es"
) -> str:
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
