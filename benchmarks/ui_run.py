"""One month's run launched from the UI against the same month by `ogp run-month` (`make bench-ui`).

Builds the demo into a temporary data directory (`ogp demo`), then, alternately, runs 2023-11 with
`ogp run-month` (wall time of the command, code-location load included) and launches the same job
and partition through the UI's own GraphQL API on a `dagster-webserver` over that instance (wall
time from the request to the run's end). Writes benchmarks/results/ui_run.json and its section of
docs/performance.md, and prints the ratio.
Not a test: the machine's load moves both; the ratio in one run is what counts."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MONTH = "2023-11"
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
LAUNCH = """mutation($tags: [ExecutionTag!]) { launchRun(executionParams: {
  selector: {repositoryLocationName: "ogp_progress_platform", repositoryName: "__repository__", jobName: "monthly_progress_job"},
  executionMetadata: {tags: $tags}}) { __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=120).json()
    if "errors" in answer:
        raise SystemExit(f"GraphQL: {answer['errors']}")
    return answer["data"]


def ui_run(url: str) -> float:
    started = time.perf_counter()
    launched = graphql(url, LAUNCH, {"tags": [{"key": "dagster/partition", "value": f"{MONTH}-01"}]})["launchRun"]
    if launched["__typename"] != "LaunchRunSuccess":
        raise SystemExit(f"the UI could not launch the run: {launched}")
    run_id = launched["run"]["runId"]
    while True:
        status = graphql(url, f'{{ runOrError(runId: "{run_id}") {{ ... on Run {{ status }} }} }}')["runOrError"][
            "status"
        ]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(0.5)
    if status != "SUCCESS":
        raise SystemExit(f"the UI's run {run_id} ended {status}")
    return time.perf_counter() - started


def cli_run(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "ogp"), "run-month", MONTH],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


DOC = ROOT / "docs" / "performance.md"


def write_doc(result: dict) -> None:
    """The section between its markers in docs/performance.md (added at the end the first time)."""
    start, end = "<!-- bench:ui:start -->", "<!-- bench:ui:end -->"
    rows = "\n".join(
        f"| {n + 1} | {c:.1f} | {u:.1f} |"
        for n, (c, u) in enumerate(zip(result["cli_seconds"], result["ui_seconds"], strict=False))
    )
    block = (
        f"{start}\nOne month ({result['month']}) of `monthly_progress_job` on the demo, alternately by `ogp run-month` "
        "(the whole command: it loads the code location to launch) and launched from the UI (its GraphQL API, the code "
        "location already loaded), both through the instance's run launcher with the in-process executor:\n\n"
        f"| round | `ogp run-month` (s) | UI (s) |\n|---|---|---|\n{rows}\n\n"
        f"UI / CLI, ratio of the medians: **{result['ratio_of_medians']:.2f}** (the target is at most 1.5).\n{end}"
    )
    text = DOC.read_text(encoding="utf-8")
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + f"\n\n## One month from the UI (`make bench-ui`)\n\n{block}\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="ogp-bench-ui-"))
    env = {**os.environ, "OGP_DATA_DIR": str(work / "data"), "DAGSTER_HOME": str(work / "data" / "dagster_home")}
    for name in ("OGP_INBOX_DIR", "OGP_PLAN_CATALOGUE_URL", "OGP_DASHBOARD_URL", "OGP_DBT_TARGET"):
        env.pop(name, None)
    print(f"building the demo in {work}", file=sys.stderr)
    subprocess.run(
        [str(BIN / "ogp"), "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webserver = subprocess.Popen(
        [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        while True:
            try:
                graphql(url, "{ version }")
                break
            except requests.ConnectionError:
                time.sleep(1)
        cli, ui = [], []
        for _ in range(REPEAT):
            cli.append(cli_run(env))
            ui.append(ui_run(url))
            print(f"  ogp run-month {cli[-1]:.1f} s, UI {ui[-1]:.1f} s", file=sys.stderr)
    finally:
        os.killpg(webserver.pid, 15)
        webserver.wait(timeout=60)
    result = {
        "month": MONTH,
        "repeat": REPEAT,
        "cli_seconds": cli,
        "ui_seconds": ui,
        "ratio_of_medians": statistics.median(ui) / statistics.median(cli),
    }
    out = ROOT / "benchmarks" / "results" / "ui_run.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    write_doc(result)
    print(
        f"one month from the UI / from `ogp run-month`: {result['ratio_of_medians']:.2f} "
        f"(medians {statistics.median(ui):.1f} s / {statistics.median(cli):.1f} s); {out}"
    )


if __name__ == "__main__":
    main()
