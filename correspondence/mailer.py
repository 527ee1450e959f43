"""How a message leaves: through a real mail server (`OGP_SMTP_URL`), or, when none is set, as an
`.eml` file in the outbox folder a person can open (the demo).

`smtp://host:port` speaks STARTTLS whenever the server offers it; `smtps://host:port` is TLS from
the first byte. The user and password come from the URL or from `OGP_SMTP_USER` and
`OGP_SMTP_PASSWORD`. A server that does not answer, or answers "try later" (4xx), is tried again
with growing waits (tenacity); what still fails is a `DeliveryError` with a Spanish reason chosen
by the failure's type, never naming an address or a password."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

SENT, WRITTEN = "sent", "written"
TIMEOUT_S = 30
# Headers unfolded up to RFC 5322's hard limit: folding beside an encoded word (a name with
# accents) leaves two spaces in what mail programs show.
POLICY = SMTP_POLICY.clone(max_line_length=998)


class DeliveryError(Exception):
    """A message could not be delivered; `reason` says why, in Spanish."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver `message`; returns the state it ends in (sent or written)."""


def _one_line(text: str) -> str:
    # A header holds one line: an institution's name from a file must not add headers.
    return " ".join(text.split())


def build_message(
    message_id: str, *, sender: str, to: list[str], cc: list[str], subject: str, body: str
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=message_id, domain=domain)
    # Tells mail programs not to answer automatically (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["X-OGP-Message"] = message_id
    message.set_content(body)
    return message


class OutboxTransport:
    """Each message written as `<outbox>/<id>.eml`, under a temporary name and renamed."""

    def __init__(self, outbox: Path):
        self.outbox = outbox

    def send(self, message: EmailMessage) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        target = self.outbox / f"{message['X-OGP-Message']}.eml"
        partial = target.with_suffix(".eml.partial")
        try:
            partial.write_bytes(message.as_bytes())
            os.replace(partial, target)
        except OSError as error:
            raise DeliveryError(
                f"no se pudo escribir el mensaje en la bandeja de salida ({type(error).__name__})"
            ) from error
        return WRITTEN


def _transient(error: BaseException) -> bool:
    """Worth trying again: the server did not answer, hung up, or said "try later" (4xx)."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(
        error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, socket.timeout, TimeoutError)
    )


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "el servidor de correo no aceptó el usuario o la contraseña (OGP_SMTP_USER, OGP_SMTP_PASSWORD)"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"el servidor de correo rechazó {len(error.recipients)} destinatario(s); revise el archivo de contactos"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"el servidor de correo rechazó el remitente (OGP_MAIL_FROM): código {error.smtp_code}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"el servidor de correo respondió con el código {error.smtp_code}"
    if isinstance(error, ssl.SSLError):
        return "falló la conexión cifrada (TLS) con el servidor de correo"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "el servidor de correo no admite lo que se le pidió (¿autenticación sin TLS?)"
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return "no se pudo conectar con el servidor de correo, o cortó la conexión; se intentará de nuevo en la próxima ejecución"
    return f"error inesperado al enviar ({type(error).__name__})"


class SmtpTransport:
    def __init__(self, url: str, *, user: str = "", password: str = "", attempts: int = 3, wait_s: float = 1.0):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("OGP_SMTP_URL debe ser smtp://servidor:puerto o smtps://servidor:puerto")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else user
        self.password = unquote(parts.password) if parts.password else password
        self.attempts, self.wait_s = attempts, wait_s

    def send(self, message: EmailMessage) -> str:
        sending = retry(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.wait_s, max=8 * self.wait_s),
            reraise=True,
        )(self._send_once)
        try:
            sending(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(_reason(error)) from error
        return SENT

    def _send_once(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.implicit_tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        with server:
            server.ehlo()
            if not self.implicit_tls and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            if self.user:
                server.login(self.user, self.password)
            server.send_message(message)


def transport_for(smtp_url: str, *, user: str, password: str, outbox: Path) -> Transport:
    """The mail server when one is set, else the outbox folder."""
    return SmtpTransport(smtp_url, user=user, password=password) if smtp_url else OutboxTransport(outbox)
