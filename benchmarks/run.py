"""`make bench`: the platform at the scale of every OGP member, measured.

For a scale (BENCH_SCALE: small, medium (default), large, or several comma-separated) it generates the inputs once (seeded),
then measures, each the median of BENCH_REPEAT runs (3; 1 for large):
  1. full build: every source loaded, the warehouse built with its checks, one month published
     (`ogp run-month`, a fresh data directory each time);
  2. the floor: the same monthly commitment figures from one bare DuckDB script (floor.sql);
  3. the pandas baseline of the same computation (baseline_pandas.py);
  4. an incremental monthly run on top of the full history (one new month of reports), launched as
     `ogp run-month` launches it and (BENCH_IN_PROCESS, not at large by default) executed inside
     `ogp`, from the same state;
  5. the code-location load (`dagster definitions validate`) and `ogp demo` end to end.
Wall time and the peak RSS of the whole process tree (dbt and DuckDB included) are sampled from
/proc. The full build's and the incremental month's time is split by stage (landing, parsing and
row rules, great-expectations, dbt models and tests, ..., orchestration), read back from the run's
Dagster events and the parts its steps record (orchestration/stage_times.py); the floor's
statements are timed too, so a stage is shown beside the floor's time for the same rows. The
floor's figures must equal the warehouse's (asserted). Results go to benchmarks/results/<scale>.json
and the tables in docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from benchmarks.generate import LAST_MONTH, SCALES, generate
from orchestration import stage_times

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "performance.md"
# The targets of the performance issue, per scale where they differ (a ratio target is a maximum
# unless named `_min`).
TARGETS = {
    "large": {
        "full_over_floor": 6.0,
        "pandas_over_full_min": 1.0,
        "incremental_over_full": 0.15,
        "peak_rss_gib": 4.0,  # a small server's memory (#32), every member's site included
        "code_location_load_s": 3.0,
    },
    "medium": {"full_over_floor": 20.0, "peak_rss_gib": 2.0, "code_location_load_s": 3.0},  # #32 item 4
    "small": {"incremental_s": 15.0, "peak_rss_gib": 2.0, "code_location_load_s": 3.0},
}
# The floor's statements (floor.sql, in order) and the platform stage doing the same work on the same rows.
FLOOR_STAGES = {
    "read the catalogue": stage_times.PARSING,
    "read and check the reports": stage_times.PARSING,
    "monthly figures": stage_times.DBT_MODELS,
}


def _group_rss_bytes(group: int) -> int:
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != group:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (ProcessLookupError, FileNotFoundError, PermissionError, ValueError):
            continue
    return total


def measure(command: list[str], env: dict[str, str], cwd: Path = ROOT, *, data_dir: Path | None = None) -> dict:
    """Run `command` in its own process group; wall seconds and peak RSS of the group (sampled);
    with the `data_dir` of an `ogp` run, its split by stage."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True
    )
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _group_rss_bytes(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    elapsed = time.perf_counter() - started
    # A launch's code server and run worker outlive `ogp` by a few seconds, still closing their
    # storages: the next measurement, and any copy of the folder, waits for them.
    ends_by = time.monotonic() + 120
    while (left := _group_rss_bytes(proc.pid)) and time.monotonic() < ends_by:
        peak = max(peak, left)
        time.sleep(0.05)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{output[-4000:]}")
    measured = {"seconds": elapsed, "peak_rss_bytes": peak}
    if data_dir is not None:
        measured["stages"] = last_run_stages(data_dir, elapsed)
    return measured


def last_run_stages(data_dir: Path, wall: float) -> dict[str, float]:
    """The newest run's time by stage, and the rest of the command's wall time (starting Python,
    importing Dagster and the definitions, the closing summary) as start-up."""
    import dagster as dg

    from orchestration.run_outcome import run_stages

    with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
        [run] = instance.get_runs(limit=1)
        run_seconds, stages = run_stages(instance, run.run_id, data_dir)
    return {stage_times.START_UP: round(max(wall - run_seconds, 0.0), 3), **stages}


def median(runs: list[dict]) -> dict:
    """The median run's time (with its stages, which add up to it) and the highest peak RSS."""
    middle = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2] if len(runs) % 2 else None
    summary = {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "runs": [round(r["seconds"], 2) for r in runs],
    }
    stages = [r["stages"] for r in runs if "stages" in r]
    if stages:
        summary["stages"] = (
            middle["stages"] if middle else {k: statistics.median(s.get(k, 0.0) for s in stages) for k in stages[0]}
        )
    return summary


def month_before(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def platform_env(inputs: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OGP_", "DAGSTER_"))}
    return {
        **env,
        "OGP_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "OGP_INBOX_DIR": str(data / "inbox"),
        "OGP_PLAN_CATALOGUE_URL": str(inputs / "hitos.csv"),
        "OGP_DASHBOARD_URL": str(inputs / "ogp_dashboard_export.csv"),
        "OGP_INDICATOR_CATALOGUE_URL": str(inputs / "indicadores.csv"),
        "OGP_MAX_FILE_BYTES": str(20 * 1024**3),
    }


def prepare_data_dir(inputs: Path, data: Path, months: list[Path]) -> None:
    shutil.rmtree(data, ignore_errors=True)
    (data / "inbox").mkdir(parents=True)
    drop_into_inbox(months, data)


def drop_into_inbox(files: list[Path], data: Path) -> None:
    for path in files:
        shutil.copyfile(path, data / "inbox" / path.name)


def floor_figures(inputs: Path, last: date, first: str, out: Path) -> None:
    sql = (ROOT / "benchmarks" / "floor.sql").read_text(encoding="utf-8")
    files = sorted(str(p) for p in (inputs / "inbox").glob("*.csv") if p.name < f"informes_{LAST_MONTH:%Y-%m}")
    sql = sql.format(
        catalogue=f"'{inputs / 'hitos.csv'}'",
        reports="[" + ", ".join(f"'{f}'" for f in files) + "]",
        first_month=f"'{first}'",
        last_month=f"'{last}'",
        grace=12,
    )
    # Each statement timed, named by the comment line `-- stage: <name>` that opens it.
    stages: dict[str, float] = {}
    with duckdb.connect() as con:
        for statement in (s for s in sql.split(";") if s.strip()):
            names = [
                line.split("stage:", 1)[1].strip() for line in statement.splitlines() if line.startswith("-- stage:")
            ]
            started = time.perf_counter()
            con.execute(statement)
            name = names[0] if names else list(stages)[-1]
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - started
        con.execute(f"copy commitment_progress to '{out}' (format parquet)")
    out.with_suffix(".stages.json").write_text(json.dumps(stages), encoding="utf-8")


def pandas_figures(inputs: Path, last: date, first: str, out: Path) -> None:
    from benchmarks.baseline_pandas import commitment_progress

    files = sorted(p for p in (inputs / "inbox").glob("*.csv") if p.name < f"informes_{LAST_MONTH:%Y-%m}")
    commitment_progress(inputs / "hitos.csv", files, first, str(last)).to_parquet(out)


def assert_same_figures(warehouse: Path, floor: Path, last: date) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        differing = con.execute(
            f"""
            with platform as (
                select commitment_id, reporting_month, progress_percent from marts.fct_commitment_progress_monthly
                where reporting_month <= date '{last}'
            ), floor as (
                select commitment_id, cast(reporting_month as date) as reporting_month, progress_percent from read_parquet('{floor}')
            )
            select count(*) from platform full join floor using (commitment_id, reporting_month)
            where platform.progress_percent is null or floor.progress_percent is null
               or abs(platform.progress_percent - floor.progress_percent) > 1e-9
            """
        ).fetchone()[0]
        rows = con.execute(
            f"select count(*) from marts.fct_commitment_progress_monthly where reporting_month <= date '{last}'"
        ).fetchone()[0]
    if differing:
        raise SystemExit(f"the warehouse and the floor disagree on {differing} commitment-months")
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("floor", "pandas"):  # a measured child process
        kind, inputs, last, first, out = sys.argv[1:6]
        (floor_figures if kind == "floor" else pandas_figures)(Path(inputs), date.fromisoformat(last), first, Path(out))
        return
    # BENCH_SCALE: one scale or several, comma-separated (`small,medium,large`: all three in turn).
    for scale_name in os.environ.get("BENCH_SCALE", "medium").split(","):
        bench_scale(scale_name.strip())


def bench_scale(scale_name: str) -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "1" if scale_name == "large" else "3"))
    work = Path(os.environ.get("BENCH_WORK_DIR", Path(tempfile.gettempdir()) / "ogp-bench"))
    inputs = work / f"inputs-{scale_name}"
    if not (inputs / "facts.json").exists():
        print(f"generating the {scale_name} inputs in {inputs} ...", flush=True)
        generate(SCALES[scale_name], inputs)
    facts = json.loads((inputs / "facts.json").read_text())
    months = sorted((inputs / "inbox").glob("*.csv"))
    base = [p for p in months if not p.name.startswith(f"informes_{LAST_MONTH:%Y-%m}")]
    new_month = [p for p in months if p.name.startswith(f"informes_{LAST_MONTH:%Y-%m}")]
    full_month = month_before(LAST_MONTH)
    print(
        f"{scale_name}: {facts['report_rows']:,} report rows, {facts['milestones']:,} milestones, "
        f"{facts['commitments']:,} commitments, {facts['reporting_months']} months; {repeat} run(s) each",
        flush=True,
    )

    results: dict[str, dict] = {}
    full_runs, incremental_runs, in_process_runs = [], [], []
    # BENCH_IN_PROCESS=0|1: also the incremental month executed inside `ogp` (by default not at
    # large, where it would add a whole incremental month to an hour's run).
    in_process = os.environ.get("BENCH_IN_PROCESS", "0" if scale_name == "large" else "1") == "1"
    for i in range(repeat):
        data = work / f"data-{scale_name}"
        prepare_data_dir(inputs, data, base)
        full_runs.append(
            measure([str(BIN / "ogp"), "run-month", f"{full_month:%Y-%m}"], platform_env(inputs, data), data_dir=data)
        )
        print(f"  full build {i + 1}: {full_runs[-1]['seconds']:.1f} s", flush=True)
        # The full build is kept aside for the comparison with the floor; the next month runs in
        # the same data directory, as it does in production (dbt's parse state is kept per directory).
        kept = work / f"data-{scale_name}-full"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(data, kept)
        drop_into_inbox(new_month, data)
        incremental_runs.append(
            measure([str(BIN / "ogp"), "run-month", f"{LAST_MONTH:%Y-%m}"], platform_env(inputs, data), data_dir=data)
        )
        print(f"  incremental {i + 1}: {incremental_runs[-1]['seconds']:.1f} s", flush=True)
        if in_process:
            # The same month again from the same state, executed inside `ogp` (no launch): what a
            # run costs without the two extra loads of the code location a launch from the
            # command line makes (its `dagster job launch` and a new code server). Same folder, so
            # dbt's partial-parse state still applies.
            shutil.rmtree(data)
            shutil.copytree(kept, data)
            drop_into_inbox(new_month, data)
            in_process_runs.append(
                measure(
                    [str(BIN / "ogp"), "run-month", f"{LAST_MONTH:%Y-%m}"],
                    {**platform_env(inputs, data), "OGP_RUN_IN_PROCESS": "1"},
                    data_dir=data,
                )
            )
            print(f"  incremental in the command {i + 1}: {in_process_runs[-1]['seconds']:.1f} s", flush=True)
    results["full_build"] = median(full_runs)
    results["incremental"] = median(incremental_runs)
    if in_process_runs:
        results["incremental_in_process"] = median(in_process_runs)

    floor_out, pandas_out = work / "floor.parquet", work / "pandas.parquet"
    child = [sys.executable, "-m", "benchmarks.run"]
    args = [str(inputs), str(full_month), facts["first_month"]]
    floor_runs = []
    for _ in range(repeat):
        floor_runs.append(measure([*child, "floor", *args, str(floor_out)], dict(os.environ)))
        floor_runs[-1]["stages"] = json.loads(floor_out.with_suffix(".stages.json").read_text(encoding="utf-8"))
    results["floor"] = median(floor_runs)
    results["pandas"] = median(
        [measure([*child, "pandas", *args, str(pandas_out)], dict(os.environ)) for _ in range(repeat)]
    )
    compared = assert_same_figures(work / f"data-{scale_name}-full" / "warehouse.duckdb", floor_out, full_month)
    assert_same_figures(work / f"data-{scale_name}-full" / "warehouse.duckdb", pandas_out, full_month)
    print(f"  the warehouse, the floor and pandas agree on all {compared:,} commitment-months", flush=True)
    results["site"] = site_pages_per_second(work, scale_name, full_month, results["full_build"])

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DAGSTER_HOME": home}
        results["code_location_load"] = median(
            [
                measure([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"], env)
                for _ in range(repeat)
            ]
        )
    if os.environ.get("BENCH_DEMO", "1") == "1":
        with tempfile.TemporaryDirectory() as demo:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("OGP_", "DAGSTER_"))}
            # Once: the demo is a fixed, small workload; its time is what a new user waits.
            results["demo"] = median(
                [
                    measure(
                        [str(BIN / "ogp"), "demo"],
                        {**env, "OGP_DATA_DIR": f"{demo}/data", "DAGSTER_HOME": f"{demo}/data/home"},
                    )
                ]
            )
    report = summarise(scale_name, facts, results, compared)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{scale_name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    table = render(report)
    print("\n" + table)
    write_doc(scale_name, table)


def site_pages_per_second(work: Path, scale_name: str, month: date, full_build: dict) -> dict:
    """The site's pages per second in the full build's snapshot stage (which also writes the
    package, the report and the briefs, so this is the site's least rate), beside its own floor:
    a minimal Jinja2 loop writing the same kinds of pages from the same warehouse
    (benchmarks/site_floor.py), timed in its own process."""
    kept = work / f"data-{scale_name}-full"
    pages = sum(1 for _ in (kept / "snapshots" / f"{month:%Y-%m}").rglob("*.html"))
    seconds = full_build.get("stages", {}).get(stage_times.SNAPSHOT, 0.0)
    out = work / "site-floor"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "benchmarks.site_floor", str(kept / "warehouse.duckdb"), f"{month}", str(out)]
    floor = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "pages": pages,
        "snapshot_seconds": seconds,
        "floor_pages": floor["pages"],
        "floor_seconds": floor["seconds"],
    }


def summarise(scale: str, facts: dict, results: dict, compared: int) -> dict:
    full, floor = results["full_build"]["seconds"], results["floor"]["seconds"]
    ratios = {
        "full_over_floor": full / floor,
        "pandas_over_full": results["pandas"]["seconds"] / full,
        "incremental_over_full": results["incremental"]["seconds"] / full,
    }
    peak = max(results["full_build"]["peak_rss_bytes"], results["incremental"]["peak_rss_bytes"]) / 1024**3
    measured = {
        **ratios,
        "pandas_over_full_min": ratios["pandas_over_full"],
        "incremental_s": results["incremental"]["seconds"],
        "peak_rss_gib": peak,
        "code_location_load_s": results["code_location_load"]["seconds"],
    }
    if "incremental_in_process" in results:
        measured["incremental_in_process_s"] = results["incremental_in_process"]["seconds"]
    targets = TARGETS.get(scale, {})
    checks = {
        name: (measured[name] >= target if name.endswith("_min") else measured[name] <= target)
        for name, target in targets.items()
    }
    return {
        "scale": scale,
        "facts": facts,
        "results": results,
        "ratios": ratios,
        "peak_rss_gib": peak,
        "targets": targets,
        "measured": measured,
        "targets_met": checks,
        "figures_compared": compared,
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def stage_table(results: dict) -> list[str]:
    """Each stage's seconds and share of the full build and of the incremental month, beside the
    floor's seconds for the same work where the floor does it."""
    full, incremental = results["full_build"].get("stages", {}), results["incremental"].get("stages", {})
    floor: dict[str, float] = {}
    for name, seconds in results["floor"].get("stages", {}).items():
        floor[FLOOR_STAGES[name]] = floor.get(FLOOR_STAGES[name], 0.0) + seconds
    names = list(full) + [name for name in incremental if name not in full]
    total_full, total_incremental = results["full_build"]["seconds"], results["incremental"]["seconds"]
    lines = [
        "| stage | full build s | share | incremental s | share | floor s, same rows |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        f, i = full.get(name, 0.0), incremental.get(name, 0.0)
        lines.append(
            f"| {name} | {f:.2f} | {f / total_full:.1%} | {i:.2f} | {i / total_incremental:.1%} | "
            f"{f'{floor[name]:.2f}' if name in floor else ''} |"
        )
    lines.append(
        f"| **total** | **{total_full:.2f}** | 100% | **{total_incremental:.2f}** | 100% | "
        f"**{results['floor']['seconds']:.2f}** (the whole script) |"
    )
    return lines


TARGET_LABELS = {
    "full_over_floor": ("full build / floor", lambda v: f"{v:.1f}x", lambda t: f"<= {t}x"),
    "pandas_over_full_min": ("pandas baseline / full build", lambda v: f"{v:.2f}", lambda t: f">= {t}"),
    "incremental_over_full": ("incremental month / full build", lambda v: f"{v:.1%}", lambda t: f"<= {t:.0%}"),
    "incremental_s": ("a monthly run (incremental month)", lambda v: f"{v:.1f} s", lambda t: f"<= {t} s"),
    "incremental_in_process_s": (
        "the same month executed inside `ogp` (no launch)",
        lambda v: f"{v:.1f} s",
        lambda t: f"<= {t} s",
    ),
    "code_location_load_s": ("code-location load", lambda v: f"{v:.2f} s", lambda t: f"<= {t} s"),
    "peak_rss_gib": ("peak RSS of the process tree", lambda v: f"{v:.2f} GiB", lambda t: f"<= {t} GiB"),
}


def render(report: dict) -> str:
    r, facts = report["results"], report["facts"]
    gib = lambda b: f"{b / 1024**3:.2f}"  # noqa: E731
    lines = [
        f"Scale `{report['scale']}`: {facts['report_rows']:,} report rows, {facts['milestones']:,} milestones, "
        f"{facts['commitments']:,} commitments, {facts['action_plans']:,} action plans of {facts['members']} members, "
        f"{facts['reporting_months']} reporting months. Machine: {report['machine']['cpus']} cores, "
        f"{report['machine']['memory_gib']} GiB, Python {report['machine']['python']}, DuckDB {report['machine']['duckdb']}; "
        f"measured {report['measured_at']}.",
        "",
        "| measurement | median s | runs (s) | peak RSS GiB |",
        "|---|---:|---|---:|",
    ]
    names = [
        ("full_build", "1. full build + one month's snapshot (`ogp run-month`)"),
        ("floor", "2. floor: bare DuckDB script"),
        ("pandas", "3. pandas baseline"),
        ("incremental", "4. incremental month on the full history"),
        ("incremental_in_process", "4b. the same month executed inside `ogp` (`OGP_RUN_IN_PROCESS=1`, no launch)"),
        ("code_location_load", "5a. code-location load (`dagster definitions validate`)"),
        ("demo", "5b. `ogp demo` end to end"),
    ]
    for key, label in names:
        if key in r:
            lines.append(
                f"| {label} | {r[key]['seconds']:.2f} | {', '.join(map(str, r[key]['runs']))} | {gib(r[key]['peak_rss_bytes'])} |"
            )
    measured = report["measured"]
    lines += ["", "| measure | measured | target | |", "|---|---:|---:|---|"]
    for name, (label, shown, bound) in TARGET_LABELS.items():
        if name not in measured:
            continue
        target = report["targets"].get(name)
        verdict = "" if target is None else ("met" if report["targets_met"][name] else "**missed**")
        lines.append(
            f"| {label} | {shown(measured[name])} | {bound(target) if target is not None else ''} | {verdict} |"
        )
    lines += [
        "",
        *stage_table(r),
        "",
        f"The warehouse's monthly commitment figures equal the floor's and pandas' on all {report['figures_compared']:,} "
        "commitment-months.",
    ]
    site = r.get("site")
    if site and site["snapshot_seconds"] and site["floor_seconds"]:
        lines += [
            "",
            f"The site, against its own floor: the full build's snapshot stage wrote {site['pages']:,} pages in "
            f"{site['snapshot_seconds']:.1f} s with the package, the report and the briefs "
            f"(**{site['pages'] / site['snapshot_seconds']:,.0f} pages/s** at least); a minimal Jinja2 loop writing "
            f"the same kinds of pages from the same warehouse (`benchmarks/site_floor.py`: each commitment with its "
            f"milestones and every report to the month, each plan, each lead institution, the index) wrote "
            f"{site['floor_pages']:,} in {site['floor_seconds']:.1f} s "
            f"(**{site['floor_pages'] / site['floor_seconds']:,.0f} pages/s**).",
        ]
    return "\n".join(lines)


def write_doc(scale: str, table: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    start, end = f"<!-- bench:{scale}:start -->", f"<!-- bench:{scale}:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## Latest measurement, scale `{scale}`\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
