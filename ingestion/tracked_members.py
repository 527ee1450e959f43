"""The OGP members the platform follows, national and local: a small table the deployment keeps
(`OGP_TRACKED_MEMBERS`, a CSV or workbook at a path or URL), one row per member with its OGP code,
the name its publication shows, its level, for a local member the municipality whose maturity
index its report shows, and its country's ISO code (how phone numbers are written there: the
personal-data redaction searches those). Which plans a member has comes from the plan catalogue (the plan
id carries the member code); nothing in the code names a member."""

from __future__ import annotations

import functools

import duckdb

from ingestion import sql_expressions as sx
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular_source import TabularSource, source_column

SOURCE = "tracked_members"

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "member_code": ("member_code", "codigo_miembro", "codigo", "code"),
    "member_name": ("member_name", "nombre", "miembro", "name"),
    "member_level": ("member_level", "nivel", "level"),
    "municipality": ("municipality", "municipio", "gobierno_local"),
    "country": ("country", "pais", "codigo_pais"),
}
REQUIRED_FIELDS = ("member_code", "member_name", "member_level")
# Levels as written, to the two the platform publishes apart (a level outside these is
# quarantined with its value: which report a member gets must not be guessed).
LEVELS = {"nacional": "national", "national": "national", "local": "local"}


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)
    levels = " ".join(f"when '{written}' then '{level}'" for written, level in LEVELS.items())
    return canonical_select(
        f"""
            upper({sx.text(col("member_code"))}) as member_code,
            {sx.text(col("member_name"))} as member_name,
            case lower({sx.text(col("member_level"))}) {levels} end as member_level,
            {sx.text(col("member_level"))} as member_level_raw,
            {sx.text(col("municipality"))} as municipality,
            upper({sx.text(col("country"))}) as country
        """
    )


RULES_SQL = """
    case
        when not regexp_full_match(coalesce(member_code, ''), '[A-Z]{2,5}') then 'bad_member_code'
        when member_name is null then 'missing_member_name'
        when member_level is null then 'unknown_member_level'
        when member_level = 'local' and municipality is null then 'local_member_without_municipality'
        when not regexp_full_match(coalesce(country, ''), '[A-Z]{2}') then 'bad_country'
        when row_number() over (partition by member_code order by source_row_number) > 1 then 'duplicate_member'
    end
"""

REASONS_SQL = """
    case rule
        when 'bad_member_code' then 'fila ' || source_row_number || ': el código de miembro «' || coalesce(member_code, '')
            || '» no es un código de OGP (2 a 5 letras, el de sus planes AP_<código><número>)'
        when 'missing_member_name' then 'fila ' || source_row_number || ': falta el nombre del miembro ' || member_code
        when 'unknown_member_level' then 'fila ' || source_row_number || ': el nivel «' || coalesce(member_level_raw, '')
            || '» de ' || member_code || ' no es nacional ni local'
        when 'local_member_without_municipality' then 'fila ' || source_row_number || ': el miembro local ' || member_code
            || ' no dice su municipio (el del índice de gobierno abierto local)'
        when 'bad_country' then 'fila ' || source_row_number || ': el país «' || coalesce(country, '') || '» de ' || member_code
            || ' no es un código ISO 3166 de dos letras (el que dice cómo se escriben allí los teléfonos)'
        when 'duplicate_member' then 'fila ' || source_row_number || ': ' || member_code || ' aparece dos veces'
    end
"""

TRACKED_MEMBERS = TabularSource(
    name=SOURCE,
    target_table="raw.tracked_members",
    field_aliases=FIELD_ALIASES,
    required_fields=REQUIRED_FIELDS,
    canonical_select=_canonical_select,
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL,
    structured_fields=("member_code", "member_level"),
)


def members_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any members file was loaded (its countries decide which phone formats are redacted)."""
    try:
        return con.execute("select count(*) > 0 from raw.tracked_members").fetchone()[0]
    except duckdb.CatalogException:  # a warehouse from before the table existed
        return False


DDL = f"""
create table if not exists raw.tracked_members (
    member_code varchar,
    member_name varchar,
    member_level varchar,
    member_level_raw varchar,
    municipality varchar,
    country varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""


def expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeUnique(column="member_code"),
        e.ExpectColumnValuesToNotBeNull(column="member_name"),
        e.ExpectColumnValuesToBeInSet(column="member_level", value_set=sorted(set(LEVELS.values()))),
    ]


SPEC = SourceSpec(
    TRACKED_MEMBERS,
    ddl=DDL,
    # Which members a publication is about, and how it names them.
    domain=Domain.PROGRESS,
    quarantine_blocks_publication=True,
    expectations=expectations,
    address_setting="tracked_members_url",
    preview_columns="member_code, member_name, member_level, municipality",
    description="The OGP members the platform follows (code, name, national or local, municipality), from OGP_TRACKED_MEMBERS.",
)
