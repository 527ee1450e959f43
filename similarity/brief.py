"""The co-creation brief: one self-contained HTML page per draft commitment (no request leaves the
page: styles inline, the chart an inline SVG), in Spanish. Every value from the data is escaped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from similarity.search import Answer, outcome_summary

CAVEAT = (
    "Esta comparación es una ayuda para la consulta, no un sustituto de la co-creación con la ciudadanía: "
    "muestra compromisos de otros miembros de OGP con un texto parecido y lo que el IRM dijo de ellos, "
    "no si un compromiso similar funcionaría aquí."
)

# The outcome distribution drawn as bars: (label, predicate on a peer).
OUTCOME_BARS = [
    ("Con evaluación del IRM", lambda p: p["has_irm_verdict"]),
    ("Cumplimiento sustancial o completo", lambda p: p["substantial_or_complete"]),
    ("Abrió el gobierno / resultados notables", lambda p: p["opened_government_notably"]),
    ("Estelares", lambda p: p["starred"]),
]


@dataclass(frozen=True)
class Publication:
    """A brief published with a month's site (similares/<id>.html): the page to go back to, the
    demonstration banner, and the pages of the tracked commitments, by (commitment, plan)."""

    back: str
    is_demo: bool = False
    tracked_pages: dict = field(default_factory=dict)


@cache  # compiling the template costs far more than rendering it
def _environment() -> Environment:
    from exports.formatting import template_filters

    env = Environment(
        loader=PackageLoader("similarity", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(template_filters("es"))
    return env


def render_brief(
    answer: Answer,
    *,
    title: str | None = None,
    generated_at: datetime | None = None,
    draft_heading: str | None = None,
    publication: Publication | None = None,
) -> str:
    peers = [dict(vars(p)) for p in answer.results]  # flat fields: no deep copy (asdict's) needed
    for peer in peers:
        peer["page"] = (
            publication.tracked_pages.get((peer["commitment_id"], peer["action_plan_id"])) if publication else None
        )
    bars = [{"label": label, "count": sum(1 for p in peers if test(p))} for label, test in OUTCOME_BARS]
    return (
        _environment()
        .get_template("brief.html.j2")
        .render(
            title=title or "Compromisos similares",
            draft=answer.query,
            draft_heading=draft_heading,
            peers=peers,
            bars=bars,
            total=len(peers),
            summary=outcome_summary(answer.results, "es"),
            caveat=CAVEAT,
            publication=publication,
            generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC") if generated_at else None,
        )
    )


def write_briefs(answers: list[Answer], target: Path, **kwargs) -> list[Path]:
    """One page per answer: `target` itself for one, `<stem>-<n><suffix>` for several."""
    kwargs.setdefault("generated_at", datetime.now(UTC))
    target.parent.mkdir(parents=True, exist_ok=True)
    paths = (
        [target]
        if len(answers) == 1
        else [target.with_name(f"{target.stem}-{n}{target.suffix or '.html'}") for n in range(1, len(answers) + 1)]
    )
    for answer, path in zip(answers, paths, strict=False):
        path.write_text(render_brief(answer, **kwargs), encoding="utf-8")
    return paths


def read_drafts(path: Path) -> list[str]:
    """Draft commitments from a file: a .txt holds one per paragraph (blank line between them); a
    .csv one per row, in its column `borrador`, `texto` or `text`, or else its first column."""
    import csv

    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            return []
        column = next(
            (c for c in rows[0] if c and c.strip().lower() in ("borrador", "texto", "text")), next(iter(rows[0]))
        )
        return [r[column].strip() for r in rows if (r.get(column) or "").strip()]
    text = path.read_text(encoding="utf-8-sig")
    return [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


DRAFT_SUFFIXES = (".txt", ".csv")


def briefs_for_drafts(con, drafts_dir: Path, out_dir: Path, *, top_k: int = 10) -> dict[str, list[Path]]:
    """For each drafts file (.txt or .csv) in `drafts_dir`, a brief per draft under
    `out_dir/<file stem>/borrador-<n>.html`, comparing with commitments of members other than the
    tracked ones (the peers elsewhere)."""
    from similarity.search import Filters, similar

    written: dict[str, list[Path]] = {}
    if not drafts_dir.is_dir():
        return written
    tracked = [
        r[0]
        for r in con.execute(
            "select distinct member_code from marts.dim_commitments where is_tracked and member_code is not null"
        ).fetchall()
    ]
    for path in sorted(p for p in drafts_dir.iterdir() if p.is_file() and p.suffix.lower() in DRAFT_SUFFIXES):
        drafts = read_drafts(path)
        answers = similar(con, drafts, top_k=top_k, filters=Filters(exclude_members=tuple(tracked)))
        folder = out_dir / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        written[path.name] = []
        for n, answer in enumerate(answers, 1):
            target = folder / f"borrador-{n}.html"
            target.write_text(render_brief(answer, title=f"Borrador {n} de {path.name}"), encoding="utf-8")
            written[path.name].append(target)
    return written
