"""Whom a message goes to, read from the contacts source at the moment of sending: an institution's
liaisons (`responsable`), matched by its name under the normalisation of codes, and the
coordinating office (`coordinacion`), copied on escalations and the only recipient of what
cannot be attributed to an institution. Only the current contacts file counts (the latest that
loaded rows), so removing a person from it stops their mail."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingestion.institution_contacts import COORDINATION, LIAISON

_CURRENT = """
    with current_file as (
        select arg_max(landed_file_id, loaded_at) as landed_file_id from raw.institution_contacts
    )
    select distinct role, institution_key, email from raw.institution_contacts
    where landed_file_id = (select landed_file_id from current_file)
"""


@dataclass(frozen=True)
class Contacts:
    """The current contacts file: each liaison's institution key and address, and the office's."""

    liaisons: tuple[tuple[str, str], ...] = ()
    office: tuple[str, ...] = ()

    def recipients(self, institution_key: str | None, *, copy_coordination: bool) -> tuple[list[str], list[str]]:
        """(to, cc). A message about an institution goes to its liaisons, the office copied when
        asked; a message about no institution goes to the office."""
        if institution_key is None:
            return list(self.office), []
        to = sorted({email for key, email in self.liaisons if key == institution_key})
        return to, ([e for e in self.office if e not in to] if copy_coordination and to else [])


def current_contacts(con: duckdb.DuckDBPyConnection) -> Contacts:
    try:
        rows = con.execute(_CURRENT).fetchall()
    except duckdb.CatalogException:  # no contacts source yet
        return Contacts()
    return Contacts(
        tuple((key, email) for role, key, email in rows if role == LIAISON and key),
        tuple(sorted({email for role, _, email in rows if role == COORDINATION})),
    )
