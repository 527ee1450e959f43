"""The institutions' loop on the plain engine: receipts for what a load took in and set aside,
reminders once per institution, month and stage, delivery through a real SMTP server on 127.0.0.1
(aiosmtpd), retried when the server is away, and the outbox when none is set. No Dagster, no dbt:
the reminders read marts built here with the columns they read."""

from __future__ import annotations

import email
from datetime import date
from email.policy import default as default_policy
from pathlib import Path

import pytest

from correspondence.loop import NAMED_PER_LINE, Outcome, send_receipts, send_reminders
from correspondence.mailer import OutboxTransport, SmtpTransport
from correspondence.messages import RECEIPT, Composed, Delivery, record, undelivered
from correspondence.schema import ensure_tables
from ingestion.ingest import ingest_new_files
from ingestion.intake import IntakeLimits
from ingestion.intake_run import take_in_inbox
from ingestion.landing import land_source
from ingestion.sources import INSTITUTION_CONTACTS, PLAN_CATALOGUE
from tests.conftest import write
from tests.mail_server import free_port

TODAY = date(2026, 12, 2)
SENDER = "Gobierno Abierto <no-responder@gobiernoabierto.example>"
CONTACTS = """institucion,correo,rol
Ministerio de Salud Pública (MSP),enlace.msp@salud.example,responsable
Ministerio de Educación,enlace.mineduc@educacion.example,Responsable
,coordinacion@gobiernoabierto.example,coordinacion
Sin correo,,responsable
Ministerio de Educación,no es un correo,responsable
"""
CATALOGUE = """id_plan_de_accion,id_compromiso,numero_compromiso,codigo_hito,hito,peso,fecha_inicio,fecha_fin,institucion_responsable
AP_ECU02,EC0011,1,EC0011-H1,Primer hito,50,2023-01-01,2024-06-30,Ministerio de Salud Pública (MSP)
AP_ECU02,EC0011,1,EC0011-H2,Segundo hito,50,2023-01-01,2024-06-30,Ministerio de Educación
"""
REPORT_HEADER = "Institución,Código del compromiso,Código del hito,Mes que se reporta,Porcentaje de avance (%)\n"


def load_address_source(warehouse, spec, path: Path, tmp_path: Path) -> None:
    landed = land_source(spec.name, str(path), landing_dir=tmp_path / "landing", max_bytes=10_000_000)
    ingest_new_files(warehouse, spec, [landed], run_id="r0")


@pytest.fixture
def loop_warehouse(warehouse, tmp_path):
    load_address_source(warehouse, INSTITUTION_CONTACTS, write(tmp_path / "src" / "contactos.csv", CONTACTS), tmp_path)
    load_address_source(warehouse, PLAN_CATALOGUE, write(tmp_path / "src" / "hitos.csv", CATALOGUE), tmp_path)
    return warehouse


def take_in(warehouse, inbox: Path, tmp_path: Path):
    take_in_inbox(warehouse, inbox, landing_dir=tmp_path / "landing", limits=IntakeLimits(), run_id="r1")


def test_a_message_is_recorded_once_with_the_files_it_acknowledges(warehouse):
    """Recorded in one statement per table: a repeated id (in the batch or from before) adds
    nothing, and only a new receipt's files are marked acknowledged."""
    ensure_tables(warehouse)

    def receipt(message_id: str, institution: str | None, files: tuple[str, ...]) -> Composed:
        return Composed(
            message_id, RECEIPT, institution, institution and institution.upper(), None, False, "s", "b", files
        )

    first = [receipt("a", "Ministerio", ("f1", "f2")), receipt("b", None, ("f3",)), receipt("a", "Otro", ("f9",))]
    assert record(warehouse, first, today=TODAY, run_id="r1") == 2
    assert record(warehouse, [receipt("b", None, ("f4",)), receipt("c", "Otro", ())], today=TODAY, run_id="r2") == 1
    assert record(warehouse, [], today=TODAY, run_id="r3") == 0
    messages = warehouse.execute(
        "select message_id, institution, institution_id is not null, state, run_id from raw.outbound_messages order by 1"
    ).fetchall()
    assert messages == [
        ("a", "Ministerio", True, "pending", "r1"),
        ("b", None, False, "pending", "r1"),
        ("c", "Otro", True, "pending", "r2"),
    ]
    files = warehouse.execute("select * from raw.outbound_message_files order by all").fetchall()
    assert files == [("a", "f1", "MINISTERIO"), ("a", "f2", "MINISTERIO"), ("b", "f3", "")]


def test_a_run_logs_a_line_per_kind_state_and_reason_not_per_message():
    waiting = [
        Delivery(f"m{i}", RECEIPT, f"Institución {i}", "no_contact", f"sin contacto registrado para Institución {i}")
        for i in range(NAMED_PER_LINE + 5)
    ]
    sent = [Delivery("s1", RECEIPT, None, "sent", None), Delivery("s2", RECEIPT, "Ministerio", "sent", None)]
    failed = [Delivery("f1", RECEIPT, "Ministerio", "failed", "el servidor de correo no respondió")]
    lines = Outcome(0, 0, waiting + sent + failed).summary()
    assert lines == [
        (
            True,
            f"receipt, {NAMED_PER_LINE + 5} no_contact: "
            + ", ".join(f"Institución {i}" for i in range(NAMED_PER_LINE))
            + " y 5 más (sin contacto registrado)",
        ),
        (False, "receipt, 2 sent: coordinación, Ministerio"),
        (True, "receipt, 1 failed: Ministerio (el servidor de correo no respondió)"),
    ]


def test_contacts_are_loaded_with_bad_rows_set_aside_without_quoting_an_address(loop_warehouse):
    rows = loop_warehouse.execute("select institution, role from raw.institution_contacts order by all").fetchall()
    assert ("Ministerio de Educación", "responsable") in rows and (None, "coordinacion") in rows
    reasons = dict(
        loop_warehouse.execute(
            "select rule, reason from raw.quarantine where source = 'institution_contacts'"
        ).fetchall()
    )
    assert set(reasons) == {"missing_email", "bad_email"}
    assert "no es un correo" not in reasons["bad_email"] and "fila 5" in reasons["bad_email"]
    # The address is in its column only: no payload, in the table or the quarantine, holds one.
    payloads = loop_warehouse.execute("""select raw_payload from raw.institution_contacts
        union all select raw_payload from raw.quarantine where source = 'institution_contacts'""").fetchall()
    assert payloads and not any("@" in str(p) or "no es un correo" in str(p) for (p,) in payloads)


def test_a_load_sends_each_institution_a_receipt_naming_its_file_and_bad_row(loop_warehouse, tmp_path, smtp_server):
    mailbox, url = smtp_server
    inbox = tmp_path / "inbox"
    write(
        inbox / "avance_noviembre.csv",
        REPORT_HEADER
        + "Ministerio de Salud Pública (MSP),EC0011,EC0011-H1,2023-11,40\n"
        + "Ministerio de Salud Pública (MSP),EC0011,EC0011-H1,2023-11,ciento diez\n",
    )
    write(inbox / "roto.xlsx", "esto no es un libro de Excel")
    take_in(loop_warehouse, inbox, tmp_path)

    outcome = send_receipts(loop_warehouse, SmtpTransport(url), today=TODAY, sender=SENDER, run_id="r1")

    assert outcome.by_state == {"sent": 2}
    by_recipient = {tuple(to): message for to, message in mailbox.messages}
    receipt = by_recipient[("enlace.msp@salud.example",)]
    text = receipt.get_body().get_content()
    assert "Acuse de recibo" in receipt["Subject"] and "Ministerio de Salud Pública (MSP)" in receipt["Subject"]
    assert "avance_noviembre.csv" in text and "cargado en parte" in text
    assert "Filas cargadas de su institución: 1" in text
    assert "fila 2: el porcentaje de avance «ciento diez» no es un número" in text, text
    # The damaged workbook names no institution: the coordinating office is told, with the reason.
    office = by_recipient[("coordinacion@gobiernoabierto.example",)].get_body().get_content()
    assert "roto.xlsx" in office and "rechazado" in office

    # A file is acknowledged once: another pass sends nothing.
    again = send_receipts(loop_warehouse, SmtpTransport(url), today=TODAY, sender=SENDER, run_id="r2")
    assert again.composed == 0 and again.deliveries == [] and len(mailbox.messages) == 2


def test_a_server_that_is_away_is_retried_and_shown_never_raised(loop_warehouse, tmp_path, smtp_server):
    mailbox, url = smtp_server
    inbox = tmp_path / "inbox"
    write(inbox / "avance.csv", REPORT_HEADER + "Ministerio de Educación,EC0011,EC0011-H2,2023-11,20\n")
    take_in(loop_warehouse, inbox, tmp_path)

    away = f"smtp://127.0.0.1:{free_port()}"
    outcome = send_receipts(loop_warehouse, SmtpTransport(away, wait_s=0.01), today=TODAY, sender=SENDER, run_id="r1")
    assert outcome.by_state == {"failed": 1}
    [failed] = undelivered(loop_warehouse)
    assert failed.state == "failed" and "servidor de correo" in failed.last_error and failed.attempts == 1

    # The server says "try later" twice, then takes it: tenacity's retries carry it within one pass.
    mailbox.refuse_next = 2
    retried = send_receipts(loop_warehouse, SmtpTransport(url, wait_s=0.01), today=TODAY, sender=SENDER, run_id="r2")
    assert retried.composed == 0 and retried.by_state == {"sent": 1}
    assert undelivered(loop_warehouse) == []
    [(to, message)] = mailbox.messages
    assert to == ["enlace.mineduc@educacion.example"] and "avance.csv" in message.get_body().get_content()


def build_marts(warehouse) -> None:
    """The two marts the reminders read, with only the columns they read."""
    warehouse.execute("""
        create schema if not exists marts;
        create or replace table marts.dim_milestones as select * from (values
            ('P', 'EC0011-H1', 'Primer hito', date '2023-01-01', date '2024-06-30', 'Ministerio de Salud Pública (MSP)'),
            ('P', 'EC0011-H2', 'Segundo hito', date '2023-01-01', date '2024-06-30', 'Ministerio de Educación'),
            ('P', 'EC0011-H3', 'Tercer hito', date '2024-01-01', date '2024-06-30', 'Ministerio de Educación'),
            ('P', 'EC0011-H4', 'Cuarto hito', date '2023-01-01', date '2024-06-30', 'Defensoría del Pueblo'))
            as t(action_plan_id, milestone_code, milestone_title, planned_start, planned_end, responsible_institution);
        create or replace table marts.fct_milestone_status_monthly as select * from (values
            ('EC0011-H1', 'EC0011', date '2023-11-01', 40.0, 'carried_forward', date '2023-10-01', false),
            ('EC0011-H2', 'EC0011', date '2023-11-01', 20.0, 'reported', date '2023-11-01', false),
            ('EC0011-H3', 'EC0011', date '2023-11-01', 0.0, 'no_report', null, false),
            ('EC0011-H4', 'EC0011', date '2023-11-01', 10.0, 'no_report', null, false))
            as t(milestone_code, commitment_id, reporting_month, percent_complete, reporting_status, last_report_month, is_withdrawn);
    """)


def test_reminders_go_once_per_institution_month_and_stage(loop_warehouse, tmp_path, smtp_server):
    mailbox, url = smtp_server
    build_marts(loop_warehouse)
    remind = dict(reminder_day=5, escalation_days=10, due_day=10, sender=SENDER, run_id="r")
    november = date(2023, 11, 1)

    assert send_reminders(loop_warehouse, SmtpTransport(url), november, today=date(2023, 12, 4), **remind).composed == 0
    first = send_reminders(loop_warehouse, SmtpTransport(url), november, today=date(2023, 12, 5), **remind)
    # H1 (MSP) is due and unreported; H2 was reported; H3 has not started; H4's institution has no contact.
    assert first.composed == 2 and first.by_state == {"sent": 1, "no_contact": 1}
    [(to, message)] = mailbox.messages
    assert to == ["enlace.msp@salud.example"] and "Recordatorio" in message["Subject"]
    text = message.get_body().get_content()
    assert "EC0011-H1" in text and "EC0011-H2" not in text and "10/12/2023" in text

    again = send_reminders(loop_warehouse, SmtpTransport(url), november, today=date(2023, 12, 6), **remind)
    assert again.composed == 0 and len(mailbox.messages) == 1

    # Ten days after the first, a second one, the coordinating office copied; then nothing more.
    second = send_reminders(loop_warehouse, SmtpTransport(url), november, today=date(2023, 12, 15), **remind)
    assert second.composed == 2
    to, escalation = mailbox.messages[-1]
    assert sorted(to) == ["coordinacion@gobiernoabierto.example", "enlace.msp@salud.example"]
    assert (
        "Segundo recordatorio" in escalation["Subject"] and escalation["Cc"] == "coordinacion@gobiernoabierto.example"
    )
    assert (
        send_reminders(loop_warehouse, SmtpTransport(url), november, today=date(2023, 12, 30), **remind).composed == 0
    )


def test_without_a_server_every_message_is_an_eml_file_in_the_outbox(loop_warehouse, tmp_path):
    build_marts(loop_warehouse)
    outbox = tmp_path / "outbox"
    outcome = send_reminders(
        loop_warehouse,
        OutboxTransport(outbox),
        date(2023, 11, 1),
        today=date(2026, 12, 2),
        reminder_day=5,
        escalation_days=10,
        due_day=10,
        sender=SENDER,
        run_id="r",
    )
    assert outcome.by_state == {"written": 1, "no_contact": 1}
    [eml] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert message["To"] == "enlace.msp@salud.example" and message["Auto-Submitted"] == "auto-generated"
    assert not list(outbox.glob("*.partial"))


@pytest.mark.parametrize(
    "today, months",
    [
        (date(2023, 12, 4), []),
        (date(2023, 12, 5), [date(2023, 11, 1)]),  # the first reminder of November
        (date(2023, 12, 15), [date(2023, 11, 1)]),  # its second, ten days later
        (date(2024, 1, 5), [date(2023, 12, 1)]),
    ],
)
def test_the_schedule_falls_on_the_reminder_days(today, months):
    from orchestration.jobs import months_to_remind
    from orchestration.settings import Settings

    assert months_to_remind(today, Settings.from_env({"OGP_REMINDER_DAY": "5", "OGP_ESCALATION_DAYS": "10"})) == months


def test_a_second_reminder_that_falls_in_the_month_after_is_for_the_month_before():
    from orchestration.jobs import months_to_remind
    from orchestration.settings import Settings

    settings = Settings.from_env({"OGP_REMINDER_DAY": "25", "OGP_ESCALATION_DAYS": "10"})
    assert months_to_remind(date(2023, 12, 25), settings) == [date(2023, 11, 1)]
    assert months_to_remind(date(2024, 1, 4), settings) == [date(2023, 11, 1)]  # 25 Dec + 10 days


def test_starttls_and_login_when_the_server_offers_them(loop_warehouse, tmp_path, monkeypatch):
    """A server that requires STARTTLS before anything and a login over TLS: the user and password
    from the URL, the certificate checked (trusted here through SSL_CERT_FILE)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.mail_server import Mailbox, self_signed_certificate

    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, session.ssl is not None))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"enlace", b"s3creto!"), handled=False)

    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        inbox = tmp_path / "inbox"
        write(inbox / "avance.csv", REPORT_HEADER + "Ministerio de Educación,EC0011,EC0011-H2,2023-11,20\n")
        take_in(loop_warehouse, inbox, tmp_path)
        url = f"smtp://enlace:s3creto%21@127.0.0.1:{controller.port}"
        wrong = send_receipts(
            loop_warehouse,
            SmtpTransport(url.replace("s3creto", "otra"), wait_s=0.01),
            today=TODAY,
            sender=SENDER,
            run_id="r1",
        )
        [failed] = undelivered(loop_warehouse)
        assert (
            wrong.by_state == {"failed": 1}
            and "usuario o la contraseña" in failed.last_error
            and "otra" not in failed.last_error
        )
        assert send_receipts(loop_warehouse, SmtpTransport(url), today=TODAY, sender=SENDER, run_id="r2").by_state == {
            "sent": 1
        }
    finally:
        controller.stop()
    assert logins[-1] == (b"enlace", True) and len(mailbox.messages) == 1


def test_reminders_on_a_warehouse_not_built_say_so(loop_warehouse):
    from correspondence.reminders import WarehouseNotBuilt

    with pytest.raises(WarehouseNotBuilt, match="ogp run-month"):
        send_reminders(
            loop_warehouse,
            OutboxTransport(Path("/nonexistent")),
            date(2023, 11, 1),
            today=TODAY,
            reminder_day=5,
            escalation_days=10,
            due_day=10,
            sender=SENDER,
            run_id="r",
        )
