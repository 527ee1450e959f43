"""The local-government open-government maturity index that the association of municipalities
(AME) sends as a spreadsheet: one row per municipality and year, one column per dimension score
(0-100) and the overall index. Loaded as sent; dbt turns it into municipality x year x dimension."""

from __future__ import annotations

import functools

from ingestion import sql_expressions as sx
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular_source import TabularSource, source_column

SOURCE = "local_government_index"
DIMENSIONS = ("transparency", "participation", "accountability", "open_data")

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "municipality": ("municipality", "municipio", "gad_municipal", "canton", "gobierno_local"),
    "province": ("province", "provincia"),
    "year": ("year", "ano", "anio", "periodo"),
    "transparency": ("transparency", "transparencia"),
    "participation": ("participation", "participacion_ciudadana", "participacion"),
    "accountability": ("accountability", "rendicion_de_cuentas", "rendicion_cuentas"),
    "open_data": ("open_data", "datos_abiertos"),
    "index_score": ("index_score", "indice_de_gobierno_abierto", "indice", "indice_total", "puntaje_total"),
}
REQUIRED_FIELDS = ("municipality", "year", "index_score")


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)

    scores = ",\n            ".join(f"{sx.number(col(d))} as {d}" for d in (*DIMENSIONS, "index_score"))
    return canonical_select(
        f"""
            {sx.text(col("municipality"))} as municipality,
            {sx.text(col("province"))} as province,
            try_cast(trim({col("year")}) as integer) as year,
            {scores}
        """
    )


_SCORES_OUT_OF_RANGE = " or ".join(f"{d} < 0 or {d} > 100" for d in (*DIMENSIONS, "index_score"))

RULES_SQL = f"""
    case
        when municipality is null then 'missing_municipality'
        when year is null or year < 2000 or year > 2100 then 'bad_year'
        when index_score is null then 'unparseable_score'
        when {_SCORES_OUT_OF_RANGE} then 'score_out_of_range'
        when row_number() over (partition by lower(municipality), year order by source_row_number) > 1 then 'duplicate_municipality_year'
    end
"""

REASONS_SQL = """
    case rule
        when 'missing_municipality' then 'fila ' || source_row_number || ': ' || 'no hay nombre de municipio'
        when 'bad_year' then 'fila ' || source_row_number || ': ' || 'el año no es un año entre 2000 y 2100'
        when 'unparseable_score' then 'fila ' || source_row_number || ': ' || 'el índice general no es un número'
        when 'score_out_of_range' then 'fila ' || source_row_number || ': ' || 'una puntuación está fuera de 0-100'
        when 'duplicate_municipality_year' then 'fila ' || source_row_number || ': ' || municipality || ' aparece dos veces en ' || year
    end
"""

LOCAL_GOVERNMENT_INDEX = TabularSource(
    name=SOURCE,
    target_table="raw.local_government_index",
    field_aliases=FIELD_ALIASES,
    required_fields=REQUIRED_FIELDS,
    canonical_select=_canonical_select,
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL,
    structured_fields=("year", "transparency", "participation", "accountability", "open_data", "index_score"),
)


DDL = f"""
create table if not exists raw.local_government_index (
    municipality varchar,
    province varchar,
    year integer,
    transparency double,
    participation double,
    accountability double,
    open_data double,
    index_score double,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""


def expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="municipality"),
        e.ExpectColumnValuesToBeBetween(column="index_score", min_value=0, max_value=100),
        e.ExpectColumnValuesToBeBetween(column="year", min_value=2000, max_value=2100),
        e.ExpectCompoundColumnsToBeUnique(column_list=["municipality", "year"]),
    ]


SPEC = SourceSpec(
    LOCAL_GOVERNMENT_INDEX,
    ddl=DDL,
    domain=Domain.REFERENCE,
    # A missing municipality-year changes the published ranking.
    quarantine_blocks_publication=True,
    expectations=expectations,
    address_setting="local_government_index_url",
    preview_columns="municipality, province, year, index_score",
    description="Local-government open-government maturity index (municipality x year, dimension scores), from OGP_LOCAL_INDEX_URL.",
)
