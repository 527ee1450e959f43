"""The monthly publication as a site people read, written into each snapshot version beside the
data package: a home page with search, a page per plan, per commitment and per institution, and
the methodology. Self-contained (styles and the search script are files of the version, charts are
inline SVG with text alternatives, links are relative): any web server or the portal can serve it,
and it reads offline. Spanish, numbers and dates in es-EC form. Like the rest of a snapshot it
depends only on the warehouse and the month, never on the clock.

Every tracked plan with figures up to the month is shown: a plan in implementation with the
month's figures, an ended one with its last month's (its final figures)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader

from exports.queries import rows as rows_of
from exports.queries import used_params
from exports.formatting import (REPORTING_EN, REPORTING_ES, STATUS_EN, STATUS_ES, localized, ogp_label, page_name, plan_title,
                                template_filters)
from exports.report import responsive_chart_svg

ROOT = Path(__file__).resolve().parents[1]
METHODOLOGY_DOC = ROOT / "docs" / "methodology.md"
STATIC = ("sitio.css", "sitio.js")


def evidence_links(text: str | None) -> list[str]:
    """The http(s) addresses in an evidence cell (several may be typed, separated by spaces, commas
    or semicolons); anything else is shown as text, never as a link."""
    return re.findall(r"https?://[^\s,;<>\"']+", text or "")


@dataclass
class SitePlan:
    action_plan_id: str
    titles: dict[str, str]  # by language
    member_name: str
    start_year: int | None
    end_year: int | None
    status: str | None
    month: date  # the month its figures are for (the snapshot's, or its last month if it ended before)
    progress: float | None
    expected: float | None
    series: list
    commitments: list[dict] = field(default_factory=list)
    in_scope: bool = True

    @property
    def page(self) -> str:
        return page_name("plan", self.action_plan_id)


# Tracked plans and, for each, the month whose figures the site shows.
PLANS_SQL = """
select p.action_plan_id, p.member_name, p.action_plan_number, p.start_year, p.end_year, p.status,
       max(m.reporting_month) as shown_month,
       max(m.reporting_month) = $month as in_scope
from marts.dim_action_plans p
join marts.fct_plan_progress_monthly m using (action_plan_id)
where p.is_tracked and m.reporting_month <= $month
group by all
order by p.action_plan_id
"""


def gather_site(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    params = {"month": month}
    # The plans shown and the month each is shown at, for the queries below.
    con.execute(f"create or replace temp table site_plans as {PLANS_SQL}", used_params(PLANS_SQL, params))
    plans_rows = rows_of(con, "select * from site_plans order by action_plan_id", params)
    params["plans"] = [p["action_plan_id"] for p in plans_rows]
    plan_history = rows_of(con, """
        select action_plan_id, reporting_month, progress_percent, expected_percent
        from marts.fct_plan_progress_monthly
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by action_plan_id, reporting_month""", params)
    commitments = rows_of(con, """
        select c.commitment_id, c.action_plan_id, c.commitment_number, c.commitment_number_sort, c.commitment_title,
               c.theme, c.lead_institution, c.supporting_institutions, c.start_date, c.end_date, c.ogp_url, c.commitment_text,
               p.reporting_month, p.progress_percent, p.expected_percent, p.schedule_status, p.irm_completion_level,
               p.milestones, p.milestones_completed, p.milestones_stale, p.milestones_without_report,
               o.completion as irm_completion, o.did_it_open_government, o.early_results, o.potential_impact,
               o.potential_for_results, o.is_starred,
               w.probability_substantial_or_complete as outlook_probability, w.projected_percent_at_end as outlook_projected,
               w.outlook_basis
        from marts.dim_commitments c
        join site_plans s using (action_plan_id)
        join marts.fct_commitment_progress_monthly p
          on p.commitment_id = c.commitment_id and p.reporting_month = s.shown_month
        left join marts.fct_commitment_outcomes o on o.commitment_id = c.commitment_id
        left join marts.fct_commitment_outlook_monthly w
          on w.commitment_id = c.commitment_id and w.reporting_month = s.shown_month
        order by c.action_plan_id, c.commitment_number_sort, c.commitment_id""", params)
    commitment_history = rows_of(con, """
        select commitment_id, reporting_month, progress_percent, expected_percent
        from marts.fct_commitment_progress_monthly
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by commitment_id, reporting_month""", params)
    milestones = rows_of(con, """
        select m.milestone_code, m.commitment_id, m.action_plan_id, m.milestone_title, m.weight, m.planned_start,
               m.planned_end, m.original_planned_end, m.is_replanned, m.responsible_institution,
               s.percent_complete, s.expected_percent, s.schedule_status, s.reporting_status, s.last_report_month
        from marts.dim_milestones m
        join site_plans shown using (action_plan_id)
        join marts.fct_milestone_status_monthly s
          on s.milestone_code = m.milestone_code and s.reporting_month = shown.shown_month
        order by m.commitment_id, m.milestone_code""", params)
    reports = rows_of(con, """
        select submission_id, commitment_id, milestone_code, reporting_month, percent_complete, reporting_institution,
               narrative, challenges, evidence_urls
        from marts.fct_progress_reports
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by commitment_id, reporting_month desc, milestone_code, submission_id""", params)
    indicators = rows_of(con, """
        select i.indicator_code, i.commitment_id, i.milestone_code, i.indicator_name, i.unit, i.baseline, i.target,
               i.frequency, i.direction
        from marts.dim_indicators i
        join marts.dim_commitments c on c.commitment_id = i.commitment_id
        where c.action_plan_id in (select unnest($plans))
        order by i.indicator_code""", params)
    measurements = rows_of(con, """
        select indicator_code, period_start, period_raw, measured_value, target_attainment_percent, evidence_url
        from marts.fct_indicator_values
        where period_start <= $month and indicator_code in (
            select i.indicator_code from marts.dim_indicators i join marts.dim_commitments c using (commitment_id)
            where c.action_plan_id in (select unnest($plans)))
        order by indicator_code, period_start""", params)
    # Each responsible institution's reporting record, month by month up to the published one.
    reporting_record = rows_of(con, """
        select institution_name, reporting_month, report_deadline, milestones_due, reported_on_time, reported_late,
               not_reported
        from marts.fct_institution_reporting_monthly
        where reporting_month <= $month
        order by institution_name, reporting_month desc""", params)
    from similarity.search import stored_peers  # numpy: imported when a snapshot is built, not at load

    peers = stored_peers(con, [c["commitment_id"] for c in commitments])

    history_by_plan: dict[str, list] = {}
    for h in plan_history:
        history_by_plan.setdefault(h["action_plan_id"], []).append((h["reporting_month"], h["progress_percent"], h["expected_percent"]))
    by_commitment: dict[str, dict[str, list]] = {c["commitment_id"]: {"history": [], "milestones": [], "reports": [], "indicators": []}
                                                   for c in commitments}
    for h in commitment_history:
        if h["commitment_id"] in by_commitment:
            by_commitment[h["commitment_id"]]["history"].append((h["reporting_month"], h["progress_percent"], h["expected_percent"]))
    for m in milestones:
        if m["commitment_id"] in by_commitment:
            by_commitment[m["commitment_id"]]["milestones"].append(m)
    for r in reports:
        if r["commitment_id"] in by_commitment:
            r["links"] = evidence_links(r["evidence_urls"])
            by_commitment[r["commitment_id"]]["reports"].append(r)
    values: dict[str, list] = {}
    for v in measurements:
        values.setdefault(v["indicator_code"], []).append(v)
    for i in indicators:
        if i["commitment_id"] in by_commitment:
            i["values"] = values.get(i["indicator_code"], [])
            by_commitment[i["commitment_id"]]["indicators"].append(i)

    plans = []
    for p in plans_rows:
        series = history_by_plan.get(p["action_plan_id"], [])
        last = series[-1] if series else (None, None, None)
        titles = {lang: plan_title(p["action_plan_number"], p["member_name"], p["start_year"], p["end_year"], lang) for lang in LABELS}
        plan = SitePlan(p["action_plan_id"], titles,
                        p["member_name"], p["start_year"], p["end_year"], p["status"], p["shown_month"], last[1], last[2],
                        series, in_scope=p["in_scope"])
        for c in commitments:
            if c["action_plan_id"] != plan.action_plan_id:
                continue
            detail = by_commitment[c["commitment_id"]]
            c.update(detail)
            c["plan"] = plan
            c["page"] = page_name("compromiso", c["commitment_id"])
            c["peers"] = peers.get(c["commitment_id"])
            plan.commitments.append(c)
        plans.append(plan)

    institutions: dict[str, dict] = {}
    for plan in plans:
        for c in plan.commitments:
            if c["lead_institution"]:
                institutions.setdefault(c["lead_institution"], {"commitments": [], "milestones": []})["commitments"].append(c)
            for m in c["milestones"]:
                if m["responsible_institution"]:
                    institutions.setdefault(m["responsible_institution"], {"commitments": [], "milestones": []})["milestones"].append((c, m))
    record_by_name: dict[str, list] = {}
    for r in reporting_record:
        record_by_name.setdefault(r["institution_name"], []).append(r)
    order = {"delayed": 0, "at_risk": 1, "not_started": 2, "on_track": 3, "completed": 4}
    for name, entry in institutions.items():
        entry["reporting"] = record_by_name.get(name.strip(), [])
        entry["name"] = name
        entry["page"] = page_name("institucion", name)
        entry["commitments"].sort(key=lambda c: (order.get(c["schedule_status"], 5), c["commitment_id"]))
        entry["milestones"].sort(key=lambda cm: (order.get(cm[1]["schedule_status"], 5), cm[1]["milestone_code"]))
        entry["delayed"] = sum(1 for _, m in entry["milestones"] if m["schedule_status"] == "delayed")
    for plan in plans:
        for c in plan.commitments:
            c["institution_page"] = institutions[c["lead_institution"]]["page"] if c["lead_institution"] in institutions else None
    return {"plans": plans, "institutions": sorted(institutions.values(), key=lambda e: (-e["delayed"], e["name"]))}


LANGUAGE_NAMES = {"es": "Español", "en": "English"}
LABELS = {
    "es": {
        "site_title": "Gobierno abierto: avance a", "skip": "Saltar al contenido", "brand": "Avance de los planes de gobierno abierto",
        "publication_of": "publicación de", "sections": "Secciones", "home": "Inicio", "report": "Informe del mes",
        "institutions": "Instituciones", "methodology": "Metodología", "all": "Todas las publicaciones",
        "demo": "DATOS DE DEMOSTRACIÓN: los informes de avance de este sitio son inventados para mostrar la plataforma; no son cifras oficiales.",
        "open_data": "Datos abiertos de esta publicación", "portal": "en el portal nacional de datos abiertos",
        "computed_with": "Cifras calculadas con la", "standard_method": "metodología estandarizada",
        "from_reports": "a partir de los informes de las instituciones. Licencia CC BY 4.0.",
        "progress_lc": "avance", "expected_lc": "esperado", "h1": "Avance de los compromisos de gobierno abierto",
        "lead": "Publicación mensual de {month}: {plans} planes de acción, con el avance de cada compromiso, sus hitos, los informes de las instituciones y sus evidencias.",
        "read_report": "Leer el informe del mes", "previous": "mes anterior", "plans": "Planes de acción",
        "ended": "terminó: cifras finales de {month}", "commitments_lc": "compromisos", "commitment_lc": "compromiso", "see_plan": "ver el plan y su evolución",
        "search": "Buscar un compromiso", "search_label": "Palabras del título, institución o código",
        "search_placeholder": "p. ej. contratación, salud o un código de compromiso", "plan": "Plan", "all_options": "Todos", "status": "Semáforo",
        "of": "de", "responsible": "Instituciones responsables", "by_delayed": "Ordenadas por hitos retrasados.",
        "milestones_lc": "hitos", "delayed_lc": "retrasados", "path": "Ruta", "plan_ended": "el plan terminó: cifras finales",
        "plan_history": "Evolución del plan", "plan_chart_title": "Avance del plan {id} mes a mes",
        "commitment_chart_title": "Avance del compromiso {id} mes a mes",
        "plan_chart_caption": "Línea continua: avance del plan (promedio de sus compromisos). Línea discontinua: avance esperado por el tiempo transcurrido. Datos: avance_planes.csv.",
        "commitments": "Compromisos", "commitments_caption": "Avance de cada compromiso en {month}", "data_lc": "datos",
        "no": "N.º", "commitment": "Compromiso", "institution": "Institución responsable", "progress": "Avance",
        "counterpart": "Contraparte y apoyo", "period": "Vigencia", "progress_in": "Avance en",
        "irm_level": "Nivel según el avance reportado (escala del IRM)", "irm_verdict": "Evaluación publicada por el IRM",
        "outlook": "Perspectiva al cierre", "outlook_text": "{probability} de probabilidad de terminar sustancial o completo (escala IRM).", "completion_lc": "cumplimiento",
        "diog_lc": "¿abrió el gobierno?", "early_lc": "resultados tempranos", "potential_lc": "potencial de resultados",
        "impact_lc": "impacto potencial", "no_verdict": "sin evaluación publicada", "no_completion": "aún sin calificación de cumplimiento", "ogp_page": "página del compromiso en opengovpartnership.org",
        "history": "Evolución",
        "commitment_chart_caption": "Línea continua: avance del compromiso (promedio ponderado de sus hitos). Línea discontinua: avance esperado. Datos: compromisos.csv de cada mes.",
        "milestones": "Hitos", "milestones_caption": "Hitos en {month}", "milestone": "Hito", "weight": "Peso",
        "planned_dates": "Fechas planificadas", "responsible_one": "Responsable", "report_status": "Informe",
        "replanned": "replanificado; fin original {date}", "indicators": "Indicadores", "baseline": "Línea base", "target": "meta",
        "frequency": "frecuencia", "measurements": "Mediciones", "period_one": "Período", "value": "Valor",
        "attainment": "Logro de la meta", "evidence_one": "evidencia", "no_measurements": "Sin mediciones hasta este mes.",
        "accepted_reports": "Informes de avance aceptados", "milestone_lc": "hito", "challenges": "Dificultades",
        "evidence": "Evidencias", "no_reports": "Aún no hay informes aceptados.", "peers": "Compromisos similares en otros miembros de OGP",
        "peers_lead": "Los más parecidos por su texto y cómo los evaluó el IRM:", "peers_brief": "ver la ficha completa",
        "peers_caveat": "Es una ayuda para la consulta, no un juicio sobre este compromiso.",
        "institution_lead": "{commitments} a su cargo y {milestones}; {delayed}. Primero los retrasados.",
        "leads": "Compromisos que lidera", "none": "Ninguno.", "its_milestones": "Hitos a su cargo", "planned_end": "Fin planificado",
        "reporting_record": "Cumplimiento del reporte mensual", "reporting_lead": "Por cada mes: los hitos en curso que debía reportar, cuántos reportó hasta la fecha límite, cuántos después y cuántos no.",
        "month_col": "Mes", "deadline": "Fecha límite", "due": "Hitos por reportar", "on_time": "A tiempo", "late": "Con atraso",
        "missing": "Sin reporte",
        "method_source": "Texto fuente (Markdown)", "method_params": "Los parámetros con que se calculó esta publicación están en",
    },
    "en": {
        "site_title": "Open government: progress to", "skip": "Skip to content", "brand": "Progress of the open government plans",
        "publication_of": "publication of", "sections": "Sections", "home": "Home", "report": "Monthly report",
        "institutions": "Institutions", "methodology": "Methodology", "all": "Every publication",
        "demo": "DEMONSTRATION DATA: the progress reports on this site are invented to show the platform; they are not official figures.",
        "open_data": "Open data of this publication", "portal": "on the national open-data portal",
        "computed_with": "Figures computed with the", "standard_method": "standard methodology",
        "from_reports": "from the institutions' reports. Licence CC BY 4.0.",
        "progress_lc": "progress", "expected_lc": "expected", "h1": "Progress of the open government commitments",
        "lead": "Monthly publication of {month}: {plans} action plans, with each commitment's progress, its milestones, the institutions' reports and their evidence.",
        "read_report": "Read the monthly report", "previous": "previous month", "plans": "Action plans",
        "ended": "ended: final figures of {month}", "commitments_lc": "commitments", "commitment_lc": "commitment", "see_plan": "see the plan and its history",
        "search": "Find a commitment", "search_label": "Words of the title, institution or code",
        "search_placeholder": "e.g. contratación, salud or a commitment code", "plan": "Plan", "all_options": "All", "status": "Status",
        "of": "of", "responsible": "Responsible institutions", "by_delayed": "Most delayed milestones first.",
        "milestones_lc": "milestones", "delayed_lc": "delayed", "path": "Path", "plan_ended": "the plan ended: final figures",
        "plan_history": "Plan history", "plan_chart_title": "Progress of plan {id} by month",
        "commitment_chart_title": "Progress of commitment {id} by month",
        "plan_chart_caption": "Solid line: plan progress (mean of its commitments). Dashed line: progress expected from the time elapsed. Data: avance_planes.csv.",
        "commitments": "Commitments", "commitments_caption": "Each commitment's progress in {month}", "data_lc": "data",
        "no": "No.", "commitment": "Commitment", "institution": "Responsible institution", "progress": "Progress",
        "counterpart": "Counterpart and support", "period": "Period", "progress_in": "Progress in",
        "irm_level": "Level from the progress reported (IRM scale)", "irm_verdict": "Assessment published by the IRM",
        "outlook": "Outlook at the end", "outlook_text": "{probability} likely to end Substantial or Complete (IRM scale). Basis, in Spanish:", "completion_lc": "completion",
        "diog_lc": "did it open government?", "early_lc": "early results", "potential_lc": "potential for results",
        "impact_lc": "potential impact", "no_verdict": "no assessment published", "no_completion": "no completion rating yet", "ogp_page": "the commitment's page on opengovpartnership.org",
        "history": "History",
        "commitment_chart_caption": "Solid line: commitment progress (weighted mean of its milestones). Dashed line: expected progress. Data: each month's compromisos.csv.",
        "milestones": "Milestones", "milestones_caption": "Milestones in {month}", "milestone": "Milestone", "weight": "Weight",
        "planned_dates": "Planned dates", "responsible_one": "Responsible", "report_status": "Report",
        "replanned": "replanned; original end {date}", "indicators": "Indicators", "baseline": "Baseline", "target": "target",
        "frequency": "frequency", "measurements": "Measurements", "period_one": "Period", "value": "Value",
        "attainment": "Target attainment", "evidence_one": "evidence", "no_measurements": "No measurement up to this month.",
        "accepted_reports": "Accepted progress reports", "milestone_lc": "milestone", "challenges": "Challenges",
        "evidence": "Evidence", "no_reports": "No accepted report yet.", "peers": "Similar commitments of other OGP members",
        "peers_lead": "The closest by their text, and how the IRM assessed them:", "peers_brief": "see the full brief (Spanish)",
        "peers_caveat": "A consultation aid, not a judgement of this commitment.",
        "institution_lead": "{commitments} and {milestones} in its charge; {delayed}. Delayed first.",
        "leads": "Commitments it leads", "none": "None.", "its_milestones": "Milestones in its charge", "planned_end": "Planned end",
        "reporting_record": "Monthly reporting record", "reporting_lead": "For each month: the milestones under way it had to report on, how many it reported by the deadline, how many later and how many not at all.",
        "month_col": "Month", "deadline": "Deadline", "due": "Milestones due", "on_time": "On time", "late": "Late",
        "missing": "Not reported",
        "method_source": "Source text (Markdown)", "method_params": "The parameters this publication was computed with are in",
    },
}


@cache  # compiled once per process and language: a backfill writes every month's pages
def _environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("exports", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(template_filters(lang))
    status, reporting = (STATUS_ES, REPORTING_ES) if lang == "es" else (STATUS_EN, REPORTING_EN)
    env.globals.update(
        t=LABELS[lang], lang=lang, status_keys=list(STATUS_ES),
        status_label=lambda s: status.get(s, s or "—"), reporting_label=lambda s: reporting.get(s, s or "—"),
        irm_label=lambda s: ogp_label(s, lang),
        href=lambda name: localized(name, lang))
    return env


def write_site(con: duckdb.DuckDBPyConnection, month: date, folder: Path, *, is_demo: bool, data_files: list[str],
               previous_report: str | None = None, portal_url: str | None = None, languages: tuple[str, ...] = ("es",),
               methodology: dict | None = None) -> list[Path]:
    """The version's pages into `folder` (the snapshot's staging folder), Spanish first and each
    other language of `languages` beside it (`<page>.<lang>.html`); returns what it wrote."""
    site = gather_site(con, month)
    languages = ("es", *[lang for lang in languages if lang in LABELS and lang != "es"])
    pages: dict[str, str] = {}
    for lang in languages:
        env = _environment(lang)

        def other_href(other: str, page_file: str) -> str:
            return localized(page_file, other)

        common = {"month": month, "is_demo": is_demo, "plans": site["plans"], "institutions": site["institutions"],
                  "data_files": data_files, "previous_report": previous_report, "portal_url": portal_url,
                  "report": localized("informe.html", lang),
                  "chart": lambda series, title, lang=lang: responsive_chart_svg(series, title=title, lang=lang)}

        def render(template: str, page_file: str, **values) -> None:
            others = [(other, LANGUAGE_NAMES[other]) for other in languages if other != lang]
            pages[localized(page_file, lang)] = env.get_template(f"site/{template}").render(
                **common, **values, languages=others, other_href=lambda other, f=page_file: other_href(other, f))

        render("index.html.j2", "index.html", page="index")
        for plan in site["plans"]:
            render("plan.html.j2", plan.page, plan=plan, page="plan")
            for c in plan.commitments:
                render("commitment.html.j2", c["page"], plan=plan, c=c, page="commitment")
        for institution in site["institutions"]:
            render("institution.html.j2", institution["page"], inst=institution, page="institution")
    # One methodology page for the public, in plain Spanish; the technical document beside it.
    pages["metodologia.html"] = _environment("es").get_template("site/methodology.html.j2").render(
        month=month, is_demo=is_demo, data_files=data_files, portal_url=portal_url, report="informe.html",
        methodology=methodology or {}, page="methodology", languages=[], other_href=None)
    written = []
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    env = _environment("es")
    for name in STATIC:
        (folder / name).write_text(env.loader.get_source(env, f"site/{name}")[0], encoding="utf-8")
        written.append(folder / name)
    (folder / "metodologia.md").write_text(METHODOLOGY_DOC.read_text(encoding="utf-8"), encoding="utf-8")
    written.append(folder / "metodologia.md")
    return written
