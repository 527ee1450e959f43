"""Progress-report forms served by KoboToolbox and ODK Central, fetched incrementally.

Each adapter pages through the tool's API from the source's high-water mark (the latest
submission time already landed), lands every page unchanged as JSON (a list of submission
records), and returns the landed pages with the new high-water mark. The pages then go through
the same loading path as spreadsheet drops (`ingestion.progress_reports`): KoboToolbox's
`group/question` names and ODK's `__id`/`__system` fields map to the canonical record there.
The cursor is advanced only after the pages are loaded (`raw.source_cursors`, same transaction),
so a failed run fetches the same window again and nothing is loaded twice (submission ids).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
import requests

from ingestion.http import SourceError, get, json_body, make_session
from ingestion.landing import LandedFile, land_records

KOBO_PAGE_LIMIT = 1000  # the API's maximum page size since 2026
ODK_PAGE_SIZE = 500
MAX_PAGES = 10_000  # a guard against a `next` link that never ends

# Each form's high-water mark, advanced only after its pages are loaded.
CURSORS_DDL = """
create table if not exists raw.source_cursors (
    source varchar primary key,                -- e.g. kobo_<asset uid>, odk_<project>_<form>
    high_water_mark varchar,                   -- the latest submission time already loaded
    updated_at timestamptz not null
);
"""


@dataclass(frozen=True)
class FetchResult:
    source: str
    pages: list[LandedFile]
    records: int
    high_water_mark: str | None


def _land_page(source: str, records: list[dict], *, url: str, landing_dir: Path, page: int) -> LandedFile:
    return land_records(
        source, records, source_uri=url, original_name=f"{source}-page-{page:05d}.json", landing_dir=landing_dir
    )


def fetch_kobo(
    base_url: str,
    asset_uid: str,
    token: str,
    *,
    since: str | None,
    landing_dir: Path,
    session: requests.Session | None = None,
    page_limit: int = KOBO_PAGE_LIMIT,
) -> FetchResult:
    """`GET {base}/api/v2/assets/{uid}/data/?format=json` with `limit`/`start` pages, newer than `since`."""
    session = session or make_session()
    source = f"kobo_{asset_uid}"
    params = {"format": "json", "limit": str(page_limit), "start": "0", "sort": json.dumps({"_submission_time": 1})}
    if since:
        params["query"] = json.dumps({"_submission_time": {"$gt": since}})
    url = f"{base_url.rstrip('/')}/api/v2/assets/{quote(asset_uid)}/data/"
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    pages, seen, records, newest = [], set(), 0, since
    next_url: str | None = url
    query: dict | None = params
    while next_url:
        if next_url in seen or len(pages) >= MAX_PAGES:
            raise SourceError(
                f"KoboToolbox pagination repeated {next_url.split('?', 1)[0]} (a page already read): stopped instead of looping"
            )
        seen.add(next_url)
        body = json_body(get(session, next_url, params=query, headers=headers), "KoboToolbox")
        results = body.get("results")
        if not isinstance(results, list):
            raise SourceError("KoboToolbox answered without a `results` list: the API's shape changed")
        if results:
            pages.append(_land_page(source, results, url=url, landing_dir=landing_dir, page=len(pages) + 1))
            records += len(results)
            newest = max([newest or ""] + [str(r.get("_submission_time") or "") for r in results]) or newest
        next_url, query = body.get("next"), None  # `next` carries its own query string
    return FetchResult(source, pages, records, newest)


def fetch_odk(
    base_url: str,
    project_id: str,
    form_id: str,
    *,
    user: str,
    password: str,
    since: str | None,
    landing_dir: Path,
    session: requests.Session | None = None,
    page_size: int = ODK_PAGE_SIZE,
) -> FetchResult:
    """ODK Central OData `Submissions` with `$top`/`$skip`/`$count`, newer than `since`; records are
    flattened so that `__system.reviewState` becomes the canonical review state."""
    session = session or make_session()
    session.auth = (user, password)
    source = f"odk_{project_id}_{form_id}"
    url = f"{base_url.rstrip('/')}/v1/projects/{quote(project_id)}/forms/{quote(form_id)}.svc/Submissions"
    pages, records, newest, skip = [], 0, since, 0
    while True:
        params = {"$top": str(page_size), "$skip": str(skip), "$count": "true", "$orderby": "__system/submissionDate"}
        if since:
            params["$filter"] = f"__system/submissionDate gt {since}"
        body = json_body(get(session, url, params=params), "ODK Central")
        values = body.get("value")
        if not isinstance(values, list):
            raise SourceError("ODK Central answered without a `value` list: the API's shape changed")
        if not values:
            break
        flat = [_flatten_odk(v) for v in values]
        pages.append(_land_page(source, flat, url=url, landing_dir=landing_dir, page=len(pages) + 1))
        records += len(values)
        newest = max([newest or ""] + [str(v.get("submissiondate") or "") for v in flat]) or newest
        skip += len(values)
        total = body.get("@odata.count")
        if (total is not None and skip >= int(total)) or len(values) < page_size or len(pages) >= MAX_PAGES:
            break
    return FetchResult(source, pages, records, newest)


def _flatten_odk(record: dict) -> dict:
    system = record.get("__system") or {}
    flat = {k: v for k, v in record.items() if k != "__system"}
    flat["submissionDate"] = system.get("submissionDate")
    flat["reviewState"] = system.get("reviewState")
    flat["submitterName"] = system.get("submitterName")
    # Groups arrive nested ({"avance": {"codigo_hito": ...}}): keep the leaf names, as Kobo's paths do.
    for key, value in list(flat.items()):
        if isinstance(value, dict):
            flat.pop(key)
            for inner, inner_value in value.items():
                flat[f"{key}/{inner}"] = inner_value
    return {k.lower() if k in ("submissionDate", "reviewState", "submitterName") else k: v for k, v in flat.items()}


def read_cursor(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    row = con.execute("select high_water_mark from raw.source_cursors where source = ?", [source]).fetchone()
    return row[0] if row else None


def advance_cursor(con: duckdb.DuckDBPyConnection, source: str, high_water_mark: str | None) -> None:
    if high_water_mark is None:
        return
    con.execute(
        "insert or replace into raw.source_cursors values (?, ?, ?)",
        [source, high_water_mark, datetime.now(UTC)],
    )
