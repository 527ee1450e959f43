"""The monthly report: one self-contained HTML file in Spanish (English labels as an option) with
inline SVG charts, printable to PDF. All text that comes from reports is escaped by Jinja's
autoescaping; charts are drawn from numbers only."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache
from datetime import date

import duckdb
from jinja2 import Environment, PackageLoader

from exports.formatting import REPORTING_ES, es_percent, localized, month_name, page_name, plan_title, template_filters
from exports.queries import rows
from ingestion.tabular import sql_literal


STATUS = {
    # White text on each colour reads at 4.5:1 or more (WCAG 2.1 AA), the site's palette too.
    "completed": ("Completado", "Completed", "#15538f"),
    "on_track": ("A tiempo", "On track", "#1e6e43"),
    "at_risk": ("En riesgo", "At risk", "#7a5a00"),
    "delayed": ("Retrasado", "Delayed", "#a8281b"),
    "not_started": ("No iniciado", "Not started", "#5f6b70"),
}
REPORTING = REPORTING_ES
# The annex's stages in the reader's language (the reasons are recorded in Spanish, with file and row).
STAGES = {
    "es": {"ingestion": "ingesta", "validation": "validación", "review": "revisión"},
    "en": {"ingestion": "ingestion", "validation": "validation", "review": "review"},
}


LABELS = {
    "es": {
        "title": "Avance de los compromisos de gobierno abierto", "subtitle": "Informe mensual",
        "title_of": "Avance de los compromisos de gobierno abierto de {member}",
        "reports": "Informes del mes por miembro", "level_national": "plan nacional", "level_local": "plan local",
        "reports_note": "Un informe por miembro de OGP seguido (nacional y local); los datos abiertos del paquete traen a todos, con la columna member_code.",
        "local_member": "Índice de gobierno abierto local de {municipality}", "year": "Año",
        "local_member_note": "evolución de la evaluación del municipio; 0–100, enviada por la asociación de municipalidades",
        "dimensions": {"index": "Índice", "transparency": "Transparencia", "participation": "Participación ciudadana",
                       "accountability": "Rendición de cuentas", "open_data": "Datos abiertos"},
        "platform": "Plataforma de monitoreo de los planes de acción OGP",
        "demo": "DATOS DE DEMOSTRACIÓN: los informes de avance de este documento son inventados para mostrar la plataforma; no son cifras oficiales.",
        "plan_progress": "Avance del plan", "expected_lc": "esperado", "commitments_lc": "compromisos", "commitment_lc": "compromiso",
        "by_commitment": "Avance por compromiso",
        "bar_legend": "Barra: avance ponderado de los hitos · línea vertical: avance esperado por el tiempo transcurrido",
        "no": "N.º", "commitment": "Compromiso", "similar": "compromisos similares en otros países", "institution": "Institución responsable", "progress": "Avance",
        "expected": "Esperado", "semaforo": "Semáforo", "irm_level": "Nivel IRM", "change": "Cambio",
        "plan_over_time": "Avance del plan mes a mes",
        "line_legend": "Línea continua: avance del plan (promedio de sus compromisos) · línea discontinua: avance esperado.",
        "no_plans": "No hay planes de acción en implementación en", "delayed": "Hitos retrasados",
        "milestone": "Hito", "gap": "Brecha", "planned_end": "Fin planificado", "report": "Reporte",
        "none_delayed": "Ningún hito retrasado.",
        "outlook": "Perspectiva", "outlook_note": "Perspectiva: probabilidad de que el compromiso termine sustancial o completo en la escala del IRM, según su avance proyectado al cierre al ritmo actual y cómo terminaron los compromisos de OGP que estaban en su mismo nivel a mitad de término (metodología §11). Es una proyección, no un veredicto; la página de cada compromiso dice en qué se basa.",
        "overdue": "Instituciones con reportes pendientes del mes", "overdue_lead": "Hitos en curso sin reporte aceptado de {month}; plazo: el {deadline}.",
        "none_overdue": "Todas las instituciones reportaron sus hitos en curso.", "due": "Hitos por reportar", "missing": "Sin reporte",
        "late": "Con atraso", "changes": "Cambios respecto del mes anterior",
        "none_moved": "Ningún compromiso cambió su avance.",
        "replanned": "Hitos replanificados", "original_end": "Fin original", "current_end": "Fin vigente",
        "original_weight": "Peso original", "current_weight": "Peso vigente", "none_replanned": "Ningún hito fue replanificado.",
        "local": "Gobiernos locales: índice de madurez de gobierno abierto", "assessment": "Evaluación",
        "local_note": "índice 0–100 enviado por la asociación de municipalidades", "rank": "Puesto",
        "municipality": "Municipio", "province": "Provincia", "index": "Índice", "score": "Puntaje",
        "no_local": "Sin evaluaciones de gobiernos locales hasta este mes.", "annex": "Anexo: calidad de los datos",
        "reference_failures": "Publicado pese a controles fallidos en datos de referencia (OGP, índice local), que no cambian las cifras de avance:",
        "annex_note": "Informes y filas recibidos que no entran en las cifras, con el motivo. Se liberan cuando la fuente los corrige.",
        "stage": "Etapa", "source": "Fuente", "status": "Estado", "open": "abierto", "released": "liberado", "rule": "Regla", "reason": "Motivo", "submission": "Envío", "file": "Archivo y fila", "row": "fila",
        "no_issues": "Sin observaciones.", "methodology": "Metodología", "links": "Enlaces", "site": "Sitio de la publicación",
        "data": "Datos abiertos", "previous": "Informe del mes anterior", "portal": "En el portal de datos abiertos",
        "all": "Todas las publicaciones", "data_lc": "datos", "now": "ahora", "method_full": "Metodología completa",
        "method_text": (
            "Avance del hito en el mes: último informe aceptado hasta el fin del mes (se arrastra; se marca desactualizado "
            "si tiene más de {staleness} meses; sin informe, 0 %). Avance del compromiso: promedio de sus hitos ponderado "
            "por peso. Avance del plan: promedio simple de sus compromisos. Avance esperado: lineal entre las fechas "
            "planificadas de cada hito. Semáforo: en riesgo si el avance está más de {at_risk} puntos por debajo de lo "
            "esperado, retrasado si más de {delayed}. Nivel IRM: Limitado por debajo de {substantial} %, Sustancial desde "
            "{substantial} %, Completo al 100 %."
        ),
    },
    "en": {
        "title": "Progress of the open government commitments", "subtitle": "Monthly report",
        "title_of": "Progress of the open government commitments of {member}",
        "reports": "The month's reports by member", "level_national": "national plan", "level_local": "local plan",
        "reports_note": "One report per OGP member followed (national and local); the package's open data holds them all, with the member_code column.",
        "local_member": "Local open government index of {municipality}", "year": "Year",
        "local_member_note": "the municipality's assessments over the years; 0-100, sent by the association of municipalities",
        "dimensions": {"index": "Index", "transparency": "Transparency", "participation": "Citizen participation",
                       "accountability": "Accountability", "open_data": "Open data"},
        "platform": "OGP action plan monitoring platform",
        "demo": "DEMONSTRATION DATA: the progress reports in this document are invented to show the platform; they are not official figures.",
        "plan_progress": "Plan progress", "expected_lc": "expected", "commitments_lc": "commitments", "commitment_lc": "commitment",
        "by_commitment": "Progress by commitment",
        "bar_legend": "Bar: weighted progress of the milestones · vertical line: progress expected from the time elapsed",
        "no": "No.", "commitment": "Commitment", "similar": "similar commitments elsewhere", "institution": "Responsible institution", "progress": "Progress",
        "expected": "Expected", "semaforo": "Status", "irm_level": "IRM level", "change": "Change",
        "plan_over_time": "Plan progress month by month",
        "line_legend": "Solid line: plan progress (mean of its commitments) · dashed line: expected progress.",
        "no_plans": "No action plan in implementation in", "delayed": "Delayed milestones",
        "milestone": "Milestone", "gap": "Gap", "planned_end": "Planned end", "report": "Report",
        "none_delayed": "No delayed milestone.",
        "outlook": "Outlook", "outlook_note": "Outlook: the likelihood that the commitment ends Substantial or Complete on the IRM's scale, from its progress projected to the end at its current pace and how OGP commitments at its level at mid-term ended (methodology §11). A projection, not a verdict; each commitment's page says what it rests on.",
        "overdue": "Institutions with reports outstanding for the month", "overdue_lead": "Milestones under way with no accepted report for {month}; deadline: {deadline}.",
        "none_overdue": "Every institution reported on its milestones under way.", "due": "Milestones due", "missing": "Not reported",
        "late": "Late", "changes": "Changes since the previous month",
        "none_moved": "No commitment changed its progress.",
        "replanned": "Replanned milestones", "original_end": "Original end", "current_end": "Current end",
        "original_weight": "Original weight", "current_weight": "Current weight", "none_replanned": "No milestone was replanned.",
        "local": "Local governments: open government maturity index", "assessment": "Assessment",
        "local_note": "0-100 index sent by the association of municipalities", "rank": "Rank",
        "municipality": "Municipality", "province": "Province", "index": "Index", "score": "Score",
        "no_local": "No local-government assessment up to this month.", "annex": "Annex: data quality",
        "reference_failures": "Published although checks failed on reference data (OGP, local index), which do not change the progress figures:",
        "annex_note": "Reports and rows received that the figures do not use, with the reason. They are released when the source corrects them.",
        "stage": "Stage", "source": "Source", "status": "Status", "open": "open", "released": "released", "rule": "Rule", "reason": "Reason (as recorded, in Spanish)", "submission": "Submission", "file": "File and row", "row": "row",
        "no_issues": "No issues.", "methodology": "Methodology (Spanish and English)", "links": "Links", "site": "Publication site",
        "data": "Open data", "previous": "Previous month's report", "portal": "On the open-data portal",
        "all": "Every publication", "data_lc": "data", "now": "now", "method_full": "Full methodology",
        "method_text": (
            "Milestone progress in the month: the latest accepted report up to the month's end (carried forward; flagged "
            "stale when older than {staleness} months; no report, 0 %). Commitment progress: weighted mean of its milestones. "
            "Plan progress: mean of its commitments. Expected progress: linear between each milestone's planned dates. "
            "Status: at risk when progress is more than {at_risk} points below expected, delayed when more than {delayed}. "
            "IRM level: Limited below {substantial} %, Substantial from {substantial} %, Complete at 100 %."
        ),
    },
}


def month_label(d: date, lang: str = "es") -> str:
    return month_name(d, lang)


def _previous_month(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def progress_bar_svg(progress: float, expected: float, color: str, width: int = 260) -> str:
    """A horizontal bar for progress with a tick at the expected %."""
    p = max(0.0, min(100.0, float(progress or 0)))
    e = max(0.0, min(100.0, float(expected or 0)))
    return (
        f'<svg class="bar" width="{width}" height="18" viewBox="0 0 {width} 18" role="img" '
        f'aria-label="avance {p:.0f} %, esperado {e:.0f} %">'
        f'<rect x="0" y="3" width="{width}" height="12" rx="3" fill="#eceff1"/>'
        f'<rect x="0" y="3" width="{width * p / 100:.1f}" height="12" rx="3" fill="{color}"/>'
        f'<line x1="{width * e / 100:.1f}" x2="{width * e / 100:.1f}" y1="0" y2="18" stroke="#263238" stroke-width="2"/>'
        "</svg>"
    )


def ranking_bar_svg(score: float, width: int = 220) -> str:
    s = max(0.0, min(100.0, float(score or 0)))
    return (
        f'<svg class="bar" width="{width}" height="14" viewBox="0 0 {width} 14" role="img" aria-label="{s:.1f} de 100">'
        f'<rect x="0" y="2" width="{width}" height="10" rx="3" fill="#eceff1"/>'
        f'<rect x="0" y="2" width="{width * s / 100:.1f}" height="10" rx="3" fill="#5e35b1"/></svg>'
    )


def line_chart_svg(series: list[tuple[date, float, float]], width: int = 720, height: int = 240,
                   title: str = "Avance del plan por mes", lang: str = "es", font_size: int = 10, ticks: int = 8,
                   css_class: str = "line-chart") -> str:
    """Progress (solid) and expected progress (dashed) over the months; its text alternative names
    what it shows and the first and last values."""
    if not series:
        return ""
    left, right, top, bottom = 4 * font_size, 3 * font_size, 10, 3 * font_size
    w, h = width - left - right, height - top - bottom
    n = max(len(series) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{left + w * i / n:.1f},{top + h * (1 - max(0.0, min(100.0, v)) / 100):.1f}"

    actual = " ".join(xy(i, s[1]) for i, s in enumerate(series))
    expected = " ".join(xy(i, s[2]) for i, s in enumerate(series))
    grid = "".join(
        f'<line x1="{left}" x2="{left + w}" y1="{top + h * (1 - g / 100):.1f}" y2="{top + h * (1 - g / 100):.1f}" stroke="#e0e0e0"/>'
        f'<text x="{left - 6}" y="{top + h * (1 - g / 100) + 4:.1f}" text-anchor="end" font-size="{font_size}">{g}%</text>'
        for g in (0, 25, 50, 75, 100)
    )
    # About `ticks` months labelled, the last always, none crowding it.
    step, last_index = max(1, -(-len(series) // ticks)), len(series) - 1
    labels = "".join(
        f'<text x="{left + w * i / n:.1f}" y="{height - 8}" text-anchor="middle" font-size="{font_size}">{s[0].strftime("%Y-%m")}</text>'
        for i, s in enumerate(series) if i == last_index or (i % step == 0 and last_index - i >= step)
    )
    first, last = series[0], series[-1]
    if lang == "es":
        summary = (f"{title}: de {es_percent(first[1])} en {first[0]:%m/%Y} a {es_percent(last[1])} en {last[0]:%m/%Y} "
                   f"(esperado {es_percent(last[2])})")
    else:
        summary = f"{title}: from {first[1]:.1f} % in {first[0]:%Y-%m} to {last[1]:.1f} % in {last[0]:%Y-%m} (expected {last[2]:.1f} %)"
    return (
        f'<svg class="{css_class}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(summary)}"><title>{html.escape(summary)}</title>'
        f"{grid}{labels}"
        f'<polyline fill="none" stroke="#90a4ae" stroke-width="2" stroke-dasharray="5,4" points="{expected}"/>'
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="3" points="{actual}"/>'
        "</svg>"
    )


def responsive_chart_svg(series: list[tuple[date, float, float]], *, title: str, lang: str = "es") -> str:
    """The chart twice: wide for a screen, narrow with larger type and fewer months for a phone
    (a 720-unit chart drawn 360 px wide would shrink its labels to half); the style sheet shows one."""
    if not series:
        return ""
    return (line_chart_svg(series, title=title, lang=lang, css_class="line-chart chart-wide")
            + line_chart_svg(series, width=360, height=220, title=title, lang=lang, font_size=12, ticks=3,
                             css_class="line-chart chart-narrow"))


@dataclass
class Plan:
    action_plan_id: str
    title: str
    page: str
    progress: float
    expected: float
    counts: dict
    chart: str
    commitments: list[dict]


def gather(con: duckdb.DuckDBPyConnection, month: date, lang: str = "es", municipality: str | None = None) -> dict:
    """Everything a member's report shows, from the marts (expects the `report_plans` view: the
    member's plans in scope). A local member's report shows its municipality's maturity index
    over the years; a national one the latest ranking of every municipality."""
    params = {"month": month, "previous": _previous_month(month), "municipality": municipality}
    commitments = rows(con, """
        select p.*, c.commitment_number, c.commitment_title, c.lead_institution,
               p.progress_percent - coalesce(prev.progress_percent, 0) as change_points,
               exists (select 1 from marts.fct_similar_commitments s where s.commitment_id = p.commitment_id) as has_peers,
               w.probability_substantial_or_complete as outlook_probability, w.outlook_basis
        from marts.fct_commitment_progress_monthly p
        join marts.dim_commitments c using (commitment_id)
        left join marts.fct_commitment_outlook_monthly w using (commitment_id, reporting_month)
        left join marts.fct_commitment_progress_monthly prev
               on prev.commitment_id = p.commitment_id and prev.reporting_month = $previous
        where p.reporting_month = $month and p.action_plan_id in (select action_plan_id from report_plans)
        order by p.action_plan_id, c.commitment_number_sort, p.commitment_id
    """, params)
    plan_rows = rows(con, """
        select f.*, p.action_plan_number, p.member_name, p.start_year, p.end_year
        from marts.fct_plan_progress_monthly f
        left join marts.dim_action_plans p using (action_plan_id)
        where f.reporting_month = $month and f.action_plan_id in (select action_plan_id from report_plans)
        order by f.action_plan_id
    """, params)
    history = rows(con, """
        select h.action_plan_id, h.reporting_month, h.progress_percent, h.expected_percent
        from marts.fct_plan_progress_monthly h join report_plans s using (action_plan_id)
        where h.reporting_month <= $month and h.reporting_month >= s.period_start_month
        order by h.action_plan_id, h.reporting_month
    """, params)
    delayed = rows(con, """
        select s.milestone_code, m.milestone_title, m.responsible_institution, s.percent_complete,
               s.expected_percent, s.schedule_gap, m.planned_end, s.reporting_status
        from marts.fct_milestone_status_monthly s join marts.dim_milestones m using (milestone_code)
        where s.reporting_month = $month and s.schedule_status = 'delayed'
          and s.action_plan_id in (select action_plan_id from report_plans)
        order by s.schedule_gap, s.milestone_code
    """, params)
    quality = rows(con, """
        select stage, source_name, rule_code, reason, file_name, source_row_number, submission_id, issue_status,
               count(*) over () as total
        from marts.fct_data_quality_issues q
        left join marts.dim_milestones m using (milestone_code)
        left join marts.dim_action_plans p on p.action_plan_id = m.action_plan_id
        -- The member's own issues, and those no catalogue milestone ties to a member (in every report).
        where q.annex_month = $month
          and (m.milestone_code is null or p.member_code in (select member_code from report_plans))
        order by stage, rule_code, file_name, source_row_number, submission_id
    """, params)
    local_index = [] if municipality else rows(con, """
        select municipality, province, index_year, score, rank_in_year, change_from_previous
        from marts.fct_local_government_index
        where dimension = 'index'
          and index_year = (select max(index_year) from marts.fct_local_government_index where index_year <= year($month))
        order by rank_in_year, municipality
    """, params)
    municipality_years = rows(con, """
        select index_year, dimension, score, rank_in_year, change_from_previous
        from marts.fct_local_government_index
        where lower(municipality) = lower($municipality) and index_year <= year($month)
        order by index_year, dimension
    """, params) if municipality else []
    # Who is overdue: the member's institutions with milestones under way and no report for the month.
    overdue = rows(con, """
        select r.institution_name, r.milestones_due, r.not_reported, r.reported_late, r.report_deadline
        from marts.fct_institution_reporting_monthly r
        where r.reporting_month = $month and r.not_reported > 0
          and r.institution_name in (select trim(m.responsible_institution) from marts.dim_milestones m
                                     where m.action_plan_id in (select action_plan_id from report_plans))
        order by r.not_reported desc, r.institution_name
    """, params)
    replanned = rows(con, """
        select milestone_code, milestone_title, responsible_institution, original_planned_end, planned_end, weight, original_weight
        from marts.dim_milestones
        where (is_replanned or weight <> original_weight) and action_plan_id in (select action_plan_id from report_plans)
        order by milestone_code
    """, params)
    for c in commitments:
        c["page"] = localized(page_name("compromiso", c["commitment_id"]), lang)
    moved = [c for c in commitments if abs(c["change_points"] or 0) >= 0.05]
    plans = []
    for plan in plan_rows:
        series = [(h["reporting_month"], h["progress_percent"], h["expected_percent"]) for h in history if h["action_plan_id"] == plan["action_plan_id"]]
        plans.append(Plan(
            plan["action_plan_id"], plan_title(plan["action_plan_number"], plan["member_name"], plan["start_year"], plan["end_year"], lang),
            localized(page_name("plan", plan["action_plan_id"]), lang), plan["progress_percent"], plan["expected_percent"],
            {k: plan[f"commitments_{k}"] for k in ("completed", "on_track", "at_risk", "delayed", "not_started")},
            responsive_chart_svg(series, title="Avance del plan por mes" if lang == "es" else "Plan progress by month", lang=lang),
            [c | {"page": localized(page_name("compromiso", c["commitment_id"]), lang)}
             for c in commitments if c["action_plan_id"] == plan["action_plan_id"]],
        ))
    by_year: dict[int, dict] = {}
    for r in municipality_years:
        by_year.setdefault(r["index_year"], {"year": r["index_year"]})[r["dimension"]] = r
    return {"plans": plans, "delayed": delayed, "overdue": overdue, "quality": quality, "moved": moved, "local_index": local_index,
            "replanned": replanned, "municipality_years": list(by_year.values())}


def render_reports_index(con: duckdb.DuckDBPyConnection, month: date, members: list, *, is_demo: bool, lang: str = "es",
                         previous_report: str | None = None) -> str:
    """informe.html: the month's reports, one per member, each with its plans' progress."""
    plans = rows(con, """
        select s.member_code, f.action_plan_id, f.progress_percent, f.expected_percent, p.action_plan_number, p.member_name,
               p.start_year, p.end_year
        from plans_in_scope s
        join marts.fct_plan_progress_monthly f on f.action_plan_id = s.action_plan_id and f.reporting_month = $month
        left join marts.dim_action_plans p on p.action_plan_id = s.action_plan_id
        order by f.action_plan_id
    """, {"month": month})
    listed = [{"member": m, "report": localized(m.report, lang),
               "plans": [p | {"title": plan_title(p["action_plan_number"], p["member_name"], p["start_year"], p["end_year"], lang)}
                         for p in plans if p["member_code"] == m.code]} for m in members]
    return _environment(lang).get_template("reports_index.html.j2").render(
        t=LABELS[lang], lang=lang, month=month, month_label=month_label(month, lang), is_demo=is_demo, members=listed,
        site_index=localized("index.html", lang), previous_report=previous_report)


@cache  # compiled once per process and language: a backfill renders every month
def _environment(lang: str) -> Environment:
    # Always escape: report text comes from institutions' forms (the template ends in .j2, so
    # select_autoescape would not turn it on).
    env = Environment(loader=PackageLoader("exports", "templates"), autoescape=True)
    env.filters.update(template_filters(lang))  # the site's formatter: one way to write a number or a date
    return env


REPORTS_INDEX = "informe.html"  # in each version: the month's reports, one per member


def render_report(
    con: duckdb.DuckDBPyConnection, month: date, *, member, is_demo: bool, methodology: dict, lang: str = "es",
    quality_warnings: list[dict] | None = None, previous_report: str | None = None, portal_url: str | None = None,
) -> str:
    """The month's report of one member (`exports.snapshot.ReportMember`): its plans in scope."""
    if lang not in LABELS:
        raise ValueError(f"report language {lang!r} is not one of {sorted(LABELS)}")
    env = _environment(lang)
    con.execute(f"create or replace temp view report_plans as select * from plans_in_scope where member_code = {sql_literal(member.code)}")
    data = gather(con, month, lang, municipality=member.municipality if member.level == "local" else None)
    return env.get_template("monthly_report.html.j2").render(
        t=LABELS[lang],
        member=member,
        title=LABELS[lang]["title_of"].format(member=member.name),
        reports_index=localized(REPORTS_INDEX, lang),
        si=0 if lang == "es" else 1,
        month=month,
        month_label=month_label(month, lang),
        lang=lang,
        is_demo=is_demo,
        methodology=methodology,
        status=STATUS,
        reporting=REPORTING,
        bar=lambda p, e, s: progress_bar_svg(p, e, STATUS.get(s, STATUS["not_started"])[2]),
        ranking_bar=ranking_bar_svg,
        # Error-level failures on data this report does not govern (orchestration/blast_radius.py).
        reference_failures=[w for w in quality_warnings or [] if w.get("severity") == "error"],
        previous_report=previous_report,
        site_index=localized("index.html", lang),
        portal_url=portal_url,
        stages=STAGES[lang],
        **data,
    )
