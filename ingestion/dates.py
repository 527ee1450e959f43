"""Dates as OGP's exports write them, interpreted tolerantly and with their precision kept.

The OGP Data Dashboard and Explorer files hold start and end dates in many forms: `1/1/2023`
(month first, OGP's own convention), `31/12/2015` (day first, when the first number cannot be
a month), `July 2014`, `December 2015`, `Quarter 1 2019`, `2014`, and sentinels (`NA`,
`Not Specified`), quarters in words and Roman numerals (`I quarter of 2021`), halves, seasons,
Excel serial days (`42005`) and years typed into date cells (shown as days of 1905). Each
distinct text is interpreted once (by rule first, then `dateparser`) and stored in
`raw.date_interpretations` beside, never instead of, the original text: staging joins it to type
the dates and shows the precision (day, month, quarter, half, season, year) so a plan ending
"2016" is not read as ending on 1 January 2016. A numeric date whose order the text cannot prove
(`01/07/2014`) keeps both readings; staging chooses per plan from the plan's unambiguous dates.
Whatever is left unparsed stays NULL with precision `unparsed`, counted in the reconciliation.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import duckdb

NOT_GIVEN = {
    "",
    "na",
    "n/a",
    "nd",
    "nr",
    "none",
    "null",
    "not specified",
    "no especificado",
    "sin fecha",
    "-",
    "0",
    "tbd",
    "tbc",
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "primer": 1,
    "primero": 1,
    "segundo": 2,
    "tercer": 3,
    "tercero": 3,
    "cuarto": 4,
    "1er": 1,
    "1ro": 1,
    "2do": 2,
    "3er": 3,
    "3ro": 3,
    "4to": 4,
}
_PART = (
    r"(?P<part>[1-4]|i{1,3}|iv|first|second|third|fourth|1st|2nd|3rd|4th"
    r"|primer|primero|segundo|tercer|tercero|cuarto|1er|1ro|2do|3er|3ro|4to)"
)
_QUARTER_WORD = r"(?:quarter|qtr|trimestre)"
_HALF_WORD = r"(?:half|semester|semestre)"
_OF = r"(?:\s*(?:of|de|del|,|-|/)\s*|\s+)"
_YEAR_GROUP = r"(?P<year>\d{4})"
# `Quarter 1 2019`, `Q1 2019`, `Quarter I 2019`, `T1-2019` | `I quarter of 2021`, `1st quarter 2019`, `primer trimestre de 2020` | `2019 Q1`
_QUARTER_PATTERNS = (
    re.compile(rf"^(?:{_QUARTER_WORD}|q|t)\.?\s*{_PART}{_OF}{_YEAR_GROUP}$", re.I),
    re.compile(rf"^{_PART}\.?\s*{_QUARTER_WORD}{_OF}{_YEAR_GROUP}$", re.I),
    re.compile(rf"^{_YEAR_GROUP}\s*[-/ ]?\s*(?:{_QUARTER_WORD}|q|t)\s*{_PART}$", re.I),
)
_HALF_PATTERNS = (
    re.compile(rf"^(?:{_HALF_WORD}|h|s)\.?\s*{_PART}{_OF}{_YEAR_GROUP}$", re.I),
    re.compile(rf"^{_PART}\.?\s*{_HALF_WORD}{_OF}{_YEAR_GROUP}$", re.I),
    re.compile(rf"^{_YEAR_GROUP}\s*[-/ ]?\s*(?:h|s)\s*{_PART}$", re.I),
)
# Northern-hemisphere meteorological seasons (OGP's exports are written in Washington): the
# months each covers; winter YYYY is the winter that ends in February YYYY.
_SEASONS = {
    "spring": (3, 5),
    "primavera": (3, 5),
    "summer": (6, 8),
    "verano": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "otono": (9, 11),
    "otoño": (9, 11),
    "winter": (-1, 2),
    "invierno": (-1, 2),
}
_SEASON = re.compile(r"^(?:(?:early|late|mid)[- ]?)?(?P<season>[a-zñ]+)(?:\s+(?:of|de|del))?\s+(?P<year>\d{4})$", re.I)
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
# A year typed into a date-formatted spreadsheet cell is stored as serial day 1990..2100, shown
# as a day of 1905 (2014 -> 1905-07-06).
_SERIAL_YEARS = range(1950, 2101)
INTERPRETER = "ogp-dates 2: quarters, halves, seasons, Excel serials, per-plan day order"


@dataclass(frozen=True)
class DateInterpretation:
    period_start: date | None
    period_end: date | None
    # day, month, quarter, half, season, year; 'not_given' for sentinels; 'unparsed' otherwise
    precision: str
    # For `a/b/yyyy` texts: which order the text itself proves ('day_first' when a > 12,
    # 'month_first' when b > 12) or 'ambiguous'; the day-first reading of an ambiguous text is
    # kept beside the month-first one, and staging chooses per plan from its unambiguous dates.
    day_month_order: str | None = None
    day_first_start: date | None = None
    day_first_end: date | None = None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _part(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    return _ROMAN.get(text) or _ORDINAL_WORDS[text]


@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser  # slow to import; only the loaders that read dates need it

    return DateDataParser(
        languages=["en", "es"],
        settings={
            "DATE_ORDER": "MDY",  # OGP's exports are American; numeric dates are decided per plan in staging
            "PREFER_DAY_OF_MONTH": "first",
            "PREFER_MONTH_OF_YEAR": "first",
            "PARSERS": ["custom-formats", "absolute-time"],  # no "yesterday", no Unix timestamps
        },
    )


def _day(value: date) -> DateInterpretation:
    if date(1905, 1, 1) <= value <= date(1905, 12, 31):
        serial = (value - _EXCEL_EPOCH).days
        if serial in _SERIAL_YEARS:
            return DateInterpretation(date(serial, 1, 1), date(serial, 12, 31), "year")
    return DateInterpretation(value, value, "day")


def _numeric_date(first: int, second: int, year: int) -> DateInterpretation | None:
    def valid(month: int, day: int) -> date | None:
        try:
            return date(year, month, day)
        except ValueError:
            return None

    month_first, day_first = valid(first, second), valid(second, first)
    if month_first and day_first and first != second:
        reading, alternative = _day(month_first), _day(day_first)
        return dataclasses.replace(
            reading,
            day_month_order="ambiguous",
            day_first_start=alternative.period_start,
            day_first_end=alternative.period_end,
        )
    if month_first:
        return dataclasses.replace(_day(month_first), day_month_order="month_first" if second > 12 else None)
    if day_first:
        return dataclasses.replace(_day(day_first), day_month_order="day_first")
    return None


def interpret_date(text: str | None) -> DateInterpretation:
    cleaned = re.sub(r"\s+", " ", (text or "").strip())
    if cleaned.lower() in NOT_GIVEN:
        return DateInterpretation(None, None, "not_given")
    for patterns, months, precision in ((_QUARTER_PATTERNS, 3, "quarter"), (_HALF_PATTERNS, 6, "half")):
        for pattern in patterns:
            match = pattern.match(cleaned)
            if match:
                part, year = _part(match.group("part")), int(match.group("year"))
                if part > 12 // months:
                    return DateInterpretation(None, None, "unparsed")
                first = months * (part - 1) + 1
                return DateInterpretation(date(year, first, 1), _month_end(year, first + months - 1), precision)
    season = _SEASON.match(cleaned)
    if season and season.group("season").lower() in _SEASONS:
        first, last = _SEASONS[season.group("season").lower()]
        year = int(season.group("year"))
        start = date(year - 1, 12, 1) if first < 0 else date(year, first, 1)
        return DateInterpretation(start, _month_end(year, last), "season")
    year_only = _YEAR.match(cleaned)
    if year_only:
        year = int(year_only.group(1))
        return DateInterpretation(date(year, 1, 1), date(year, 12, 31), "year")
    serial = _EXCEL_SERIAL.match(cleaned)
    if serial:
        day = _EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
        return _day(day) if 1950 <= day.year <= 2100 else DateInterpretation(None, None, "unparsed")
    numeric = _NUMERIC_DATE.match(cleaned)
    if numeric:
        reading = _numeric_date(*(int(g) for g in numeric.groups()))
        return reading or DateInterpretation(None, None, "unparsed")
    parsed = _parser().get_date_data(cleaned)
    if parsed.date_obj is None or not 1900 <= parsed.date_obj.year <= 2100:
        return DateInterpretation(None, None, "unparsed")
    day = parsed.date_obj.date()
    if parsed.period == "year":
        return DateInterpretation(date(day.year, 1, 1), date(day.year, 12, 31), "year")
    if parsed.period == "month":
        return DateInterpretation(day.replace(day=1), _month_end(day.year, day.month), "month")
    return _day(day)


DDL = """
create table if not exists raw.date_interpretations (
    raw_text varchar primary key,
    period_start date,
    period_end date,
    date_precision varchar not null,
    interpreted_by varchar not null,
    interpreted_at timestamptz not null
);
alter table raw.date_interpretations add column if not exists day_month_order varchar;
alter table raw.date_interpretations add column if not exists day_first_start date;
alter table raw.date_interpretations add column if not exists day_first_end date;
"""


def record_date_interpretations(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> int:
    """Interpret the distinct date texts of `columns` in `table` not interpreted by today's rules
    yet. One call per distinct text (a few hundred in the whole OGP export), not per row."""
    if not columns:
        return 0
    values = " union ".join(f"select {c} as raw_text from {table}" for c in columns)
    new_texts = [
        row[0]
        for row in con.execute(
            f"select distinct raw_text from ({values}) where raw_text is not null "
            "and raw_text not in (select raw_text from raw.date_interpretations where interpreted_by = ?)",
            [INTERPRETER],
        ).fetchall()
    ]
    if not new_texts:
        return 0
    import pandas as pd  # slow to import; the code location loads without it

    frame = pd.DataFrame(
        [(t, *vars(interpret_date(t)).values()) for t in new_texts],
        columns=[
            "raw_text",
            "period_start",
            "period_end",
            "date_precision",
            "day_month_order",
            "day_first_start",
            "day_first_end",
        ],
    )
    con.register("_date_interpretations", frame)
    try:
        con.execute(
            "insert or replace into raw.date_interpretations "
            "(raw_text, period_start, period_end, date_precision, interpreted_by, interpreted_at, "
            " day_month_order, day_first_start, day_first_end) "
            "select raw_text, cast(period_start as date), cast(period_end as date), date_precision, ?, now(), "
            "       day_month_order, cast(day_first_start as date), cast(day_first_end as date) "
            "from _date_interpretations",
            [INTERPRETER],
        )
    finally:
        con.unregister("_date_interpretations")
    return len(new_texts)
