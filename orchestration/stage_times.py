"""Where a run's time goes, by stage of the work: landing, parsing and row rules,
great-expectations, dbt's models, tests, snapshot and its own start-up, the publications, and
what is left to orchestration (Dagster's steps and events between and around them).

Steps that do one kind of work are timed by Dagster's own step events; the two kinds of step
that do several (an ingestion step lands, then parses; a dbt step starts dbt, which builds models
and runs tests) record their parts here, one JSON line per part, in
`$OGP_DATA_DIR/logs/stages/<run id>.jsonl`. Plain Python: the Dagster side is in run_outcome.py.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

LANDING = "landing"
PARSING = "parsing and row rules"
GREAT_EXPECTATIONS = "great-expectations"
QUARANTINE_CHECKS = "quarantine checks"
DBT_SEEDS = "dbt seeds"
DBT_MODELS = "dbt models"
DBT_TESTS = "dbt tests"
DBT_SNAPSHOT = "dbt snapshot (milestone history)"
DBT_START_UP = "dbt start-up and parse"
SNAPSHOT = "monthly snapshot (package, report, site)"
SIMILARITY = "commitment search index"
SERVING_DUCKDB = "serving copy (DuckDB)"
SERVING_POSTGRES = "serving schema (PostgreSQL)"
PORTAL = "open-data portal publication"
CORRESPONDENCE = "receipts and reminders to institutions"
ORCHESTRATION = "orchestration (Dagster steps and events)"
START_UP = "process start-up, imports and closing"

# The order a table of stages is shown in (the order of the work).
ORDER = [
    START_UP,
    LANDING,
    PARSING,
    GREAT_EXPECTATIONS,
    QUARANTINE_CHECKS,
    DBT_START_UP,
    DBT_SEEDS,
    DBT_MODELS,
    DBT_TESTS,
    DBT_SNAPSHOT,
    SIMILARITY,
    SNAPSHOT,
    SERVING_DUCKDB,
    SERVING_POSTGRES,
    PORTAL,
    CORRESPONDENCE,
    ORCHESTRATION,
]

_DBT_RESOURCE_STAGES = {
    "model": DBT_MODELS,
    "test": DBT_TESTS,
    "unit_test": DBT_TESTS,
    "seed": DBT_SEEDS,
    "snapshot": DBT_SNAPSHOT,
}
KEPT_RUNS = 100  # stage files kept per data directory (the newest)


def stage_file(data_dir: Path, run_id: str) -> Path:
    return data_dir / "logs" / "stages" / f"{run_id}.jsonl"


def record(data_dir: Path, run_id: str, step: str, stage: str, seconds: float) -> None:
    """One part of a step's time. Appended in one write, so steps in other processes may share the file."""
    path = stage_file(data_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"step": step, "stage": stage, "seconds": round(seconds, 4)}) + "\n"
    with open(path, "a", encoding="utf-8") as sink:
        sink.write(line)


@contextmanager
def timed(data_dir: Path, run_id: str, step: str, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        record(data_dir, run_id, step, stage, time.perf_counter() - started)


def recorded(data_dir: Path, run_id: str) -> dict[str, dict[str, float]]:
    """step -> stage -> seconds, as the run's steps recorded them."""
    parts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    path = stage_file(data_dir, run_id)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                parts[entry["step"]][entry["stage"]] += entry["seconds"]
    return {step: dict(stages) for step, stages in parts.items()}


def prune(data_dir: Path, keep: int = KEPT_RUNS) -> None:
    folder = data_dir / "logs" / "stages"
    if folder.is_dir():
        files = sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in files[keep:]:
            path.unlink(missing_ok=True)


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def dbt_stages(run_results: dict, process_seconds: float) -> dict[str, float]:
    """One dbt invocation's wall time by kind of node. dbt runs nodes on several threads, so each
    instant of the build is shared equally among the kinds of node running then: the parts add up
    to the build's wall time, and what the process took beyond it is dbt's start-up and parse."""
    intervals = []
    for result in run_results.get("results", []):
        timing = [t for t in result.get("timing", []) if t.get("started_at") and t.get("completed_at")]
        if not timing:
            continue
        kind = _DBT_RESOURCE_STAGES.get(result["unique_id"].split(".", 1)[0], DBT_MODELS)
        intervals.append(
            (min(_instant(t["started_at"]) for t in timing), max(_instant(t["completed_at"]) for t in timing), kind)
        )
    shares: dict[str, float] = defaultdict(float)
    points = sorted({p for start, end, _ in intervals for p in (start, end)})
    for left, right in zip(points, points[1:], strict=False):
        running = [kind for start, end, kind in intervals if start <= left and end >= right]
        for kind in running:
            shares[kind] += (right - left) / len(running)
    built = sum(shares.values())
    shares[DBT_START_UP] = max(process_seconds - built, 0.0)
    return dict(shares)


def by_stage(
    run_seconds: float, steps: Iterable[tuple[str, str | None, float]], parts: dict[str, dict[str, float]]
) -> dict[str, float]:
    """The run's wall time by stage. `steps` are (step key, the stage the whole step is, seconds);
    a step that recorded its parts gives them, and the rest of it goes to orchestration, as does
    the time between steps."""
    stages: dict[str, float] = defaultdict(float)
    for step, stage, seconds in steps:
        own = parts.get(step)
        if own:
            for name, part in own.items():
                stages[name] += part
            stages[ORCHESTRATION] += max(seconds - sum(own.values()), 0.0)
        else:
            stages[stage or step] += seconds
    stages[ORCHESTRATION] += max(run_seconds - sum(seconds for _, _, seconds in steps), 0.0)
    return {name: round(seconds, 3) for name, seconds in sorted(stages.items(), key=lambda kv: _rank(kv[0]))}


def _rank(stage: str) -> tuple[int, str]:
    return (ORDER.index(stage), "") if stage in ORDER else (ORDER.index(ORCHESTRATION) - 1, stage)


def process_seconds() -> float | None:
    """Seconds since this process started (Linux), for the part before the run began."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
