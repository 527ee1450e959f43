"""The monthly report: one self-contained HTML file in Spanish (English labels as an option) with
inline SVG charts, printable to PDF. All text that comes from reports is escaped by Jinja's
autoescaping; charts are drawn from numbers only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import duckdb
from jinja2 import Environment, PackageLoader

from exports.charts import progress_bar_svg, ranking_bar_svg, responsive_chart_svg
from exports.formatting import REPORTING_ES, localized, month_name, page_name, plan_title, template_filters
from exports.labels import labels
from exports.queries import rows
from exports.scope import MEMBER_PLANS, PLANS_IN_SCOPE

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


LABELS = labels("report")  # exports/labels/<language>.json


def month_label(d: date, lang: str = "es") -> str:
    return month_name(d, lang)


def _previous_month(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


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


def gather(
    con: duckdb.DuckDBPyConnection,
    month: date,
    member_code: str,
    lang: str = "es",
    municipality: str | None = None,
) -> dict:
    """Everything a member's report shows, from the marts: the plans in scope of `member_code`
    (exports/scope.py). A local member's report shows its municipality's maturity index over the
    years; a national one the latest ranking of every municipality."""
    params = {
        "month": month,
        "previous": _previous_month(month),
        "municipality": municipality,
        "member_code": member_code,
    }
    commitments = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select p.*, c.commitment_number, c.commitment_title, c.lead_institution,
               p.progress_percent - coalesce(prev.progress_percent, 0) as change_points,
               exists (select 1 from marts.fct_similar_commitments s where s.commitment_id = p.commitment_id) as has_peers,
               w.probability_substantial_or_complete as outlook_probability, w.outlook_basis
        from marts.fct_commitment_progress_monthly p
        join marts.dim_commitments c using (commitment_id)
        left join marts.fct_commitment_outlook_monthly w using (commitment_id, reporting_month)
        left join marts.fct_commitment_progress_monthly prev
               on prev.commitment_id = p.commitment_id and prev.reporting_month = $previous
        where p.reporting_month = $month and p.action_plan_id in (select action_plan_id from member_plans)
        order by p.action_plan_id, c.commitment_number_sort, p.commitment_id
    """,
        params,
    )
    plan_rows = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select f.*, p.action_plan_number, p.member_name, p.start_year, p.end_year
        from marts.fct_plan_progress_monthly f
        left join marts.dim_action_plans p using (action_plan_id)
        where f.reporting_month = $month and f.action_plan_id in (select action_plan_id from member_plans)
        order by f.action_plan_id
    """,
        params,
    )
    history = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select h.action_plan_id, h.reporting_month, h.progress_percent, h.expected_percent
        from marts.fct_plan_progress_monthly h join member_plans s using (action_plan_id)
        where h.reporting_month <= $month and h.reporting_month >= s.period_start_month
        order by h.action_plan_id, h.reporting_month
    """,
        params,
    )
    delayed = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select s.milestone_code, m.milestone_title, m.responsible_institution, s.percent_complete,
               s.expected_percent, s.schedule_gap, m.planned_end, s.reporting_status
        from marts.fct_milestone_status_monthly s join marts.dim_milestones m using (milestone_code)
        where s.reporting_month = $month and s.schedule_status = 'delayed'
          and s.action_plan_id in (select action_plan_id from member_plans)
        order by s.schedule_gap, s.milestone_code
    """,
        params,
    )
    quality = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select stage, source_name, rule_code, reason, file_name, source_row_number, submission_id, issue_status,
               count(*) over () as total
        from marts.fct_data_quality_issues q
        left join marts.dim_milestones m using (milestone_code)
        left join marts.dim_action_plans p on p.action_plan_id = m.action_plan_id
        -- The member's own issues, and those no catalogue milestone ties to a member (in every report).
        where q.annex_month = $month
          and (m.milestone_code is null or p.member_code in (select member_code from member_plans))
        order by stage, rule_code, file_name, source_row_number, submission_id
    """,
        params,
    )
    local_index = (
        []
        if municipality
        else rows(
            con,
            """
        select municipality, province, index_year, score, rank_in_year, change_from_previous
        from marts.fct_local_government_index
        where dimension = 'index'
          and index_year = (select max(index_year) from marts.fct_local_government_index where index_year <= year($month))
        order by rank_in_year, municipality
    """,
            params,
        )
    )
    municipality_years = (
        rows(
            con,
            """
        select index_year, dimension, score, rank_in_year, change_from_previous
        from marts.fct_local_government_index
        where lower(municipality) = lower($municipality) and index_year <= year($month)
        order by index_year, dimension
    """,
            params,
        )
        if municipality
        else []
    )
    # Who is overdue: the member's institutions with milestones under way and no report for the month.
    overdue = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select r.institution_name, r.milestones_due, r.not_reported, r.reported_late, r.report_deadline
        from marts.fct_institution_reporting_monthly r
        where r.reporting_month = $month and r.not_reported > 0
          and r.institution_name in (select trim(m.responsible_institution) from marts.dim_milestones m
                                     where m.action_plan_id in (select action_plan_id from member_plans))
        order by r.not_reported desc, r.institution_name
    """,
        params,
    )
    replanned = rows(
        con,
        f"""
        with {MEMBER_PLANS}
        select milestone_code, milestone_title, responsible_institution, original_planned_end, planned_end, weight, original_weight
        from marts.dim_milestones
        where (is_replanned or weight <> original_weight) and action_plan_id in (select action_plan_id from member_plans)
        order by milestone_code
    """,
        params,
    )
    for c in commitments:
        c["page"] = localized(page_name("compromiso", c["commitment_id"]), lang)
    moved = [c for c in commitments if abs(c["change_points"] or 0) >= 0.05]
    plans = []
    for plan in plan_rows:
        series = [
            (h["reporting_month"], h["progress_percent"], h["expected_percent"])
            for h in history
            if h["action_plan_id"] == plan["action_plan_id"]
        ]
        plans.append(
            Plan(
                plan["action_plan_id"],
                plan_title(plan["action_plan_number"], plan["member_name"], plan["start_year"], plan["end_year"], lang),
                localized(page_name("plan", plan["action_plan_id"]), lang),
                plan["progress_percent"],
                plan["expected_percent"],
                {k: plan[f"commitments_{k}"] for k in ("completed", "on_track", "at_risk", "delayed", "not_started")},
                responsive_chart_svg(
                    series, title="Avance del plan por mes" if lang == "es" else "Plan progress by month", lang=lang
                ),
                [
                    c | {"page": localized(page_name("compromiso", c["commitment_id"]), lang)}
                    for c in commitments
                    if c["action_plan_id"] == plan["action_plan_id"]
                ],
            )
        )
    by_year: dict[int, dict] = {}
    for r in municipality_years:
        by_year.setdefault(r["index_year"], {"year": r["index_year"]})[r["dimension"]] = r
    return {
        "plans": plans,
        "delayed": delayed,
        "overdue": overdue,
        "quality": quality,
        "moved": moved,
        "local_index": local_index,
        "replanned": replanned,
        "municipality_years": list(by_year.values()),
    }


def render_reports_index(
    con: duckdb.DuckDBPyConnection,
    month: date,
    members: list,
    *,
    is_demo: bool,
    lang: str = "es",
    previous_report: str | None = None,
) -> str:
    """informe.html: the month's reports, one per member, each with its plans' progress."""
    plans = rows(
        con,
        f"""
        with {PLANS_IN_SCOPE}
        select s.member_code, f.action_plan_id, f.progress_percent, f.expected_percent, p.action_plan_number, p.member_name,
               p.start_year, p.end_year
        from plans_in_scope s
        join marts.fct_plan_progress_monthly f on f.action_plan_id = s.action_plan_id and f.reporting_month = $month
        left join marts.dim_action_plans p on p.action_plan_id = s.action_plan_id
        order by f.action_plan_id
    """,
        {"month": month},
    )
    listed = [
        {
            "member": m,
            "report": localized(m.report, lang),
            "plans": [
                p
                | {"title": plan_title(p["action_plan_number"], p["member_name"], p["start_year"], p["end_year"], lang)}
                for p in plans
                if p["member_code"] == m.code
            ],
        }
        for m in members
    ]
    return (
        _environment(lang)
        .get_template("reports_index.html.j2")
        .render(
            t=LABELS[lang],
            lang=lang,
            month=month,
            month_label=month_label(month, lang),
            is_demo=is_demo,
            members=listed,
            site_index=localized("index.html", lang),
            previous_report=previous_report,
        )
    )


@cache  # compiled once per process and language: a backfill renders every month
def _environment(lang: str) -> Environment:
    # Always escape: report text comes from institutions' forms (the template ends in .j2, so
    # select_autoescape would not turn it on).
    env = Environment(loader=PackageLoader("exports", "templates"), autoescape=True)
    env.filters.update(template_filters(lang))  # the site's formatter: one way to write a number or a date
    return env


REPORTS_INDEX = "informe.html"  # in each version: the month's reports, one per member


def render_report(
    con: duckdb.DuckDBPyConnection,
    month: date,
    *,
    member,
    is_demo: bool,
    methodology: dict,
    lang: str = "es",
    quality_warnings: list[dict] | None = None,
    previous_report: str | None = None,
    portal_url: str | None = None,
) -> str:
    """The month's report of one member (`exports.scope.ReportMember`): its plans in scope."""
    if lang not in LABELS:
        raise ValueError(f"report language {lang!r} is not one of {sorted(LABELS)}")
    env = _environment(lang)
    data = gather(con, month, member.code, lang, municipality=member.municipality if member.level == "local" else None)
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
