"""How well OGP's history predicts an end of term (`python -m benchmarks.irm_outlook`): the IRM part
of the commitment outlook (docs/methodology.md §11) on real assessments held out.

Reads OGP's exports when they are beside the project (`../shared/data/`: the whole Explorer file,
the Dashboard sample; or files given as arguments), keeps every commitment assessed at mid-term
and at the end of term (each once, the Dashboard's first), and splits them by a hash of their id:
two thirds to count the transitions, one third held out. On the held-out commitments it reports
the Brier score of three predictions of "ends Substantial or Complete": the plain base rate, the
transitions from the commitment's mid-term level (Laplace-smoothed, as the mart), and 0.5, with a
calibration table. Not a test: the project's tests never read ../shared."""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_FILES = [SHARED / "ogp_dashboard_sample.csv", SHARED / "ogp_explorer_full_2011_2014.csv"]
LEVELS = {"not started": "Not Started", "limited": "Limited", "substantial": "Substantial", "complete": "Complete"}
GOOD = {"Substantial", "Complete"}


def level(text: str | None) -> str | None:
    """`b. Limited` / `Limited` -> Limited; sentinels (ND, NR, Unclear, Withdrawn) -> None."""
    return LEVELS.get(re.sub(r"^[a-e]\.\s*", "", (text or "").strip()).lower())


def pairs_of(path: Path) -> dict[str, tuple[str, str]]:
    """commitment id -> (mid-term level, end-of-term level), from a Dashboard or Explorer CSV."""
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    header_at = 1 if rows and rows[0][:2] == ["0", "1"] else 0  # the Explorer's row of column indices
    header = [h.strip().lower() for h in rows[header_at]]

    def column(*names: str) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    mid = column("completion (progress report)")
    end = column("completion (end of term)")
    ident = column("commitment unique identifier", "unique identifier", "id")
    country, number, plan = (
        column("country", "country/locality"),
        column("comm no", "commitment number"),
        column("action plan number"),
    )
    found = {}
    for row in rows[header_at + 1 :]:
        if mid is None or end is None or len(row) <= max(mid, end):
            continue
        start, finish = level(row[mid]), level(row[end])
        if not (start and finish):
            continue
        key = row[ident] if ident is not None and row[ident] else f"{row[country]}|{row[plan]}|{row[number]}"
        found.setdefault(key, (start, finish))
    return found


def held_out(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0


def brier(predictions: list[float], outcomes: list[int]) -> float:
    return sum((p - o) ** 2 for p, o in zip(predictions, outcomes, strict=False)) / len(outcomes)


def main(paths: list[Path]) -> None:
    pairs: dict[str, tuple[str, str]] = {}
    for path in paths:
        if path.exists():
            for key, pair in pairs_of(path).items():
                pairs.setdefault(key, pair)
    if not pairs:
        print("no OGP export with mid-term and end-of-term completion found:", ", ".join(map(str, paths)))
        return
    train = {k: v for k, v in pairs.items() if not held_out(k)}
    test = {k: v for k, v in pairs.items() if held_out(k)}
    transitions = Counter(train.values())
    base_rate = sum(1 for _, finish in train.values() if finish in GOOD) / len(train)

    def from_history(start: str) -> float:
        n = sum(c for (s, _), c in transitions.items() if s == start)
        k = sum(c for (s, f), c in transitions.items() if s == start and f in GOOD)
        return (k + 1) / (n + 2)

    outcomes = [int(finish in GOOD) for _, finish in test.values()]
    by_history = [from_history(start) for start, _ in test.values()]
    print(f"commitments with both verdicts: {len(pairs)} (counted {len(train)}, held out {len(test)})")
    print("| mid-term level | counted | ended Substantial or Complete | likelihood (k+1)/(n+2) |")
    print("|---|---:|---:|---:|")
    for start in LEVELS.values():
        n = sum(c for (s, _), c in transitions.items() if s == start)
        k = sum(c for (s, f), c in transitions.items() if s == start and f in GOOD)
        print(f"| {start} | {n} | {k} | {from_history(start):.2f} |")
    print(f"\nBrier score on the {len(test)} held out (lower is better):")
    print("| prediction | Brier |\n|---|---:|")
    print(f"| OGP's history by mid-term level (the outlook's IRM part) | {brier(by_history, outcomes):.3f} |")
    print(f"| base rate ({base_rate:.2f} for every commitment) | {brier([base_rate] * len(outcomes), outcomes):.3f} |")
    print(f"| 0.5 | {brier([0.5] * len(outcomes), outcomes):.3f} |")
    # With a few dozen commitments a third held out is noisy: leave-one-out uses each in turn.
    every = list(pairs.items())
    loo_history, loo_base, loo_outcomes = [], [], []
    for key, (start, finish) in every:
        others = [pair for k, pair in every if k != key]
        n = sum(1 for s_, _ in others if s_ == start)
        k = sum(1 for s_, f in others if s_ == start and f in GOOD)
        loo_history.append((k + 1) / (n + 2))
        loo_base.append(sum(1 for _, f in others if f in GOOD) / len(others))
        loo_outcomes.append(int(finish in GOOD))
    print(f"\nLeave-one-out over all {len(every)}:")
    print("| prediction | Brier |\n|---|---:|")
    print(f"| OGP's history by mid-term level | {brier(loo_history, loo_outcomes):.3f} |")
    print(f"| base rate | {brier(loo_base, loo_outcomes):.3f} |")
    print("\nCalibration of the history on the held out:")
    print("| predicted | commitments | observed share |\n|---:|---:|---:|")
    for p in sorted(set(by_history)):
        group = [o for q, o in zip(by_history, outcomes, strict=False) if q == p]
        print(f"| {p:.2f} | {len(group)} | {sum(group) / len(group):.2f} |")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or DEFAULT_FILES)
