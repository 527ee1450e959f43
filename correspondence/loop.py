"""The loop's two moves, each composing what is due, recording it, then delivering every message
not delivered yet (so a message that failed before goes out with the next)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb

from correspondence.mailer import Transport
from correspondence.messages import Delivery, deliver_pending, record
from correspondence.receipts import compose_receipts
from correspondence.reminders import compose_reminders
from correspondence.schema import ensure_tables


@dataclass(frozen=True)
class Outcome:
    composed: int
    new: int
    deliveries: list[Delivery]

    @property
    def by_state(self) -> dict[str, int]:
        return dict(Counter(d.state for d in self.deliveries))


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
