"""The monthly publication as a site people read, written into each snapshot version beside the
data package: a home page with search, a page per plan, per commitment and per institution, and
the methodology. Self-contained (styles and the search script are files of the version, charts are
inline SVG with text alternatives, links are relative): any web server or the portal can serve it,
and it reads offline. Spanish, numbers and dates in es-EC form. Like the rest of a snapshot it
depends only on the warehouse and the month, never on the clock.

Every tracked plan with figures up to the month is shown: a plan in implementation with the
month's figures, an ended one with its last month's (its final figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from exports import site_queries as q
from exports.charts import responsive_chart_svg
from exports.formatting import (
    REPORTING_EN,
    REPORTING_ES,
    STATUS_EN,
    STATUS_ES,
    localized,
    month_name,
    ogp_label,
    page_name,
    percent,
    plan_title,
    template_filters,
)
from exports.labels import labels
from exports.page_reuse import PageReuse
from exports.queries import rows as rows_of
from exports.site_details import body_keys, commitment_details, detail_digests, institution_keys

ROOT = Path(__file__).resolve().parents[1]
METHODOLOGY_DOC = ROOT / "docs" / "methodology.md"
STATIC = ("sitio.css", "sitio.js")


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


# Commitment pages are written a batch of plans at a time, from queries for those plans alone: what
# only a commitment's own page shows (its monthly history, every accepted report, its indicators
# and peers) is held for one batch, never for every member's history at once.
PLANS_PER_BATCH = 25
DETAILS = ("history", "reports", "indicators", "peers")


def gather_site(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    """The site's plans for `month`, each with its commitments and their milestones (what the index,
    plan and institution pages show), and its institutions, from the marts (exports/site_queries.py).
    A commitment's own details come later, batch by batch (`commitment_details`)."""
    params = {"month": month}
    plan_rows = rows_of(con, q.PLANS, params)
    params["plans"] = [p["action_plan_id"] for p in plan_rows]
    commitments = rows_of(con, q.COMMITMENTS, params)
    milestones: dict[str, list] = {}
    for m in rows_of(con, q.MILESTONES, params):
        milestones.setdefault(m["commitment_id"], []).append(m)
    plans = _site_plans(plan_rows, rows_of(con, q.PLAN_HISTORY, params), commitments, milestones)
    return {"plans": plans, "institutions": _institutions(plans, rows_of(con, q.REPORTING_RECORD, params))}


def _site_plans(
    plan_rows: list[dict], plan_history: list[dict], commitments: list[dict], milestones: dict[str, list]
) -> list[SitePlan]:
    """Each plan with its monthly series and its commitments, each commitment with its milestones."""
    history_by_plan: dict[str, list] = {}
    for h in plan_history:
        history_by_plan.setdefault(h["action_plan_id"], []).append(
            (h["reporting_month"], h["progress_percent"], h["expected_percent"])
        )
    commitments_by_plan: dict[str, list] = {}
    for c in commitments:
        commitments_by_plan.setdefault(c["action_plan_id"], []).append(c)
    plans = []
    for p in plan_rows:
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
        for c in commitments_by_plan.get(plan.action_plan_id, []):
            c["milestones"] = milestones.get(c["commitment_id"], [])
            c["plan"] = plan
            c["page"] = page_name("compromiso", c["commitment_id"])
            plan.commitments.append(c)
        plans.append(plan)
    return plans


def _institutions(plans: list[SitePlan], reporting_record: list[dict]) -> list[dict]:
    """Each institution leading a commitment or responsible for a milestone, with its reporting
    record, most delayed first; each commitment learns its lead institution's page."""
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
    return sorted(institutions.values(), key=lambda e: (-e["delayed"], e["name"]))


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
        t=SimpleNamespace(**LABELS[lang]),  # read as attributes: `t.plans`, at once
        lang=lang,
        status_keys=list(STATUS_ES),
        status_label=lambda s: status.get(s, s or "—"),
        reporting_label=lambda s: reporting.get(s, s or "—"),
        irm_label=lambda s: ogp_label(s, lang),
        href=lambda name: localized(name, lang),
        report_items=lambda reports: report_items(reports, lang),
    )
    return env


def report_items(reports: list[tuple], lang: str) -> Markup:
    """A commitment page's accepted reports, one `<li>` each, every value escaped as the template's
    autoescaping would. Written here, not in commitment.html.j2: a month's site lists every report
    of every plan (a million lines for every member), and Jinja took ten times as long per line."""
    t = LABELS[lang]
    milestone, challenges, evidence = escape(t["milestone_lc"]), escape(t["challenges"]), escape(t["evidence"])
    items = []
    for r in reports:
        items.append(
            f"  <li><p><b>{escape(month_name(r.reporting_month, lang))}</b> · {milestone} {escape(r.milestone_code)} · "
            f"{escape(percent(r.percent_complete, 1, lang))} · {escape(r.reporting_institution or '')}</p>\n"
        )
        if r.narrative:
            items.append(f"<p>{escape(r.narrative)}</p>")
        if r.challenges:
            items.append(f"<p><i>{challenges}:</i> {escape(r.challenges)}</p>")
        if r.links:
            links = " · ".join(f'<a href="{link}">{link}</a>' for link in map(escape, r.links))
            items.append(f"<p>{evidence}: {links}</p>")
        elif r.evidence_urls:
            items.append(f"<p>{evidence}: {escape(r.evidence_urls)}</p>")
        items.append("  </li>\n")
    return Markup("".join(items))


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
    reuse: PageReuse | None = None,
) -> list[Path]:
    """The version's pages into `folder` (the snapshot's staging folder), Spanish first and each
    other language of `languages` beside it (`<page>.<lang>.html`); returns what it wrote. Each page
    is written as soon as it is rendered, and commitment pages a batch of plans at a time; the
    bodies of commitment and institution pages are taken from the publication before where nothing
    they show changed (`reuse`)."""
    site = gather_site(con, month)
    languages = ("es", *[lang for lang in languages if lang in LABELS and lang != "es"])
    shared = {
        "month": month,
        "is_demo": is_demo,
        "plans": site["plans"],
        "institutions": site["institutions"],
        "data_files": data_files,
        "previous_report": previous_report,
        "portal_url": portal_url,
    }
    renderers = {lang: _renderer(lang, languages, shared, reuse) for lang in languages}
    # An institution page's body, like a commitment page's, is taken from before when nothing it shows changed.
    institution_bodies = institution_keys(site["institutions"], list(renderers), month) if reuse else {}
    written = []
    for lang, render in renderers.items():
        written.append(_write(folder, *render("index.html.j2", "index.html", page="index")))
        for plan in site["plans"]:
            written.append(_write(folder, *render("plan.html.j2", plan.page, plan=plan, page="plan")))
        for inst in site["institutions"]:
            key = institution_bodies.get((lang, localized(inst["page"], lang)))
            written.append(
                _write(folder, *render("institution.html.j2", inst["page"], key, inst=inst, page="institution"))
            )
    plans = site["plans"]
    digests = detail_digests(con, month, plans) if reuse else {}
    for first in range(0, len(plans), PLANS_PER_BATCH):
        batch = plans[first : first + PLANS_PER_BATCH]
        commitments = [(plan, c) for plan in batch for c in plan.commitments]
        keys = body_keys(batch, list(renderers), digests) if reuse else {}
        # Details are read for the plans with a page to render: the rest are taken from before.
        fresh = [
            p
            for p in batch
            if not reuse or not all(reuse.holds(*page) for page in keys.get(p.action_plan_id, {}).values())
        ]
        details = commitment_details(con, month, fresh) if fresh else {}
        for _, c in commitments:
            c.update(details.get(c["commitment_id"], {}))
        for lang, render in renderers.items():
            for plan, c in commitments:
                key = keys[plan.action_plan_id][(lang, c["commitment_id"])][1] if reuse else None
                written.append(
                    _write(folder, *render("commitment.html.j2", c["page"], key, plan=plan, c=c, page="commitment"))
                )
        for _, c in commitments:  # the batch's pages are written: their details are no longer held
            for key in DETAILS:
                c.pop(key, None)
    # One methodology page for the public, in plain Spanish; the technical document beside it.
    methodology_page = (
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
    written.append(_write(folder, "metodologia.html", methodology_page))
    return written + _write_static(folder)


def _renderer(lang: str, languages: tuple[str, ...], shared: dict, reuse: PageReuse | None = None):
    """A page of the site in one language, as (file name, text); each page links to itself in the
    other languages. Given a key, its `main` block is taken from the publication before when it
    holds one under that key."""
    env = _environment(lang)
    common = {
        **shared,
        "report": localized("informe.html", lang),
        "chart": lambda series, title: responsive_chart_svg(series, title=title, lang=lang),
    }
    others = [(other, LANGUAGE_NAMES[other]) for other in languages if other != lang]

    def render(template: str, page_file: str, key: str | None = None, **values) -> tuple[str, str]:
        page = env.get_template(f"site/{template}")
        values = {**common, **values, "languages": others, "other_href": lambda other: localized(page_file, other)}
        name = localized(page_file, lang)
        if reuse is None or key is None:
            return name, page.render(values)
        return name, reuse.around_block(page, values, "main", name, key)

    return render


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _write_static(folder: Path) -> list[Path]:
    """The static files (style, script) and the methodology document."""
    env = _environment("es")
    written = [_write(folder, name, env.loader.get_source(env, f"site/{name}")[0]) for name in STATIC]
    return [*written, _write(folder, "metodologia.md", METHODOLOGY_DOC.read_text(encoding="utf-8"))]
