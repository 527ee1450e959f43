"""The loop's two moves, each composing what is due, recording it, then delivering every message
not delivered yet (so a message that failed before goes out with the next)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb

from correspondence.mailer import Transport
from correspondence.messages import NO_CONTACT, Delivery, deliver_pending, record
from correspondence.receipts import compose_receipts
from correspondence.reminders import compose_reminders
from correspondence.schema import ensure_tables

# Institutions named per line of a run's log (the rest are counted).
NAMED_PER_LINE = 20


@dataclass(frozen=True)
class Outcome:
    composed: int
    new: int
    deliveries: list[Delivery]

    @property
    def by_state(self) -> dict[str, int]:
        return dict(Counter(d.state for d in self.deliveries))

    def summary(self) -> list[tuple[bool, str]]:
        """What a run logs of the deliveries, as (is a warning, line): one line per kind, state and
        failure reason naming up to `NAMED_PER_LINE` institutions, not a line per message (a month
        writes to thousands of institutions, and each line is an event the run's log stores).
        `ogp status` and raw.outbound_messages list every message."""
        groups: dict[tuple, list[str]] = {}
        for d in self.deliveries:
            reason = "sin contacto registrado" if d.state == NO_CONTACT else d.error
            groups.setdefault((d.kind, d.state, reason), []).append(d.institution or "coordinación")
        lines = []
        for (kind, state, reason), names in groups.items():
            more = len(names) - NAMED_PER_LINE
            named = ", ".join(names[:NAMED_PER_LINE]) + (f" y {more} más" if more > 0 else "")
            lines.append(
                (reason is not None, f"{kind}, {len(names)} {state}: {named}" + (f" ({reason})" if reason else ""))
            )
        return lines


def send_receipts(
    con: duckdb.DuckDBPyConnection, transport: Transport, *, today: date, sender: str, run_id: str | None
) -> Outcome:
    ensure_tables(con)
    composed = compose_receipts(con)
    new = record(con, composed, today=today, run_id=run_id)
    return Outcome(len(composed), new, deliver_pending(con, transport, sender=sender))


def send_reminders(
    con: duckdb.DuckDBPyConnection,
    transport: Transport,
    month: date,
    *,
    today: date,
    sender: str,
    reminder_day: int,
    escalation_days: int,
    due_day: int,
    run_id: str | None,
) -> Outcome:
    ensure_tables(con)
    composed = compose_reminders(
        con, month, today=today, reminder_day=reminder_day, escalation_days=escalation_days, due_day=due_day
    )
    new = record(con, composed, today=today, run_id=run_id)
    return Outcome(len(composed), new, deliver_pending(con, transport, sender=sender))
