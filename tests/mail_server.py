"""A real SMTP server on 127.0.0.1 for the loop's tests (aiosmtpd), keeping what it received."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy


class Mailbox:
    """An SMTP handler keeping what it received; `refuse_next` answers "try later" that many times."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse_next = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 intente más tarde"
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
