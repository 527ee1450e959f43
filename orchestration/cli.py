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
import sys
from datetime import UTC, date
from pathlib import Path

import duckdb

from exports.labels import labels
from orchestration import runner
from orchestration.demo import demo_month_range, demo_summary_month, print_figures, seed_demo_inbox
from orchestration.instance import init_instance
from orchestration.operator_errors import OperatorError, UsageError
from orchestration.runner import LaunchFailed
from orchestration.settings import Settings
from orchestration.similar_command import similar
from orchestration.status_report import status

# `ogp -v`: the run's whole log streamed to the terminal (it is always kept in a file).
stream_run_log = False


def _message(language: str, key: str, **values: str) -> str:
    """A usage error in the operator's language, from the labels catalogue's `cli` section."""
    return labels("cli")[language][key].format(**values)


def _month(text: str, language: str = "es") -> date:
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(_message(language, "not_a_month", text=text))
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
            raise UsageError(_message(language, "before_start", month=f"{month:%Y-%m}", start=f"{start:%Y-%m}"))
        if ended is None or month > date.fromisoformat(ended):
            raise UsageError(_message(language, "not_ended", month=f"{month:%Y-%m}", last=(ended or "")[:7]))
    if first > last:
        raise UsageError(_message(language, "reversed", first=f"{first:%Y-%m}", last=f"{last:%Y-%m}"))
    return first, last


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
    print(
        f"Demo: every source from demo_data/, reporting months {first:%Y-%m} to {last:%Y-%m}, data in {settings.data_dir}"
    )
    if not runner.run_months(first, last, settings=settings, verbose=stream_run_log):
        raise OperatorError("The demo run failed: see the run in the Dagster UI (`make ui`).")
    try:
        month = print_figures(settings, demo_summary_month())
    except duckdb.CatalogException as exc:
        raise OperatorError(
            f"The run finished but the warehouse has no marts ({exc}): see the run in the UI."
        ) from None
    version = current_version_dir(settings.snapshots_dir, f"{month or last:%Y-%m}")
    # The reminders the presented month's deadline would have sent (receipts went with the run).
    reminded = runner.run_reporting_months(
        settings, "institution_reminders_job", first=month or last, last=month or last, verbose=stream_run_log
    )
    print(f"\nWarehouse (DuckDB):     {settings.warehouse_path}")
    print(f"Monthly snapshots:      {settings.snapshots_dir}/<YYYY-MM>/<version>/ ({first:%Y-%m} .. {last:%Y-%m})")
    if version is not None:
        print(f"Site for {version.parent.name}:       {version / 'index.html'}")
        members = json.loads((version / "datapackage.json").read_text(encoding="utf-8")).get("members", [])
        print(
            f"Reports for {version.parent.name}:    {version / 'informe.html'} (one per member: "
            f"{', '.join(m['report'] for m in members)})"
        )
        print(f"Open-data package:      {version / 'datapackage.json'}")
    print(f"Every publication:      {settings.snapshots_dir / 'index.html'} (catalogo.json, catalogo.atom)")
    print(f"Data quality (GX):      {settings.data_dir / 'data_docs' / 'index.html'} (each suite's latest validation)")
    if not settings.smtp_url:
        messages = sorted(p.name.split("-")[0] for p in settings.outbox_dir.glob("*.eml"))
        print(
            f"Messages to institutions: {settings.outbox_dir} ({messages.count('acuse')} receipts, "
            f"{messages.count('reminder') + messages.count('escalation')} reminders for {month or last:%Y-%m}"
            f"{'' if reminded else ', the reminders run failed'}; OGP_SMTP_URL sends them instead)"
        )
    print('Similar commitments:    ogp similar "Transparencia en el uso de la inteligencia artificial"')
    print(f"Dagster runs:           {os.environ['DAGSTER_HOME']} (see them with `make ui`)")
    print("All progress reports in the demo are DEMONSTRATION DATA.")
    return 0


def run_month(args: argparse.Namespace, settings: Settings) -> int:
    first, last = month_range(args.month, settings.operator_language)
    return 0 if runner.run_months(first, last, settings=settings, verbose=stream_run_log) else 1


def refresh(args: argparse.Namespace, settings: Settings) -> int:
    return 0 if runner.refresh_warehouse(settings, verbose=stream_run_log) else 1


def load(args: argparse.Namespace, settings: Settings) -> int:
    from ingestion.inbox_drop import NotAFileToDrop, drop_into_inbox

    try:
        dropped = drop_into_inbox(settings.inbox_dir, args.files)
    except NotAFileToDrop as exc:
        raise UsageError(str(exc)) from None
    for path in dropped:
        print(f"inbox: {path}")
    return 0 if runner.refresh_warehouse(settings, verbose=stream_run_log) else 1


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
    if not runner.run_reporting_months(
        settings, "institution_reminders_job", first=month, last=month, verbose=stream_run_log
    ):
        return 1
    with connect(settings.warehouse_path, read_only=True) as con:
        lines = messages_about(con, month, kinds)
    where = "el servidor de correo" if settings.smtp_url else f"la bandeja de salida {settings.outbox_dir}"
    print(f"Recordatorios de {month:%Y-%m}: {len(lines) - before} nuevo(s) ahora, {len(lines)} en total (por {where}):")
    for line in lines:
        print(
            f"  {KIND_LABELS[line.kind]:<20} {line.institution or 'coordinación':<60} {line.state}"
            + (f" ({line.last_error})" if line.last_error else "")
        )
    return 0


def reparse(args: argparse.Namespace, settings: Settings) -> int:
    """Re-parse what the landing zone holds, then rebuild the warehouse from it."""
    from datetime import datetime

    from ingestion.connection import connect
    from ingestion.reparse import reparse as reparse_landed
    from ingestion.sources import ensure_raw_schema

    run_id = f"reparse-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    with connect(settings.warehouse_path) as con:
        ensure_raw_schema(con)
        files = reparse_landed(con, args.sources or None, landing_dir=settings.landing_dir, run_id=run_id)
    for item in files:
        ledger = item.result.ledger
        print(
            f"  {item.source:<22} {item.original_name[:40]:<40} loaded {item.before[0]:>6} -> {ledger.loaded:<6} "
            f"quarantined {item.before[1]:>5} -> {ledger.quarantined}"
        )
    print(f"{len(files)} landed file(s) re-parsed (ledger run {run_id}); rebuilding the warehouse")
    return 0 if runner.refresh_warehouse(settings, "rebuild_warehouse_job", verbose=stream_run_log) else 1


def release(args: argparse.Namespace, settings: Settings) -> int:
    from ingestion.connection import connect
    from ingestion.quarantine import UnknownQuarantineId
    from ingestion.quarantine import release as release_row

    reason = args.reason.strip()
    if not reason:
        raise UsageError("diga por qué se libera (--reason)")
    with connect(settings.warehouse_path) as con:
        try:
            row_reason = release_row(con, args.quarantine_id, reason)
        except UnknownQuarantineId:
            raise UsageError(
                f"no hay ninguna fila en cuarentena con el id {args.quarantine_id} (véalos con `ogp status`)"
            ) from None
    print(f"liberada {args.quarantine_id} ({row_reason}); motivo registrado: {reason}")
    return 0


def parser() -> argparse.ArgumentParser:
    from similarity.search import OUTCOMES

    root = argparse.ArgumentParser(
        prog="ogp", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    root.add_argument(
        "-v", "--verbose", action="store_true", help="stream each run's whole log (Dagster's and dbt's output)"
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, function, help: str, **kwargs) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help, description=kwargs.pop("description", help), **kwargs)
        parser.set_defaults(run=function)
        return parser

    command("prepare", prepare, "prepare the dbt manifest")
    command("init-instance", init_instance_command, "write $DAGSTER_HOME/dagster.yaml if missing")
    command("demo", demo, "run everything on the embedded demo data")
    command("run-month", run_month, "run the main job for a month or a range FIRST:LAST").add_argument(
        "month", help="YYYY-MM or YYYY-MM:YYYY-MM"
    )
    command("load", load, "drop spreadsheets into the inbox and load them").add_argument("files", nargs="+", type=Path)
    command("refresh", refresh, "load new reports and rebuild the warehouse")
    command(
        "remind", remind, "remind institutions of milestones without a report for a month (once per stage)"
    ).add_argument("month", help="YYYY-MM: the reporting month")
    command("status", status, "ledger, quarantine and snapshots")
    free = command("release", release, "publish despite a quarantined row: an explicit, recorded decision")
    free.add_argument("quarantine_id", help="the row's id, as `ogp status` lists it")
    free.add_argument("--reason", required=True, help="why it may be published (recorded with who and when)")
    command("reparse", reparse, "load landed payloads again with today's parsers, then refresh").add_argument(
        "sources", nargs="*", help="landing sources (forms, forms_api, ogp_dashboard, ...); all when none"
    )
    near = command(
        "similar",
        similar,
        "commitments of other OGP members like a draft text, and how the IRM judged them",
        description="For each TEXT, the most similar commitments the warehouse holds (any language: "
        "a Spanish draft finds English commitments), with their IRM outcomes.",
    )
    near.add_argument("texts", nargs="+", metavar="TEXT", help="a draft commitment (several: one answer each)")
    near.add_argument("--top", type=int, default=10, metavar="K", help="how many commitments per text (10)")
    near.add_argument("--json", action="store_true", help="print a JSON list, one entry per TEXT, in order")
    near.add_argument(
        "--member", action="append", default=[], metavar="M", help="only this member (code or name; repeatable)"
    )
    near.add_argument(
        "--exclude-member", action="append", default=[], metavar="M", help="leave this member's commitments out"
    )
    near.add_argument("--region", action="append", default=[], help="only this OGP region (e.g. Americas)")
    near.add_argument(
        "--policy-area", action="append", default=[], metavar="P", help="only commitments flagged with this policy area"
    )
    near.add_argument("--plan-years", metavar="YYYY[:YYYY]", help="only plans running in these years")
    near.add_argument(
        "--outcome",
        action="append",
        default=[],
        choices=sorted(OUTCOMES),
        help="only commitments with this IRM outcome",
    )
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
    """The `ogp` executable: main(), then a normal exit whose last exit handler ends the process
    once every other handler has run (they run last-registered first, and this one is registered
    before anything else is imported), without Python tearing down Dagster's and dbt's module
    graph one object at a time (~2 s per command, freeing memory the ending process returns
    anyway; measured in docs/performance.md)."""
    import atexit
    import logging

    code = [0]

    def end_now() -> None:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code[0])

    atexit.register(end_now)
    code[0] = main()
    sys.exit(code[0])


if __name__ == "__main__":
    command_line()
