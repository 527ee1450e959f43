"""The registry of sources: every `SourceSpec` the platform loads, in one ordered list.

A new source is declared in its own module (its `TabularSource`, raw-table DDL, row rules and
great-expectations suite, as a `SourceSpec`) and listed here; the raw schema, the ingestion
assets and their checks, re-parsing, the publication gate and the quality suites follow from it.
Order matters once: a landed payload is loaded by the first spec that claims it (a forms drop
holding measurements is the indicator values', any other is a progress report)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion import dates, form_apis, intake, ledger, personal_data, quarantine
from ingestion.indicators import CATALOGUE_SPEC as INDICATOR_CATALOGUE
from ingestion.indicators import VALUES_SPEC as INDICATOR_VALUES
from ingestion.institution_contacts import SPEC as INSTITUTION_CONTACTS
from ingestion.local_government_index import SPEC as LOCAL_GOVERNMENT_INDEX
from ingestion.ogp_dashboard import SPEC as OGP_DASHBOARD
from ingestion.ogp_explorer import SPEC as OGP_EXPLORER
from ingestion.open_data_portal import (
    DATASETS_SPEC as PORTAL_DATASETS,
)
from ingestion.open_data_portal import (
    EVIDENCE_CHECKS_SPEC as PORTAL_EVIDENCE_CHECKS,
)
from ingestion.open_data_portal import (
    ORGANIZATIONS_SPEC as PORTAL_ORGANIZATIONS,
)
from ingestion.plan_catalogue import SPEC as PLAN_CATALOGUE
from ingestion.progress_reports import SPEC as PROGRESS_REPORTS
from ingestion.source_spec import Domain, SourceSpec
from ingestion.tracked_members import SPEC as TRACKED_MEMBERS

SOURCES: tuple[SourceSpec, ...] = (
    TRACKED_MEMBERS,  # first: re-parsing loads it before the others (its countries guide the phone redaction)
    INDICATOR_VALUES,
    PROGRESS_REPORTS,
    PLAN_CATALOGUE,
    INDICATOR_CATALOGUE,
    OGP_DASHBOARD,
    OGP_EXPLORER,
    LOCAL_GOVERNMENT_INDEX,
    PORTAL_DATASETS,
    PORTAL_ORGANIZATIONS,
    PORTAL_EVIDENCE_CHECKS,
    INSTITUTION_CONTACTS,
)
BY_NAME: dict[str, SourceSpec] = {spec.name: spec for spec in SOURCES}
BY_TABLE: dict[str, SourceSpec] = {spec.table_name: spec for spec in SOURCES}

# Tables every source writes (they say nothing about which data an asset holds), in creation order.
BOOKKEEPING_DDL = (ledger.DDL, quarantine.DDL, form_apis.CURSORS_DDL, dates.DDL, personal_data.DDL, intake.DDL)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and every table in it (and columns added since), if missing."""
    con.execute("create schema if not exists raw")
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    for spec in SOURCES:
        con.execute(spec.table_ddl())


def spec_for_landed(landing_source: str, path: Path) -> SourceSpec:
    """The source that loads a payload landed under `landing_source` (the first that claims it)."""
    for spec in SOURCES:
        if spec.loads(landing_source, path):
            return spec
    raise LookupError(f"no source loads payloads landed as {landing_source!r}")


def blocking_sources(domains: frozenset[Domain] | set[Domain]) -> list[str]:
    """Sources of `domains` whose quarantined rows stop a publication."""
    return [spec.name for spec in SOURCES if spec.quarantine_blocks_publication and spec.domain in domains]


def personal_columns() -> dict[str, tuple[str, ...]]:
    """Raw table -> the columns that hold personal data on purpose and never leave the raw zone."""
    return {spec.table_name: spec.personal_columns for spec in SOURCES if spec.personal_columns}


def reference_tables() -> frozenset[str]:
    return frozenset(spec.table_name for spec in SOURCES if spec.domain == Domain.REFERENCE)
