"""Operator alerts: a JSON message to a webhook (Slack and Microsoft Teams incoming webhooks and
most e-mail relays accept `{"text": ...}`)."""

from __future__ import annotations

import requests

from ingestion.http import make_session


class AlertError(RuntimeError):
    """The alert could not be delivered (the webhook refused it or did not answer)."""


def send_webhook_alert(url: str, text: str, *, title: str, fields: dict[str, str], timeout: float = 15.0) -> None:
    payload = {
        "text": f"*{title}*\n{text}",
        "title": title,
        "fields": [{"title": k, "value": v} for k, v in fields.items()],
    }
    try:
        response = make_session(retries=2).post(url, json=payload, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise AlertError(f"the alert webhook could not be reached: {exc.__class__.__name__}") from exc
    if response.status_code >= 400:
        raise AlertError(f"the alert webhook answered HTTP {response.status_code}")
