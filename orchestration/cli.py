"""`ogp`: what operators do often without the UI. Runs go through the same Dagster jobs and the
same instance ($DAGSTER_HOME) as the UI, so they appear in its run history.

  ogp prepare              prepare the dbt manifest (done by `make`)
  ogp init-instance        write $DAGSTER_HOME/dagster.yaml if missing (one warehouse writer at a time)
  ogp demo                 seed the inbox with the demo forms, run everything, publish every demo month
  ogp run-month 2023-11    run the main job for one reporting month (or a range: 2023-01:2023-11)
  ogp load FILE...         drop spreadsheets into the inbox and load them (no publication)
  ogp refresh              load new reports and rebuild the warehouse (no publication)
  ogp reparse [SOURCE...]  load landed payloads again with today's parsers (no re-fetch), then refresh
  ogp status               ledger, quarantine and published snapshots at a glance
  ogp release ID --reason TEXT   publish despite a quarantined row (a recorded decision; ids in `ogp status`)
  ogp similar TEXT...      commitments of other OGP members like a draft, and how they fared (--help)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration.settings import DEMO_DATA_DIR, Settings

INSTANCE_YAML = """\
# Dagster instance for this platform (written by `ogp init-instance`; edit freely).
# Every asset that writes the DuckDB warehouse is in the pool `duckdb_warehouse`: one at a time.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


# Step-level events only on the terminal; everything is in the run's log in the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _dagster_home(settings: Settings) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or settings.data_dir / "dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def init_instance(settings: Settings) -> Path:
    """$DAGSTER_HOME with its dagster.yaml and its storage created, once, under a file lock: two
    `ogp` commands starting together on a new home would otherwise both create Dagster's SQLite
    storage, and one fails ("table alembic_version already exists")."""
    import fcntl

    home = _dagster_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    config, ready = home / "dagster.yaml", home / ".storage-initialised"
    if ready.exists():
        return home
    with open(home / ".init.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not config.exists():
            tmp = config.with_name(f".dagster.yaml.{os.getpid()}.tmp")
            tmp.write_text(INSTANCE_YAML, encoding="utf-8")
            os.replace(tmp, config)
        if not ready.exists():
            import dagster as dg

            with dg.DagsterInstance.from_config(str(home)) as instance:
                # Touching each storage creates it (and runs its migrations).
                instance.run_storage, instance.event_log_storage, instance.schedule_storage  # noqa: B018
            ready.touch()
    return home


class UsageError(ValueError):
    """A command given wrong arguments: said in one line, without a traceback."""


MESSAGES = {
    "es": {
        "not_a_month": "«{text}» no es un mes: escriba AAAA-MM (por ejemplo 2023-11) o un rango AAAA-MM:AAAA-MM",
        "before_start": "{month} es anterior a {start}, el primer mes que la plataforma reconoce",
        "not_ended": "{month} aún no ha terminado: el último mes que se puede publicar es {last}",
        "reversed": "el rango {first}:{last} termina antes de empezar; escriba primero el mes más antiguo",
    },
    "en": {
        "not_a_month": "'{text}' is not a month: write YYYY-MM (e.g. 2023-11) or a range YYYY-MM:YYYY-MM",
        "before_start": "{month} is before {start}, the first month the platform knows",
        "not_ended": "{month} has not ended yet: the last month that can be published is {last}",
        "reversed": "the range {first}:{last} ends before it starts; write the earliest month first",
    },
}


def _month(text: str, language: str = "es") -> date:
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(MESSAGES[language]["not_a_month"].format(text=text))
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_range(text: str, language: str = "es") -> tuple[date, date]:
    """`2023-11` or `2023-01:2023-11`, checked against the months that exist and have ended."""
    from orchestration.partitions import reporting_months

    first_text, _, last_text = text.partition(":")
    first = _month(first_text, language)
    last = _month(last_text, language) if last_text else first
    start = date.fromisoformat(reporting_months.get_first_partition_key())
    ended = reporting_months.get_last_partition_key()
    for month in (first, last):
        if month < start:
            raise UsageError(MESSAGES[language]["before_start"].format(month=f"{month:%Y-%m}", start=f"{start:%Y-%m}"))
        if ended is None or month > date.fromisoformat(ended):
            raise UsageError(MESSAGES[language]["not_ended"].format(month=f"{month:%Y-%m}", last=(ended or "")[:7]))
    if first > last:
        raise UsageError(MESSAGES[language]["reversed"].format(first=f"{first:%Y-%m}", last=f"{last:%Y-%m}"))
    return first, last


def _cli_run_tags() -> dict[str, str]:
    """Who runs it, so a later command can tell a run whose process was killed from a live one."""
    import socket

    return {"ogp/trigger": "cli", "ogp/pid": str(os.getpid()), "ogp/host": socket.gethostname()}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return b"ogp" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ProcessLookupError, PermissionError, FileNotFoundError):
        return False


def recover_abandoned_runs(instance) -> list[str]:
    """Runs started by `ogp` on this machine whose process is gone (killed, power cut) stay
    'started' and keep their slot in the warehouse pool, so every later run would wait for ever.
    They are marked failed and their slots freed. (With the daemon, run monitoring does this:
    deploy/dagster.yaml.)"""
    import socket

    import dagster as dg
    from dagster._core.storage.dagster_run import DagsterRunStatus

    recovered = []
    unfinished = instance.get_runs(filters=dg.RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED],
                                                         tags={"ogp/trigger": "cli"}))
    for run in unfinished:
        pid, host = run.tags.get("ogp/pid"), run.tags.get("ogp/host")
        if host != socket.gethostname() or not pid or _process_alive(int(pid)) or int(pid) == os.getpid():
            continue
        instance.report_run_failed(run, message=f"The process that ran it ({pid}) is gone; marked failed and its pool slots freed.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(run.run_id)
        print(f"run {run.run_id} had been abandoned (its process {pid} is gone): marked failed", file=sys.stderr)
    return recovered


def execute_with_progress(job, instance, *, log_dir: Path, **kwargs):
    """Run `job` in process with a progress bar of its steps on a terminal (tqdm): the run goes on
    in a thread while this one follows its event log; dbt's and Dagster's own lines go to a log
    file instead of over the bar. Without a terminal, no bar and the usual output."""
    import contextlib
    import threading
    import uuid

    from dagster import DagsterEventType
    from tqdm import tqdm

    run_id = str(uuid.uuid4())
    outcome: dict = {}
    interactive = sys.stderr.isatty()
    log = contextlib.nullcontext()
    if interactive:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{job.name}-{run_id[:8]}.log"
        log = open(log_path, "w", encoding="utf-8")
        kwargs["run_config"] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

    def execute():
        try:
            outcome["result"] = job.execute_in_process(instance=instance, run_id=run_id, raise_on_error=False, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
            outcome["error"] = exc

    finished = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED}
    with log as sink, contextlib.redirect_stdout(sink) if interactive else contextlib.nullcontext(), \
            tqdm(total=len(job.nodes_in_topological_order), unit="step", desc=job.name, disable=not interactive,
                 bar_format="{desc:<48.48} {bar} {n_fmt}/{total_fmt} steps [{elapsed}]") as bar:
        worker = threading.Thread(target=execute, name=f"run-{run_id[:8]}")
        worker.start()
        while worker.is_alive():
            worker.join(timeout=0.5)
            if bar.disable:
                continue
            events = instance.all_logs(run_id, of_type={DagsterEventType.STEP_START, *finished})
            done = sum(1 for e in events if e.dagster_event.event_type in finished)
            running = [e.dagster_event.step_key for e in events if e.dagster_event.event_type == DagsterEventType.STEP_START]
            bar.set_description_str(f"{job.name}: {running[-1] if running else 'starting'}")
            bar.update(done - bar.n)
    if interactive:
        print(f"run {run_id}: dbt's and Dagster's output in {log_path}", file=sys.stderr)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def run_months(first: date, last: date, *, settings: Settings) -> bool:
    """Run the main job over a range of reporting months in one run (single-run backfill)."""
    import dagster as dg

    from orchestration.definitions import defs

    init_instance(settings)
    definitions = defs()
    job = definitions.resolve_job_def("monthly_progress_job")
    with dg.DagsterInstance.get() as instance:
        recover_abandoned_runs(instance)
        tags = _cli_run_tags()
        if first == last:
            result = execute_with_progress(job, instance, log_dir=settings.data_dir / "logs", partition_key=first.isoformat(),
                                           tags=tags, run_config=QUIET)
        else:
            tags |= {"dagster/asset_partition_range_start": first.isoformat(), "dagster/asset_partition_range_end": last.isoformat()}
            result = execute_with_progress(job, instance, log_dir=settings.data_dir / "logs", tags=tags, run_config=QUIET)
    _explain_failure(result)
    return result.success


def _explain_failure(result) -> None:
    """On failure, say which checks or steps failed, in words, on stderr (the UI has the detail)."""
    if result.success:
        return
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            evaluation = event.event_specific_data
            print(f"check failed ({evaluation.severity.value}): {evaluation.asset_key.to_user_string()} {evaluation.check_name}", file=sys.stderr)
        elif event.event_type_value == "STEP_FAILURE":
            print(f"step failed: {event.step_key}: {event.event_specific_data.error.message.strip()[:500]}", file=sys.stderr)
    print(f"run {result.run_id} failed; nothing downstream of the failure was published.", file=sys.stderr)


def refresh(settings: Settings, job_name: str = "refresh_warehouse_job") -> bool:
    import dagster as dg

    from orchestration.definitions import defs

    from orchestration.partitions import latest_reporting_month

    init_instance(settings)
    job = defs().resolve_job_def(job_name)
    with dg.DagsterInstance.get() as instance:
        recover_abandoned_runs(instance)
        result = execute_with_progress(job, instance, log_dir=settings.data_dir / "logs", partition_key=latest_reporting_month(),
                                       tags=_cli_run_tags(), run_config=QUIET)
    _explain_failure(result)
    return result.success


def reparse_landed(settings: Settings, sources: list[str] | None) -> int:
    """Re-parse what the landing zone holds, then rebuild the warehouse from it."""
    from datetime import datetime, timezone

    from ingestion.reparse import reparse
    from ingestion.warehouse import connect, ensure_raw_schema

    run_id = f"reparse-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    with connect(settings.warehouse_path) as con:
        ensure_raw_schema(con)
        files = reparse(con, sources, landing_dir=settings.landing_dir, run_id=run_id)
    for item in files:
        ledger = item.result.ledger
        print(f"  {item.source:<22} {item.original_name[:40]:<40} loaded {item.before[0]:>6} -> {ledger.loaded:<6} "
              f"quarantined {item.before[1]:>5} -> {ledger.quarantined}")
    print(f"{len(files)} landed file(s) re-parsed (ledger run {run_id}); rebuilding the warehouse")
    return 0 if refresh(settings, "rebuild_warehouse_job") else 1


def drop_into_inbox(settings: Settings, files: list[Path]) -> list[Path]:
    """Copy files into the inbox under safe names (an existing different file is never replaced)."""
    import hashlib

    from ingestion.inbox import inbox_name

    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    dropped = []
    for source in files:
        if not source.is_file():
            raise SystemExit(f"ogp load: no file at {source}")
        content = source.read_bytes()
        target = settings.inbox_dir / inbox_name(source.name)
        if target.exists() and target.read_bytes() != content:
            target = target.with_name(f"{target.stem}-{hashlib.sha256(content).hexdigest()[:8]}{target.suffix}")
        target.write_bytes(content)
        dropped.append(target)
    return dropped


def demo_month_range() -> tuple[date, date]:
    """From the first month of the demo plans to the last (read from the demo catalogue)."""
    import duckdb

    path = DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv"
    with duckdb.connect() as con:
        first, last = con.execute(
            "select min(cast(fecha_inicio as date)), max(strptime(fecha_fin, '%d/%m/%Y')) from read_csv(?, all_varchar=true)",
            [str(path)],
        ).fetchone()
    return date(first.year, first.month, 1), date(last.year, last.month, 1)


def seed_demo_inbox(settings: Settings) -> list[Path]:
    """Drop the demo progress-report forms into the inbox, as institutions would."""
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted((DEMO_DATA_DIR / "inbox").glob("*.csv")):
        target = settings.inbox_dir / source.name
        if not target.exists():
            shutil.copyfile(source, target)
        copied.append(target)
    return copied


def print_figures(settings: Settings, month: date, plan: str) -> None:
    from ingestion.warehouse import connect

    with connect(settings.warehouse_path, read_only=True) as con:
        rows = con.execute(
            """select commitment_id, progress_percent_rounded, schedule_status from marts.fct_commitment_progress_monthly
               where reporting_month = ? and action_plan_id = ? order by commitment_id""",
            [month, plan],
        ).fetchall()
    print(f"\n{plan}, {month:%Y-%m} (the methodology's figures):")
    print("  " + "  ".join(f"C{i + 1} {pct}%" for i, (_, pct, _) in enumerate(rows)))


def status(settings: Settings) -> int:
    from ingestion.quarantine import blocking_rows
    from ingestion.warehouse import connect
    from orchestration.checks import QUARANTINE_SEVERITY

    if not settings.warehouse_path.exists():
        print(f"No warehouse yet at {settings.warehouse_path}: run `make demo` or `ogp run-month`.")
        return 1
    with connect(settings.warehouse_path, read_only=True) as con:
        print("Ledger (received = loaded + quarantined), by source:")
        for row in con.execute(
            "select source, count(*), sum(received), sum(loaded), sum(quarantined), max(recorded_at) from raw.ingestion_ledger where superseded_at is null group by source order by source"
        ).fetchall():
            print(f"  {row[0]:<18} files {row[1]:>4}  received {row[2]:>8}  loaded {row[3]:>8}  quarantined {row[4]:>6}  last {row[5]:%Y-%m-%d %H:%M}")
        print("Quarantine by rule:")
        for rule, count in con.execute("select rule, count(*) from raw.quarantine group by rule order by 2 desc").fetchall():
            print(f"  {rule:<32} {count}")
        standing = blocking_rows(con, [s for s, severity in QUARANTINE_SEVERITY.items() if severity.value == "ERROR"])
        print(f"Quarantined rows that stop publications until corrected or released: {len(standing)}")
        for row in standing[:50]:
            print(f"  {row.quarantine_id}  {row.source}  {row.file_name}  fila {row.source_row_number}: {row.reason}")
    months = sorted(p.name for p in settings.snapshots_dir.glob("*") if (p / "latest.json").exists()) if settings.snapshots_dir.exists() else []
    print(f"Published snapshots: {len(months)}" + (f" ({months[0]} .. {months[-1]})" if months else ""))
    return 0


def release_row(settings: Settings, quarantine_id: str, reason: str) -> int:
    from ingestion.quarantine import UnknownQuarantineId, release
    from ingestion.warehouse import connect

    if not reason.strip():
        print("ogp release: diga por qué se libera (--reason)", file=sys.stderr)
        return 2
    with connect(settings.warehouse_path) as con:
        try:
            row_reason = release(con, quarantine_id, reason.strip())
        except UnknownQuarantineId:
            print(f"ogp release: no hay ninguna fila en cuarentena con el id {quarantine_id} (véalos con `ogp status`)", file=sys.stderr)
            return 2
    print(f"liberada {quarantine_id} ({row_reason}); motivo registrado: {reason.strip()}")
    return 0


SIMILAR_LABELS = {
    "es": {"no_warehouse": "no hay almacén en {path}: ejecute `make demo` o `ogp run-month` primero",
           "no_index": "el almacén aún no tiene el índice de compromisos: ejecute `ogp refresh` o `ogp run-month`",
           "empty": "ningún compromiso del índice cumple los filtros",
           "completion": "cumplimiento", "diog": "¿abrió el gobierno?", "early": "resultados tempranos",
           "impact": "impacto potencial", "potential": "potencial de resultados", "starred": "estelar",
           "yes": "sí", "summary": "Resumen", "brief": "ficha"},
    "en": {"no_warehouse": "no warehouse at {path}: run `make demo` or `ogp run-month` first",
           "no_index": "the warehouse has no commitment index yet: run `ogp refresh` or `ogp run-month`",
           "empty": "no commitment in the index matches the filters",
           "completion": "completion", "diog": "did it open government", "early": "early results",
           "impact": "potential impact", "potential": "potential for results", "starred": "starred",
           "yes": "yes", "summary": "Summary", "brief": "brief"},
}


def _plan_years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, _, last = text.partition(":")
    try:
        return int(first), int(last or first)
    except ValueError:
        raise UsageError(f"--plan-years: «{text}» no es AAAA ni AAAA:AAAA") from None


def similar_commitments(settings: Settings, args: argparse.Namespace) -> int:
    """`ogp similar`: reads the warehouse's commitment index (read-only), prints or writes the peers."""
    import json
    from dataclasses import asdict

    from ingestion.warehouse import connect
    from similarity.brief import write_briefs
    from similarity.search import Filters, outcome_summary, similar

    words = SIMILAR_LABELS[settings.operator_language]
    texts = [t for t in args.texts if t.strip()]
    if not texts:
        print("ogp similar: escriba al menos un texto", file=sys.stderr)
        return 2
    filters = Filters(members=tuple(args.member), exclude_members=tuple(args.exclude_member), regions=tuple(args.region),
                      policy_areas=tuple(args.policy_area), plan_years=_plan_years(args.plan_years), outcomes=tuple(args.outcome))
    if not settings.warehouse_path.exists():
        print(f"ogp similar: {words['no_warehouse'].format(path=settings.warehouse_path)}", file=sys.stderr)
        return 1
    with connect(settings.warehouse_path, read_only=True) as con:
        try:
            answers = similar(con, texts, top_k=args.top, filters=filters)
        except duckdb.CatalogException:
            print(f"ogp similar: {words['no_index']}", file=sys.stderr)
            return 1
    if args.html:
        for path in write_briefs(answers, args.html):
            print(f"{words['brief']}: {path}", file=sys.stderr)
    if args.json:
        print(json.dumps([{"query": a.query, "summary": outcome_summary(a.results, settings.operator_language),
                           "results": [asdict(p) for p in a.results]} for a in answers], ensure_ascii=False, indent=1))
        return 0
    for answer in answers:
        print(f"\n«{answer.query[:200]}»")
        if not answer.results:
            print(f"  {words['empty']}")
        for n, p in enumerate(answer.results, 1):
            plan = " ".join(x for x in (p.action_plan_id, f"({p.plan_years})" if p.plan_years else None) if x)
            print(f"{n:>3}. {p.score:.2f}  {p.member} · {plan} · {p.commitment_id}")
            print(f"       {p.title}")
            verdicts = [(words["completion"], p.completion), (words["diog"], p.did_it_open_government),
                        (words["early"], p.early_results), (words["impact"], p.potential_impact),
                        (words["potential"], p.potential_for_results)]
            shown = [f"{label}: {value}" for label, value in verdicts if value]
            if p.starred:
                shown.append(f"{words['starred']}: {words['yes']}")
            if shown:
                print("       " + " · ".join(shown))
            if p.url:
                print(f"       {p.url}")
        if answer.results:
            print(f"  {words['summary']}: {outcome_summary(answer.results, settings.operator_language)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ogp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="prepare the dbt manifest")
    sub.add_parser("init-instance", help="write $DAGSTER_HOME/dagster.yaml if missing")
    sub.add_parser("demo", help="run everything on the embedded demo data")
    run = sub.add_parser("run-month", help="run the main job for a month or a range FIRST:LAST")
    run.add_argument("month", help="YYYY-MM or YYYY-MM:YYYY-MM")
    load = sub.add_parser("load", help="drop spreadsheets into the inbox and load them")
    load.add_argument("files", nargs="+", type=Path)
    sub.add_parser("refresh", help="load new reports and rebuild the warehouse")
    sub.add_parser("status", help="ledger, quarantine and snapshots")
    free = sub.add_parser("release", help="publish despite a quarantined row: an explicit, recorded decision")
    free.add_argument("quarantine_id", help="the row's id, as `ogp status` lists it")
    free.add_argument("--reason", required=True, help="why it may be published (recorded with who and when)")
    again = sub.add_parser("reparse", help="load landed payloads again with today's parsers, then refresh")
    again.add_argument("sources", nargs="*", help="landing sources (forms, forms_api, ogp_dashboard, ...); all when none")
    from similarity.search import OUTCOMES

    near = sub.add_parser("similar", help="commitments of other OGP members like a draft text, and how the IRM judged them",
                          description="For each TEXT, the most similar commitments the warehouse holds (any language: "
                                      "a Spanish draft finds English commitments), with their IRM outcomes.")
    near.add_argument("texts", nargs="+", metavar="TEXT", help="a draft commitment (several: one answer each)")
    near.add_argument("--top", type=int, default=10, metavar="K", help="how many commitments per text (10)")
    near.add_argument("--json", action="store_true", help="print a JSON list, one entry per TEXT, in order")
    near.add_argument("--member", action="append", default=[], metavar="M", help="only this member (code or name; repeatable)")
    near.add_argument("--exclude-member", action="append", default=[], metavar="M", help="leave this member's commitments out")
    near.add_argument("--region", action="append", default=[], help="only this OGP region (e.g. Americas)")
    near.add_argument("--policy-area", action="append", default=[], metavar="P", help="only commitments flagged with this policy area")
    near.add_argument("--plan-years", metavar="YYYY[:YYYY]", help="only plans running in these years")
    near.add_argument("--outcome", action="append", default=[], choices=sorted(OUTCOMES), help="only commitments with this IRM outcome")
    near.add_argument("--html", type=Path, metavar="FILE", help="also write the co-creation brief (HTML) to FILE")
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command == "prepare":
        from orchestration.dbt_project import dbt_project, prepare_manifest

        print(f"dbt manifest: {prepare_manifest(dbt_project(), force=True)}")
        return 0
    if args.command == "init-instance":
        print(f"Dagster instance: {init_instance(settings)}")
        return 0
    if args.command == "demo":
        seed_demo_inbox(settings)
        first, last = demo_month_range()
        print(f"Demo: every source from demo_data/, reporting months {first:%Y-%m} to {last:%Y-%m}, data in {settings.data_dir}")
        if not run_months(first, last, settings=settings):
            print("The demo run failed: see the run in the Dagster UI (`make ui`).", file=sys.stderr)
            return 1
        try:
            print_figures(settings, date(2023, 11, 1), "AP_ECU02")
        except duckdb.CatalogException as exc:
            print(f"The run finished but the warehouse has no marts ({exc}): see the run in the UI.", file=sys.stderr)
            return 1
        latest = settings.snapshots_dir / "2023-11"
        version = (latest / "latest.json").read_text(encoding="utf-8").split('"')[3]
        print(f"\nWarehouse (DuckDB):     {settings.warehouse_path}")
        print(f"Monthly snapshots:      {settings.snapshots_dir}/<YYYY-MM>/<version>/ ({first:%Y-%m} .. {last:%Y-%m})")
        print(f"Site for 2023-11:       {latest / version / 'index.html'}")
        print(f"Report for 2023-11:     {latest / version / 'informe.html'}")
        print(f"Open-data package:      {latest / version / 'datapackage.json'}")
        print(f"Every publication:      {settings.snapshots_dir / 'index.html'} (catalogo.json, catalogo.atom)")
        print('Similar commitments:    ogp similar "Transparencia en el uso de la inteligencia artificial"')
        print(f"Dagster runs:           {os.environ['DAGSTER_HOME']} (see them with `make ui`)")
        print("All progress reports in the demo are DEMONSTRATION DATA.")
        return 0
    if args.command == "run-month":
        try:
            first, last = month_range(args.month, settings.operator_language)
        except UsageError as exc:
            print(f"ogp run-month: {exc}", file=sys.stderr)
            return 2
        return 0 if run_months(first, last, settings=settings) else 1
    if args.command == "refresh":
        return 0 if refresh(settings) else 1
    if args.command == "load":
        for path in drop_into_inbox(settings, args.files):
            print(f"inbox: {path}")
        return 0 if refresh(settings) else 1
    if args.command == "status":
        return status(settings)
    if args.command == "release":
        return release_row(settings, args.quarantine_id, args.reason)
    if args.command == "reparse":
        return reparse_landed(settings, args.sources or None)
    if args.command == "similar":
        try:
            return similar_commitments(settings, args)
        except UsageError as exc:
            print(f"ogp similar: {exc}", file=sys.stderr)
            return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
