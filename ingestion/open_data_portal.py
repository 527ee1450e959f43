"""The national open-data portal (CKAN action API) as a source: every dataset with its
organization (the publishing institution), creation and modification dates and resources.

Used as indicator values (datasets published per institution per month) and to check that
evidence URLs that point at the portal name datasets that exist. Pages of `package_search`
(`rows`/`start`, sorted by creation) are landed unchanged as JSON lists of datasets, then loaded.
Ecuador's portal answers 403 to requests from outside the region; the error says so."""

from __future__ import annotations

import functools

import json
from pathlib import Path

import duckdb
import requests

from ingestion import sql_expressions as sx
from ingestion.form_apis import FetchResult
from ingestion.http import SourceError, get, json_body, make_session
from ingestion.landing import LandedFile, land_records
from ingestion.tabular_source import LoadResult, TabularSource, load_file, source_column

SOURCE = "open_data_portal"
PAGE_ROWS = 1000
MAX_PAGES = 1000


def fetch_datasets(base_url: str, *, landing_dir: Path, api_key: str = "", session: requests.Session | None = None,
                   rows: int = PAGE_ROWS) -> FetchResult:
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
        response = get(session, url, params={"rows": str(rows), "start": str(start), "sort": "metadata_created asc"}, headers=headers)
        body = json_body(response, "the portal")
        if not body.get("success"):
            raise SourceError(f"CKAN package_search refused: {json.dumps(body.get('error'), ensure_ascii=False)[:300]}")
        result = body["result"]
        total = int(result.get("count", 0))
        datasets = result.get("results") or []
        if not datasets:
            break
        flat = [_flatten(d) for d in datasets]
        pages.append(land_records(SOURCE, flat, source_uri=url, original_name=f"package_search-page-{len(pages) + 1:05d}.json",
                                  landing_dir=landing_dir))
        records += len(flat)
        start += len(datasets)
    return FetchResult(SOURCE, pages, records, None)


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


FIELDS = ("dataset_id", "dataset_name", "title", "organization_name", "organization_title", "metadata_created",
          "metadata_modified", "resource_count", "resource_urls")


def _canonical_select(mapping: dict[str, str], landed_file_id: str, columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)

    return f"""
        select
            b._source_row_number as source_row_number,
            {sx.text(col('dataset_id'))} as dataset_id,
            lower({sx.text(col('dataset_name'))}) as dataset_name,
            {sx.text(col('title'))} as title,
            {sx.text(col('organization_name'))} as organization_name,
            {sx.text(col('organization_title'))} as organization_title,
            {sx.timestamp(col('metadata_created'))} as metadata_created,
            {sx.timestamp(col('metadata_modified'))} as metadata_modified,
            try_cast({col('resource_count')} as integer) as resource_count,
            {sx.text(col('resource_urls'))} as resource_urls,
            to_json(b) as raw_payload,
            '{landed_file_id}' as landed_file_id
        from _batch b
    """


OPEN_DATA_PORTAL = TabularSource(
    name=SOURCE,
    target_table="raw.portal_datasets",
    field_aliases={name: (name,) for name in FIELDS},
    required_fields=("dataset_id", "dataset_name"),
    canonical_select=_canonical_select,
    rules_sql="""
        case
            when dataset_id is null or dataset_name is null then 'missing_dataset_id'
            when metadata_created is null then 'unparseable_date'
        end
    """,
    reasons_sql="""
        case rule
            when 'missing_dataset_id' then 'a dataset without id or name'
            when 'unparseable_date' then 'metadata_created is not a date'
        end
    """,
)


def load_portal_page(con: duckdb.DuckDBPyConnection, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    return load_file(con, OPEN_DATA_PORTAL, landed, run_id=run_id)
