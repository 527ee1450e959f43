"""The monthly report: one self-contained HTML file in Spanish (English labels as an option) with
inline SVG charts, printable to PDF. All text that comes from reports is escaped by Jinja's
autoescaping; charts are drawn from numbers only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import duckdb
from jinja2 import Environment, PackageLoader

from exports import report_queries as q
from exports.charts import progress_bar_svg, ranking_bar_svg, responsive_chart_svg
from exports.formatting import REPORTING_ES, localized, month_name, page_name, plan_title, template_filters
from exports.labels import labels
from exports.queries import rows
from exports.scope import PLANS_IN_SCOPE

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


# The parts of a report read for a batch of members at once, each row naming its member.
BY_MEMBER = {
    "commitments": q.COMMITMENTS,
    "plans": q.PLANS,
    "history": q.PLAN_HISTORY,
    "delayed": q.DELAYED_MILESTONES,
    "overdue": q.OVERDUE_INSTITUTIONS,
    "replanned": q.REPLANNED_MILESTONES,
}


@dataclass
class MembersRows:
    """What the reports of a batch of members read, read once for all of them."""

    parts: dict[str, dict[str, list[dict]]]  # part -> member code -> its rows, in the query's order
    ranking: list[dict]  # the municipalities' latest ranking (the same in every national report)

    def of(self, member_code: str) -> dict[str, list[dict]]:
        return {part: by_member.get(member_code, []) for part, by_member in self.parts.items()}


def members_rows(con: duckdb.DuckDBPyConnection, month: date, member_codes: list[str]) -> MembersRows:
    params = {"month": month, "previous": _previous_month(month), "member_codes": list(member_codes)}
    parts: dict[str, dict[str, list[dict]]] = {}
    for part, sql in BY_MEMBER.items():
        by_member: dict[str, list[dict]] = {}
        for row in rows(con, sql, params):
            by_member.setdefault(row.pop("report_member"), []).append(row)
        parts[part] = by_member
    return MembersRows(parts, rows(con, q.MUNICIPALITY_RANKING, params))


def gather(
    con: duckdb.DuckDBPyConnection,
    month: date,
    member_code: str,
    lang: str = "es",
    municipality: str | None = None,
    *,
    read: MembersRows | None = None,
) -> dict:
    """Everything a member's report shows, from the marts: the plans in scope of `member_code`
    (exports/scope.py), from `read` when its batch was read already. A local member's report shows
    its municipality's maturity index over the years; a national one the latest ranking of every
    municipality."""
    read = read or members_rows(con, month, [member_code])
    mine = read.of(member_code)
    params = {"month": month, "municipality": municipality, "member_codes": [member_code]}
    # Copied: the rows are shared by the member's report in every language.
    commitments = [dict(c) for c in mine["commitments"]]
    plan_rows, history = mine["plans"], mine["history"]
    municipality_years = rows(con, q.MUNICIPALITY_YEARS, params) if municipality else []
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
        "delayed": mine["delayed"],
        "overdue": mine["overdue"],
        "quality": rows(con, q.QUALITY_ISSUES, params),
        "moved": moved,
        "local_index": [] if municipality else read.ranking,
        "replanned": mine["replanned"],
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
    read: MembersRows | None = None,
) -> str:
    """The month's report of one member (`exports.scope.ReportMember`): its plans in scope (from
    `read` when its batch was read already)."""
    if lang not in LABELS:
        raise ValueError(f"report language {lang!r} is not one of {sorted(LABELS)}")
    env = _environment(lang)
    data = gather(
        con, month, member.code, lang, municipality=member.municipality if member.level == "local" else None, read=read
    )
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
