"""The open-data package of a month: each published table's query over the marts, its keys and
field docs (from the dbt manifest), each table written as Parquet, JSON and a spreadsheet-safe CSV,
and the Frictionless descriptor (datapackage.json)."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import duckdb

from exports.formatting import REPORTING_ES, STATUS_ES, ogp_label
from exports.queries import used_params
from exports.scope import PLANS_IN_SCOPE, ReportMember
from ingestion.landing import sha256_file

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DEMO_NOTE = (
    "DATOS DE DEMOSTRACIÓN: los informes de avance de este paquete son inventados para mostrar la "
    "plataforma; no son cifras oficiales. DEMONSTRATION DATA: the progress reports are invented."
)

# The platform's own completion levels (fct_commitment_progress_monthly), labelled as OGP's are.
IRM_LEVELS = ("Not started", "Limited", "Substantial", "Complete")
LABELS_ES = {"status": STATUS_ES, "irm": {level: ogp_label(level) for level in IRM_LEVELS}, "reporting": REPORTING_ES}


def label(column: str, vocabulary: str) -> str:
    """The Spanish label of a code, published beside it (a code outside the vocabulary keeps no label)."""
    cases = " ".join(f"when '{code}' then '{text}'" for code, text in LABELS_ES[vocabulary].items())
    return f"case {column} {cases} end"


# Each published table: name, title, and the query over the marts for reporting month $month.
# Only the columns listed are published (no personal data: no reporter names or e-mails).
TABLES: list[tuple[str, str, str]] = [
    (
        "compromisos",
        "Avance de los compromisos en el mes / Commitment progress in the month",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, p.action_plan_id, p.commitment_id, c.commitment_number, c.commitment_title, c.lead_institution,
               p.reporting_month, round(p.progress_percent, 1) as progress_percent, p.progress_percent_rounded,
               round(p.expected_percent, 1) as expected_percent, round(p.schedule_gap, 1) as schedule_gap,
               p.schedule_status, {label("p.schedule_status", "status")} as schedule_status_etiqueta,
               p.irm_completion_level, {label("p.irm_completion_level", "irm")} as irm_completion_level_etiqueta,
               p.milestones, p.milestones_completed,
               p.milestones_without_report, p.milestones_stale, p.weights_normalised
        from marts.fct_commitment_progress_monthly p
        join marts.dim_commitments c using (commitment_id)
        join plans_in_scope pl on pl.action_plan_id = p.action_plan_id
        where p.reporting_month = $month
        order by p.action_plan_id, c.commitment_number_sort, p.commitment_id
        """,
    ),
    (
        "hitos",
        "Estado de los hitos en el mes / Milestone status in the month",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, s.action_plan_id, s.commitment_id, s.milestone_code, m.milestone_title, m.responsible_institution,
               s.weight, m.planned_start, m.planned_end, m.original_planned_end, m.is_replanned,
                   s.reporting_month, round(s.percent_complete, 1) as percent_complete,
               round(s.expected_percent, 1) as expected_percent, s.schedule_status,
               {label("s.schedule_status", "status")} as schedule_status_etiqueta, s.reporting_status,
               {label("s.reporting_status", "reporting")} as reporting_status_etiqueta,
               s.last_report_month, s.months_since_report
        from marts.fct_milestone_status_monthly s
        join marts.dim_milestones m using (milestone_code)
        join plans_in_scope pl on pl.action_plan_id = s.action_plan_id
        where s.reporting_month = $month
        order by s.milestone_code
        """,
    ),
    (
        "avance_planes",
        "Avance de los planes mes a mes / Plan progress month by month",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, f.action_plan_id, f.reporting_month, round(f.progress_percent, 1) as progress_percent,
               round(f.expected_percent, 1) as expected_percent, f.commitments, f.commitments_completed,
               f.commitments_on_track, f.commitments_at_risk, f.commitments_delayed, f.commitments_not_started
        from marts.fct_plan_progress_monthly f
        join plans_in_scope pl on pl.action_plan_id = f.action_plan_id
        where f.reporting_month <= $month
          and f.reporting_month >= (select min(period_start_month) from plans_in_scope)
        order by f.action_plan_id, f.reporting_month
        """,
    ),
    (
        "informes",
        "Informes de avance aceptados del mes / Accepted progress reports of the month",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, r.submission_id, r.action_plan_id, r.commitment_id, r.milestone_code, r.reporting_month,
               r.percent_complete, r.reported_status, r.review_state, r.reporting_institution, r.narrative, r.evidence_urls,
               r.challenges, r.source_tool
        from marts.fct_progress_reports r
        join plans_in_scope pl on pl.action_plan_id = r.action_plan_id
        where r.reporting_month = $month
        order by r.milestone_code, r.submission_id
        """,
    ),
    (
        "indicadores",
        "Valores de los indicadores hasta el mes / Indicator values up to the month",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, v.indicator_code, i.indicator_name, i.unit, v.commitment_id, i.milestone_code, v.period_start,
               v.period_precision, v.measured_value, v.baseline, v.target,
               round(v.target_attainment_percent, 1) as target_attainment_percent, i.direction, v.evidence_url
        from marts.fct_indicator_values v
        join marts.dim_indicators i using (indicator_code)
        join marts.dim_commitments c on c.commitment_id = v.commitment_id
        join plans_in_scope pl on pl.action_plan_id = c.action_plan_id
        where v.period_start <= $month
        order by v.indicator_code, v.period_start
        """,
    ),
    (
        "evaluaciones_irm",
        "Evaluaciones del Mecanismo de Revisión Independiente (IRM) de OGP / IRM assessments",
        f"""
        with {PLANS_IN_SCOPE}
        select pl.member_code, a.commitment_id, a.action_plan_id, a.methodology_version, a.report_type, a.report_year,
               a.specificity, a.specificity_code, a.potential_impact, a.potential_impact_code, a.completion, a.completion_code,
               a.completion_missing_reason, a.did_it_open_government, a.did_it_open_government_code, a.starred,
               a.verifiable, a.potential_for_results, a.potential_for_results_code, a.early_results, a.early_results_code
        from marts.fct_irm_assessments a
        join plans_in_scope pl on pl.action_plan_id = a.action_plan_id
        order by a.commitment_id, a.methodology_version, a.report_type
        """,
    ),
    (
        "gobiernos_locales",
        "Índice de gobierno abierto local, última evaluación hasta el mes / Local-government maturity index",
        """
        select municipality, province, index_year, dimension, score, rank_in_year, change_from_previous
        from marts.fct_local_government_index
        where index_year = (select max(index_year) from marts.fct_local_government_index where index_year <= year($month))
        order by dimension, rank_in_year, municipality
        """,
    ),
    (
        "cumplimiento_reporte",
        "Cumplimiento del reporte por institución en el mes / Institutions' reporting record in the month",
        """
        select institution_id, institution_name, reporting_month, report_deadline, milestones_due, reported_on_time,
               reported_late, not_reported
        from marts.fct_institution_reporting_monthly
        where reporting_month = $month
        order by not_reported desc, institution_name
        """,
    ),
    (
        "calidad_datos",
        "Anexo de calidad de datos: lo recibido que no entra en las cifras / Data-quality annex",
        """
        select stage, source_name, rule_code, reason, file_name, source_row_number, submission_id, milestone_code,
               reporting_month, issue_status, released_by_submission_id
        from marts.fct_data_quality_issues
        where annex_month = $month
        order by stage, source_name, rule_code, file_name, source_row_number, submission_id
        """,
    ),
]

# Where each table's columns are documented (dbt's descriptions are the one source of truth), and
# its keys. Foreign keys only where every value has its row in the package.
TABLE_MODELS = {  # the member's code is documented in dim_action_plans
    "compromisos": ["fct_commitment_progress_monthly", "dim_commitments", "dim_action_plans"],
    "hitos": ["fct_milestone_status_monthly", "dim_milestones", "dim_action_plans"],
    "avance_planes": ["fct_plan_progress_monthly", "dim_action_plans"],
    "informes": ["fct_progress_reports", "dim_action_plans"],
    "indicadores": ["fct_indicator_values", "dim_indicators", "dim_action_plans"],
    "evaluaciones_irm": ["fct_irm_assessments", "dim_action_plans"],
    "gobiernos_locales": ["fct_local_government_index"],
    "cumplimiento_reporte": ["fct_institution_reporting_monthly"],
    "calidad_datos": ["fct_data_quality_issues"],
}
PRIMARY_KEYS = {
    "compromisos": ["commitment_id"],
    "hitos": ["milestone_code"],
    "avance_planes": ["action_plan_id", "reporting_month"],
    "informes": ["submission_id"],
    "indicadores": ["indicator_code", "period_start"],
    "gobiernos_locales": ["municipality", "index_year", "dimension"],
    "cumplimiento_reporte": ["institution_id"],
}
FOREIGN_KEYS = {
    "hitos": [{"fields": ["commitment_id"], "reference": {"resource": "compromisos", "fields": ["commitment_id"]}}],
    "informes": [{"fields": ["milestone_code"], "reference": {"resource": "hitos", "fields": ["milestone_code"]}}],
}
LABEL_COLUMNS = {  # the Spanish labels published beside codes
    "schedule_status_etiqueta": "Schedule status, in Spanish. / Semáforo, en palabras.",
    "irm_completion_level_etiqueta": "IRM completion level, in Spanish. / Nivel de cumplimiento en la escala del IRM, en palabras.",
    "reporting_status_etiqueta": "Reporting status, in Spanish. / Estado del reporte, en palabras.",
}
MANIFEST = Path(__file__).resolve().parents[1] / "dbt_project" / "target" / "manifest.json"


def column_docs() -> dict[str, dict[str, str]]:
    """model -> column -> description, from the dbt manifest (prepared by `make`)."""
    if not MANIFEST.exists():
        return {}
    return _column_docs(MANIFEST.stat().st_mtime_ns)


@cache
def _column_docs(_manifest_version: int) -> dict[str, dict[str, str]]:
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
    return {
        n["name"]: {c: v.get("description") or "" for c, v in n.get("columns", {}).items()}
        for n in nodes
        if n.get("resource_type") == "model"
    }


def field_metadata(table: str, column: str, docs: dict[str, dict[str, str]]) -> dict[str, str]:
    """A field's Spanish title and its description, from the first model that documents it.
    Descriptions are written `English. / Español.`: the title is the Spanish part."""
    description = LABEL_COLUMNS.get(column) or next(
        (docs[m][column] for m in TABLE_MODELS.get(table, []) if docs.get(m, {}).get(column)), ""
    )
    if not description:
        return {}
    spanish = description.rpartition(" / ")[2]
    title = spanish.strip().rstrip(".")
    return {"title": title, "description": " ".join(description.split())}


FRICTIONLESS_TYPES = {
    "VARCHAR": "string",
    "DOUBLE": "number",
    "FLOAT": "number",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "HUGEINT": "integer",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "datetime",
    "TIMESTAMP WITH TIME ZONE": "datetime",
}


def neutralised_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """For the CSV only (spreadsheet programs open it; JSON and Parquet keep the text as it is):
    text cells a spreadsheet would run as a formula get a leading apostrophe. That is a cell
    starting with = + @ tab or CR, or with - followed by something other than a space or a plain
    number (`- Se hizo` and `-5` stay as they are; `-A1+2` does not)."""
    columns = con.execute(f"describe {table}").fetchall()
    parts = []
    for name, dtype, *_ in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if dtype == "VARCHAR":
            formula = (
                f"(regexp_matches({quoted}, '^[=+@\\t\\r]') or (regexp_matches({quoted}, '^-[^\\s]') "
                f"and not regexp_full_match({quoted}, '-[0-9]+([.,][0-9]+)?')))"
            )
            parts.append(f"case when {formula} then '''' || {quoted} else {quoted} end as {quoted}")
        else:
            parts.append(quoted)
    return f"select {', '.join(parts)} from {table}"


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_table(
    con: duckdb.DuckDBPyConnection, name: str, query: str, params: dict, folder: Path
) -> tuple[int, list[tuple[str, str]]]:
    params = used_params(query, params)
    con.execute(f"create or replace temp table _export_raw as {query}", params)
    # Binary floating point leaves noise in sums (5.900000000000006): published decimals are
    # rounded to 6 places, far below any figure's precision.
    columns = [(c[0], c[1]) for c in con.execute("describe _export_raw").fetchall()]
    select = ", ".join(f'round("{n}", 6) as "{n}"' if t in ("DOUBLE", "FLOAT") else f'"{n}"' for n, t in columns)
    con.execute(f"create or replace temp table _export as select {select} from _export_raw")
    con.execute(f"copy _export to {sql_path(folder / (name + '.parquet'))} (format parquet, compression zstd)")
    con.execute(f"copy _export to {sql_path(folder / (name + '.json'))} (format json, array true)")
    tmp_csv = folder / (name + ".csv.tmp")
    con.execute(
        f"copy ({neutralised_select(con, '_export')}) to {sql_path(tmp_csv)} "
        "(header, delimiter ',', quote '\"', dateformat '%Y-%m-%d')"
    )
    # A UTF-8 byte-order mark lets Excel open accented Spanish text correctly.
    with open(folder / (name + ".csv"), "wb") as out, open(tmp_csv, "rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out)
    tmp_csv.unlink()
    rows = con.execute("select count(*) from _export").fetchone()[0]
    schema = [(c[0], FRICTIONLESS_TYPES.get(c[1], "string")) for c in con.execute("describe _export").fetchall()]
    return rows, schema


def dataset_name(month_key: str) -> str:
    return f"ogp-avance-mensual-{month_key}"


def datapackage_descriptor(
    month: str, tables: list[dict], *, is_demo: bool, sources: list[dict], members: list[ReportMember]
) -> dict:
    names = [m.name for m in members]
    who = (
        (", ".join(names[:-1]) + " y " + names[-1])
        if len(names) > 1
        else (names[0] if names else "los miembros seguidos")
    )
    description = (
        f"Avance de los compromisos de gobierno abierto (OGP) de {who}, mes {month}, calculado por la "
        "metodología estandarizada de la plataforma (metodologia.html y metodologia.md, en este paquete). "
        "Un informe por miembro (informe.html los lista); la columna member_code dice de qué miembro es cada fila."
    )
    if is_demo:
        description = DEMO_NOTE + " " + description
    return {
        "profile": "data-package",
        "name": dataset_name(month),
        "title": f"Avance mensual de los planes de acción de gobierno abierto - {month}",
        "description": description,
        "version": "1.0.0",
        "licenses": [LICENSE],
        "sources": sources,
        "keywords": [
            "gobierno abierto",
            "OGP",
            "open government partnership",
            "compromisos",
            *dict.fromkeys(k for m in members for k in (m.name, m.code)),
        ],
        "members": [{"code": m.code, "name": m.name, "level": m.level, "report": m.report} for m in members],
        "demonstration_data": is_demo,
        "reporting_month": month,
        "methodology_documents": ["metodologia.html", "metodologia.md"],
        "site": "index.html",
        "resources": tables,
    }


def write_tables(con: duckdb.DuckDBPyConnection, params: dict, staging: Path) -> tuple[list[dict], dict[str, int]]:
    """Every table of the package into `staging` in its three formats: the descriptor's resources
    (sizes, hashes, the CSV's schema with keys and field docs) and each table's row count."""
    resources, counts, docs = [], {}, column_docs()
    for name, title, query in TABLES:
        rows, schema = write_table(con, name, query, params, staging)
        counts[name] = rows
        for fmt, media, extra in (
            ("csv", "text/csv", {"encoding": "utf-8-sig", "dialect": {"delimiter": ",", "header": True}}),
            ("parquet", "application/vnd.apache.parquet", {}),
            ("json", "application/json", {}),
        ):
            path = staging / f"{name}.{fmt}"
            resource = {
                "name": f"{name}-{fmt}" if fmt != "csv" else name,
                "title": title,
                "path": path.name,
                "format": fmt,
                "mediatype": media,
                "bytes": path.stat().st_size,
                "hash": f"sha256:{sha256_file(path)}",
                **extra,
            }
            if fmt == "parquet":
                # frictionless reads Parquet through pyarrow and cannot count its bytes; the
                # hash (and SHA256SUMS) still pin the file.
                del resource["bytes"]
            if fmt == "csv":
                resource["profile"] = "tabular-data-resource"
                resource["schema"] = {
                    "fields": [{"name": n, "type": t, **field_metadata(name, n, docs)} for n, t in schema]
                }
                if name in PRIMARY_KEYS:
                    resource["schema"]["primaryKey"] = PRIMARY_KEYS[name]
                if name in FOREIGN_KEYS:
                    resource["schema"]["foreignKeys"] = FOREIGN_KEYS[name]
            resources.append(resource)
    return resources, counts
