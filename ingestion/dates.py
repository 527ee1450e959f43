"""Dates as OGP's exports write them, interpreted tolerantly and with their precision kept.

The OGP Data Dashboard and Explorer files hold start and end dates in many forms: `1/1/2023`
(month first, OGP's own convention), `31/12/2015` (day first, when the first number cannot be
a month), `July 2014`, `December 2015`, `Quarter 1 2019`, `2014`, and sentinels (`NA`,
`Not Specified`). Each distinct text is interpreted once by `dateparser` (quarters and bare years
by rule first, since dateparser reads them as a day of the current month) and stored in
`raw.date_interpretations` beside, never instead of, the original text: staging joins it to type
the dates and shows the precision (day, month, quarter, year) so a plan ending "2016" is not
read as ending on 1 January 2016.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import duckdb

NOT_GIVEN = {"", "na", "n/a", "nd", "nr", "none", "null", "not specified", "no especificado", "sin fecha", "-", "0", "tbd", "tbc"}
_QUARTER_FIRST = re.compile(r"^(?:quarter|qtr|q|trimestre|t)\.?\s*([1-4])(?:\s*(?:of|de|del|,|-|/))?\s*(\d{4})$", re.I)
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:quarter|q|trimestre|t)\s*([1-4])$", re.I)
_ORDINAL_QUARTER = re.compile(r"^([1-4])(?:st|nd|rd|th|er|do|ro|to)?\s+(?:quarter|trimestre)\s*(?:of|de|del)?\s*(\d{4})$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
INTERPRETER = "dateparser MDY, day-first fallback"


@dataclass(frozen=True)
class DateInterpretation:
    period_start: date | None
    period_end: date | None
    precision: str  # day, month, quarter, year; 'not_given' for sentinels; 'unparsed' otherwise


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser  # slow to import; only the loaders that read dates need it

    return DateDataParser(
        languages=["en", "es"],
        settings={
            "DATE_ORDER": "MDY",  # OGP's exports are American; 31/12/2015 still falls back to day first
            "PREFER_DAY_OF_MONTH": "first",
            "PREFER_MONTH_OF_YEAR": "first",
            "PARSERS": ["custom-formats", "absolute-time"],  # no "yesterday", no Unix timestamps
        },
    )


def interpret_date(text: str | None) -> DateInterpretation:
    cleaned = re.sub(r"\s+", " ", (text or "").strip())
    if cleaned.lower() in NOT_GIVEN:
        return DateInterpretation(None, None, "not_given")
    for pattern, order in ((_QUARTER_FIRST, (1, 2)), (_ORDINAL_QUARTER, (1, 2)), (_YEAR_FIRST, (2, 1))):
        match = pattern.match(cleaned)
        if match:
            quarter, year = int(match.group(order[0])), int(match.group(order[1]))
            return DateInterpretation(date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), "quarter")
    if _YEAR.match(cleaned):
        year = int(cleaned)
        return DateInterpretation(date(year, 1, 1), date(year, 12, 31), "year")
    parsed = _parser().get_date_data(cleaned)
    if parsed.date_obj is None or not 1900 <= parsed.date_obj.year <= 2100:
        return DateInterpretation(None, None, "unparsed")
    day = parsed.date_obj.date()
    if parsed.period == "year":
        return DateInterpretation(date(day.year, 1, 1), date(day.year, 12, 31), "year")
    if parsed.period == "month":
        return DateInterpretation(day.replace(day=1), _month_end(day.year, day.month), "month")
    return DateInterpretation(day, day, "day")


DDL = """
create table if not exists raw.date_interpretations (
    raw_text varchar primary key,
    period_start date,
    period_end date,
    date_precision varchar not null,
    interpreted_by varchar not null,
    interpreted_at timestamptz not null
);
"""


def record_date_interpretations(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> int:
    """Interpret the distinct date texts of `columns` in `table` not seen before. One call per
    distinct text (a few hundred in the whole OGP export), not per row."""
    if not columns:
        return 0
    values = " union ".join(f"select {c} as raw_text from {table}" for c in columns)
    new_texts = [
        row[0]
        for row in con.execute(
            f"select distinct raw_text from ({values}) where raw_text is not null "
            "and raw_text not in (select raw_text from raw.date_interpretations)"
        ).fetchall()
    ]
    if not new_texts:
        return 0
    import pandas as pd  # slow to import; the code location loads without it

    frame = pd.DataFrame(
        [(t, *vars(interpret_date(t)).values()) for t in new_texts],
        columns=["raw_text", "period_start", "period_end", "date_precision"],
    )
    con.register("_date_interpretations", frame)
    try:
        con.execute(
            "insert or ignore into raw.date_interpretations "
            "select raw_text, cast(period_start as date), cast(period_end as date), date_precision, ?, now() "
            "from _date_interpretations",
            [INTERPRETER],
        )
    finally:
        con.unregister("_date_interpretations")
    return len(new_texts)
