"""`ogp similar`: commitments of other OGP members like a draft, from the warehouse's commitment
index (read-only), printed, as JSON, or as the co-creation brief (HTML)."""

from __future__ import annotations

import argparse
import sys

import duckdb

from exports.labels import labels
from orchestration.operator_errors import OperatorError, UsageError
from orchestration.settings import Settings

SIMILAR_LABELS = labels("similar")  # exports/labels/<language>.json


def _plan_years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, _, last = text.partition(":")
    try:
        return int(first), int(last or first)
    except ValueError:
        raise UsageError(f"--plan-years: «{text}» no es AAAA ni AAAA:AAAA") from None


def similar(args: argparse.Namespace, settings: Settings) -> int:
    """`ogp similar`: reads the warehouse's commitment index (read-only), prints or writes the peers."""
    from ingestion.connection import connect
    from similarity.brief import write_briefs
    from similarity.search import Filters
    from similarity.search import similar as search

    words = SIMILAR_LABELS[settings.operator_language]
    texts = [t for t in args.texts if t.strip()]
    if not texts:
        raise UsageError("escriba al menos un texto")
    filters = Filters(
        members=tuple(args.member),
        exclude_members=tuple(args.exclude_member),
        regions=tuple(args.region),
        policy_areas=tuple(args.policy_area),
        plan_years=_plan_years(args.plan_years),
        outcomes=tuple(args.outcome),
    )
    if not settings.warehouse_path.exists():
        raise OperatorError(words["no_warehouse"].format(path=settings.warehouse_path))
    with connect(settings.warehouse_path, read_only=True) as con:
        try:
            answers = search(con, texts, top_k=args.top, filters=filters)
        except duckdb.CatalogException:
            raise OperatorError(words["no_index"]) from None
    if args.html:
        for path in write_briefs(answers, args.html):
            print(f"{words['brief']}: {path}", file=sys.stderr)
    if args.json:
        print(_as_json(answers, settings.operator_language))
    else:
        for answer in answers:
            _print_answer(answer, words, settings.operator_language)
    return 0


def _as_json(answers, language: str) -> str:
    import json
    from dataclasses import asdict

    from similarity.search import outcome_summary

    return json.dumps(
        [
            {
                "query": a.query,
                "summary": outcome_summary(a.results, language),
                "results": [asdict(p) for p in a.results],
            }
            for a in answers
        ],
        ensure_ascii=False,
        indent=1,
    )


def _print_answer(answer, words: dict[str, str], language: str) -> None:
    """One query's peers as an operator reads them: score, member, plan, title, the IRM's verdicts."""
    from similarity.search import outcome_summary

    print(f"\n«{answer.query[:200]}»")
    if not answer.results:
        print(f"  {words['empty']}")
    for n, p in enumerate(answer.results, 1):
        plan = " ".join(x for x in (p.action_plan_id, f"({p.plan_years})" if p.plan_years else None) if x)
        print(f"{n:>3}. {p.score:.2f}  {p.member} · {plan} · {p.commitment_id}")
        print(f"       {p.title}")
        verdicts = [
            (words["completion"], p.completion),
            (words["diog"], p.did_it_open_government),
            (words["early"], p.early_results),
            (words["impact"], p.potential_impact),
            (words["potential"], p.potential_for_results),
        ]
        shown = [f"{label}: {value}" for label, value in verdicts if value]
        if p.starred:
            shown.append(f"{words['starred']}: {words['yes']}")
        if shown:
            print("       " + " · ".join(shown))
        if p.url:
            print(f"       {p.url}")
    if answer.results:
        print(f"  {words['summary']}: {outcome_summary(answer.results, language)}")
