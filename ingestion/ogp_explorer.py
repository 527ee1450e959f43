"""OGP's older Explorer file (`ogpirm_live_data.csv`, action plans 2011-2014): IRM assessments
under the old methodology. Row 1 holds column indices and the header is row 2 (detected, not
assumed); trailing header cells are empty; ordinals are letter-prefixed (`b. Limited`), which
staging canonicalises. The file carries officials' names, e-mails and phones: those columns are
never loaded, not even into `raw_payload` (the landed file keeps them, as received)."""

from __future__ import annotations

import csv
import dataclasses
import functools

import duckdb

from ingestion import sql_expressions as sx
from ingestion.landing import LandedFile
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular import normalize_header, quote_ident
from ingestion.tabular_source import LoadResult, TabularSource, load_file, source_column

SOURCE = "ogp_explorer"
PERSONAL_DATA = ("contact_name", "contact_position", "contact_email", "contact_telephone")

# Both layouts OGP published: `latest_data/ogpirm_live_data.csv` (`Action Plan Number`, `Comm No`)
# and `data_to_export/ogpirm_live_data.csv` (`Action Plan No`).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "country": ("country", "country_locality"),
    "action_plan_number": ("action_plan_number", "action_plan_no", "plan_number", "ap_number"),
    "commitment_number": ("comm_no", "commitment_no", "commitment_number", "comm_number"),
    "commitment_title": ("commitment_title",),
    "short_title": ("short_title",),
    "full_text": ("full_text",),
    "theme": ("theme",),
    "lead_institution": ("lead_institution",),
    "supporting_institutions": ("supporting_institution_s", "supporting_institutions"),
    "year_of_submission": ("year_of_submission",),
    "progress_report_year": ("report_publication_year_progress_report",),
    "end_of_term_year": ("report_publication_year_end_of_term",),
    "starred_progress": ("starred_current_formula_progress_report",),
    "starred_end_of_term": ("starred_current_formula_end_of_term",),
    "start_date": ("start_date",),
    "end_date": ("end_date",),
    "specificity": ("specificity",),
    "specificity_code": ("_specificity",),
    "potential_impact": ("potential_impact",),
    "potential_impact_code": ("_pot_impact_coded",),
    "completion_progress": ("completion_progress_report",),
    "completion_progress_code": ("_completionprogress",),
    "completion_end_of_term": ("completion_end_of_term",),
    "completion_end_of_term_code": ("_completionendterm",),
    "did_it_open_government": ("did_it_open_government_end_of_term_only", "did_it_open_government"),
    "did_it_open_government_code": ("_opengovt",),
}
TEXT_FIELDS = tuple(FIELD_ALIASES)


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)

    kept = [c for c in columns if normalize_header(c) not in PERSONAL_DATA and not c.startswith("column")]
    payload = "struct_pack(" + ", ".join(f"{quote_ident(c)} := b.{quote_ident(c)}" for c in kept) + ")"
    fields = ",\n            ".join(f"{sx.text(col(f))} as {f}" for f in TEXT_FIELDS)
    return canonical_select(
        f"""
            {fields}
        """,
        raw_payload=f"to_json({payload})",
    )


OGP_EXPLORER = TabularSource(
    name=SOURCE,
    target_table="raw.ogp_explorer_commitments",
    field_aliases=FIELD_ALIASES,
    required_fields=("country", "action_plan_number", "commitment_number"),
    canonical_select=_canonical_select,
    rules_sql="""
        case
            when country is null then 'missing_country'
            when commitment_number is null then 'missing_commitment_number'
        end
    """,
    reasons_sql="""
        case rule
            when 'missing_country' then 'fila ' || source_row_number || ': ' || 'no hay país'
            when 'missing_commitment_number' then 'fila ' || source_row_number || ': ' || 'no hay número de compromiso'
        end
    """,
    personal_data=PERSONAL_DATA,
    date_columns=("start_date", "end_date"),
    # Titles, texts and institutions are free text; the rest are codes, numbers, dates and flags.
    structured_fields=tuple(
        f
        for f in FIELD_ALIASES
        if f
        not in (
            "country",
            "commitment_title",
            "short_title",
            "full_text",
            "theme",
            "lead_institution",
            "supporting_institutions",
        )
    ),
)


def header_row_offset(path) -> int:
    """1 when the first row is OGP's row of column indices (0,1,2,...), else 0."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        first = next(csv.reader(handle), [])
    cells = [c.strip() for c in first if c.strip()]
    return 1 if cells and all(c.isdigit() for c in cells) and cells[:3] == ["0", "1", "2"] else 0


def load_ogp_explorer_file(con: duckdb.DuckDBPyConnection, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    spec = dataclasses.replace(OGP_EXPLORER, skip_rows=header_row_offset(landed.path))
    return load_file(con, spec, landed, run_id=run_id)


DDL = f"""
create table if not exists raw.ogp_explorer_commitments (
    country varchar,
    action_plan_number varchar,
    commitment_number varchar,
    commitment_title varchar,
    lead_institution varchar,
    year_of_submission varchar,
    specificity varchar,
    specificity_code varchar,
    potential_impact varchar,
    potential_impact_code varchar,
    completion_progress varchar,
    completion_progress_code varchar,
    completion_end_of_term varchar,
    completion_end_of_term_code varchar,
    did_it_open_government varchar,
    did_it_open_government_code varchar,
    -- raw_payload: without officials' contact data
    {RAW_BOOKKEEPING_COLUMNS}
);
alter table raw.ogp_explorer_commitments add column if not exists start_date varchar;
alter table raw.ogp_explorer_commitments add column if not exists end_date varchar;
alter table raw.ogp_explorer_commitments add column if not exists short_title varchar;
alter table raw.ogp_explorer_commitments add column if not exists full_text varchar;
alter table raw.ogp_explorer_commitments add column if not exists theme varchar;
alter table raw.ogp_explorer_commitments add column if not exists supporting_institutions varchar;
alter table raw.ogp_explorer_commitments add column if not exists progress_report_year varchar;
alter table raw.ogp_explorer_commitments add column if not exists end_of_term_year varchar;
alter table raw.ogp_explorer_commitments add column if not exists starred_progress varchar;
alter table raw.ogp_explorer_commitments add column if not exists starred_end_of_term varchar;
"""

SPEC = SourceSpec(
    OGP_EXPLORER,
    ddl=DDL,
    domain=Domain.REFERENCE,
    # A row of OGP's global exports is one commitment missing from the reference data (annex).
    quarantine_blocks_publication=False,
    address_setting="ogp_explorer_url",
    loader=load_ogp_explorer_file,
    preview_columns="country, action_plan_number, commitment_number, specificity, completion_progress",
    description=(
        "OGP's older Explorer file (2011-2014 plans, old IRM methodology), from OGP_EXPLORER_URL; officials' "
        "contact data is never loaded."
    ),
)
