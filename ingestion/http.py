"""One small HTTP client for every source: timeouts, retries with backoff on 429 and 5xx that
honour Retry-After, and errors that say what went wrong in the operator's words."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RETRYABLE_STATUS = (429, 500, 502, 503, 504)


class SourceError(RuntimeError):
    """A source answered in a way the platform cannot use; the message says why."""


DEFAULT_TIMEOUT_S = 30.0


def make_session(
    *,
    retries: int = 4,
    backoff_factor: float = 0.5,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    user_agent: str = "ogp-progress-platform",
) -> requests.Session:
    """A session that retries connection errors, read timeouts, 429 and 5xx with exponential
    backoff (honouring Retry-After), and whose requests time out after `timeout_s` by default."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_factor,
        backoff_max=30,
        status_forcelist=RETRYABLE_STATUS,
        allowed_methods=None,  # our POSTs to CKAN are idempotent by design (package_patch)
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    session.ogp_timeout_s = timeout_s  # read by get(); a Session has no default timeout of its own
    return session


def redact_url(uri: str) -> str:
    """A source address for metadata and logs: no credentials, no query string (tokens live there)."""
    parts = urlsplit(uri)
    if not parts.scheme.startswith("http"):
        return uri
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _without_query(url: str) -> str:
    # Query strings may carry tokens; messages end up in logs and the UI.
    return url.split("?", 1)[0]


def explain_status(response: requests.Response) -> str:
    url = _without_query(response.url)
    if response.status_code == 403:
        return (
            f"{url} answered 403 Forbidden. Some national portals refuse requests from outside the region "
            "they serve: run from a network inside the country or through an "
            "allowed proxy, and check the credentials."
        )
    if response.status_code == 401:
        return f"{url} answered 401 Unauthorized: the API token in the settings was refused."
    return f"{url} answered HTTP {response.status_code} after retries."


def json_body(response: requests.Response, what: str) -> dict:
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{what} answered with something that is not JSON (truncated or an error page)") from None


def get(
    session: requests.Session,
    url: str,
    *,
    timeout: float | None = None,
    expected_errors: tuple[int, ...] = (),
    **kwargs,
) -> requests.Response:
    """GET with the session's retries; an HTTP error raises `SourceError` in words, except the
    statuses the caller expects as answers (CKAN's 404 "Not found" for a dataset that is gone)."""
    timeout = timeout or getattr(session, "ogp_timeout_s", DEFAULT_TIMEOUT_S)
    try:
        response = session.get(url, timeout=timeout, **kwargs)
    except requests.exceptions.RetryError as exc:
        raise SourceError(f"{url} kept failing after retries: {exc}") from exc
    except requests.exceptions.ConnectionError as exc:
        # Read timeouts retried to exhaustion arrive wrapped as connection errors: urllib3's
        # MaxRetryError, whose reason is the last try's timeout.
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(reason, urllib3.exceptions.TimeoutError):
            raise SourceError(f"{url} did not answer within {timeout:g} s, on every try") from exc
        raise SourceError(f"could not connect to {url}: {exc}") from exc
    except requests.exceptions.Timeout as exc:
        raise SourceError(f"{url} did not answer within {timeout:g} s") from exc
    except requests.exceptions.RequestException as exc:  # a body cut short, a reset mid-answer
        raise SourceError(f"{url} broke off its answer: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 400 and response.status_code not in expected_errors:
        raise SourceError(explain_status(response))
    return response
