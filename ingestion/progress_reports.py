"""Progress reports: one canonical record whatever tool the institution used.

This module maps a landed spreadsheet (a Google Forms export with its Spanish `Marca temporal`,
the project's own Excel/CSV template, or a KoboToolbox CSV export with `group/question` headers)
to `raw.progress_reports`, and every row that cannot be loaded to `raw.quarantine` with the rule
it broke. The API adapters (KoboToolbox, ODK Central) produce the same record.
"""

from __future__ import annotations

import functools

from ingestion import sql_expressions as sx
from ingestion.source_spec import OGP_COMMITMENT_ID, RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular import normalize_header
from ingestion.tabular_source import TabularSource, source_column

SOURCE = "progress_reports"

# Canonical field -> header names institutions' tools use (normalised by `normalize_header`).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "submission_id": ("submission_id", "id_envio", "id_del_envio", "_uuid", "instanceid", "__id", "_id"),
    "submitted_at": (
        "submitted_at",
        "marca_temporal",
        "timestamp",
        "_submission_time",
        "fecha_de_envio",
        "submissiondate",
    ),
    "reporting_month": (
        "reporting_month",
        "mes_reportado",
        "mes_que_se_reporta",
        "mes_de_reporte",
        "periodo_reportado",
    ),
    "institution": ("institution", "institucion", "institucion_que_reporta", "institucion_responsable", "entidad"),
    "commitment_code": ("commitment_code", "codigo_del_compromiso", "codigo_compromiso", "compromiso"),
    "milestone_code": ("milestone_code", "codigo_del_hito", "codigo_hito", "hito"),
    "percent_complete": ("percent_complete", "porcentaje_de_avance", "porcentaje_avance", "avance", "completitud"),
    "status": ("status", "estado_del_hito", "estado"),
    "narrative": ("narrative", "descripcion_del_avance", "descripcion_de_acciones_desarrolladas", "descripcion"),
    "evidence_urls": ("evidence_urls", "enlaces_a_evidencias", "evidencias", "enlaces_de_evidencia"),
    "challenges": ("challenges", "dificultades", "dificultades_encontradas", "observaciones"),
    "review_state": (
        "review_state",
        "estado_de_revision",
        "revision_de_la_contraparte",
        "_validation_status",
        "reviewstate",
    ),
}
REQUIRED_FIELDS = ("milestone_code", "reporting_month", "percent_complete")

REVIEW_STATES_SQL = """
case
    when {v} is null or {v} in ('', 'pendiente', 'recibido', 'received', 'validation_status_on_hold', 'pending') then 'received'
    when {v} in ('aprobado', 'approved', 'validation_status_approved', 'aceptado') then 'approved'
    when {v} in ('con observaciones', 'hasissues', 'has_issues', 'observado') then 'has_issues'
    when {v} in ('rechazado', 'rejected', 'validation_status_not_approved', 'no aprobado') then 'rejected'
    else 'unknown'
end"""

STATUS_SQL = """
case
    when {v} is null then null
    when {v} in ('no iniciado', 'sin iniciar', 'not started', 'not_started') then 'not_started'
    when {v} in ('en curso', 'en proceso', 'en ejecucion', 'en ejecución', 'in progress', 'in_progress') then 'in_progress'
    when {v} in ('completado', 'cumplido', 'finalizado', 'completed', 'complete') then 'completed'
    when {v} in ('retrasado', 'atrasado', 'delayed') then 'delayed'
    when {v} in ('retirado', 'withdrawn') then 'withdrawn'
    else 'other'
end"""


def source_tool_for(columns: list[str]) -> str:
    normalized = {normalize_header(c) for c in columns}
    if "_submission_time" in normalized or "_uuid" in normalized:
        return "kobotoolbox"
    if "submissiondate" in normalized or "__id" in normalized:
        return "odk_central"
    if "marca_temporal" in normalized:
        return "google_forms"
    return "spreadsheet"


def _canonical_select(mapping: dict[str, str], source_tool: str) -> str:
    col = functools.partial(source_column, mapping)

    review = REVIEW_STATES_SQL.format(v=f"lower(trim({col('review_state')}))")
    status = STATUS_SQL.format(v=f"lower(trim({col('status')}))")
    # Tools without a submission id (Google Forms) get one derived from what identifies a report,
    # so the same row sent twice is recognised as a duplicate.
    derived_id = (
        f"'{source_tool}-' || md5(concat_ws('|', {col('submitted_at')}, {col('institution')}, "
        f"{col('milestone_code')}, {col('reporting_month')}, {col('percent_complete')}))"
    )
    return canonical_select(
        f"""
            coalesce({sx.text(col("submission_id"))}, {derived_id}) as submission_id,
            '{source_tool}' as source_tool,
            {sx.timestamp(col("submitted_at"))} as submitted_at,
            {sx.text(col("submitted_at"))} as submitted_at_raw,
            {sx.reporting_month(col("reporting_month"))} as reporting_month,
            {sx.text(col("reporting_month"))} as reporting_month_raw,
            {sx.text(col("institution"))} as institution,
            {sx.code(col("commitment_code"))} as commitment_code,
            {sx.code(col("milestone_code"))} as milestone_code,
            {sx.percent(col("percent_complete"))} as percent_complete,
            {sx.text(col("percent_complete"))} as percent_complete_raw,
            {status} as status,
            {sx.text(col("narrative"))} as narrative,
            {sx.text(col("evidence_urls"))} as evidence_urls,
            {sx.text(col("challenges"))} as challenges,
            {review} as review_state
        """
    )


# A spreadsheet's totals row (`Total`, `Subtotal` where a code goes) is not a report.
RULES_SQL = """
    case
        when regexp_matches(lower(coalesce(milestone_code, '') || ' ' || coalesce(commitment_code, '') || ' ' || coalesce(institution, '')),
                            '^\\s*(sub)?totale?s?\\b') then 'totals_row'
        when milestone_code is null then 'missing_milestone'
        when commitment_code is not null and not regexp_full_match(commitment_code, '[A-Z]{2,3}[0-9]{4}') then 'malformed_commitment_code'
        when reporting_month is null then 'unparseable_reporting_month'
        when percent_complete is null then 'unparseable_percent'
        when percent_complete < 0 or percent_complete > 100 then 'percent_out_of_range'
        when row_number() over (partition by submission_id order by _file_position, source_row_number) > 1
            then 'duplicate_submission'
        when submission_id in (select submission_id from raw.progress_reports) then 'duplicate_submission'
    end
"""

REASONS_SQL = """
    case rule
        when 'totals_row' then 'fila ' || source_row_number || ': es una fila de totales, no un informe'
        when 'missing_milestone' then 'fila ' || source_row_number || ': el informe no tiene código de hito'
        when 'malformed_commitment_code' then 'fila ' || source_row_number || ': el código de compromiso «' ||
            commitment_code || '» no tiene la forma de OGP (dos o tres letras y cuatro dígitos)'
            || coalesce(' y contiene caracteres que no se leen como letras ni dígitos: ' || {unusual}, '') ||
                '; corríjalo y envíe la fila de nuevo'
        when 'unparseable_reporting_month' then 'fila ' || source_row_number || ': el mes reportado «' ||
            coalesce(reporting_month_raw, '') || '» no es un mes (escriba 2023-11, 11/2023 o nov-23)'
        when 'unparseable_percent' then 'fila ' || source_row_number || ': el porcentaje de avance «' ||
            coalesce(percent_complete_raw, '') || '» no es un número'
        when 'percent_out_of_range' then 'fila ' || source_row_number || ': el porcentaje de avance ' ||
            percent_complete_raw || ' está fuera de 0-100'
        when 'duplicate_submission' then 'fila ' || source_row_number || ': el envío ' || submission_id || ' ya se había recibido'
    end
"""


# Loaded, with a warning for the institution's receipt: a percentage a person may have meant
# otherwise, two rows of one file for the same milestone and month with different figures (the
# warehouse takes the last one sent), a code holding characters that only look like letters.
_SAME_MILESTONE_MONTH = "over (partition by landed_file_id, milestone_code, reporting_month)"
WARNINGS_SQL = f"""
    case
        when {sx.percent_is_ambiguous("percent_complete_raw")} then 'ambiguous_percent'
        when min(percent_complete) {_SAME_MILESTONE_MONTH} <> max(percent_complete) {_SAME_MILESTONE_MONTH} then 'conflicting_rows'
        when {sx.unusual_characters("milestone_code")} is not null then 'unusual_characters_in_code'
    end
"""
WARNING_MESSAGES_SQL = f"""
    case rule
        when 'ambiguous_percent' then 'fila ' || source_row_number || ': el avance «' || percent_complete_raw || '» se leyó como '
            || percent_complete || ' %; si quiso decir otra cifra, corríjala y envíe el archivo de nuevo'
        when 'conflicting_rows' then 'fila ' || source_row_number || ': el archivo trae varias filas del hito ' || milestone_code
            || ' para ' || strftime(reporting_month, '%Y-%m') || ' con avances distintos ('
            || string_agg(percent_complete_raw, ', ' order by source_row_number) {_SAME_MILESTONE_MONTH}
            || '); se toma el último enviado: confirme cuál vale'
        when 'unusual_characters_in_code' then 'fila ' || source_row_number || ': el código de hito «' || milestone_code
            || '» contiene caracteres que parecen letras o dígitos pero no lo son (' || {sx.unusual_characters("milestone_code")} || ')'
    end
"""


PROGRESS_REPORTS = TabularSource(
    name=SOURCE,
    target_table="raw.progress_reports",
    field_aliases=FIELD_ALIASES,
    required_fields=REQUIRED_FIELDS,
    canonical_select=lambda mapping, columns: _canonical_select(mapping, source_tool_for(columns)),
    rules_sql=RULES_SQL,
    reasons_sql=REASONS_SQL.format(unusual=sx.unusual_characters("commitment_code")),
    warnings_sql=WARNINGS_SQL,
    warning_messages_sql=WARNING_MESSAGES_SQL,
    structured_fields=(
        "submission_id",
        "submitted_at",
        "reporting_month",
        "commitment_code",
        "milestone_code",
        "percent_complete",
        "status",
        "review_state",
        "evidence_urls",
    ),
)


DDL = f"""
-- Report tables have no primary key: a submission is unique by the quarantine rule
-- `duplicate_submission` (against the table and within each load) and by the staging model's
-- test; an index over a decade of every member's reports would cost more than loading them.
create table if not exists raw.progress_reports (
    submission_id varchar not null,
    source_tool varchar not null,
    submitted_at timestamp,
    submitted_at_raw varchar,
    reporting_month date not null,
    reporting_month_raw varchar,
    institution varchar,
    commitment_code varchar,
    milestone_code varchar not null,
    percent_complete double not null,
    percent_complete_raw varchar,
    status varchar,
    narrative varchar,
    evidence_urls varchar,
    challenges varchar,
    review_state varchar,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""

REVIEW_STATES = ["received", "approved", "has_issues", "rejected", "unknown"]


def expectations(gx) -> list:
    e = gx.expectations
    columns = ["submission_id", "source_tool", "reporting_month", "milestone_code", "percent_complete", "review_state"]
    return [
        *[e.ExpectColumnToExist(column=c) for c in columns],
        e.ExpectColumnValuesToNotBeNull(column="submission_id"),
        e.ExpectColumnValuesToBeUnique(column="submission_id"),
        e.ExpectColumnValuesToNotBeNull(column="milestone_code"),
        e.ExpectColumnValuesToNotBeNull(column="reporting_month"),
        e.ExpectColumnValuesToBeBetween(column="percent_complete", min_value=0, max_value=100),
        e.ExpectColumnValuesToBeInSet(column="review_state", value_set=REVIEW_STATES),
        e.ExpectColumnValuesToMatchRegex(column="commitment_code", regex=OGP_COMMITMENT_ID),
        e.ExpectCompoundColumnsToBeUnique(column_list=["milestone_code", "reporting_month", "submission_id"]),
    ]


SPEC = SourceSpec(
    PROGRESS_REPORTS,
    ddl=DDL,
    domain=Domain.PROGRESS,
    # A report that cannot be used is excluded and listed in the annex.
    quarantine_blocks_publication=False,
    expectations=expectations,
    # Spreadsheet drops (a file of measurements is the indicator values' own, asked first) and the
    # pages of the KoboToolbox and ODK Central forms.
    claims=lambda landing_source, path: landing_source == "forms" or landing_source.startswith(("kobo_", "odk_")),
    kinds=frozenset({"duckdb", "csv", "xlsx"}),
    daily=True,
    preview_columns="submission_id, reporting_month, institution, milestone_code, percent_complete, review_state",
    description=(
        "Progress reports from the institutions' forms: spreadsheet drops in OGP_INBOX_DIR (Google Forms "
        "exports, the Excel/CSV template, Kobo exports) and, when configured, the KoboToolbox and ODK "
        "Central APIs (incremental from each form's high-water mark). Everything is landed unchanged, "
        "then loaded as canonical progress-report records; rows that break a rule go to raw.quarantine."
    ),
)
