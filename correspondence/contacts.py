"""Whom a message goes to, read from the contacts source at the moment of sending: an institution's
liaisons (`responsable`), matched by its name under the normalisation of codes, and the
coordinating office (`coordinacion`), copied on escalations and the only recipient of what
cannot be attributed to an institution. Only the current contacts file counts (the latest that
loaded rows), so removing a person from it stops their mail."""

from __future__ import annotations

import duckdb

from ingestion.institution_contacts import COORDINATION, LIAISON

_CURRENT = """
    with current_file as (
        select arg_max(landed_file_id, loaded_at) as landed_file_id from raw.institution_contacts
    )
    select distinct role, institution_key, email from raw.institution_contacts
    where landed_file_id = (select landed_file_id from current_file)
"""


def recipients(con: duckdb.DuckDBPyConnection, institution_key: str | None, *, copy_coordination: bool) -> tuple[list[str], list[str]]:
    """(to, cc). A message about an institution goes to its liaisons, the office copied when asked;
    a message about no institution goes to the office."""
    try:
        rows = con.execute(_CURRENT).fetchall()
    except duckdb.CatalogException:  # no contacts source yet
        return [], []
    liaisons = sorted({email for role, key, email in rows if role == LIAISON and institution_key and key == institution_key})
    office = sorted({email for role, _, email in rows if role == COORDINATION})
    if institution_key is None:
        return office, []
    return liaisons, ([e for e in office if e not in liaisons] if copy_coordination and liaisons else [])


def institutions_with_contact(con: duckdb.DuckDBPyConnection) -> set[str]:
    try:
        return {key for role, key, _ in con.execute(_CURRENT).fetchall() if role == LIAISON and key}
    except duckdb.CatalogException:
        return set()
