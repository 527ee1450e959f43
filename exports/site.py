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

from exports.charts import responsive_chart_svg
from exports.formatting import (
    REPORTING_EN,
    REPORTING_ES,
    STATUS_EN,
    STATUS_ES,
    localized,
    ogp_label,
    page_name,
    plan_title,
    template_filters,
)
from exports.labels import labels
from exports.queries import rows as rows_of
from exports.queries import used_params

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
    plan_history = rows_of(
        con,
        """
        select action_plan_id, reporting_month, progress_percent, expected_percent
        from marts.fct_plan_progress_monthly
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by action_plan_id, reporting_month""",
        params,
    )
    commitments = rows_of(
        con,
        """
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
        order by c.action_plan_id, c.commitment_number_sort, c.commitment_id""",
        params,
    )
    commitment_history = rows_of(
        con,
        """
        select commitment_id, reporting_month, progress_percent, expected_percent
        from marts.fct_commitment_progress_monthly
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by commitment_id, reporting_month""",
        params,
    )
    milestones = rows_of(
        con,
        """
        select m.milestone_code, m.commitment_id, m.action_plan_id, m.milestone_title, m.weight, m.planned_start,
               m.planned_end, m.original_planned_end, m.is_replanned, m.responsible_institution,
               s.percent_complete, s.expected_percent, s.schedule_status, s.reporting_status, s.last_report_month
        from marts.dim_milestones m
        join site_plans shown using (action_plan_id)
        join marts.fct_milestone_status_monthly s
          on s.milestone_code = m.milestone_code and s.reporting_month = shown.shown_month
        order by m.commitment_id, m.milestone_code""",
        params,
    )
    reports = rows_of(
        con,
        """
        select submission_id, commitment_id, milestone_code, reporting_month, percent_complete, reporting_institution,
               narrative, challenges, evidence_urls
        from marts.fct_progress_reports
        where action_plan_id in (select unnest($plans)) and reporting_month <= $month
        order by commitment_id, reporting_month desc, milestone_code, submission_id""",
        params,
    )
    indicators = rows_of(
        con,
        """
        select i.indicator_code, i.commitment_id, i.milestone_code, i.indicator_name, i.unit, i.baseline, i.target,
               i.frequency, i.direction
        from marts.dim_indicators i
        join marts.dim_commitments c on c.commitment_id = i.commitment_id
        where c.action_plan_id in (select unnest($plans))
        order by i.indicator_code""",
        params,
    )
    measurements = rows_of(
        con,
        """
        select indicator_code, period_start, period_raw, measured_value, target_attainment_percent, evidence_url
        from marts.fct_indicator_values
        where period_start <= $month and indicator_code in (
            select i.indicator_code from marts.dim_indicators i join marts.dim_commitments c using (commitment_id)
            where c.action_plan_id in (select unnest($plans)))
        order by indicator_code, period_start""",
        params,
    )
    # Each responsible institution's reporting record, month by month up to the published one.
    reporting_record = rows_of(
        con,
        """
        select institution_name, reporting_month, report_deadline, milestones_due, reported_on_time, reported_late,
               not_reported
        from marts.fct_institution_reporting_monthly
        where reporting_month <= $month
        order by institution_name, reporting_month desc""",
        params,
    )
    from similarity.search import stored_peers  # numpy: imported when a snapshot is built, not at load

    peers = stored_peers(con, [c["commitment_id"] for c in commitments])

    history_by_plan: dict[str, list] = {}
    for h in plan_history:
        history_by_plan.setdefault(h["action_plan_id"], []).append(
            (h["reporting_month"], h["progress_percent"], h["expected_percent"])
        )
    by_commitment: dict[str, dict[str, list]] = {
        c["commitment_id"]: {"history": [], "milestones": [], "reports": [], "indicators": []} for c in commitments
    }
    for h in commitment_history:
        if h["commitment_id"] in by_commitment:
            by_commitment[h["commitment_id"]]["history"].append(
                (h["reporting_month"], h["progress_percent"], h["expected_percent"])
            )
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
        titles = {
            lang: plan_title(p["action_plan_number"], p["member_name"], p["start_year"], p["end_year"], lang)
            for lang in LABELS
        }
        plan = SitePlan(
            p["action_plan_id"],
            titles,
            p["member_name"],
            p["start_year"],
            p["end_year"],
            p["status"],
            p["shown_month"],
            last[1],
            last[2],
            series,
            in_scope=p["in_scope"],
        )
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
                institutions.setdefault(c["lead_institution"], {"commitments": [], "milestones": []})[
                    "commitments"
                ].append(c)
            for m in c["milestones"]:
                if m["responsible_institution"]:
                    institutions.setdefault(m["responsible_institution"], {"commitments": [], "milestones": []})[
                        "milestones"
                    ].append((c, m))
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
            c["institution_page"] = (
                institutions[c["lead_institution"]]["page"] if c["lead_institution"] in institutions else None
            )
    return {"plans": plans, "institutions": sorted(institutions.values(), key=lambda e: (-e["delayed"], e["name"]))}


LANGUAGE_NAMES = {"es": "Español", "en": "English"}
LABELS = labels("site")  # exports/labels/<language>.json


@cache  # compiled once per process and language: a backfill writes every month's pages
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("exports", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(template_filters(lang))
    status, reporting = (STATUS_ES, REPORTING_ES) if lang == "es" else (STATUS_EN, REPORTING_EN)
    env.globals.update(
        t=LABELS[lang],
        lang=lang,
        status_keys=list(STATUS_ES),
        status_label=lambda s: status.get(s, s or "—"),
        reporting_label=lambda s: reporting.get(s, s or "—"),
        irm_label=lambda s: ogp_label(s, lang),
        href=lambda name: localized(name, lang),
    )
    return env


def write_site(
    con: duckdb.DuckDBPyConnection,
    month: date,
    folder: Path,
    *,
    is_demo: bool,
    data_files: list[str],
    previous_report: str | None = None,
    portal_url: str | None = None,
    languages: tuple[str, ...] = ("es",),
    methodology: dict | None = None,
) -> list[Path]:
    """The version's pages into `folder` (the snapshot's staging folder), Spanish first and each
    other language of `languages` beside it (`<page>.<lang>.html`); returns what it wrote."""
    site = gather_site(con, month)
    languages = ("es", *[lang for lang in languages if lang in LABELS and lang != "es"])
    pages: dict[str, str] = {}
    for lang in languages:
        env = _environment(lang)

        def other_href(other: str, page_file: str) -> str:
            return localized(page_file, other)

        common = {
            "month": month,
            "is_demo": is_demo,
            "plans": site["plans"],
            "institutions": site["institutions"],
            "data_files": data_files,
            "previous_report": previous_report,
            "portal_url": portal_url,
            "report": localized("informe.html", lang),
            "chart": lambda series, title, lang=lang: responsive_chart_svg(series, title=title, lang=lang),
        }

        def render(template: str, page_file: str, **values) -> None:
            # Called only within this language's iteration: the loop's current values are meant.
            others = [(other, LANGUAGE_NAMES[other]) for other in languages if other != lang]  # noqa: B023
            pages[localized(page_file, lang)] = env.get_template(f"site/{template}").render(  # noqa: B023
                **common,  # noqa: B023
                **values,
                languages=others,
                other_href=lambda other, f=page_file: other_href(other, f),
            )

        render("index.html.j2", "index.html", page="index")
        for plan in site["plans"]:
            render("plan.html.j2", plan.page, plan=plan, page="plan")
            for c in plan.commitments:
                render("commitment.html.j2", c["page"], plan=plan, c=c, page="commitment")
        for institution in site["institutions"]:
            render("institution.html.j2", institution["page"], inst=institution, page="institution")
    # One methodology page for the public, in plain Spanish; the technical document beside it.
    pages["metodologia.html"] = (
        _environment("es")
        .get_template("site/methodology.html.j2")
        .render(
            month=month,
            is_demo=is_demo,
            data_files=data_files,
            portal_url=portal_url,
            report="informe.html",
            methodology=methodology or {},
            page="methodology",
            languages=[],
            other_href=None,
        )
    )
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
