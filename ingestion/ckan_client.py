"""The national open-data portal's CKAN API, as a client: every dataset (`package_search`, paged),
every organization (`organization_list`), and whether the datasets that evidence links name exist
(`package_show`), each page landed as it came (ingestion/open_data_portal.py declares what is
loaded from them). Some national portals answer 403 to requests from abroad; the error says so."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from ingestion.form_apis import FetchResult
from ingestion.http import SourceError, get, json_body, make_session
from ingestion.landing import LandedFile, land_records
from ingestion.open_data_portal import SOURCE

PAGE_ROWS = 1000
MAX_PAGES = 1000


def fetch_datasets(
    base_url: str,
    *,
    landing_dir: Path,
    api_key: str = "",
    session: requests.Session | None = None,
    rows: int = PAGE_ROWS,
) -> FetchResult:
    """All datasets through `package_search`, page by page (the portal is small enough to take
    whole; changes are detected by content hash, so an unchanged portal loads nothing)."""
    session = session or make_session()
    url = f"{base_url.rstrip('/')}/api/3/action/package_search"
    headers = {"Authorization": api_key} if api_key else {}
    pages: list[LandedFile] = []
    start, total, records = 0, None, 0
    while total is None or start < total:
        if len(pages) >= MAX_PAGES:
            raise SourceError(f"CKAN package_search did not end after {MAX_PAGES} pages")
        response = get(
            session,
            url,
            params={"rows": str(rows), "start": str(start), "sort": "metadata_created asc"},
            headers=headers,
        )
        body = json_body(response, "the portal")
        if not body.get("success"):
            raise SourceError(f"CKAN package_search refused: {json.dumps(body.get('error'), ensure_ascii=False)[:300]}")
        result = body["result"]
        total = int(result.get("count", 0))
        datasets = result.get("results") or []
        if not datasets:
            break
        flat = [_flatten(d) for d in datasets]
        pages.append(
            land_records(
                SOURCE,
                flat,
                source_uri=url,
                original_name=f"package_search-page-{len(pages) + 1:05d}.json",
                landing_dir=landing_dir,
            )
        )
        records += len(flat)
        start += len(datasets)
    return FetchResult(SOURCE, pages, records, None)


def fetch_organizations(
    base_url: str, *, landing_dir: Path, api_key: str = "", session: requests.Session | None = None, limit: int = 100
) -> FetchResult:
    """Every publishing organization (`organization_list` with `all_fields`, `limit`/`offset` pages),
    so institutions that publish nothing are seen too."""
    session = session or make_session()
    url = f"{base_url.rstrip('/')}/api/3/action/organization_list"
    headers = {"Authorization": api_key} if api_key else {}
    pages: list[LandedFile] = []
    offset, records, seen = 0, 0, set()
    while True:
        if len(pages) >= MAX_PAGES:
            raise SourceError(f"CKAN organization_list did not end after {MAX_PAGES} pages")
        response = get(
            session, url, params={"all_fields": "true", "limit": str(limit), "offset": str(offset)}, headers=headers
        )
        body = json_body(response, "the portal")
        if not body.get("success"):
            raise SourceError(
                f"CKAN organization_list refused: {json.dumps(body.get('error'), ensure_ascii=False)[:300]}"
            )
        organizations = [o for o in body.get("result") or [] if isinstance(o, dict)]
        names = {o.get("name") for o in organizations}
        if not organizations or names <= seen:  # an old CKAN ignoring `offset` repeats its one page
            break
        seen |= names
        flat = [
            {
                "organization_id": o.get("id"),
                "organization_name": o.get("name"),
                "organization_title": o.get("title"),
                "package_count": o.get("package_count"),
                "created": o.get("created"),
            }
            for o in organizations
        ]
        pages.append(
            land_records(
                f"{SOURCE}_organizations",
                flat,
                source_uri=url,
                original_name=f"organization_list-page-{len(pages) + 1:05d}.json",
                landing_dir=landing_dir,
            )
        )
        records += len(flat)
        offset += len(organizations)
    return FetchResult(f"{SOURCE}_organizations", pages, records, None)


def check_datasets(
    base_url: str, names: list[str], *, landing_dir: Path, api_key: str = "", session: requests.Session | None = None
) -> FetchResult:
    """`package_show` for dataset names or ids that evidence links point at but the harvest did
    not list (links by id, private datasets): found, not found (404) or not public (403)."""
    session = session or make_session()
    url = f"{base_url.rstrip('/')}/api/3/action/package_show"
    headers = {"Authorization": api_key} if api_key else {}
    results = []
    for name in names:
        response = get(session, url, params={"id": name}, headers=headers, expected_errors=(403, 404))
        body = json_body(response, "the portal") if response.status_code == 200 else {}
        dataset = body.get("result") or {} if body.get("success") else {}
        results.append(
            {
                "dataset_reference": name,
                "http_status": response.status_code,
                "found": bool(dataset),
                "dataset_id": dataset.get("id"),
                "dataset_name": dataset.get("name"),
                "organization_name": (dataset.get("organization") or {}).get("name"),
            }
        )
    if not results:
        return FetchResult(f"{SOURCE}_evidence", [], 0, None)
    page = land_records(
        f"{SOURCE}_evidence",
        results,
        source_uri=url,
        original_name="package_show-evidence.json",
        landing_dir=landing_dir,
    )
    return FetchResult(f"{SOURCE}_evidence", [page], len(results), None)


def _flatten(dataset: dict) -> dict:
    organization = dataset.get("organization") or {}
    resources = dataset.get("resources") or []
    return {
        "dataset_id": dataset.get("id"),
        "dataset_name": dataset.get("name"),
        "title": dataset.get("title"),
        "organization_name": organization.get("name"),
        "organization_title": organization.get("title"),
        "metadata_created": dataset.get("metadata_created"),
        "metadata_modified": dataset.get("metadata_modified"),
        "resource_count": len(resources),
        "resource_urls": " ".join(r.get("url", "") for r in resources if r.get("url")),
    }
