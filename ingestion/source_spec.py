"""What the platform knows of a source, declared once, in the source's own module.

A `SourceSpec` says what a source is called (the ledger and quarantine name, from its
`TabularSource`), the raw table it loads and that table's DDL, how its files are loaded, which
landed payloads are its own, its great-expectations suite, the setting holding its address, its
domain (progress or reference data) and whether a quarantined row stops publication. Everything
that handles sources in general (raw schema, assets, checks, re-parsing, the publication gate,
the quality suites) iterates over the registry of specs in `ingestion.sources`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ingestion.tabular_source import TabularSource, load_file, load_files

# Identifiers OGP uses in every export: commitments (2-3 letters, 4 digits) and plans (AP_, the
# member's code, the plan's number).
OGP_COMMITMENT_ID = r"^[A-Z]{2,3}[0-9]{4}$"
OGP_ACTION_PLAN_ID = r"^AP_[A-Z]{2,5}[0-9]{2}$"

# The bookkeeping every raw table ends with, declared once (each source's DDL names it after its
# own columns): the row as it came (redacted), the landed file and row it came from, when it loaded.
RAW_BOOKKEEPING_COLUMNS = """raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null"""


def canonical_select(fields: str, *, raw_payload: str = "to_json(b)") -> str:
    """A source's canonical records from the batch it landed (`_batch b`): the row's number in its
    file, the source's `fields` (SQL select items), the row as it came and its landed file, which
    every raw table keeps (RAW_BOOKKEEPING_COLUMNS)."""
    return f"""
        select
            b._source_row_number as source_row_number,
            {fields.strip().rstrip(",")},
            {raw_payload} as raw_payload,
            b._landed_file_id as landed_file_id
        from _batch b
    """


class Domain(str, Enum):  # noqa: UP042 - str(), format() and the UI show the member, as before
    """*Progress* data is what the platform exists to publish (institutions' reports, indicator
    measurements, plan catalogues); *reference* data is context gathered from elsewhere (OGP's
    global exports, the local-government index, the open-data portal); *correspondence* is whom
    the platform writes to (the institutions' contacts): in no publication, so it stops none."""

    PROGRESS = "progress"
    REFERENCE = "reference"
    CORRESPONDENCE = "correspondence"


@dataclass(frozen=True)
class SourceSpec:
    tabular: TabularSource
    # The raw table's DDL (create table if not exists ..., then any `alter ... add column if not exists`).
    ddl: str | Callable[[], str]
    domain: Domain
    # A quarantined row stops the publications holding this source's data until it is corrected
    # or released (error severity); otherwise it is published in the annex (warning).
    quarantine_blocks_publication: bool
    description: str
    preview_columns: str
    # The great-expectations suite of what lands: (gx) -> expectations. Named after the raw table.
    expectations: Callable[[object], list] | None = None
    # For a source that arrives as one file at an address: the `Settings` attribute holding it.
    address_setting: str | None = None
    # Which landed payloads (landing-zone source name, path) this source loads; by default those
    # landed under its own name.
    claims: Callable[[str, Path], bool] | None = None
    # A loader of its own for one file, when the shared path needs to learn something from the
    # file first (the Explorer's row of column indices above its header); by default `load_file`.
    loader: Callable[..., object] | None = None
    kinds: frozenset[str] = frozenset({"duckdb", "csv"})
    # Sources read by the daily forms run: they go stale in days, the others in weeks.
    daily: bool = False
    # Columns of its raw table that hold personal data on purpose (the contacts' addresses): never
    # read by staging, never copied out of the raw zone (not even to the postgres target).
    personal_columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.tabular.name

    @property
    def table(self) -> str:
        """The raw table, qualified (raw.<entity>)."""
        return self.tabular.target_table

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def asset_key(self) -> list[str]:
        return ["raw", self.table_name]

    def table_ddl(self) -> str:
        return self.ddl() if callable(self.ddl) else self.ddl

    def loads(self, landing_source: str, path: Path) -> bool:
        return self.claims(landing_source, path) if self.claims else landing_source == self.name

    def load_file(self, con, landed, *, run_id: str | None):
        if self.loader is not None:
            return self.loader(con, landed, run_id=run_id)
        return load_file(con, self.tabular, landed, run_id=run_id)

    def load_files(self, con, landed_files, *, run_id: str | None):
        if self.loader is not None:
            return [self.loader(con, landed, run_id=run_id) for landed in landed_files]
        return load_files(con, self.tabular, landed_files, run_id=run_id)
