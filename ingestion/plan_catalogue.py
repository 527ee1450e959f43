"""The plan catalogue: the milestones of each commitment with their weights and planned dates,
as the Dirección de Gobierno Abierto keeps them (one spreadsheet row per milestone). Each landed
version is kept whole; dbt reads the latest and its snapshot keeps the history of replanning."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import duckdb

from ingestion import sql_expressions as sx
from ingestion.source_spec import (
    OGP_ACTION_PLAN_ID,
    OGP_COMMITMENT_ID,
    RAW_BOOKKEEPING_COLUMNS,
    Domain,
    SourceSpec,
    canonical_select,
)
from ingestion.tabular import load_table
from ingestion.tabular_source import TabularSource, map_columns, source_column

SOURCE = "plan_catalogue"

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "action_plan_id": ("action_plan_id", "id_plan_de_accion", "id_plan", "plan"),
    "commitment_id": ("commitment_id", "id_compromiso", "codigo_compromiso", "commitment_unique_identifier"),
    "commitment_number": ("commitment_number", "numero_compromiso", "numero_del_compromiso"),
    "milestone_code": ("milestone_code", "codigo_hito", "codigo_del_hito"),
    "milestone_title": ("milestone_title", "hito", "titulo_del_hito", "nombre_del_hito", "actividad"),
    "weight": ("weight", "peso", "ponderacion", "peso_del_hito"),
    "planned_start": ("planned_start", "fecha_inicio", "fecha_de_inicio", "inicio_planificado"),
    "planned_end": ("planned_end", "fecha_fin", "fecha_de_fin", "fin_planificado"),
    "responsible_institution": (
        "responsible_institution",
        "institucion_responsable",
        "entidad_responsable",
        "institucion",
    ),
    # Optional: the date the core group withdrew the milestone from the plan (it stops counting).
    "withdrawn_on": ("withdrawn_on", "fecha_retiro", "fecha_de_retiro", "retirado_el"),
}
REQUIRED_FIELDS = ("action_plan_id", "commitment_id", "milestone_code", "weight", "planned_start", "planned_end")


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)

    return canonical_select(
        f"""
            upper({sx.text(col("action_plan_id"))}) as action_plan_id,
            upper({sx.text(col("commitment_id"))}) as commitment_id,
            {sx.text(col("commitment_number"))} as commitment_number,
            {sx.code(col("milestone_code"))} as milestone_code,
            {sx.text(col("milestone_title"))} as milestone_title,
            {sx.number(col("weight"))} as weight,
            {sx.text(col("weight"))} as weight_raw,
            {sx.calendar_date(col("planned_start"))} as planned_start,
            {sx.text(col("planned_start"))} as planned_start_raw,
            {sx.calendar_date(col("planned_end"))} as planned_end,
            {sx.text(col("planned_end"))} as planned_end_raw,
            {sx.text(col("responsible_institution"))} as responsible_institution,
            {sx.calendar_date(col("withdrawn_on"))} as withdrawn_on,
            {sx.text(col("withdrawn_on"))} as withdrawn_on_raw
        """
    )


RULES_SQL = """
    case
        when milestone_code is null then 'missing_milestone'
        when not regexp_full_match(coalesce(commitment_id, ''), '[A-Z]{2,3}[0-9]{4}') then 'bad_commitment_id'
        when not regexp_full_match(coalesce(action_plan_id, ''), 'AP_[A-Z]{2,5}[0-9]{2}') then 'bad_action_plan_id'
        when weight is null or weight < 0 then 'bad_weight'
        when planned_start is null or planned_end is null then 'unparseable_date'
        when planned_end < planned_start then 'end_before_start'
        when withdrawn_on_raw is not null and withdrawn_on is null then 'unparseable_withdrawal_date'
        when row_number() over (partition by milestone_code order by source_row_number) > 1 then 'duplicate_milestone'
    end
"""

REASONS_SQL = """
    case rule
        when 'missing_milestone' then 'fila ' || source_row_number || ': ' || 'el hito no tiene código'
        when 'bad_commitment_id' then 'fila ' || source_row_number || ': ' || 'el código de compromiso «' ||
            coalesce(commitment_id, '') || '» no tiene la forma de OGP (2 o 3 letras y 4 cifras)'
        when 'bad_action_plan_id' then 'fila ' || source_row_number || ': ' || 'el código de plan «' ||
            coalesce(action_plan_id, '') ||
            '» no tiene la forma de OGP (AP_, el código del miembro y el número del plan)'
        when 'bad_weight' then 'fila ' || source_row_number || ': ' || 'el peso «' || coalesce(weight_raw, '')
            || '» no es un número positivo'
        when 'unparseable_date' then 'fila ' || source_row_number || ': ' || 'las fechas planificadas «' ||
            coalesce(planned_start_raw, '') || '» / «' || coalesce(planned_end_raw, '') || '» no son fechas'
        when 'end_before_start' then 'fila ' || source_row_number || ': ' || 'el fin planificado ' ||
            planned_end_raw || ' es anterior al inicio ' || planned_start_raw
        when 'unparseable_withdrawal_date' then 'fila ' || source_row_number || ': ' || 'la fecha de retiro «'
            || withdrawn_on_raw || '» no es una fecha'
        when 'duplicate_milestone' then 'fila ' || source_row_number || ': ' || 'el hito ' || milestone_code ||
            ' aparece más de una vez en el catálogo'
    end
"""

PLAN_CATALOGUE = TabularSource(
    name=SOURCE,
    target_table="raw.plan_milestones",
    field_aliases=FIELD_ALIASES,
    required_fields=REQUIRED_FIELDS,
    canonical_select=_canonical_select,
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL,
    structured_fields=(
        "action_plan_id",
        "commitment_id",
        "commitment_number",
        "milestone_code",
        "weight",
        "planned_start",
        "planned_end",
        "withdrawn_on",
    ),
)


DDL = f"""
create table if not exists raw.plan_milestones (
    action_plan_id varchar,
    commitment_id varchar,
    commitment_number varchar,
    milestone_code varchar,
    milestone_title varchar,
    weight double,
    weight_raw varchar,
    planned_start date,
    planned_start_raw varchar,
    planned_end date,
    planned_end_raw varchar,
    responsible_institution varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
alter table raw.plan_milestones add column if not exists withdrawn_on date;
alter table raw.plan_milestones add column if not exists withdrawn_on_raw varchar;
"""


def expectations(gx) -> list:
    e = gx.expectations
    return [
        e.ExpectColumnValuesToMatchRegex(column="commitment_id", regex=OGP_COMMITMENT_ID),
        e.ExpectColumnValuesToMatchRegex(column="action_plan_id", regex=OGP_ACTION_PLAN_ID),
        e.ExpectColumnValuesToBeBetween(column="weight", min_value=0),
        e.ExpectColumnValuesToNotBeNull(column="planned_start"),
        e.ExpectColumnValuesToNotBeNull(column="planned_end"),
    ]


SPEC = SourceSpec(
    PLAN_CATALOGUE,
    ddl=DDL,
    domain=Domain.PROGRESS,
    # A catalogue row that cannot be used leaves the plan's definition incomplete, so every figure could be wrong.
    quarantine_blocks_publication=True,
    expectations=expectations,
    address_setting="plan_catalogue_url",
    preview_columns="action_plan_id, commitment_id, milestone_code, weight, planned_start, planned_end",
    description="The milestone catalogue of the tracked action plans (weights, planned dates), from OGP_PLAN_CATALOGUE_URL.",
)


def planned_month_range(path) -> tuple[date, date]:
    """The first and last month a catalogue file plans (its earliest start, its latest end)."""
    with duckdb.connect() as con:
        sx.create_parser_macros(con)
        columns = load_table(con, Path(path), "_batch")
        mapping = map_columns(columns, FIELD_ALIASES)
        first, last = con.execute(
            f"""select min({sx.calendar_date(source_column(mapping, "planned_start"))}),
                       max({sx.calendar_date(source_column(mapping, "planned_end"))}) from _batch b"""
        ).fetchone()
    return date(first.year, first.month, 1), date(last.year, last.month, 1)
