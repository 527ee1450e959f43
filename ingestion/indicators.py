"""Indicators: the catalogue of each commitment's indicators (unit, baseline, target, frequency,
direction) and the measurements institutions send with the same forms as their progress reports
(indicator code, period, value, evidence) — the second canonical record of the forms."""

from __future__ import annotations

import functools

from ingestion import sql_expressions as sx
from ingestion.progress_reports import FIELD_ALIASES as REPORT_ALIASES
from ingestion.progress_reports import PROGRESS_REPORTS
from ingestion.source_spec import OGP_COMMITMENT_ID, RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular import peek_columns
from ingestion.tabular_source import (
    TabularSource,
    header_score,
    map_columns,
    source_column,
)

CATALOGUE_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator_code": ("indicator_code", "codigo_del_indicador", "codigo_indicador"),
    "commitment_id": ("commitment_id", "id_compromiso", "codigo_compromiso"),
    "milestone_code": ("milestone_code", "codigo_hito", "codigo_del_hito"),
    "indicator_name": ("indicator_name", "indicador", "nombre_del_indicador", "nombre"),
    "unit": ("unit", "unidad", "unidad_de_medida"),
    "baseline": ("baseline", "linea_base", "linea_de_base"),
    "target": ("target", "meta"),
    "frequency": ("frequency", "frecuencia"),
    "direction": ("direction", "sentido", "tendencia_esperada"),
}


def _catalogue_select(mapping: dict[str, str], columns: list[str]) -> str:
    c = functools.partial(source_column, mapping)
    return canonical_select(
        f"""
            {sx.code(c("indicator_code"))} as indicator_code,
            {sx.code(c("commitment_id"))} as commitment_id,
            {sx.code(c("milestone_code"))} as milestone_code,
            {sx.text(c("indicator_name"))} as indicator_name,
            {sx.text(c("unit"))} as unit,
            {sx.number(c("baseline"))} as baseline,
            {sx.number(c("target"))} as target,
            case lower(trim({c("frequency")}))
                when 'mensual' then 'monthly' when 'monthly' then 'monthly'
                when 'trimestral' then 'quarterly' when 'quarterly' then 'quarterly'
                when 'anual' then 'yearly' when 'yearly' then 'yearly' when 'annual' then 'yearly'
            end as frequency,
            case lower(trim({c("direction")}))
                when 'ascendente' then 'increase' when 'aumentar' then 'increase' when 'increase' then 'increase'
                when 'descendente' then 'decrease' when 'disminuir' then 'decrease' when 'decrease' then 'decrease'
            end as direction
        """
    )


INDICATOR_CATALOGUE = TabularSource(
    name="indicator_catalogue",
    target_table="raw.indicator_catalogue",
    field_aliases=CATALOGUE_ALIASES,
    required_fields=("indicator_code", "commitment_id", "indicator_name", "target"),
    canonical_select=_catalogue_select,
    rules_sql="""
        case
            when indicator_code is null then 'missing_indicator'
            when not regexp_full_match(coalesce(commitment_id, ''), '[A-Z]{2,3}[0-9]{4}') then 'bad_commitment_id'
            when target is null then 'unparseable_target'
            when frequency is null then 'unknown_frequency'
            when direction is null then 'unknown_direction'
            when row_number() over (partition by indicator_code order by _file_position, source_row_number) > 1 then 'duplicate_indicator'
        end
    """,
    reasons_sql="""
        case rule
            when 'missing_indicator' then 'fila ' || source_row_number || ': ' || 'no hay código de indicador'
            when 'bad_commitment_id' then 'fila ' || source_row_number || ': ' || 'el código de compromiso «'
                || coalesce(commitment_id, '') || '» no tiene la forma de OGP (2 o 3 letras y 4 cifras)'
            when 'unparseable_target' then 'fila ' || source_row_number || ': ' || 'la meta no es un número'
            when 'unknown_frequency' then 'fila ' || source_row_number || ': ' || 'la frecuencia debe ser mensual, trimestral o anual'
            when 'unknown_direction' then 'fila ' || source_row_number || ': ' || 'el sentido debe ser ascendente o descendente'
            when 'duplicate_indicator' then 'fila ' || source_row_number || ': ' || 'el indicador ' ||
                indicator_code || ' aparece dos veces'
        end
    """,
    structured_fields=(
        "indicator_code",
        "commitment_id",
        "milestone_code",
        "unit",
        "baseline",
        "target",
        "frequency",
        "direction",
    ),
)

VALUE_ALIASES: dict[str, tuple[str, ...]] = {
    "submission_id": ("submission_id", "id_envio", "_uuid", "__id", "_id"),
    "submitted_at": ("submitted_at", "marca_temporal", "_submission_time", "timestamp"),
    "indicator_code": ("indicator_code", "codigo_del_indicador", "codigo_indicador"),
    "period": ("period", "periodo", "periodo_medido", "periodo_que_se_reporta"),
    "value": ("value", "valor", "valor_medido"),
    "evidence_url": ("evidence_url", "evidencia", "enlace_a_la_evidencia", "enlaces_a_evidencias"),
    "institution": ("institution", "institucion"),
}


def _values_select(mapping: dict[str, str], columns: list[str]) -> str:
    c = functools.partial(source_column, mapping)
    derived_id = (
        f"'indicator-' || md5(concat_ws('|', {c('submitted_at')}, {c('indicator_code')}, {c('period')}, {c('value')}))"
    )
    return canonical_select(
        f"""
            coalesce({sx.text(c("submission_id"))}, {derived_id}) as submission_id,
            {sx.timestamp(c("submitted_at"))} as submitted_at,
            {sx.code(c("indicator_code"))} as indicator_code,
            {sx.text(c("period"))} as period_raw,
            {sx.period_start(c("period"))} as period_start,
            {sx.period_precision(c("period"))} as period_precision,
            {sx.number(c("value"))} as value,
            {sx.text(c("value"))} as value_raw,
            {sx.text(c("evidence_url"))} as evidence_url,
            {sx.text(c("institution"))} as institution
        """
    )


INDICATOR_VALUES = TabularSource(
    name="indicator_values",
    target_table="raw.indicator_values",
    field_aliases=VALUE_ALIASES,
    required_fields=("indicator_code", "period", "value"),
    canonical_select=_values_select,
    rules_sql="""
        case
            when indicator_code is null then 'missing_indicator'
            when period_start is null then 'unparseable_period'
            when value is null then 'unparseable_value'
            when row_number() over (partition by submission_id order by _file_position, source_row_number) > 1 then 'duplicate_submission'
            when submission_id in (select submission_id from raw.indicator_values) then 'duplicate_submission'
        end
    """,
    reasons_sql="""
        case rule
            when 'missing_indicator' then 'fila ' || source_row_number || ': ' || 'no hay código de indicador'
            when 'unparseable_period' then 'fila ' || source_row_number || ': ' || 'el periodo «' ||
                coalesce(period_raw, '') || '» no es un mes, trimestre ni año'
            when 'unparseable_value' then 'fila ' || source_row_number || ': ' || 'el valor «' ||
                coalesce(value_raw, '') || '» no es un número'
            when 'duplicate_submission' then 'fila ' || source_row_number || ': ' || 'el envío ' || submission_id || ' ya se había recibido'
        end
    """,
    structured_fields=("submission_id", "submitted_at", "indicator_code", "period", "value", "evidence_url"),
)


def is_indicator_file(columns: list[str]) -> bool:
    """Files from the forms carry either progress reports or indicator measurements: an indicator
    code and a value without a milestone code mean measurements."""
    values = map_columns(columns, VALUE_ALIASES)
    reports = map_columns(columns, REPORT_ALIASES)
    return "indicator_code" in values and "value" in values and "milestone_code" not in reports


def holds_indicator_values(path) -> bool:
    """Whether a form file (any kind, a title block above its header or not) holds measurements."""
    return is_indicator_file(peek_columns(path, header_score=header_score(PROGRESS_REPORTS, INDICATOR_VALUES)))


VALUES_DDL = f"""
create table if not exists raw.indicator_values (
    submission_id varchar not null,
    submitted_at timestamp,
    indicator_code varchar not null,
    period_raw varchar,
    period_start date not null,
    period_precision varchar not null,
    value double not null,
    value_raw varchar,
    evidence_url varchar,
    institution varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""

CATALOGUE_DDL = f"""
create table if not exists raw.indicator_catalogue (
    indicator_code varchar,
    commitment_id varchar,
    milestone_code varchar,
    indicator_name varchar,
    unit varchar,
    baseline double,
    target double,
    frequency varchar,
    direction varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""


def values_expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToNotBeNull(column="indicator_code"),
        e.ExpectColumnValuesToNotBeNull(column="period_start"),
        e.ExpectColumnValuesToBeInSet(column="period_precision", value_set=["month", "quarter", "year"]),
        e.ExpectColumnValuesToBeUnique(column="submission_id"),
    ]


def catalogue_expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeUnique(column="indicator_code"),
        e.ExpectColumnValuesToMatchRegex(column="commitment_id", regex=OGP_COMMITMENT_ID),
        e.ExpectColumnValuesToBeInSet(column="frequency", value_set=["monthly", "quarterly", "yearly"]),
        e.ExpectColumnValuesToBeInSet(column="direction", value_set=["increase", "decrease"]),
    ]


VALUES_SPEC = SourceSpec(
    INDICATOR_VALUES,
    ddl=VALUES_DDL,
    domain=Domain.PROGRESS,
    quarantine_blocks_publication=False,
    expectations=values_expectations,
    claims=lambda landing_source, path: landing_source == "forms" and holds_indicator_values(path),
    kinds=frozenset({"duckdb", "csv", "xlsx"}),
    daily=True,
    preview_columns="submission_id, indicator_code, period_raw, period_start, value",
    description="Indicator measurements sent with the same forms (indicator code, period, value, evidence).",
)

CATALOGUE_SPEC = SourceSpec(
    INDICATOR_CATALOGUE,
    ddl=CATALOGUE_DDL,
    domain=Domain.PROGRESS,
    # A catalogue row that cannot be used leaves the plan's definition incomplete.
    quarantine_blocks_publication=True,
    expectations=catalogue_expectations,
    address_setting="indicator_catalogue_url",
    preview_columns="indicator_code, commitment_id, indicator_name, unit, baseline, target",
    description="The indicators of each commitment (unit, baseline, target, frequency, direction), from OGP_INDICATOR_CATALOGUE_URL.",
)
