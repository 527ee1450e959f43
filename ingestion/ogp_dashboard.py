"""OGP's Data Dashboard export: every member's commitments with the IRM's assessments.

The export has 171 columns (ids of 2-3 letters and 4 digits, plan ids AP_<member><nn>, 86 policy-area flags, old
and new IRM fields). It is loaded with every known column kept as text under a snake_case name;
staging types it. Columns renamed, missing or new against the known vintage are reported as
schema drift (missing ones load as NULL, new ones stay in `raw_payload`), never crashed on."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ingestion import sql_expressions as sx
from ingestion.source_spec import (
    OGP_ACTION_PLAN_ID,
    OGP_COMMITMENT_ID,
    RAW_BOOKKEEPING_COLUMNS,
    Domain,
    SourceSpec,
    canonical_select,
)
from ingestion.tabular import quote_ident, snake_case
from ingestion.tabular_source import TabularSource

SOURCE = "ogp_dashboard"
TABLE = "raw.ogp_dashboard_commitments"


@lru_cache(maxsize=1)
def known_columns() -> tuple[str, ...]:
    """The export's header as published on 2024-07-03 (the vintage the platform was built on)."""
    text = resources.files("ingestion").joinpath("schemas/ogp_dashboard_columns.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line)


def dashboard_table_ddl() -> str:
    columns = ",\n    ".join(f"{quote_ident(snake_case(c))} varchar" for c in known_columns())
    return f"""
create table if not exists {TABLE} (
    {columns},
    {RAW_BOOKKEEPING_COLUMNS}
);"""


def schema_drift(columns: list[str]) -> dict:
    known = {snake_case(c): c for c in known_columns()}
    seen = {snake_case(c): c for c in columns}
    return {
        "missing_columns": sorted(known[k] for k in known.keys() - seen.keys()),
        "new_columns": sorted(seen[k] for k in seen.keys() - known.keys()),
        "drift": bool(known.keys() ^ seen.keys()),
    }


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    present = {snake_case(c): c for c in columns}
    selects = []
    for original in known_columns():
        name = snake_case(original)
        source = f"b.{quote_ident(present[name])}" if name in present else "cast(null as varchar)"
        selects.append(f"{sx.text(source)} as {quote_ident(name)}")
    return canonical_select(
        f"""
            {", ".join(selects)}
        """
    )


# Columns of the export written by people (titles, texts, institutions): searched for personal
# data. The other known columns are codes, flags, numbers and dates; columns the platform does not
# know yet are searched too.
FREE_TEXT_COLUMNS = frozenset(
    {
        "theme",
        "commitment_title",
        "short_title",
        "full_text",
        "lead_institution",
        "supporting_institution_s",
    }
)


def structured_columns(mapping: dict[str, str], columns: list[str]) -> set[str]:
    known = set(map(snake_case, known_columns())) - FREE_TEXT_COLUMNS
    return {c for c in columns if snake_case(c) in known}


RULES_SQL = """
    case
        when not regexp_full_match(coalesce(commitment_unique_identifier, ''), '[A-Z]{2,3}[0-9]{4}') then 'bad_commitment_id'
        when action_plan_id is not null and not regexp_full_match(action_plan_id, 'AP_[A-Z]{2,5}[0-9]{2}') then 'bad_action_plan_id'
        when row_number() over (partition by commitment_unique_identifier order by source_row_number) > 1 then 'duplicate_commitment'
    end
"""

REASONS_SQL = """
    case rule
        when 'bad_commitment_id' then 'fila ' || source_row_number || ': ' || 'el identificador «' ||
            coalesce(commitment_unique_identifier, '') || '» no tiene la forma de OGP (2 o 3 letras y 4 cifras)'
        when 'bad_action_plan_id' then 'fila ' || source_row_number || ': ' || 'el código de plan «' ||
            action_plan_id || '» no tiene la forma de OGP (AP_, el código del miembro y el número del plan)'
        when 'duplicate_commitment' then 'fila ' || source_row_number || ': ' || 'el compromiso ' ||
            commitment_unique_identifier || ' aparece más de una vez en la exportación'
    end
"""

OGP_DASHBOARD = TabularSource(
    name=SOURCE,
    target_table=TABLE,
    field_aliases={"commitment_unique_identifier": ("commitment_unique_identifier",)},
    required_fields=("commitment_unique_identifier",),
    canonical_select=_canonical_select,
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL,
    describe_schema=schema_drift,
    date_columns=("start_date", "end_date"),
    structured_columns=structured_columns,
)


def expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToMatchRegex(column="commitment_unique_identifier", regex=OGP_COMMITMENT_ID),
        e.ExpectColumnValuesToBeUnique(column="commitment_unique_identifier"),
        e.ExpectColumnValuesToMatchRegex(column="action_plan_id", regex=OGP_ACTION_PLAN_ID, mostly=1.0),
    ]


SPEC = SourceSpec(
    OGP_DASHBOARD,
    ddl=dashboard_table_ddl,  # the export's columns are data, read once from the known vintage
    domain=Domain.REFERENCE,
    # A row of OGP's global exports is one commitment missing from the reference data (annex).
    quarantine_blocks_publication=False,
    expectations=expectations,
    address_setting="ogp_dashboard_url",
    preview_columns="commitment_unique_identifier, action_plan_id, commitment_title, lead_institution",
    description="OGP Data Dashboard export (every member's commitments and IRM assessments), from OGP_DASHBOARD_URL.",
)
