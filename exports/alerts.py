"""Operator alerts: a JSON message to a webhook (Slack and Microsoft Teams incoming webhooks and
most e-mail relays accept `{"text": ...}`)."""

from __future__ import annotations

from ingestion.http import SourceError, make_session


def send_webhook_alert(url: str, text: str, *, title: str, fields: dict[str, str], timeout: float = 15.0) -> None:
    payload = {
        "text": f"*{title}*\n{text}",
        "title": title,
        "fields": [{"title": k, "value": v} for k, v in fields.items()],
    }
    response = make_session(retries=2).post(url, json=payload, timeout=timeout)
    if response.status_code >= 400:
        raise SourceError(f"the alert webhook answered HTTP {response.status_code}")
