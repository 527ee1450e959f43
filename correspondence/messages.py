"""Every message the platform writes to an institution, recorded before it is sent and updated with
what became of it: `raw.outbound_messages` (who, what, when, outcome) and, for receipts, which
files each acknowledged (`raw.outbound_message_files`, so a file is acknowledged once).

A message is composed once (its id is a hash of what it is about, so composing it again changes
nothing) and delivered by `deliver_pending`: its recipients are read from the contacts at that
moment, it goes through the transport, and its state becomes `sent` (a mail server took it),
`written` (the outbox folder holds it), `failed` (with the reason, retried at the next delivery)
or `no_contact` (no address for the institution yet: delivered once one is loaded). A failure is
recorded, never raised: no load or publication waits for the mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from correspondence.contacts import current_contacts
from correspondence.mailer import SENT, WRITTEN, DeliveryError, Transport, build_message

RECEIPT, REMINDER, ESCALATION = "receipt", "reminder", "escalation"
KIND_LABELS = {RECEIPT: "acuse de recibo", REMINDER: "recordatorio", ESCALATION: "segundo recordatorio"}
PENDING, FAILED, NO_CONTACT = "pending", "failed", "no_contact"
DELIVERED = (SENT, WRITTEN)
# After this many failed attempts (one per delivery run) a message is left for the operator.
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Composed:
    message_id: str
    kind: str
    institution: str | None
    institution_key: str | None
    reporting_month: date | None
    copy_coordination: bool
    subject: str
    body: str
    file_ids: tuple[str, ...] = ()


# The fields of a composed message recorded as they are, in the order of the insert's arrays.
RECORDED_FIELDS = (
    "message_id",
    "kind",
    "institution",
    "institution_key",
    "reporting_month",
    "copy_coordination",
    "subject",
    "body",
)


def record(con: duckdb.DuckDBPyConnection, messages: list[Composed], *, today: date, run_id: str | None) -> int:
    """Record composed messages not recorded before, each receipt with the files it acknowledges;
    returns how many are new. One statement per table, whatever the number of messages: a receipt
    per institution of every member can acknowledge a hundred thousand files."""
    composed: dict[str, Composed] = {}
    for m in messages:
        composed.setdefault(m.message_id, m)  # the first of a repeated id
    if not composed:
        return 0
    con.execute("begin")
    try:
        new_ids = {
            message_id
            for (message_id,) in con.execute(
                """insert into raw.outbound_messages
                   select c.message_id, c.kind, c.institution, c.institution_key, md5(lower(trim(c.institution))),
                          c.reporting_month, c.copy_coordination, c.subject, c.body, 'pending', 0, null, null, null,
                          now(), ?, null, ?
                   from (select unnest(?::varchar[]) as message_id, unnest(?::varchar[]) as kind,
                                unnest(?::varchar[]) as institution, unnest(?::varchar[]) as institution_key,
                                unnest(?::date[]) as reporting_month, unnest(?::boolean[]) as copy_coordination,
                                unnest(?::varchar[]) as subject, unnest(?::varchar[]) as body) c
                   where c.message_id not in (select message_id from raw.outbound_messages)
                   returning message_id""",
                [today, run_id, *([getattr(m, name) for m in composed.values()] for name in RECORDED_FIELDS)],
            ).fetchall()
        }
        acknowledged = [
            (m.message_id, f, m.institution_key or "")
            for m in composed.values()
            if m.message_id in new_ids
            for f in m.file_ids
        ]
        if acknowledged:
            message_ids, file_ids, keys = (list(column) for column in zip(*acknowledged, strict=True))
            con.execute(
                "insert into raw.outbound_message_files "
                "select unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[])",
                [message_ids, file_ids, keys],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(new_ids)


@dataclass(frozen=True)
class Delivery:
    message_id: str
    kind: str
    institution: str | None
    state: str
    error: str | None


def deliver_pending(con: duckdb.DuckDBPyConnection, transport: Transport, *, sender: str) -> list[Delivery]:
    """Deliver every message not delivered yet (new, failed before, or waiting for a contact)."""
    waiting = con.execute(
        f"""select message_id, kind, institution, institution_key, copy_coordination, subject, body
            from raw.outbound_messages
            where state in ('{PENDING}', '{FAILED}', '{NO_CONTACT}') and attempts < {MAX_ATTEMPTS}
            order by composed_at, message_id"""
    ).fetchall()
    outcomes, without_contact = [], []
    contacts = current_contacts(con) if waiting else None
    for message_id, kind, institution, key, copy_coordination, subject, body in waiting:
        to, cc = contacts.recipients(key, copy_coordination=copy_coordination)
        if not to:
            without_contact.append(message_id)
            outcomes.append(
                Delivery(
                    message_id,
                    kind,
                    institution,
                    NO_CONTACT,
                    f"sin contacto registrado para {institution or 'la coordinación'}",
                )
            )
            continue
        email = build_message(message_id, sender=sender, to=to, cc=cc, subject=subject, body=body)
        try:
            state = transport.send(email)
            error = None
        except DeliveryError as failure:
            state, error = FAILED, failure.reason
        con.execute(
            """update raw.outbound_messages
               set state = ?, attempts = attempts + 1, last_error = ?, recipients_to = ?, recipients_cc = ?,
                   delivered_at = case when ? then now() end
               where message_id = ?""",
            [state, error, ", ".join(to), ", ".join(cc), state in DELIVERED, message_id],
        )
        outcomes.append(Delivery(message_id, kind, institution, state, error))
    # Nothing left this process for these: one statement records them all, after the sends (each
    # recorded as soon as it is done, so a message a server took is never sent twice).
    if without_contact:
        con.execute(
            f"update raw.outbound_messages set state = '{NO_CONTACT}' where message_id in (select unnest(?::varchar[]))",
            [without_contact],
        )
    return outcomes


@dataclass(frozen=True)
class Undelivered:
    kind: str
    institution: str | None
    reporting_month: date | None
    state: str
    attempts: int
    last_error: str | None


def undelivered(con: duckdb.DuckDBPyConnection) -> list[Undelivered]:
    """Messages not delivered (failed, or waiting for a contact), for `ogp status`."""
    try:
        rows = con.execute(
            """select kind, institution, reporting_month, state, attempts, last_error from raw.outbound_messages
               where not list_contains(?, state) order by composed_at""",
            [list(DELIVERED)],
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before the loop existed
        return []
    return [Undelivered(*row) for row in rows]


def delivered_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    try:
        return dict(
            con.execute(
                "select kind, count(*) from raw.outbound_messages where list_contains(?, state) group by kind",
                [list(DELIVERED)],
            ).fetchall()
        )
    except duckdb.CatalogException:
        return {}


@dataclass(frozen=True)
class MessageLine:
    kind: str
    institution: str | None
    state: str
    last_error: str | None


def messages_about(con: duckdb.DuckDBPyConnection, month: date, kinds: tuple[str, ...]) -> list[MessageLine]:
    """The messages of `kinds` about `month`, for the operator (no address)."""
    try:
        rows = con.execute(
            "select kind, institution, state, last_error from raw.outbound_messages "
            "where reporting_month = ? and list_contains(?, kind) order by kind, institution",
            [month, list(kinds)],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [MessageLine(*row) for row in rows]
