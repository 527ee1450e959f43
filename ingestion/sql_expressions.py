"""Tolerant parsing written as DuckDB SQL expressions, so whole batches are parsed in the engine
rather than row by row in Python. Each function takes an SQL expression (a quoted column) and
returns an SQL expression; the raw text is always kept beside the parsed value by the caller."""

from __future__ import annotations

SPANISH_MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)


def text(expr: str) -> str:
    """Trimmed text, empty as NULL."""
    return f"nullif(trim({expr}), '')"


# English abbreviations where they differ from the Spanish ones (Excel in English writes `Jan-24`).
ENGLISH_MONTHS = {1: "jan", 4: "apr", 8: "aug", 12: "dec"}


def _spanish_month_names_to_numbers(expr: str) -> str:
    # "noviembre 2023" / "Nov. 2023" / "nov-23" / "Jan-24" -> "11 2023" / "11-23" / "01-24"; on lower-cased text.
    out = f"lower(trim({expr}))"
    for number, name in enumerate(SPANISH_MONTHS, start=1):
        out = f"regexp_replace({out}, '^{name[:3]}[a-z]*\\.?', '{number:02d}')"
    for number, name in ENGLISH_MONTHS.items():
        out = f"regexp_replace({out}, '^{name}[a-z]*\\.?', '{number:02d}')"
    return out


def excel_serial_date(expr: str) -> str:
    """An Excel serial day number (45231 = 2023-11-01) as a date, for cells a spreadsheet saved as
    numbers; only 5-digit values from 1954 to 2118 count, so a stray number is not taken for a date."""
    t = f"trim({expr})"
    return (
        f"case when regexp_full_match({t}, '[2-7][0-9]{{4}}(\\.0+)?') "
        f"then cast(date '1899-12-30' + cast(cast({t} as double) as integer) as timestamp) end"
    )


def reporting_month(expr: str) -> str:
    """First day of the month a report is for: 2023-11, 2023-11-30, 11/2023, 30/11/2023, noviembre 2023,
    an Excel serial day; 11/30/2023 (month first) only when it cannot be read day first."""
    t = f"trim({expr})"
    named = _spanish_month_names_to_numbers(expr)
    # `nov-23`, `11/23`: a two-digit year is this century's (read before the four-digit forms, which
    # would take `23` for the year 23).
    two_digit_year = (
        f"case when regexp_full_match({named}, '[0-9]{{2}}[-/ .][0-9]{{2}}') "
        f"then try_strptime(regexp_replace({named}, '[-/ .]', '-'), '%m-%y') end"
    )
    return (
        "cast(date_trunc('month', coalesce("
        f"{two_digit_year}, "
        f"try_strptime({t}, '%Y-%m'), try_strptime({t}, '%Y-%m-%d'), try_strptime({t}, '%Y/%m'), "
        f"try_strptime({t}, '%m/%Y'), try_strptime({t}, '%d/%m/%Y'), try_strptime({t}, '%m-%Y'), "
        f"try_strptime({t}, '%m/%d/%Y'), try_strptime({t}, '%Y-%m-%d %H:%M:%S'), {excel_serial_date(expr)}, "
        f"try_strptime({named}, '%m %Y'), try_strptime({named}, '%m-%Y'), try_strptime({named}, '%m/%Y'), "
        f"try_strptime({named}, '%m de %Y')"
        ")) as date)"
    )


def calendar_date(expr: str) -> str:
    """A day: ISO first, then the day-first forms used in Latin America (31/12/2024)."""
    t = f"trim({expr})"
    return (
        "cast(coalesce("
        f"try_strptime({t}, '%Y-%m-%d'), try_strptime({t}, '%d/%m/%Y'), try_strptime({t}, '%d-%m-%Y'), "
        f"try_strptime({t}, '%Y-%m-%d %H:%M:%S'), {excel_serial_date(expr)}"
        ") as date)"
    )


def timestamp(expr: str) -> str:
    """Submission time: Google Forms' Spanish `Marca temporal` (17/11/2023 10:23:45) or ISO 8601."""
    t = f"trim({expr})"
    return (
        "coalesce("
        f"try_strptime({t}, '%d/%m/%Y %H:%M:%S'), try_strptime({t}, '%d/%m/%Y %H:%M'), "
        f"try_cast({t} as timestamp), try_cast(try_cast({t} as timestamptz) as timestamp)"
        ")"
    )


def percent(expr: str) -> str:
    """`45`, `45 %`, `45,5` -> 45.0 / 45.5. Out-of-range values stay as they are, for the caller's rule."""
    return (
        "try_cast(replace(regexp_replace(trim("
        f"{expr}), '\\s*%$', ''), ',', '.') as double)"
    )


def number(expr: str) -> str:
    return f"try_cast(replace(trim({expr}), ',', '.') as double)"


def period_precision(expr: str) -> str:
    """month, quarter or year for `2023-11` / `11/2023`, `2023-Q4` / `T4 2023`, `2023`; NULL otherwise."""
    t = f"upper(trim({expr}))"
    return (
        "case "
        f"when regexp_full_match({t}, '[0-9]{{4}}') then 'year' "
        f"when regexp_full_match({t}, '[0-9]{{4}}[- ]?[QT][1-4]') or regexp_full_match({t}, '[QT][1-4][- ]?[0-9]{{4}}') then 'quarter' "
        f"when {reporting_month(expr)} is not null then 'month' "
        "end"
    )


def period_start(expr: str) -> str:
    """First day of the period a measurement is for (see `period_precision`)."""
    t = f"upper(trim({expr}))"
    year = f"cast(regexp_extract({t}, '([0-9]{{4}})', 1) as integer)"
    quarter = f"cast(regexp_extract({t}, '[QT]([1-4])', 1) as integer)"
    return (
        "case "
        f"when regexp_full_match({t}, '[0-9]{{4}}') then make_date({year}, 1, 1) "
        f"when regexp_full_match({t}, '[0-9]{{4}}[- ]?[QT][1-4]') or regexp_full_match({t}, '[QT][1-4][- ]?[0-9]{{4}}') "
        f"then make_date({year}, 3 * {quarter} - 2, 1) "
        f"else {reporting_month(expr)} end"
    )
