"""Personal data (e-mail addresses, phone numbers) written inside free text, redacted before any
row leaves the landing zone.

One mechanism for every file-shaped source: the loader calls `redact_columns` on the batch it
read, before the canonical records, their `raw_payload` and any quarantine row are built, so the
raw tables, staging, marts, serving copies and published files never hold them. The landed file
keeps the payload as received (that is the raw zone). Each redaction is counted per file and
column in `raw.personal_data_redactions`; the reconciliation mart and the annex show the counts.

Phone numbers are found by `phonenumbers`' matcher (Google's libphonenumber rules, so a year
range, an amount or a law number is not taken for a phone); e-mail addresses by a pattern. Only
cells that could hold either (an `@`, or a run of 7+ digits) go through Python: the rest of the
batch is never touched row by row."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

EMAIL_MARK = "[correo]"
PHONE_MARK = "[teléfono]"

# Whose national formats count as phone numbers when written without a country code: the
# countries of the tracked members (raw.tracked_members, ISO codes), and North America's, the
# numbering plan of OGP's own contact lines. Numbers written with `+` are found whatever their
# country. Before any members file is loaded (a new warehouse), the countries of the members file
# the platform reads by default.
OGP_CONTACT_REGIONS = ("US",)
DEFAULT_MEMBERS_FILE = Path(__file__).resolve().parents[1] / "demo_data" / "miembros.csv"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# What a cell must contain before it is worth a look (cheap, in SQL): an @, or 7 digits with at
# most separators between them.
CANDIDATE_SQL_PATTERN = r"@|[0-9][0-9 ().\-/]{5,}[0-9]"

DDL = """
create table if not exists raw.personal_data_redactions (
    source varchar not null,
    landed_file_id varchar not null,
    column_name varchar not null,             -- the file's own column
    rows_redacted bigint not null,
    emails_redacted bigint not null,
    phones_redacted bigint not null,
    redacted_at timestamptz not null
);
"""


def phone_regions(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The regions whose national phone formats are searched: the tracked members' countries."""
    import phonenumbers

    try:
        countries = [
            c
            for (c,) in con.execute(
                """select distinct upper(country) from raw.tracked_members
               where landed_file_id = (select landed_file_id from raw.tracked_members order by loaded_at desc limit 1)
                 and country is not null"""
            ).fetchall()
        ]
    except duckdb.CatalogException:  # a warehouse without the raw schema yet
        countries = []
    if not countries:
        countries = _default_member_countries()
    return tuple(sorted({c for c in countries if c in phonenumbers.SUPPORTED_REGIONS} | set(OGP_CONTACT_REGIONS)))


@cache
def _default_member_countries() -> tuple[str, ...]:
    with open(DEFAULT_MEMBERS_FILE, encoding="utf-8", newline="") as handle:
        return tuple((row.get("pais") or "").strip().upper() for row in csv.DictReader(handle))


def redact(text: str | None, regions: tuple[str, ...] | None = None) -> str | None:
    """The text with every e-mail address and phone number replaced by a mark; phones written the
    national way are found for `regions` (default: the default members' countries)."""
    if text is None:
        return None
    if regions is None:
        regions = tuple(sorted(set(_default_member_countries()) | set(OGP_CONTACT_REGIONS)))
    redacted = _EMAIL.sub(EMAIL_MARK, text)
    if not any(ch.isdigit() for ch in redacted):
        return redacted
    import phonenumbers  # its metadata takes a moment to load; only cells with digits need it

    for region in regions:
        matches = list(phonenumbers.PhoneNumberMatcher(redacted, region, leniency=phonenumbers.Leniency.VALID))
        for match in reversed(matches):
            redacted = redacted[: match.start] + PHONE_MARK + redacted[match.end :]
    return redacted


@dataclass(frozen=True)
class Redaction:
    landed_file_id: str
    column: str
    rows: int
    emails: int
    phones: int


_FUNCTION = "ogp_redact_personal_data"


def redacted_sql(con: duckdb.DuckDBPyConnection, expr: str) -> str:
    """SQL for `expr` with personal data redacted, for the few texts built from fields the bulk
    pass does not search (a quarantine reason quoting what was typed into a percent cell)."""
    return f"{_ensure_function(con)}({expr})"


def _ensure_function(con: duckdb.DuckDBPyConnection) -> str:
    """The redaction function for the tracked members' current countries, registered on `con`
    (named after its regions: a new members file gets a function of its own)."""
    regions = phone_regions(con)
    name = f"{_FUNCTION}_{'_'.join(regions).lower()}"
    [(registered,)] = con.execute("select count(*) from duckdb_functions() where function_name = ?", [name]).fetchall()
    if not registered:
        con.create_function(
            name,
            lambda text: redact(text, regions),
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR"),
            null_handling="special",
            side_effects=False,
        )
    return name


def _marks(expr: str, mark: str) -> str:
    return f"((length({expr}) - length(replace({expr}, '{mark}', ''))) // length('{mark}'))"


def redact_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> list[Redaction]:
    """Redact `columns` of the temp table `table` in place (it has `_landed_file_id`); returns what
    was redacted, per file and column. Only candidate cells reach Python."""
    from ingestion.tabular import quote_ident  # tabular imports nothing from here

    if not columns:
        return []
    function = _ensure_function(con)
    found: list[Redaction] = []
    for column in columns:
        col = quote_ident(column)
        con.execute(
            f"""
            create or replace temp table _redacted as
            select _landed_file_id, _source_row_number, {col} as before, {function}({col}) as after
            from {quote_ident(table)}
            where regexp_matches({col}, '{CANDIDATE_SQL_PATTERN}')
            """
        )
        counts = con.execute(
            f"""
            select _landed_file_id, count(*),
                   sum({_marks("after", EMAIL_MARK)} - {_marks("before", EMAIL_MARK)}),
                   sum({_marks("after", PHONE_MARK)} - {_marks("before", PHONE_MARK)})
            from _redacted where after is distinct from before group by all order by 1
            """
        ).fetchall()
        if counts:
            con.execute(
                f"update {quote_ident(table)} t set {col} = r.after from _redacted r "
                f"where r._landed_file_id = t._landed_file_id and r._source_row_number = t._source_row_number "
                f"and r.after is distinct from r.before"
            )
            found.extend(Redaction(file_id, column, rows, emails, phones) for file_id, rows, emails, phones in counts)
        con.execute("drop table _redacted")
    return found


def record_redactions(con: duckdb.DuckDBPyConnection, source: str, redactions: list[Redaction]) -> None:
    for r in redactions:
        con.execute(
            "insert into raw.personal_data_redactions values (?, ?, ?, ?, ?, ?, now())",
            [source, r.landed_file_id, r.column, r.rows, r.emails, r.phones],
        )
