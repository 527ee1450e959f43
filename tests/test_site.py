"""The publication's site in a real browser: Playwright driving Debian's Chromium (installed by
`make test`), pages served by a local web server from the demo's snapshots, every request to any
other host refused and recorded."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections import deque
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse

import duckdb
import pytest

CHROMIUM = os.environ.get("OGP_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - the test's output is the assertions
        pass


@pytest.fixture(scope="module")
def served(demo):
    """The demo's snapshots folder over HTTP on 127.0.0.1, as a web server or the portal serves it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(demo / "snapshots")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    version = json.loads((demo / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
    yield f"http://127.0.0.1:{server.server_port}/", f"2023-11/{version}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's package (make browser)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Visit:
    """A browser page that records console errors, failed responses and requests to other hosts."""

    def __init__(self, browser, base: str, viewport: dict | None = None):
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        host = urlparse(base).netloc
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

        def route(request_route, request):
            if urlparse(request.url).netloc != host and not request.url.startswith("data:"):
                self.outside.append(request.url)
                return request_route.abort()
            return request_route.continue_()

        self.page.route("**/*", route)

    def open(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"
        return self.page


def _links(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")


def test_every_page_loads_clean_and_every_internal_link_resolves(served, browser):
    base, month = served
    visit = Visit(browser, base)
    start = urljoin(base, month + "index.html")
    queue, seen, files = deque([start]), {start}, set()
    while queue:
        url = queue.popleft()
        page = visit.open(url)
        for link in _links(page):
            target = link.split("#")[0]
            if urlparse(target).netloc != urlparse(base).netloc or target in seen:
                continue  # evidence and OGP pages are links for readers, never requests the pages make
            seen.add(target)
            if target.endswith(".html") and target.startswith(urljoin(base, month)):
                queue.append(target)
            else:
                files.add(target)
    for target in sorted(files):  # data files, the package, the catalogue, other months' pages
        response = visit.page.request.get(target)
        assert response.ok, f"{target}: {response.status}"
    assert visit.errors == [] and visit.failed == [] and visit.outside == []
    pages = {u for u in seen if u.endswith(".html") and u.startswith(urljoin(base, month))}
    assert len(pages) > 40, "index, 2 plans, 25 commitments, institutions, report, methodology, briefs"


def test_every_commitment_of_every_plan_is_two_clicks_from_the_index(served, browser, demo):
    base, month = served
    visit = Visit(browser, base)
    index = visit.open(urljoin(base, month + "index.html"))
    first = {link.split("#")[0] for link in _links(index)}
    reached = set(first)
    for plan_page in sorted(link for link in first if "/plan-" in link):
        reached |= set(_links(visit.open(plan_page)))
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        tracked = [
            r[0] for r in con.execute("select commitment_id from marts.dim_commitments where is_tracked").fetchall()
        ]
    assert len(tracked) == 30  # the national plans' 25 and the local plan's 5
    for commitment_id in tracked:
        page_url = urljoin(base, f"{month}compromiso-{commitment_id.lower()}.html")
        assert page_url in reached, commitment_id
    page = visit.open(urljoin(base, f"{month}compromiso-ec0014.html"))
    assert page.locator("figure.chart svg[role=img]:visible").count() == 1, (
        "its history chart (one drawing per screen size)"
    )
    assert page.locator("ol.reports a[href^='https://']").count() > 0, "evidence links"
    assert "EC0014-H1" in page.inner_text("main"), "its milestones"
    assert page.locator("h2", has_text="Indicadores").count() == 1


def test_pages_fit_a_phone_and_charts_have_text_alternatives(served, browser):
    base, month = served
    visit = Visit(browser, base, PHONE)
    pages = [
        "index.html",
        "plan-ap-ecu02.html",
        "compromiso-ec0014.html",
        "informe.html",
        "informe-ecu.html",
        "informe-eccu.html",
        "metodologia.html",
        "similares/EC0014.html",
        "institucion-asamblea-nacional-an.html",
    ]
    for name in pages:
        page = visit.open(urljoin(base, month + name))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} is {width} px wide on a {PHONE['width']} px screen"
        alternatives = page.eval_on_selector_all(
            "svg",
            """svgs => svgs.map(s => s.getAttribute('role') !== 'img' ? 'decorative'
            : (s.getAttribute('aria-label') || (s.querySelector('title') || {}).textContent || ''))""",
        )
        for label in alternatives:
            assert label and label != "decorative", f"{name}: a chart without a text alternative"
        assert page.locator("main").count() == 1, f"{name}: one main landmark"
    catalogue = visit.open(urljoin(base, "index.html"))
    assert catalogue.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert visit.errors == [] and visit.outside == []


def test_search_finds_a_commitment_by_a_word_of_its_title(served, browser):
    base, month = served
    visit = Visit(browser, base)
    page = visit.open(urljoin(base, month + "index.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Saltar al contenido", (
        "the first stop of the keyboard"
    )
    results = page.locator("#commitments li")
    total = results.count()
    page.fill("#q", "legislativa")  # without the accent of «información»: "informacion legislativa" works too
    visible = page.locator("#commitments li:visible")
    assert visible.count() == 1 and "EC0014" in visible.first.inner_text()
    page.fill("#q", "informacion legislativa")
    assert page.locator("#commitments li:visible").count() == 1
    page.fill("#q", "")
    page.select_option("#plan-filter", "AP_ECU01")
    assert 0 < page.locator("#commitments li:visible").count() < total
    assert "compromisos" in page.inner_text("#search-count")
    assert visit.errors == []


def test_the_report_links_the_site_the_data_and_the_previous_month(served, browser):
    base, month = served
    visit = Visit(browser, base)
    index = visit.open(urljoin(base, month + "informe.html"))
    assert {urljoin(base, month + "informe-ecu.html"), urljoin(base, month + "informe-eccu.html")} <= set(_links(index))
    page = visit.open(urljoin(base, month + "informe-ecu.html"))
    links = set(_links(page))
    for name in ("index.html", "metodologia.html", "compromisos.csv", "compromiso-ec0014.html", "plan-ap-ecu02.html"):
        assert urljoin(base, month + name) in links, name
    assert urljoin(base, "2023-10/index.html") in links, "the previous month's report"
    text = page.inner_text("main")
    assert "Segundo Plan de Acción de Gobierno Abierto de Ecuador 2022-2024" in text
    assert "Plan AP_ECU02" not in text and "+0 puntos" not in text
    visit.page.goto(urljoin(base, "2023-10/index.html"))
    assert visit.page.url.endswith("/informe.html") or visit.page.url.endswith("/index.html")


def test_english_pages_where_report_languages_ask(demo, tmp_path):
    """With OGP_REPORT_LANGUAGES=es,en each page has an English twin (`<page>.en.html`) whose links
    stay in English and resolve, beside the English report."""
    import re
    import shutil
    from datetime import date

    from exports.snapshot import build_monthly_snapshot

    shutil.copy(demo / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    methodology = {
        "staleness_months": 3,
        "semaforo_at_risk_below": -10,
        "semaforo_delayed_below": -25,
        "irm_substantial_from": 50,
    }
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        result = build_monthly_snapshot(
            con,
            date(2023, 11, 1),
            tmp_path / "snapshots",
            is_demo=True,
            sources=[],
            methodology=methodology,
            report_languages=("es", "en"),
        )
    folder = result.path
    english = sorted(p.name for p in folder.glob("*.en.html"))
    assert (
        "index.en.html" in english
        and "compromiso-ec0014.en.html" in english
        and "informe.en.html" in english
        and "informe-ecu.en.html" in english
    )
    page = (folder / "compromiso-ec0014.en.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page and "Accepted progress reports" in page and "Second Open Government Action Plan" in page
    for name in english:
        # (the language switch, marked hreflang, is the one link that leaves English on purpose)
        for link in re.findall(
            r'<a href="([^"#:]+)(?:#[^"]*)?"(?![^>]*hreflang)', (folder / name).read_text(encoding="utf-8")
        ):
            if link.startswith("../"):
                continue  # the catalogue, beside the versions
            assert (folder / link).exists(), f"{name} links {link}"
            assert not link.startswith(("compromiso-", "plan-", "institucion-")) or link.endswith(".en.html"), (
                f"{name} leaves English: {link}"
            )


# Every kind of page the publication has, as a reader reaches it.
PAGE_TYPES = [
    "index.html",
    "plan-ap-ecu02.html",
    "compromiso-ec0014.html",
    "compromiso-cue0002.html",
    "institucion-asamblea-nacional-an.html",
    "metodologia.html",
    "informe.html",
    "informe-ecu.html",
    "informe-eccu.html",
    "similares/CUE0002.html",
]
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.mark.parametrize("width", [390, 1440])
def test_every_page_type_passes_wcag_21_aa_with_axe(served, browser, width):
    """axe-core (the copy the axe-playwright-python wheel ships) on every page type, the month's and
    the catalogue's, at a phone's width and a desktop's: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    base, month = served
    visit = Visit(browser, base, {"width": width, "height": 900})
    axe = Axe()
    found = []
    # (the month's own index.html only redirects to its current version, at once: no page to judge)
    for url in [urljoin(base, "index.html")] + [urljoin(base, month + p) for p in PAGE_TYPES]:
        visit.open(url)
        for violation in axe.run(visit.page, options=WCAG_21_AA).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(
                    f"{url.removeprefix(base)}: {violation['id']} ({violation['impact']}) at "
                    f"{[n['target'] for n in violation['nodes'][:3]]}"
                )
    assert found == []


def _spanish_text(path: Path) -> str:
    import html as html_module
    import re

    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_site_written_a_plan_at_a_time_is_the_site_published(demo, tmp_path, monkeypatch):
    """Commitment pages are written a batch of plans at a time, so what they list is held for one
    batch, not for every member's history: with one plan per batch, every page of the demo's
    2023-11 (three plans, the local member's among them) is the published page, byte for byte."""
    from datetime import date

    from exports import site
    from exports.package import TABLES
    from orchestration.methodology import methodology_parameters

    monkeypatch.setattr(site, "PLANS_PER_BATCH", 1)
    published = demo / "snapshots" / "2023-11" / "v1"
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        written = site.write_site(
            con,
            date(2023, 11, 1),
            tmp_path,
            is_demo=True,
            data_files=[f"{name}.csv" for name, _, _ in TABLES],
            previous_report="../../2023-10/index.html",
            methodology=methodology_parameters(),
        )
        plans = site.gather_site(con, date(2023, 11, 1))["plans"]
    assert len(plans) >= 3
    pages = sorted(p.name for p in written)
    assert len(pages) > 60 and any(name.startswith("compromiso-") for name in pages)
    assert [name for name in pages if (tmp_path / name).read_bytes() != (published / name).read_bytes()] == []


def test_spanish_pages_have_no_english_label_and_no_plural_error(demo):
    """OGP's vocabularies (the IRM's verdicts, the indicators' frequencies), the members' countries
    and every count read in Spanish, in the right plural form, on every Spanish page of the month."""
    import csv
    import re

    from exports.formatting import LABELS_SEED

    version = json.loads((demo / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
    folder = demo / "snapshots" / "2023-11" / version
    english = [
        row["canonical_value"]
        for row in csv.DictReader(LABELS_SEED.open(encoding="utf-8"))
        if row["canonical_value"].lower() != row["label_es"].lower()
    ]
    labels = re.compile(
        r"(?:cumplimiento|¿abrió el gobierno\?|resultados tempranos|potencial de resultados|impacto potencial"
        r"|frecuencia|nivel|Nivel IRM)\s*«?(" + "|".join(map(re.escape, english)) + r")\b"
    )
    cells = re.compile(r"\b(" + "|".join(map(re.escape, english)) + r")\b")
    countries = re.compile(
        r"\b(France|Mexico|Brazil|United Kingdom|Republic of Korea|Morocco|Peru|Finland|Germany|Italy|Spain)\b"
    )
    plural = re.compile(
        r"(?<![\d.,])\b1 (compromisos|hitos|retrasados|meses|puntos|informes|planes|sustanciales|abrieron|estelares"
        r"|terminaron)\b|\ba los 1 "
    )
    found = []
    pages = [p for p in folder.rglob("*.html") if not p.name.endswith(".en.html")]
    assert len(pages) > 60
    for page in pages:
        text = _spanish_text(page)
        found += [f"{page.name}: {m.group(0)}" for m in labels.finditer(text)]
        found += [f"{page.name}: {m.group(0)}" for m in plural.finditer(text)]
        found += [f"{page.name}: {m.group(0)}" for m in countries.finditer(text)]
        if page.parent.name == "similares":  # the verdicts stand alone in the brief's table cells
            table = re.sub(
                r"<td>(<a [^>]+>)?[^<]*(</a>)?<br><small>[^<]*</small></td>", "", page.read_text(encoding="utf-8")
            )
            found += [
                f"{page.name}: «{m.group(1)}» in a cell"
                for m in re.finditer(r"<td>([^<]+)</td>", table)
                if cells.fullmatch(m.group(1).strip())
            ]
    assert found == []


def test_on_a_phone_progress_and_status_come_first_and_chart_labels_stay_readable(served, browser):
    base, month = served
    visit = Visit(browser, base, PHONE)
    for name, row in (
        ("plan-ap-ecu02.html", "table.stack tbody tr"),
        ("compromiso-ec0014.html", "table.stack tbody tr"),
        ("informe-ecu.html", "table.stack tbody tr"),
    ):
        page = visit.open(urljoin(base, month + name))
        first = page.locator(row).first
        chip = first.locator(".chip").bounding_box()
        assert chip and chip["x"] + chip["width"] <= PHONE["width"], f"{name}: the status is off-screen"
        cells = first.locator("td").evaluate_all("tds => tds.map(td => td.getBoundingClientRect().top)")
        assert first.locator("td.key").first.bounding_box()["y"] <= min(cells) + 1, (
            f"{name}: progress and status come first"
        )
        sizes = page.eval_on_selector_all(
            "svg.chart-narrow text", "ts => ts.map(t => t.getBoundingClientRect().height)"
        )
        assert sizes and min(sizes) >= 10, f"{name}: chart labels {min(sizes or [0]):.1f} px high on a phone"
        assert page.locator("svg.chart-wide").first.is_hidden()
    assert visit.errors == []


def test_a_similar_commitments_page_is_part_of_the_site(served, browser):
    base, month = served
    visit = Visit(browser, base)
    page = visit.open(urljoin(base, month + "similares/CUE0002.html"))
    assert page.locator("p.demo").count() == 1, "the demonstration banner"
    links = set(_links(page))
    assert urljoin(base, month + "compromiso-cue0002.html") in links, "the way back to the commitment"
    assert urljoin(base, month + "index.html") in links
    # A match that is itself tracked opens its own page here, not OGP's.
    assert urljoin(base, month + "compromiso-ec0002.html") in links
    assert visit.errors == []


def test_data_docs_work_opened_as_a_file(demo, browser):
    """The GX Data Docs at the path the CLI prints, opened from disk: every script loads, and the
    expectation suites' tab shows the suites."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((demo / "data_docs" / "index.html").as_uri())
    page.locator("a.nav-link", has_text="Expectation Suites").first.click()
    assert page.locator(".tab-pane.active").first.inner_text().count("progress_reports") >= 1
    assert errors == []
    page.close()


# The accepted reports as commitment.html.j2 wrote them before exports/site.py `report_items` took
# the loop out of Jinja (autoescaped, trim_blocks and lstrip_blocks, the site's filters).
REPORT_ITEMS_AS_THE_TEMPLATE_WROTE_THEM = """{% for r in reports %}
  <li><p><b>{{ r.reporting_month | mes }}</b> · {{ t.milestone_lc }} {{ r.milestone_code }} · {{ r.percent_complete | pct }} · {{ r.reporting_institution or "" }}</p>
    {% if r.narrative %}<p>{{ r.narrative }}</p>{% endif %}
    {% if r.challenges %}<p><i>{{ t.challenges }}:</i> {{ r.challenges }}</p>{% endif %}
    {% if r.links %}<p>{{ t.evidence }}: {% for link in r.links %}<a href="{{ link }}">{{ link }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>{% elif r.evidence_urls %}<p>{{ t.evidence }}: {{ r.evidence_urls }}</p>{% endif %}
  </li>
{% endfor %}"""  # noqa: E501 - the template's lines as they were


@pytest.mark.parametrize("lang", ["es", "en"])
def test_report_lines_are_written_as_the_template_escaped_them(lang):
    """What institutions type (markup, quotes, ampersands, links among words, a `javascript:`
    address, missing values) comes out of `report_items` exactly as Jinja's autoescaping wrote it."""
    from datetime import date
    from types import SimpleNamespace

    from jinja2 import Environment

    from exports.formatting import template_filters
    from exports.site import LABELS, report_items
    from exports.site_details import evidence_links

    fields = "reporting_month milestone_code percent_complete reporting_institution narrative challenges evidence_urls"

    def report(*values):
        row = SimpleNamespace(**dict(zip(fields.split(), values, strict=True)))
        row.links = evidence_links(row.evidence_urls)
        return row

    reports = [
        report(
            date(2023, 11, 1),
            "EC0011-H1",
            40.25,
            'Ministerio <b>de</b> Salud & "MSP"',
            "<script>alert('x')</script>",
            "Falta de fondos; 'retrasos' > 2 meses",
            "https://datos.gob.ec/a?b=1&c=2, http://x.ec/informe.pdf; ver acta",
        ),
        report(None, None, None, None, None, None, "javascript:alert(1) <img src=x>"),
        report(date(2024, 1, 1), "EC0011-H2", 100, "", "", None, "acta firmada"),
        report(date(2024, 2, 1), "EC0011-H3", 0, "Municipio", "Avance\nen dos líneas", "", None),
    ]
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(template_filters(lang))
    expected = env.from_string(REPORT_ITEMS_AS_THE_TEMPLATE_WROTE_THEM).render(
        reports=reports, t=SimpleNamespace(**LABELS[lang])
    )
    written = str(report_items(reports, lang))
    assert written == expected
    assert "<script>" not in written and "&lt;script&gt;" in written
