"""The site's own floor (#32): the same pages the monthly site writes (a page per tracked
commitment with its milestones and every report up to the month, per plan, per lead institution,
and the index), written by a minimal Jinja2 loop over one DuckDB query per kind of page, with
nothing else: no labels, formatting, history charts, outcomes, peers, digests or reuse. Its pages
per second, beside the platform's, say what the site's rendering costs over the bare templates.

Run by `benchmarks/run.py` as a measured child process on the kept full build's warehouse:
`python -m benchmarks.site_floor WAREHOUSE MONTH OUT_DIR` prints a JSON line with the pages
written and the seconds they took."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import jinja2

BATCH_ROWS = 2_000  # commitments fetched at a time: every report of a batch is held, not the whole history

COMMITMENTS = """
    with shown as (
        select c.commitment_id, c.action_plan_id, c.commitment_title, c.member_name, c.lead_institution,
               c.commitment_text, p.progress_percent, p.schedule_status
        from marts.dim_commitments c
        join marts.fct_commitment_progress_monthly p using (commitment_id)
        where c.is_tracked and p.reporting_month <= $month
        qualify row_number() over (partition by c.commitment_id order by p.reporting_month desc) = 1
    ), milestones as (
        select commitment_id, list(struct_pack(milestone_title, weight) order by milestone_code) as milestones
        from marts.dim_milestones group by commitment_id
    ), reports as (
        select commitment_id,
               list(struct_pack(reporting_month, milestone_code, percent_complete, narrative)
                    order by reporting_month, milestone_code) as reports
        from marts.fct_progress_reports where reporting_month <= $month group by commitment_id
    )
    select shown.*, milestones.milestones, reports.reports
    from shown left join milestones using (commitment_id) left join reports using (commitment_id)
    order by shown.action_plan_id, shown.commitment_id
"""

PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1>
{% if c %}<p>{{ c.member_name }} · {{ c.lead_institution }} · {{ c.progress_percent }} % · {{ c.schedule_status }}</p>
<p>{{ c.commitment_text }}</p>
<h2>Hitos</h2><ul>
{%- for m in c.milestones or [] %}<li>{{ m.milestone_title }} ({{ m.weight }})</li>{% endfor %}</ul>
<h2>Informes</h2><ul>
{%- for r in c.reports or [] -%}
<li>{{ r.reporting_month }} · {{ r.milestone_code }} · {{ r.percent_complete }} % · {{ r.narrative }}</li>
{%- endfor %}</ul>
{% else %}<ul>
{%- for item in items %}<li><a href="{{ item.href }}">{{ item.title }}</a> {{ item.progress_percent }} %</li>{% endfor %}
</ul>{% endif %}
</body></html>"""
)


def write_pages(warehouse: Path, month: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    plans: dict[str, list[dict]] = {}
    institutions: dict[str, list[dict]] = {}
    pages = 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        batches = con.sql(COMMITMENTS, params={"month": month}).to_arrow_reader(BATCH_ROWS)
        for batch in batches:
            for c in batch.to_pylist():
                href = f"c-{c['commitment_id']}.html"
                (out / href).write_text(PAGE.render(title=c["commitment_title"], c=c), encoding="utf-8")
                pages += 1
                item = {"href": href, "title": c["commitment_title"], "progress_percent": c["progress_percent"]}
                plans.setdefault(c["action_plan_id"], []).append(item)
                if c["lead_institution"]:
                    institutions.setdefault(c["lead_institution"], []).append(item)
    for kind, groups in (("p", plans), ("i", institutions)):
        for number, (name, items) in enumerate(sorted(groups.items())):
            (out / f"{kind}-{number}.html").write_text(PAGE.render(title=name, items=items), encoding="utf-8")
            pages += 1
    index = [{"href": f"p-{n}.html", "title": name, "progress_percent": ""} for n, name in enumerate(sorted(plans))]
    (out / "index.html").write_text(PAGE.render(title="Planes", items=index), encoding="utf-8")
    return pages + 1


def main() -> None:
    warehouse, month, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    started = time.perf_counter()
    pages = write_pages(warehouse, month, out)
    print(json.dumps({"pages": pages, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
