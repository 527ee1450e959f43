"""Similar commitments: the index, the ranker, the brief and `ogp similar`, on a small multilingual
corpus written for these tests (and, at the end, on the demo's warehouse)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from similarity import encoder
from similarity.brief import briefs_for_drafts, read_drafts, render_brief
from similarity.index import refresh_index
from similarity.search import Filters, outcome_summary, similar

# id, member code, member name, region, plan, title, text, policy area, completion, early results
CORPUS = [
    (
        "GB0001",
        "GBR",
        "United Kingdom",
        "Europe",
        "AP_GBR04",
        "Beneficial ownership register",
        "Publish a public register of the real owners of companies.",
        "Beneficial Ownership",
        "Complete",
        "Significant",
    ),
    (
        "CO0001",
        "COL",
        "Colombia",
        "Americas",
        "AP_COL04",
        "Registro de algoritmos del Estado",
        "Publicar qué sistemas de inteligencia artificial usan las entidades públicas para decidir.",
        "Automated Decision-making",
        "Limited",
        None,
    ),
    (
        "FR0001",
        "FRA",
        "France",
        "Europe",
        "AP_FRA03",
        "Budget participatif",
        "Les habitants votent des projets financés par le budget de la ville.",
        "Public Participation In Budget/Fiscal Policy",
        "Substantial",
        "Moderate",
    ),
    (
        "KE0001",
        "KEN",
        "Kenya",
        "Africa and the Middle East",
        "AP_KEN02",
        "Open contracting portal",
        "Disclose tenders and contracts of public procurement in open data.",
        "Open Contracting",
        None,
        None,
    ),
    (
        "EC0001",
        "ECU",
        "Ecuador",
        "Americas",
        "AP_ECU02",
        "Contratación pública abierta",
        "Publicar los contratos públicos en datos abiertos.",
        "Open Contracting",
        None,
        None,
    ),
]


def _marts(con: duckdb.DuckDBPyConnection, rows=CORPUS) -> None:
    """The five marts the index reads, with only the columns it reads."""
    con.execute("create schema if not exists marts")
    con.execute("""create or replace table marts.dim_commitments (commitment_id varchar, member_code varchar, member_name varchar,
                   action_plan_id varchar, commitment_title varchar, commitment_text varchar, ogp_url varchar, is_tracked boolean)""")
    con.execute("create or replace table marts.dim_members (member_code varchar, member_name varchar, region varchar)")
    con.execute(
        "create or replace table marts.dim_action_plans (action_plan_id varchar, start_year integer, end_year integer)"
    )
    con.execute(
        "create or replace table marts.bridge_commitment_policy_areas (commitment_id varchar, "
        "policy_area_code varchar, policy_area varchar)"
    )
    con.execute("""create or replace table marts.fct_commitment_outcomes (commitment_id varchar, completion
        varchar, did_it_open_government varchar,
                   early_results varchar, potential_impact varchar, potential_for_results varchar, is_starred boolean,
                   is_substantial_or_complete boolean, opened_government_notably boolean, has_irm_verdict boolean)""")
    for cid, code, name, region, plan, title, text, area, completion, early in rows:
        con.execute(
            "insert into marts.dim_commitments values (?, ?, ?, ?, ?, ?, null, ?)",
            [cid, code, name, plan, title, text, code == "ECU"],
        )
        con.execute(
            "insert into marts.dim_members select ?, ?, ? where not exists (select 1 from marts.dim_members where member_code = ?)",
            [code, name, region, code],
        )
        con.execute("insert into marts.dim_action_plans values (?, 2020, 2022)", [plan])
        con.execute("insert into marts.bridge_commitment_policy_areas values (?, ?, ?)", [cid, area.lower(), area])
        if completion or early:
            con.execute(
                "insert into marts.fct_commitment_outcomes values (?, ?, null, ?, null, null, false, ?, ?, true)",
                [
                    cid,
                    completion,
                    early,
                    completion in ("Substantial", "Complete"),
                    early in ("Moderate", "Significant"),
                ],
            )


@pytest.fixture
def corpus_db(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        _marts(con)
        yield con


def test_the_index_embeds_only_what_changed(corpus_db):
    first = refresh_index(corpus_db)
    assert (first.commitments, first.embedded, first.reused) == (5, 5, 0)
    assert first.model_version == encoder.model_version()
    peers = corpus_db.execute("select * from search.commitment_peers order by all").fetchall()
    again = refresh_index(corpus_db)
    assert (again.embedded, again.reused, again.removed) == (0, 5, 0), "an unchanged corpus costs nothing"
    assert not again.peers_ranked and again.peer_rows == first.peer_rows, "nor does ranking the same peers again"
    assert corpus_db.execute("select * from search.commitment_peers order by all").fetchall() == peers
    # Which commitments are tracked is part of what the peers are ranked from.
    corpus_db.execute("update marts.dim_commitments set is_tracked = true where commitment_id = 'KE0001'")
    tracked = refresh_index(corpus_db)
    assert tracked.peers_ranked and tracked.embedded == 0
    assert corpus_db.execute("select count(distinct commitment_id) from search.commitment_peers").fetchone()[0] == 2

    corpus_db.execute("update marts.dim_commitments set commitment_text = 'Texto nuevo' where commitment_id = 'KE0001'")
    corpus_db.execute("delete from marts.dim_commitments where commitment_id = 'FR0001'")
    changed = refresh_index(corpus_db)
    assert (changed.commitments, changed.embedded, changed.reused, changed.removed) == (4, 1, 3, 1)
    [(count, models)] = corpus_db.execute(
        "select count(*), list(distinct model_name) from search.commitment_embeddings"
    ).fetchall()
    assert count == 4 and models == [encoder.MODEL_NAME]


def test_peers_of_tracked_commitments_come_from_other_members(corpus_db):
    refresh_index(corpus_db, peers=3)
    peers = corpus_db.execute(
        "select commitment_id, peer_rank, peer_commitment_id from search.commitment_peers order by peer_rank"
    ).fetchall()
    assert [p[0] for p in peers] == ["EC0001"] * 3
    assert [p[1] for p in peers] == [1, 2, 3]
    assert peers[0][2] == "KE0001", "the Kenyan open-contracting commitment is Ecuador's closest peer, across languages"
    assert "EC0001" not in {p[2] for p in peers}


def test_a_spanish_draft_finds_english_and_french_commitments(corpus_db):
    refresh_index(corpus_db)
    [owners, budget] = similar(
        corpus_db,
        [
            "Registro público de los dueños reales de las empresas",
            "Presupuesto participativo en el que la ciudadanía vota proyectos",
        ],
        top_k=2,
    )
    assert owners.results[0].commitment_id == "GB0001"
    assert budget.results[0].commitment_id == "FR0001"
    assert owners.results[0].completion == "Complete" and owners.results[0].early_results == "Significant"


def test_a_third_language_a_long_text_and_markup(corpus_db):
    refresh_index(corpus_db)
    german = similar(corpus_db, ["Offene Daten über öffentliche Aufträge und Verträge"], top_k=2)[0]
    assert {p.commitment_id for p in german.results} & {"KE0001", "EC0001"}
    long_text = " ".join(["Publicar un registro de los propietarios reales de las empresas."] * 3000)
    assert similar(corpus_db, [long_text], top_k=1)[0].results[0].commitment_id == "GB0001"
    marked_up = similar(corpus_db, ["<script>alert(1)</script> <b>algoritmos</b> e inteligencia artificial"], top_k=1)[
        0
    ]
    assert marked_up.results[0].commitment_id == "CO0001"
    html = render_brief(marked_up)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html, (
        "self-contained"
    )
    assert "no un sustituto de la co-creación" in html


def test_filters_narrow_what_is_returned(corpus_db):
    refresh_index(corpus_db)
    text = ["Datos abiertos de la contratación pública"]
    assert {
        p.commitment_id for p in similar(corpus_db, text, top_k=5, filters=Filters(exclude_members=("ecu",)))[0].results
    } == {"GB0001", "CO0001", "FR0001", "KE0001"}
    assert [p.commitment_id for p in similar(corpus_db, text, filters=Filters(members=("Kenya",)))[0].results] == [
        "KE0001"
    ]
    assert {
        p.commitment_id
        for p in similar(corpus_db, text, filters=Filters(policy_areas=("Open Contracting",)))[0].results
    } == {"KE0001", "EC0001"}
    assert {
        p.commitment_id
        for p in similar(corpus_db, text, filters=Filters(outcomes=("substantial_or_complete",)))[0].results
    } == {"GB0001", "FR0001"}
    assert {p.commitment_id for p in similar(corpus_db, text, filters=Filters(regions=("Europe",)))[0].results} == {
        "GB0001",
        "FR0001",
    }
    assert similar(corpus_db, text, filters=Filters(plan_years=(2030, 2031)))[0].results == []


def test_an_empty_corpus_answers_every_text_with_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        _marts(con, rows=[])
        refreshed = refresh_index(con)
        assert (refreshed.commitments, refreshed.embedded, refreshed.peer_rows) == (0, 0, 0)
        answers = similar(con, ["uno", "dos"])
    assert [(a.query, a.results) for a in answers] == [("uno", []), ("dos", [])]
    assert outcome_summary([]).startswith("0 de 0")
    assert "No hay compromisos en el índice" in render_brief(answers[0])


def test_drafts_files_are_read_one_draft_per_paragraph_or_row(tmp_path):
    txt = tmp_path / "borradores.txt"
    txt.write_text("Primer borrador\nen dos líneas.\n\n\nSegundo borrador.\n", encoding="utf-8")
    csv_file = tmp_path / "borradores.csv"
    csv_file.write_text(
        "\ufeffid,borrador\n1,Registro de algoritmos\n2,\n3,Presupuesto participativo\n", encoding="utf-8"
    )
    assert read_drafts(txt) == ["Primer borrador en dos líneas.", "Segundo borrador."]
    assert read_drafts(csv_file) == ["Registro de algoritmos", "Presupuesto participativo"]


# On the demo's warehouse (read only: the session's shared demo run).


def _demo_con(demo: Path):
    return duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True)


def test_the_mart_holds_ten_peers_elsewhere_for_each_tracked_commitment(demo):
    with _demo_con(demo) as con:
        rows = con.execute("""
            select s.commitment_id, count(*), count(distinct s.peer_rank), bool_or(s.peer_member_code = c.member_code)
            from marts.fct_similar_commitments s join marts.dim_commitments c using (commitment_id)
            group by 1""").fetchall()
        tracked = con.execute("select count(*) from marts.dim_commitments where is_tracked").fetchone()[0]
    assert len(rows) == tracked
    assert all(n == 10 and ranks == 10 and not same_member for _, n, ranks, same_member in rows)


def test_the_report_links_each_commitment_to_its_peers(demo):
    version = json.loads((demo / "snapshots" / "2023-11" / "latest.json").read_text())["version"]
    folder = demo / "snapshots" / "2023-11" / version
    report = (folder / "informe-ecu.html").read_text(encoding="utf-8")
    assert 'href="similares/EC0017.html"' in report
    brief = (folder / "similares" / "EC0017.html").read_text(encoding="utf-8")
    assert "Registro de beneficiarios finales" in brief, "the commitment itself"
    assert "Registro de beneficiarios finales de personas jurídicas" in brief, "its closest peer (Paraguay's register)"
    assert "similares/EC0017.html" in (folder / "SHA256SUMS").read_text(), (
        "the briefs are part of the published version"
    )


def test_ogp_similar_prints_peers_with_their_outcomes(demo, monkeypatch, capsys):
    from orchestration import cli

    monkeypatch.setenv("OGP_DATA_DIR", str(demo))
    texts = [
        "Transparencia en el uso de la inteligencia artificial en el gobierno",
        "Registro de beneficiarios finales",
    ]
    assert cli.main(["similar", "--json", "--top", "3", "--exclude-member", "ECU", *texts]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert [a["query"] for a in answers] == texts
    assert all(len(a["results"]) == 3 for a in answers)
    first = answers[0]["results"][0]
    assert (
        first["member"] != "Ecuador"
        and {
            "commitment_id",
            "member",
            "title",
            "score",
            "url",
            "completion",
            "did_it_open_government",
            "early_results",
        }
        <= first.keys()
    )
    assert (
        answers[1]["results"][0]["title"]
        .lower()
        .startswith(("beneficial", "public register", "registro", "disclosure"))
    )

    assert cli.main(["similar", texts[0], "--html", str(demo.parent / "ficha.html")]) == 0
    out = capsys.readouterr()
    assert "Resumen:" in out.out and "con evaluación del IRM" in out.out
    assert (demo.parent / "ficha.html").read_text(encoding="utf-8").count("<tr>") >= 10


def test_ogp_similar_says_what_is_missing_in_one_line(tmp_path, monkeypatch, capsys):
    from orchestration import cli

    monkeypatch.setenv("OGP_DATA_DIR", str(tmp_path / "nothing"))
    assert cli.main(["similar", "algo"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert cli.main(["similar", "algo", "--plan-years", "dos mil"]) == 2


def test_briefs_for_drafts_dropped_in_the_inbox(demo, tmp_path):
    drafts = tmp_path / "borradores"
    drafts.mkdir()
    (drafts / "mesa-tecnica.txt").write_text(
        "Registro de algoritmos públicos.\n\nDatos abiertos de la pesca.\n", encoding="utf-8"
    )
    (drafts / "notas.docx").write_bytes(b"not a drafts file")
    with _demo_con(demo) as con:
        written = briefs_for_drafts(con, drafts, tmp_path / "fichas")
    assert list(written) == ["mesa-tecnica.txt"]
    pages = [p.read_text(encoding="utf-8") for p in written["mesa-tecnica.txt"]]
    assert len(pages) == 2 and all("Ecuador" not in p for p in pages), "peers elsewhere: the tracked member is left out"


def test_a_title_is_embedded_without_its_plans_numbering():
    assert encoder.title_text("2.16. Improvement of Active Transparency") == "Improvement of Active Transparency"
    assert encoder.title_text("Commitment No. 6. Programmes on open data") == "Programmes on open data"
    assert encoder.title_text("3:i) Difundir infracciones") == "Difundir infracciones"
    assert encoder.title_text("O2M2:Development of business model") == "Development of business model"
    assert (
        encoder.title_text("Action 3.2 – Strengthening Freedom of Information")
        == "Strengthening Freedom of Information"
    )
    # Words and years are not numbering; a title that would be left with almost nothing stays whole.
    for kept in (
        "Action plan monitoring",
        "2014 Budget transparency",
        "Ley 20.500 de participación",
        "EITI",
        "1.2 Portal",
    ):
        assert encoder.title_text(kept) == kept


def test_a_long_text_does_not_drown_its_title(tmp_path):
    """A commitment whose text is long and about much else is still found by a short description
    of its title in another language (the title's own vector weighs most)."""
    filler = " ".join(
        [
            "The ministry will hold meetings with stakeholders, review procedures, train staff and "
            "report on the implementation of the action plan in every region."
        ]
        * 25
    )
    rows = CORPUS + [
        (
            "GB0002",
            "GBR",
            "United Kingdom",
            "Europe",
            "AP_GBR04",
            "7. Whistleblower protection law",
            filler,
            "Whistleblower Protections",
            None,
            None,
        ),
        (
            "KE0002",
            "KEN",
            "Kenya",
            "Africa and the Middle East",
            "AP_KEN02",
            "Regional meetings on the action plan",
            filler[:400],
            "Public Participation",
            None,
            None,
        ),
    ]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        _marts(con, rows)
        refresh_index(con)
        [answer] = similar(con, ["Ley para proteger a quienes denuncian irregularidades"], top_k=1)
    assert answer.results[0].commitment_id == "GB0002"
