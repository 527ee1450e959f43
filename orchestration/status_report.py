"""`ogp status`: the last runs, the ledger, the quarantine, every file's terminal state, the messages
to institutions and the published snapshots, at a glance (what the operator reads in Spanish)."""

from __future__ import annotations

import argparse

from orchestration.operator_errors import OperatorError
from orchestration.settings import Settings


def _last_runs(settings: Settings, limit: int = 5) -> None:
    from datetime import datetime

    import dagster as dg

    from orchestration.instance import dagster_home

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
        partition = (
            run.tags.get("dagster/partition")
            or "..".join(
                filter(
                    None,
                    (
                        run.tags.get("dagster/asset_partition_range_start"),
                        run.tags.get("dagster/asset_partition_range_end"),
                    ),
                )
            )
            or "-"
        )
        checks = (
            f"checks warned {run.tags['ogp/checks_warned']}, failed {run.tags['ogp/checks_failed']}"
            if "ogp/checks_warned" in run.tags
            else ""
        )
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
            print(
                f"  {s.source:<18} files {s.files:>4}  received {s.received:>8}  loaded {s.loaded:>8}  "
                f"quarantined {s.quarantined:>6}  last {s.last_recorded_at:%Y-%m-%d %H:%M}"
            )
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
    from exports.labels import labels
    from ingestion.intake import (
        files_not_fully_loaded,
        quarantined_rows,
        state_counts,
        states_recorded,
        warnings_by_row,
    )

    if not states_recorded(con):
        return
    state_labels = labels("intake_states")["es"]  # the operator's language
    counts = ", ".join(f"{state_labels.get(c.state, c.state)} {c.files}" for c in state_counts(con))
    print(f"Archivos recibidos, por estado: {counts or 'ninguno'}")
    for state in files_not_fully_loaded(con):
        label = state_labels.get(state.state, state.state)
        print(f"  {label:<16} {state.file_name}  (filas: {state.loaded} cargadas, {state.quarantined} en cuarentena)")
        print(f"    {state.reason}")
    for title, (rows, total) in (
        ("Filas en cuarentena, por archivo y fila", quarantined_rows(con, limit=STATUS_ROWS_SHOWN)),
        (
            "Avisos sobre filas cargadas (valores ambiguos, filas en conflicto)",
            warnings_by_row(con, limit=STATUS_ROWS_SHOWN),
        ),
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
    print(
        f"Mensajes a las instituciones entregados ({where}): "
        + (", ".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(counts.items())) or "ninguno")
    )
    waiting = undelivered(con)
    print(f"Mensajes sin entregar (se reintentan en la próxima ejecución): {len(waiting)}")
    for m in waiting[:STATUS_ROWS_SHOWN]:
        month = f" {m.reporting_month:%Y-%m}" if m.reporting_month else ""
        print(
            f"  {KIND_LABELS.get(m.kind, m.kind)}{month} para {m.institution or 'la coordinación'}: {m.state}, "
            f"{m.attempts} intento(s){f' ({m.last_error})' if m.last_error else ''}"
        )
