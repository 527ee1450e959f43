"""Reminders for reports not sent: for a reporting month that has ended, every institution with
milestones under way and no report for that month gets a reminder listing them, on
`OGP_REMINDER_DAY` of the next month (before the methodology's deadline, `report_due_day`); a
second one goes `OGP_ESCALATION_DAYS` after the first, the coordinating office copied, to those
still missing. Once per institution, month and stage: the message id is a hash of the three, so
running it again composes nothing new.

A milestone is *due* in a month when it is not withdrawn, its planned start has come, its plan has
not ended and, unless reported that month, it is not complete (the same rule as
`fct_institution_reporting_monthly`, which the dbt build computes; this reads the marts it reads).
Read from the marts, so what a reminder lists is what the month's publication will show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from correspondence.messages import ESCALATION, REMINDER, Composed
from correspondence.render import render
from ingestion.institution_contacts import institution_key

MISSING_REPORTS_SQL = f"""
    with plan_ends as (
        select action_plan_id, date_trunc('month', max(planned_end)) as last_month from marts.dim_milestones group by action_plan_id
    )
    select m.responsible_institution, {institution_key("m.responsible_institution")} as institution_key,
           s.milestone_code, m.milestone_title, s.commitment_id, s.percent_complete, s.last_report_month, m.planned_end
    from marts.fct_milestone_status_monthly s
    join marts.dim_milestones m on m.milestone_code = s.milestone_code
    join plan_ends p on p.action_plan_id = m.action_plan_id
    where s.reporting_month = ?
      and s.reporting_month <= p.last_month
      and not s.is_withdrawn
      and date_trunc('month', m.planned_start) <= s.reporting_month
      and s.reporting_status <> 'reported'
      and s.percent_complete < 100
      and m.responsible_institution is not null
    order by m.responsible_institution, s.milestone_code
"""


class WarehouseNotBuilt(Exception):
    """The marts a reminder reads are not there yet (a new warehouse)."""


@dataclass(frozen=True)
class MissingReport:
    milestone_code: str
    milestone_title: str | None
    commitment_id: str | None
    percent_complete: float
    last_report_month: date | None
    planned_end: date | None


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def deadline(month: date, due_day: int) -> date:
    """The last day a month's report is on time: `due_day` of the next month."""
    return next_month(month) + timedelta(days=due_day - 1)


def missing_reports(con: duckdb.DuckDBPyConnection, month: date) -> dict[tuple[str, str], list[MissingReport]]:
    """(institution, key) -> its milestones due in `month` with no report for it."""
    built = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    if not {"fct_milestone_status_monthly", "dim_milestones"} <= built:
        raise WarehouseNotBuilt(
            "el almacén aún no tiene los hitos del mes: ejecute `ogp run-month` o `ogp refresh` primero"
        )
    found: dict[tuple[str, str], list[MissingReport]] = {}
    for institution, key, *milestone in con.execute(MISSING_REPORTS_SQL, [month]).fetchall():
        found.setdefault((institution, key), []).append(MissingReport(*milestone))
    return found


def _sent_reminders(con: duckdb.DuckDBPyConnection, month: date) -> dict[tuple[str, str], date]:
    """(institution key, stage) -> when that reminder for `month` was composed."""
    rows = con.execute(
        f"""select institution_key, kind, composed_on from raw.outbound_messages
            where reporting_month = ? and kind in ('{REMINDER}', '{ESCALATION}')""",
        [month],
    ).fetchall()
    return {(key, kind): composed for key, kind, composed in rows}


def compose_reminders(
    con: duckdb.DuckDBPyConnection, month: date, *, today: date, reminder_day: int, escalation_days: int, due_day: int
) -> list[Composed]:
    """The reminders due `today` for `month`: a first one from `reminder_day` of the next month,
    a second one (coordination copied) `escalation_days` after the first, each once."""
    if today < next_month(month) + timedelta(days=reminder_day - 1):
        return []
    sent = _sent_reminders(con, month)
    composed = []
    for (institution, key), milestones in missing_reports(con, month).items():
        first = sent.get((key, REMINDER))
        if first is None:
            stage = REMINDER
        elif (key, ESCALATION) not in sent and today >= first + timedelta(days=escalation_days):
            stage = ESCALATION
        else:
            continue
        body = render(
            "recordatorio.txt",
            institution=institution,
            month=month,
            milestones=milestones,
            deadline=deadline(month, due_day),
            escalation=stage == ESCALATION,
            today=today,
        )
        count = len(milestones)
        subject = (
            "Segundo recordatorio" if stage == ESCALATION else "Recordatorio"
        ) + f": {count} hito{'s' if count != 1 else ''} sin reporte de {month.year}-{month.month:02d} — {institution}"
        digest = hashlib.sha256(f"{stage}|{key}|{month.isoformat()}".encode()).hexdigest()[:24]
        composed.append(
            Composed(
                message_id=f"{stage}-{digest}",
                kind=stage,
                institution=institution,
                institution_key=key,
                reporting_month=month,
                copy_coordination=stage == ESCALATION,
                subject=subject,
                body=body,
            )
        )
    return composed
