"""Pages taken from the publication before (exports/page_reuse.py): the same bytes as rendering
them, and rendered again whenever what they show, their file or the code changed."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from jinja2 import DictLoader, Environment, nodes

from exports.page_reuse import MONTHS_KEPT, PageReuse, page_key

TEMPLATES = {
    "base.html": "<title>{% block title %}{% endblock %} · {{ month }}</title>\n"
    "<main>\n{% block main %}{% endblock %}\n</main>\n<p>{{ month }}</p>",
    "page.html": '{% extends "base.html" %}{% block title %}{{ c.name }}{% endblock %}'
    "{% block main %}<h1>{{ c.name }}</h1>{% for r in c.reports %}<li>{{ r }}</li>{% endfor %}{% endblock %}",
}


def _publish(snapshots: Path, month: str, pages: dict[str, str], reuse: PageReuse) -> None:
    """Write a version's pages as a snapshot does, then record them for the next build."""
    folder = snapshots / month / "v1"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
        files[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    reuse.save(month, "v1", files)


def _build(tmp_path: Path, month: str, commitments: dict[str, dict]) -> tuple[dict[str, str], PageReuse]:
    template = Environment(loader=DictLoader(TEMPLATES), autoescape=True).get_template("page.html")
    reuse = PageReuse(tmp_path / "state", tmp_path / "snapshots", month)
    held = [name for name, c in commitments.items() if reuse.holds(f"{name}.html", page_key(c))]  # as the site asks
    pages = {
        f"{name}.html": reuse.around_block(template, {"month": month, "c": c}, "main", f"{name}.html", page_key(c))
        for name, c in commitments.items()
    }
    for name, c in commitments.items():
        assert pages[f"{name}.html"] == template.render(month=month, c=c)  # the bytes a render gives
    assert reuse.reused == len(held)
    _publish(tmp_path / "snapshots", month, pages, reuse)
    return pages, reuse


def test_a_body_taken_from_before_gives_the_bytes_a_render_gives(tmp_path):
    ended = {"name": "Datos <abiertos> & más", "reports": ["2023-01: 100 %", "ñandú"]}
    active = {"name": "Presupuesto", "reports": ["2023-10: 20 %"]}
    _, first = _build(tmp_path, "2023-10", {"ec1": ended, "ec2": active})
    assert (first.reused, first.rendered) == (0, 2)
    pages, second = _build(
        tmp_path, "2023-11", {"ec1": ended, "ec2": {**active, "reports": [*active["reports"], "2023-11: 40 %"]}}
    )
    assert (second.reused, second.rendered) == (1, 1)  # the ended commitment's body, under November's header
    assert "2023-11" in pages["ec1.html"] and "2023-10" not in pages["ec1.html"]
    _, again = _build(tmp_path, "2023-11", {"ec1": ended, "ec2": {**active, "reports": [*active["reports"], "x"]}})
    assert (again.reused, again.rendered) == (1, 1)  # the month's own latest version is the one before


def test_a_changed_file_or_a_lost_one_is_rendered_again(tmp_path):
    ended = {"name": "Datos", "reports": ["a"]}
    _build(tmp_path, "2023-10", {"ec1": ended, "ec2": ended, "ec3": ended})
    folder = tmp_path / "snapshots" / "2023-10" / "v1"
    (folder / "ec1.html").write_text((folder / "ec1.html").read_text() + "<script>", encoding="utf-8")
    (folder / "ec2.html").unlink()
    _, reuse = _build(tmp_path, "2023-11", {"ec1": ended, "ec2": ended, "ec3": ended})
    assert (reuse.reused, reuse.rendered) == (1, 2)


def test_a_state_cut_short_or_of_another_layout_reuses_nothing(tmp_path):
    ended = {"name": "Datos", "reports": ["a"]}
    _build(tmp_path, "2023-10", {"ec1": ended})
    (tmp_path / "state" / "2023-10.json").write_text('{"version": "v1", "pages": {"ec1.html": ["x"]', encoding="utf-8")
    _, reuse = _build(tmp_path, "2023-11", {"ec1": ended})
    assert (reuse.reused, reuse.rendered) == (0, 1)
    (tmp_path / "state" / "2023-11.json").write_text(json.dumps({"version": "v1", "pages": []}), encoding="utf-8")
    _, reuse = _build(tmp_path, "2023-11", {"ec1": ended})
    assert (reuse.reused, reuse.rendered) == (0, 1)
    state = json.loads((tmp_path / "state" / "2023-11.json").read_text(encoding="utf-8"))
    (tmp_path / "state" / "2023-11.json").write_text(
        json.dumps({**state, "version": "../2023-11/v1"}), encoding="utf-8"
    )
    _, reuse = _build(tmp_path, "2023-11", {"ec1": ended})
    assert (reuse.reused, reuse.rendered) == (0, 1)  # a version that is not a version folder's name


def test_the_files_pages_are_rendered_from_include_the_labels_the_formatter_reads():
    """A label corrected in the seed of OGP's labels changes pages that show it: the fingerprint
    that keys every page covers it, as it covers the templates and the label catalogues."""
    from exports.formatting import LABELS_SEED
    from exports.page_reuse import rendering_files

    files = rendering_files()
    assert LABELS_SEED in files
    assert {"commitment.html.j2", "brief.html.j2", "es.json", "site.py", "formatting.py"} <= {p.name for p in files}


def test_only_the_newest_months_are_kept_and_a_later_month_is_never_read(tmp_path):
    ended = {"name": "Datos", "reports": ["a"]}
    for month in ("2023-08", "2023-09", "2023-10", "2023-11"):
        _build(tmp_path, month, {"ec1": ended})
    assert sorted(p.stem for p in (tmp_path / "state").glob("*.json")) == ["2023-10", "2023-11"][-MONTHS_KEPT:]
    _, backfill = _build(tmp_path, "2023-05", {"ec1": ended})  # nothing before it is kept
    assert backfill.reused == 0
    assert "2023-05" in {p.stem for p in (tmp_path / "state").glob("*.json")}  # the month just written stays


@pytest.mark.parametrize(
    ("template", "keyed"),
    [
        ("commitment", {"c", "plan", "lang", "t", "href", "chart"}),
        ("institution", {"inst", "lang", "t", "href"}),
    ],
)
def test_a_body_reads_nothing_that_changes_with_the_page_around_it(template, keyed):
    """A commitment page's body is keyed by the commitment, its plan's page and titles and the
    language, an institution page's by the institution's entry and the language
    (exports/site_details.py): neither may read what the month's header and footer read (the month,
    the demonstration banner, the links to the report and the data files)."""
    from exports.site import _environment

    env = _environment("es")
    tree = env.parse(env.loader.get_source(env, f"site/{template}.html.j2")[0])
    [main] = [block for block in tree.find_all(nodes.Block) if block.name == "main"]
    read = {name.name for name in main.find_all(nodes.Name) if name.ctx == "load"}
    assigned = {name.name for name in main.find_all(nodes.Name) if name.ctx in ("store", "param")}
    page_wide = read - assigned - keyed
    callables = {"bar", "chip", "figure", "irm_label", "report_items", "reporting_label", "status_label"}
    assert page_wide <= callables, f"the {template} body reads {sorted(page_wide - callables)}: add it to its key"


def test_the_demos_pages_built_with_reuse_are_the_pages_a_full_render_gives(demo, tmp_path):
    """The demo published every month in turn, each taking what it could from the month before; a
    month rendered whole, with nothing to take, gives the same bytes for every page and brief."""
    from exports.snapshot import build_monthly_snapshot
    from orchestration.methodology import methodology_parameters

    assert (demo / "page_reuse").is_dir(), "the demo's months were published with page reuse"
    month = "2023-11"
    published = (
        demo / "snapshots" / month / json.loads((demo / "snapshots" / month / "latest.json").read_text())["version"]
    )
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        result = build_monthly_snapshot(
            con,
            date.fromisoformat(f"{month}-01"),
            tmp_path / "snapshots",
            is_demo=True,
            sources=[],
            methodology=methodology_parameters(),
        )
    # The kinds of page taken from before: commitment and institution pages, and briefs.
    kinds = ("compromiso-*.html", "institucion-*.html", "similares/*")
    pages = [p.relative_to(result.path) for kind in kinds for p in result.path.glob(kind)]
    assert len(pages) >= 60 and any(p.name.startswith("institucion-") for p in pages) and result.pages_reused == 0
    different = [str(p) for p in pages if (result.path / p).read_bytes() != (published / p).read_bytes()]
    assert not different, different[:5]
    shutil.rmtree(tmp_path / "snapshots")


def _marts(con: duckdb.DuckDBPyConnection, reports: list[tuple]) -> None:
    """The marts DETAILS_DIGESTS reads, with only the columns it reads: two commitments of one plan."""
    con.execute("create schema marts")
    con.execute("""create table marts.fct_commitment_progress_monthly as
        select * from (values ('C1', 'P1', date '2023-10-01', 10.0, 12.0), ('C2', 'P1', date '2023-10-01', 5.0, 6.0))
        t(commitment_id, action_plan_id, reporting_month, progress_percent, expected_percent)""")
    con.execute("""create table marts.fct_progress_reports (submission_id varchar, commitment_id varchar,
        milestone_code varchar, reporting_month date, percent_complete double, reporting_institution varchar,
        narrative varchar, challenges varchar, evidence_urls varchar, action_plan_id varchar)""")
    con.executemany(
        "insert into marts.fct_progress_reports values (?, ?, 'H1', date '2023-10-01', 50, 'MINTEL', ?, ?, null, 'P1')",
        reports,
    )
    con.execute(
        "create table marts.dim_commitments as select * from (values ('C1', 'P1'), ('C2', 'P1')) t(commitment_id, action_plan_id)"
    )
    con.execute("""create table marts.dim_indicators as select * from (values ('I1', 'C1', 'H1', 'Portales', 'n', 0, 10, 'mensual', 'up'))
        t(indicator_code, commitment_id, milestone_code, indicator_name, unit, baseline, target, frequency, direction)""")
    con.execute("""create table marts.fct_indicator_values as select * from (values ('I1', date '2023-09-01', '2023-09', 4.0, 40.0, null))
        t(indicator_code, period_start, period_raw, measured_value, target_attainment_percent, evidence_url)""")


def _digests(reports: list[tuple]) -> dict[str, str]:
    from exports import site_queries as q
    from exports.queries import used_params

    with duckdb.connect() as con:
        _marts(con, reports)
        params = {"month": date(2023, 10, 1), "plans": ["P1"]}
        return dict(con.execute(q.DETAILS_DIGESTS, used_params(q.DETAILS_DIGESTS, params)).fetchall())


def test_a_details_digest_changes_with_any_value_its_page_lists_and_only_then():
    reports = [("s1", "C1", "Portal publicado", "ninguno"), ("s2", "C1", "Segundo", None), ("s3", "C2", "Otro", None)]
    before = _digests(reports)
    assert set(before) == {"C1", "C2"} and before == _digests(list(reversed(reports)))  # the rows, not their order
    cases = [
        ([("s1", "C1", "Portal publicado.", "ninguno"), *reports[1:]], {"C1"}),  # a character of a narrative
        ([("s1", "C1", "Portal publicado', 'challenges': 'ninguno", None), *reports[1:]], {"C1"}),  # text moved
        ([reports[0], ("s2", "C1", "Segundo", "NULL"), reports[2]], {"C1"}),  # the text 'NULL' is not a null
        (reports[:2], {"C2"}),  # C2's only report withdrawn
    ]
    for changed, which in cases:
        after = _digests(changed)
        assert {c for c in before if after.get(c) != before[c]} == which, changed


def test_an_institution_page_is_keyed_only_when_it_can_be_taken_and_changes_with_what_it_shows():
    """An institution with milestones due this month has a new line in its reporting record: no
    key (its page is new). One whose plans ended is keyed by everything its page lists."""
    from exports.formatting import localized
    from exports.site_details import institution_keys

    month = date(2026, 10, 1)

    def entry(name, last_month, progress=50.0):
        c = {"commitment_id": "C1", "page": "compromiso-c1.html", "progress_percent": progress, "plan": object()}
        m = {"milestone_code": "C1-H1", "schedule_status": "completed"}
        return {
            "name": name,
            "page": f"institucion-{name}.html",
            "delayed": 0,
            "commitments": [c],
            "milestones": [(c, m)],
            "reporting": [{"reporting_month": last_month, "milestones_due": 1}],
        }

    active, ended = entry("activa", month), entry("cerrada", date(2024, 12, 1))
    keys = institution_keys([active, ended], ["es", "en"], month)
    assert set(keys) == {("es", "institucion-cerrada.html"), ("en", localized("institucion-cerrada.html", "en"))}
    again = institution_keys([entry("cerrada", date(2024, 12, 1))], ["es"], month)
    assert again[("es", "institucion-cerrada.html")] == keys[("es", "institucion-cerrada.html")]
    changed = institution_keys([entry("cerrada", date(2024, 12, 1), progress=51.0)], ["es"], month)
    assert changed[("es", "institucion-cerrada.html")] != keys[("es", "institucion-cerrada.html")]
