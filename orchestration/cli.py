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
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration.runner import LaunchFailed, init_instance
from orchestration.settings import DEMO_DATA_DIR, Settings

# `ogp -v`: the run's whole log streamed to the terminal (it is always kept in a file).
stream_run_log = False


class UsageError(ValueError):
    """A command given wrong arguments: said in one line, without a traceback (exit 2)."""


class OperatorError(RuntimeError):
    """A command that cannot do its work as things stand (no warehouse yet, a failed run): one line (exit 1)."""


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


def run_job(settings: Settings, job_name: str, *, first: date | None = None, last: date | None = None,
            verbose: bool = False) -> bool:
    """The one run sequence of every command that runs a job (orchestration/runner.py): a month, a
    range of months in one run, or the last ended month, launched as the UI launches it."""
    from orchestration.partitions import latest_reporting_month
    from orchestration.runner import run_job as launch_and_follow

    if first is not None and last is not None and first != last:
        tags = {"dagster/asset_partition_range_start": first.isoformat(), "dagster/asset_partition_range_end": last.isoformat()}
    else:
        tags = {"dagster/partition": (first or date.fromisoformat(latest_reporting_month())).isoformat()}
    return launch_and_follow(settings, job_name, tags=tags, verbose=verbose or stream_run_log)


def run_months(first: date, last: date, *, settings: Settings) -> bool:
    """Run the main job over a range of reporting months in one run (single-run backfill)."""
    return run_job(settings, "monthly_progress_job", first=first, last=last)


def refresh_warehouse(settings: Settings, job_name: str = "refresh_warehouse_job") -> bool:
    return run_job(settings, job_name)


def drop_into_inbox(settings: Settings, files: list[Path]) -> list[Path]:
    """Copy files into the inbox under safe names (an existing different file is never replaced).
    What is not a regular file (a link, a FIFO) is never read here either: it goes into the inbox as
    what it is (a link to the same place, a FIFO), where the intake refuses it by name."""
    import os
    import stat

    from ingestion.inbox import inbox_name
    from ingestion.landing import open_regular_file, sha256_file

    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    dropped = []
    for source in files:
        try:
            mode = source.lstat().st_mode
        except FileNotFoundError:
            raise UsageError(f"no hay ningún archivo en {source}") from None
        if stat.S_ISDIR(mode):
            raise UsageError(f"{source} es una carpeta: indique los archivos")
        target = settings.inbox_dir / inbox_name(source.name)
        if not stat.S_ISREG(mode):
            if not target.exists() and not target.is_symlink():
                if stat.S_ISFIFO(mode):
                    os.mkfifo(target)
                else:
                    target.symlink_to(os.readlink(source) if stat.S_ISLNK(mode) else source.absolute())
            dropped.append(target)
            continue
        digest = sha256_file(source)
        if (target.exists() or target.is_symlink()) and (not target.is_file() or target.is_symlink() or sha256_file(target) != digest):
            target = target.with_name(f"{target.stem}-{digest[:8]}{target.suffix}")
        with open_regular_file(source) as handle, open(target, "wb") as out:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                out.write(chunk)
        dropped.append(target)
    return dropped


def demo_month_range() -> tuple[date, date]:
    """From the first month of the demo plans to the last (read from the demo catalogue)."""
    from ingestion.plan_catalogue import planned_month_range

    return planned_month_range(DEMO_DATA_DIR / "plan_catalogue" / "hitos.csv")


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


def demo_summary_month() -> date | None:
    """The month the demo's summary shows, as the demo data names it (demo_data/demo.json)."""
    import json

    path = DEMO_DATA_DIR / "demo.json"
    if not path.exists():
        return None
    return date.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["summary_month"] + "-01")


def print_figures(settings: Settings, month: date | None = None) -> date | None:
    """Each plan's commitments in `month` (by default the latest month reported on): the
    methodology's figures."""
    from exports.queries import latest_reported_month, plan_figures
    from ingestion.connection import connect

    with connect(settings.warehouse_path, read_only=True) as con:
        month = month or latest_reported_month(con)
        figures = plan_figures(con, month) if month else []
    plans: dict[str, list[dict]] = {}
    for row in figures:
        plans.setdefault(row["action_plan_id"], []).append(row)
    for plan, rows in plans.items():
        print(f"\n{plan}, {month:%Y-%m} (the methodology's figures):")
        print("  " + "  ".join(f"C{i + 1} {row['progress_percent_rounded']}%" for i, row in enumerate(rows)))
    return month


# --- one function per command: (parsed arguments, settings) -> exit status ---------------------


def prepare(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.dbt_project import dbt_project, prepare_manifest

    print(f"dbt manifest: {prepare_manifest(dbt_project(), force=True)}")
    return 0


def init_instance_command(args: argparse.Namespace, settings: Settings) -> int:
    print(f"Dagster instance: {init_instance(settings)}")
    return 0


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from exports.versions import current_version_dir

    seed_demo_inbox(settings)
    first, last = demo_month_range()
    print(f"Demo: every source from demo_data/, reporting months {first:%Y-%m} to {last:%Y-%m}, data in {settings.data_dir}")
    if not run_months(first, last, settings=settings):
        raise OperatorError("The demo run failed: see the run in the Dagster UI (`make ui`).")
    try:
        month = print_figures(settings, demo_summary_month())
    except duckdb.CatalogException as exc:
        raise OperatorError(f"The run finished but the warehouse has no marts ({exc}): see the run in the UI.") from None
    version = current_version_dir(settings.snapshots_dir, f"{month or last:%Y-%m}")
    # The reminders the presented month's deadline would have sent (receipts went with the run).
    reminded = run_job(settings, "institution_reminders_job", first=month or last, last=month or last)
    print(f"\nWarehouse (DuckDB):     {settings.warehouse_path}")
    print(f"Monthly snapshots:      {settings.snapshots_dir}/<YYYY-MM>/<version>/ ({first:%Y-%m} .. {last:%Y-%m})")
    if version is not None:
        print(f"Site for {version.parent.name}:       {version / 'index.html'}")
        members = json.loads((version / "datapackage.json").read_text(encoding="utf-8")).get("members", [])
        print(f"Reports for {version.parent.name}:    {version / 'informe.html'} (one per member: "
              f"{', '.join(m['report'] for m in members)})")
        print(f"Open-data package:      {version / 'datapackage.json'}")
    print(f"Every publication:      {settings.snapshots_dir / 'index.html'} (catalogo.json, catalogo.atom)")
    print(f"Data quality (GX):      {settings.data_dir / 'data_docs' / 'index.html'} (each suite's latest validation)")
    if not settings.smtp_url:
        messages = sorted(p.name.split("-")[0] for p in settings.outbox_dir.glob("*.eml"))
        print(f"Messages to institutions: {settings.outbox_dir} ({messages.count('acuse')} receipts, "
              f"{messages.count('reminder') + messages.count('escalation')} reminders for {month or last:%Y-%m}"
              f"{'' if reminded else ', the reminders run failed'}; OGP_SMTP_URL sends them instead)")
    print('Similar commitments:    ogp similar "Transparencia en el uso de la inteligencia artificial"')
    print(f"Dagster runs:           {os.environ['DAGSTER_HOME']} (see them with `make ui`)")
    print("All progress reports in the demo are DEMONSTRATION DATA.")
    return 0


def run_month(args: argparse.Namespace, settings: Settings) -> int:
    first, last = month_range(args.month, settings.operator_language)
    return 0 if run_months(first, last, settings=settings) else 1


def refresh(args: argparse.Namespace, settings: Settings) -> int:
    return 0 if refresh_warehouse(settings) else 1


def load(args: argparse.Namespace, settings: Settings) -> int:
    for path in drop_into_inbox(settings, args.files):
        print(f"inbox: {path}")
    return 0 if refresh_warehouse(settings) else 1


def remind(args: argparse.Namespace, settings: Settings) -> int:
    """Remind institutions with milestones lacking a report for a month, as the schedule does:
    each stage once (a second call sends nothing new)."""
    from correspondence.messages import ESCALATION, KIND_LABELS, REMINDER, messages_about
    from ingestion.connection import connect

    month = _month(args.month, settings.operator_language)
    kinds = (REMINDER, ESCALATION)
    before = 0
    if settings.warehouse_path.exists():
        with connect(settings.warehouse_path, read_only=True) as con:
            before = len(messages_about(con, month, kinds))
    if not run_job(settings, "institution_reminders_job", first=month, last=month):
        return 1
    with connect(settings.warehouse_path, read_only=True) as con:
        lines = messages_about(con, month, kinds)
    where = "el servidor de correo" if settings.smtp_url else f"la bandeja de salida {settings.outbox_dir}"
    print(f"Recordatorios de {month:%Y-%m}: {len(lines) - before} nuevo(s) ahora, {len(lines)} en total (por {where}):")
    for line in lines:
        print(f"  {KIND_LABELS[line.kind]:<20} {line.institution or 'coordinación':<60} {line.state}"
              + (f" ({line.last_error})" if line.last_error else ""))
    return 0


def reparse(args: argparse.Namespace, settings: Settings) -> int:
    """Re-parse what the landing zone holds, then rebuild the warehouse from it."""
    from datetime import datetime, timezone

    from ingestion.connection import connect
    from ingestion.reparse import reparse as reparse_landed
    from ingestion.sources import ensure_raw_schema

    run_id = f"reparse-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    with connect(settings.warehouse_path) as con:
        ensure_raw_schema(con)
        files = reparse_landed(con, args.sources or None, landing_dir=settings.landing_dir, run_id=run_id)
    for item in files:
        ledger = item.result.ledger
        print(f"  {item.source:<22} {item.original_name[:40]:<40} loaded {item.before[0]:>6} -> {ledger.loaded:<6} "
              f"quarantined {item.before[1]:>5} -> {ledger.quarantined}")
    print(f"{len(files)} landed file(s) re-parsed (ledger run {run_id}); rebuilding the warehouse")
    return 0 if refresh_warehouse(settings, "rebuild_warehouse_job") else 1


def _last_runs(settings: Settings, limit: int = 5) -> None:
    from datetime import datetime

    import dagster as dg

    from orchestration.runner import dagster_home

    home = dagster_home(settings)
    if not (home / "dagster.yaml").exists():
        print("Last runs: none yet")
        return
    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(limit=limit)
    print(f"Last runs ({len(records)}):")
    for record in records:
        run = record.dagster_run
        started = f"{datetime.fromtimestamp(record.start_time):%Y-%m-%d %H:%M}" if record.start_time else "-"
        partition = run.tags.get("dagster/partition") or "..".join(
            filter(None, (run.tags.get("dagster/asset_partition_range_start"), run.tags.get("dagster/asset_partition_range_end")))) or "-"
        checks = (f"checks warned {run.tags['ogp/checks_warned']}, failed {run.tags['ogp/checks_failed']}"
                  if "ogp/checks_warned" in run.tags else "")
        print(f"  {run.run_id[:8]}  {started}  {run.status.value:<9} {run.job_name:<26} {partition[:23]:<23} {checks}")


def status(args: argparse.Namespace, settings: Settings) -> int:
    from exports.versions import latest_version, published_months, versions
    from ingestion.connection import connect
    from ingestion.ledger import ledger_by_source, quarantine_by_rule
    from ingestion.quarantine import blocking_rows, quarantine_by_source
    from ingestion.source_spec import Domain
    from ingestion.sources import blocking_sources

    if not settings.warehouse_path.exists():
        raise OperatorError(f"No warehouse yet at {settings.warehouse_path}: run `make demo` or `ogp run-month`.")
    _last_runs(settings)
    with connect(settings.warehouse_path, read_only=True) as con:
        print("Ledger (received = loaded + quarantined), by source:")
        for s in ledger_by_source(con):
            print(f"  {s.source:<18} files {s.files:>4}  received {s.received:>8}  loaded {s.loaded:>8}  "
                  f"quarantined {s.quarantined:>6}  last {s.last_recorded_at:%Y-%m-%d %H:%M}")
        print("Quarantine by source (rows; released by an operator):")
        for q in quarantine_by_source(con):
            print(f"  {q.source:<32} {q.rows:>6}  released {q.released}")
        print("Quarantine by rule:")
        for rule, count in quarantine_by_rule(con):
            print(f"  {rule:<32} {count}")
        _print_intake(con)
        _print_correspondence(con, settings)
        standing = blocking_rows(con, blocking_sources(set(Domain)))
        print(f"Quarantined rows that stop publications until corrected or released: {len(standing)}")
        for row in standing[:50]:
            print(f"  {row.quarantine_id}  {row.source}  {row.file_name}  fila {row.source_row_number}: {row.reason}")
    months = published_months(settings.snapshots_dir)
    print(f"Published snapshots: {len(months)}" + (f" ({months[0].name} .. {months[-1].name})" if months else ""))
    corrected = [(m, versions(m)) for m in months]
    corrected = [(m, v) for m, v in corrected if len(v) > 1]
    for month_dir, month_versions in corrected[-12:]:
        print(f"  {month_dir.name}: current {latest_version(month_dir)} of {', '.join(month_versions)}")
    if months:
        print(f"  latest: {months[-1].name} {latest_version(months[-1])} at {months[-1] / latest_version(months[-1])}")
    return 0


STATUS_ROWS_SHOWN = 200  # quarantined rows and warnings listed by file and row; the rest are counted


def _print_intake(con) -> None:
    """Every file received in its terminal state: the refused and partly loaded ones by name with
    their reason, then the quarantined rows and the warnings by file and row."""
    from ingestion.intake import STATE_LABELS, files_not_fully_loaded, quarantined_rows, state_counts, states_recorded, warnings_by_row

    if not states_recorded(con):
        return
    counts = ", ".join(f"{STATE_LABELS.get(c.state, c.state)} {c.files}" for c in state_counts(con))
    print(f"Archivos recibidos, por estado: {counts or 'ninguno'}")
    for state in files_not_fully_loaded(con):
        label = STATE_LABELS.get(state.state, state.state)
        print(f"  {label:<16} {state.file_name}  (filas: {state.loaded} cargadas, {state.quarantined} en cuarentena)")
        print(f"    {state.reason}")
    for title, (rows, total) in (
        ("Filas en cuarentena, por archivo y fila", quarantined_rows(con, limit=STATUS_ROWS_SHOWN)),
        ("Avisos sobre filas cargadas (valores ambiguos, filas en conflicto)", warnings_by_row(con, limit=STATUS_ROWS_SHOWN)),
    ):
        print(f"{title}: {total}")
        for row in rows:
            print(f"  {row.file_name}  fila {row.source_row_number}  [{row.rule}] {row.text}")
        if total > len(rows):
            print(f"  … y {total - len(rows)} más")


def _print_correspondence(con, settings: Settings) -> None:
    """Messages delivered by kind, and every one not delivered with why (no address is shown)."""
    from correspondence.messages import KIND_LABELS, delivered_counts, undelivered

    counts = delivered_counts(con)
    where = "servidor de correo" if settings.smtp_url else f"bandeja de salida {settings.outbox_dir}"
    print(f"Mensajes a las instituciones entregados ({where}): "
          + (", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(counts.items())) or "ninguno"))
    waiting = undelivered(con)
    print(f"Mensajes sin entregar (se reintentan en la próxima ejecución): {len(waiting)}")
    for m in waiting[:STATUS_ROWS_SHOWN]:
        month = f" {m.reporting_month:%Y-%m}" if m.reporting_month else ""
        print(f"  {KIND_LABELS.get(m.kind, m.kind)}{month} para {m.institution or 'la coordinación'}: {m.state}, "
              f"{m.attempts} intento(s){f' ({m.last_error})' if m.last_error else ''}")


def release(args: argparse.Namespace, settings: Settings) -> int:
    from ingestion.connection import connect
    from ingestion.quarantine import UnknownQuarantineId, release as release_row

    reason = args.reason.strip()
    if not reason:
        raise UsageError("diga por qué se libera (--reason)")
    with connect(settings.warehouse_path) as con:
        try:
            row_reason = release_row(con, args.quarantine_id, reason)
        except UnknownQuarantineId:
            raise UsageError(f"no hay ninguna fila en cuarentena con el id {args.quarantine_id} (véalos con `ogp status`)") from None
    print(f"liberada {args.quarantine_id} ({row_reason}); motivo registrado: {reason}")
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


def similar(args: argparse.Namespace, settings: Settings) -> int:
    """`ogp similar`: reads the warehouse's commitment index (read-only), prints or writes the peers."""
    import json
    from dataclasses import asdict

    from ingestion.connection import connect
    from similarity.brief import write_briefs
    from similarity.search import Filters, outcome_summary, similar as search

    words = SIMILAR_LABELS[settings.operator_language]
    texts = [t for t in args.texts if t.strip()]
    if not texts:
        raise UsageError("escriba al menos un texto")
    filters = Filters(members=tuple(args.member), exclude_members=tuple(args.exclude_member), regions=tuple(args.region),
                      policy_areas=tuple(args.policy_area), plan_years=_plan_years(args.plan_years), outcomes=tuple(args.outcome))
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


def parser() -> argparse.ArgumentParser:
    from similarity.search import OUTCOMES

    root = argparse.ArgumentParser(prog="ogp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root.add_argument("-v", "--verbose", action="store_true", help="stream each run's whole log (Dagster's and dbt's output)")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, function, help: str, **kwargs) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help, description=kwargs.pop("description", help), **kwargs)
        parser.set_defaults(run=function)
        return parser

    command("prepare", prepare, "prepare the dbt manifest")
    command("init-instance", init_instance_command, "write $DAGSTER_HOME/dagster.yaml if missing")
    command("demo", demo, "run everything on the embedded demo data")
    command("run-month", run_month, "run the main job for a month or a range FIRST:LAST").add_argument(
        "month", help="YYYY-MM or YYYY-MM:YYYY-MM")
    command("load", load, "drop spreadsheets into the inbox and load them").add_argument("files", nargs="+", type=Path)
    command("refresh", refresh, "load new reports and rebuild the warehouse")
    command("remind", remind, "remind institutions of milestones without a report for a month (once per stage)").add_argument(
        "month", help="YYYY-MM: the reporting month")
    command("status", status, "ledger, quarantine and snapshots")
    free = command("release", release, "publish despite a quarantined row: an explicit, recorded decision")
    free.add_argument("quarantine_id", help="the row's id, as `ogp status` lists it")
    free.add_argument("--reason", required=True, help="why it may be published (recorded with who and when)")
    command("reparse", reparse, "load landed payloads again with today's parsers, then refresh").add_argument(
        "sources", nargs="*", help="landing sources (forms, forms_api, ogp_dashboard, ...); all when none")
    near = command("similar", similar, "commitments of other OGP members like a draft text, and how the IRM judged them",
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
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one command; an operator's mistake or a known fault is one line on stderr and a non-zero exit."""
    global stream_run_log
    from ingestion.connection import WarehouseLockTimeout

    args = parser().parse_args(argv)
    stream_run_log = args.verbose
    settings = Settings.from_env()
    try:
        return args.run(args, settings)
    except UsageError as exc:
        print(f"ogp {args.command}: {exc}", file=sys.stderr)
        return 2
    except (OperatorError, WarehouseLockTimeout, LaunchFailed) as exc:
        print(f"ogp {args.command}: {exc}", file=sys.stderr)
        return 1


def command_line() -> None:
    """The `ogp` executable: main(), the interpreter's exit handlers and a flush, then the process
    ends without Python tearing down Dagster's and dbt's module graph one object at a time (~2 s
    per command, freeing memory the ending process returns anyway; measured in docs/performance.md)."""
    import atexit
    import logging

    code = main()
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    command_line()
