"""Tolerant parsing written as DuckDB SQL, so whole batches are parsed in the engine rather than row
by row in Python. Each function takes an SQL expression (a quoted column) and returns an SQL
expression; the raw text is always kept beside the parsed value by the caller.

The long date parsers are DuckDB macros (`ogp_reporting_month(b."Mes")`), created once on a
connection by the load path before it runs a canonical select (`create_parser_macros`), so a
canonical select reads as a list of calls instead of kilobytes of nested `regexp_replace`. Their
bodies are the `*_sql` functions below, which stay plain SQL text for a reader and the tests."""

from __future__ import annotations

import weakref

from ingestion.connection import in_transaction

SPANISH_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def text(expr: str) -> str:
    """Trimmed text, empty as NULL."""
    return f"nullif(trim({expr}), '')"


# Characters a person does not see, or reads as a hyphen, inside a code typed or pasted from a
# document: dashes of every kind, spaces (no-break, thin, ideographic), zero-width characters, the
# soft hyphen, direction marks and the byte-order mark.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = r"[\s\x{00A0}\x{00AD}\x{180E}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{3000}\x{FEFF}]"


def code(expr: str) -> str:
    """A code (milestone, commitment, indicator) as a person reads it: Unicode-normalised, every
    dash a hyphen, invisible characters and spaces inside removed, upper case; empty as NULL."""
    return (
        f"nullif(upper(regexp_replace(translate(nfc_normalize(coalesce({expr}, '')), '{_DASHES}', "
        f"'{'-' * len(_DASHES)}'), '{_INVISIBLE}', '', 'g')), '')"
    )


def unusual_characters(expr: str) -> str:
    """The characters of a code outside letters A-Z, digits and `-_.`, as `U+XXXX`, comma-separated
    (so a reason can show what a person cannot see); NULL when there are none."""
    return (
        f"nullif(array_to_string(list_transform(regexp_extract_all({expr}, '[^A-Z0-9._-]'), "
        "lambda c: 'U+' || upper(lpad(to_hex(unicode(c)), 4, '0'))), ', '), '')"
    )


# Month names and abbreviations in Spanish and English (longest first, so `mar` does not take
# `marzo` apart), each a whole word; `sept`/`set` as written in parts of Latin America.
_MONTH_WORDS = {
    1: "enero|ene|january|jan",
    2: "febrero|feb|february",
    3: "marzo|mar|march",
    4: "abril|abr|april|apr",
    5: "mayo|may",
    6: "junio|jun|june",
    7: "julio|jul|july",
    8: "agosto|ago|august|aug",
    9: "septiembre|setiembre|sept|sep|set|september",
    10: "octubre|oct|october",
    11: "noviembre|nov|november",
    12: "diciembre|dic|december|dec",
}


def _month_words_to_numbers(expr: str) -> str:
    """`30 de noviembre de 2023` -> `30-11-2023`, `Nov. 30, 2023` -> `11-30-2023`, `2023-11-30T00:00:00`
    -> `2023-11-30`: lower case without accents, a time of day dropped, month names as numbers,
    `de`/`del`/`of` and commas dropped, every separator a hyphen."""
    out = f"strip_accents(lower(trim({expr})))"
    out = f"regexp_replace({out}, '[t ]+[0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}}([.][0-9]+)?)?\\s*(z|[+-][0-9]{{2}}:?[0-9]{{2}})?$', '')"
    for number, words in _MONTH_WORDS.items():
        out = f"regexp_replace({out}, '\\b(?:{words})\\b\\.?', '{number:02d}', 'g')"
    out = f"regexp_replace({out}, '\\b(de|del|of)\\b|,', ' ', 'g')"
    return f"regexp_replace(trim({out}), '\\s*[-/ .]+\\s*', '-', 'g')"


def excel_serial_date_sql(expr: str) -> str:
    """An Excel serial day number (45231 = 2023-11-01) as a date, for cells a spreadsheet saved as
    numbers; only 5-digit values from 1954 to 2118 count, so a stray number is not taken for a date."""
    t = f"trim({expr})"
    return (
        f"case when regexp_full_match({t}, '[2-7][0-9]{{4}}(\\.0+)?') "
        f"then cast(date '1899-12-30' + cast(cast({t} as double) as integer) as timestamp) end"
    )


def reporting_month_sql(expr: str) -> str:
    """First day of the month a report is for, from any unambiguous Spanish or English form: 2023-11,
    2023-11-30, 2023-11-30T00:00:00, 11/2023, 30/11/2023, 30-11-2023, noviembre 2023, nov-23, 30-nov-2023,
    1 de noviembre de 2023, November 30, 2023, an Excel serial day. A numeric day and month are read
    day first (as written in Latin America); month first only when day first cannot be a date."""
    t = _month_words_to_numbers(expr)
    # `nov-23`, `11/23`: a two-digit year is this century's (read before the four-digit forms, which
    # would take `23` for the year 23).
    two_digit_year = f"case when regexp_full_match({t}, '[0-9]{{1,2}}-[0-9]{{2}}') then try_strptime({t}, '%m-%y') end"
    four_digit_year = "', '".join(["%Y-%m", "%Y-%m-%d", "%m-%Y", "%d-%m-%Y", "%m-%d-%Y"])
    return (
        "cast(date_trunc('month', coalesce("
        f"{two_digit_year}, "
        f"case when regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{1,2}}(-[0-9]{{1,2}})?|[0-9]{{1,2}}(-[0-9]{{1,2}})?-[0-9]{{4}}') "
        f"then coalesce(try_strptime({t}, ['{four_digit_year}'])) end, "
        f"{excel_serial_date(expr)}"
        ")) as date)"
    )


def calendar_date_sql(expr: str) -> str:
    """A day: ISO first, then the day-first forms used in Latin America (31/12/2024)."""
    t = f"trim({expr})"
    return (
        "cast(coalesce("
        f"try_strptime({t}, '%Y-%m-%d'), try_strptime({t}, '%d/%m/%Y'), try_strptime({t}, '%d-%m-%Y'), "
        f"try_strptime({t}, '%Y-%m-%d %H:%M:%S'), {excel_serial_date(expr)}"
        ") as date)"
    )


def timestamp_sql(expr: str) -> str:
    """Submission time: Google Forms' Spanish `Marca temporal` (17/11/2023 10:23:45) or ISO 8601."""
    t = f"trim({expr})"
    return (
        "coalesce("
        f"try_strptime({t}, '%d/%m/%Y %H:%M:%S'), try_strptime({t}, '%d/%m/%Y %H:%M'), "
        f"try_cast({t} as timestamp), try_cast(try_cast({t} as timestamptz) as timestamp)"
        ")"
    )


def percent_is_ambiguous(expr: str) -> str:
    """Whether a percentage a person may have meant otherwise: `0,5` (half a percent, or half?),
    `1.000` / `1,000` (one, or a thousand with a thousands separator)."""
    t = f"trim(regexp_replace(trim({expr}), '\\s*%$', ''))"
    return f"(regexp_full_match({t}, '0[.,][0-9]+') or regexp_full_match({t}, '[0-9]{{1,3}}[.,][0-9]{{3}}'))"


def percent(expr: str) -> str:
    """`45`, `45 %`, `45,5` -> 45.0 / 45.5. Out-of-range values stay as they are, for the caller's rule."""
    return f"try_cast(replace(regexp_replace(trim({expr}), '\\s*%$', ''), ',', '.') as double)"


def number(expr: str) -> str:
    return f"try_cast(replace(trim({expr}), ',', '.') as double)"


def period_precision_sql(expr: str) -> str:
    """month, quarter or year for `2023-11` / `11/2023`, `2023-Q4` / `T4 2023`, `2023`; NULL otherwise."""
    t = f"upper(trim({expr}))"
    return (
        "case "
        f"when regexp_full_match({t}, '[0-9]{{4}}') then 'year' "
        f"when regexp_full_match({t}, '[0-9]{{4}}[- ]?[QT][1-4]') or regexp_full_match({t}, '[QT][1-4][- ]?[0-9]{{4}}') then 'quarter' "
        f"when {reporting_month(expr)} is not null then 'month' "
        "end"
    )


def period_start_sql(expr: str) -> str:
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


# --- the macros --------------------------------------------------------------------------------------

# Each date parser's body, written once above, becomes `ogp_<name>(value)` (the short parsers stay
# inline: they are read where they are used, on connections the load path did not open).
_PARAMETER = "parsed_value"
_MACRO_BODIES = {
    "excel_serial_date": excel_serial_date_sql,
    "reporting_month": reporting_month_sql,
    "calendar_date": calendar_date_sql,
    "timestamp": timestamp_sql,
    "period_precision": period_precision_sql,
    "period_start": period_start_sql,
}


def _call(name: str):
    def call(expr: str) -> str:
        return f"ogp_{name}({expr})"

    call.__name__ = name
    call.__doc__ = _MACRO_BODIES[name].__doc__
    return call


excel_serial_date = _call("excel_serial_date")
reporting_month = _call("reporting_month")
calendar_date = _call("calendar_date")
timestamp = _call("timestamp")
period_precision = _call("period_precision")
period_start = _call("period_start")

# In dependency order: a macro may call those before it.
MACROS = tuple(
    f"create or replace temp macro ogp_{name}({_PARAMETER}) as ({body(_PARAMETER)})"
    for name, body in _MACRO_BODIES.items()
)


_WITH_MACROS: weakref.WeakSet = weakref.WeakSet()


def create_parser_macros(con) -> None:
    """The date parsers as temporary macros on `con` (a DuckDB connection), once per connection:
    the load path calls it before its transactions, whoever opened the connection. Created inside
    a transaction (a re-parse's), they go if it is rolled back: then they are not remembered."""
    if con in _WITH_MACROS:
        return
    for statement in MACROS:
        con.execute(statement)
    if not in_transaction(con):
        _WITH_MACROS.add(con)
