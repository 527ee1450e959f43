"""The national open-data portal (CKAN action API) as a source: every dataset with its
organization (the publishing institution), creation and modification dates and resources.

Used as indicator values (datasets published per institution per month) and to check that
evidence URLs that point at the portal name datasets that exist. Pages of `package_search`
(`rows`/`start`, sorted by creation) are landed unchanged as JSON lists of datasets, then loaded.
Some national portals answer 403 to requests from abroad; the error says so."""

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
from ingestion.source_spec import Domain, SourceSpec

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


def fetch_organizations(base_url: str, *, landing_dir: Path, api_key: str = "", session: requests.Session | None = None,
                        limit: int = 100) -> FetchResult:
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
        response = get(session, url, params={"all_fields": "true", "limit": str(limit), "offset": str(offset)}, headers=headers)
        body = json_body(response, "the portal")
        if not body.get("success"):
            raise SourceError(f"CKAN organization_list refused: {json.dumps(body.get('error'), ensure_ascii=False)[:300]}")
        organizations = [o for o in body.get("result") or [] if isinstance(o, dict)]
        names = {o.get("name") for o in organizations}
        if not organizations or names <= seen:  # an old CKAN ignoring `offset` repeats its one page
            break
        seen |= names
        flat = [{"organization_id": o.get("id"), "organization_name": o.get("name"), "organization_title": o.get("title"),
                 "package_count": o.get("package_count"), "created": o.get("created")} for o in organizations]
        pages.append(land_records(f"{SOURCE}_organizations", flat, source_uri=url,
                                  original_name=f"organization_list-page-{len(pages) + 1:05d}.json", landing_dir=landing_dir))
        records += len(flat)
        offset += len(organizations)
    return FetchResult(f"{SOURCE}_organizations", pages, records, None)


def check_datasets(base_url: str, names: list[str], *, landing_dir: Path, api_key: str = "",
                   session: requests.Session | None = None) -> FetchResult:
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
        results.append({
            "dataset_reference": name,
            "http_status": response.status_code,
            "found": bool(dataset),
            "dataset_id": dataset.get("id"),
            "dataset_name": dataset.get("name"),
            "organization_name": (dataset.get("organization") or {}).get("name"),
        })
    if not results:
        return FetchResult(f"{SOURCE}_evidence", [], 0, None)
    page = land_records(f"{SOURCE}_evidence", results, source_uri=url, original_name="package_show-evidence.json", landing_dir=landing_dir)
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


FIELDS = ("dataset_id", "dataset_name", "title", "organization_name", "organization_title", "metadata_created",
          "metadata_modified", "resource_count", "resource_urls")


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
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
            b._landed_file_id as landed_file_id
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
            when 'missing_dataset_id' then 'fila ' || source_row_number || ': ' || 'un conjunto de datos sin id ni nombre'
            when 'unparseable_date' then 'fila ' || source_row_number || ': ' || 'metadata_created no es una fecha'
        end
    """,
)


PORTAL_ORGANIZATIONS = TabularSource(
    name=f"{SOURCE}_organizations",
    target_table="raw.portal_organizations",
    field_aliases={name: (name,) for name in ("organization_id", "organization_name", "organization_title", "package_count", "created")},
    required_fields=("organization_name",),
    canonical_select=lambda mapping, columns: f"""
        select
            b._source_row_number as source_row_number,
            {sx.text(source_column(mapping, 'organization_id'))} as organization_id,
            lower({sx.text(source_column(mapping, 'organization_name'))}) as organization_name,
            {sx.text(source_column(mapping, 'organization_title'))} as organization_title,
            try_cast({source_column(mapping, 'package_count')} as integer) as package_count,
            {sx.timestamp(source_column(mapping, 'created'))} as created_at,
            to_json(b) as raw_payload,
            b._landed_file_id as landed_file_id
        from _batch b
    """,
    rules_sql="case when organization_name is null then 'missing_organization_name' end",
    reasons_sql="case rule when 'missing_organization_name' then 'fila ' || source_row_number || ': ' || 'una organización sin nombre' end",
)

PORTAL_EVIDENCE_CHECKS = TabularSource(
    name=f"{SOURCE}_evidence",
    target_table="raw.portal_evidence_checks",
    field_aliases={name: (name,) for name in ("dataset_reference", "http_status", "found", "dataset_id", "dataset_name", "organization_name")},
    required_fields=("dataset_reference", "found"),
    canonical_select=lambda mapping, columns: f"""
        select
            b._source_row_number as source_row_number,
            lower({sx.text(source_column(mapping, 'dataset_reference'))}) as dataset_reference,
            try_cast({source_column(mapping, 'http_status')} as integer) as http_status,
            try_cast({source_column(mapping, 'found')} as boolean) as found,
            {sx.text(source_column(mapping, 'dataset_id'))} as dataset_id,
            lower({sx.text(source_column(mapping, 'dataset_name'))}) as dataset_name,
            lower({sx.text(source_column(mapping, 'organization_name'))}) as organization_name,
            to_json(b) as raw_payload,
            b._landed_file_id as landed_file_id
        from _batch b
    """,
    rules_sql="case when dataset_reference is null or found is null then 'incomplete_check' end",
    reasons_sql="case rule when 'incomplete_check' then 'fila ' || source_row_number || ': ' || 'una respuesta de package_show sin referencia ni resultado' end",
)


def unchecked_evidence_references(con: duckdb.DuckDBPyConnection, limit: int = 500) -> list[str]:
    """Dataset names or ids in evidence links (`/dataset/<ref>`) that the harvest did not list and
    no earlier package_show found."""
    return [
        row[0]
        for row in con.execute(
            """
            with refs as (
                select distinct lower(unnest(regexp_extract_all(evidence_urls, '/dataset/([A-Za-z0-9_-]+)', 1))) as ref
                from raw.progress_reports where evidence_urls is not null
            )
            select ref from refs
            where ref not in (select dataset_name from raw.portal_datasets where dataset_name is not null)
              and ref not in (select lower(dataset_id) from raw.portal_datasets where dataset_id is not null)
              and ref not in (select dataset_reference from raw.portal_evidence_checks where found)
            order by ref limit ?
            """,
            [limit],
        ).fetchall()
    ]


def load_portal_organizations_page(con: duckdb.DuckDBPyConnection, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    return load_file(con, PORTAL_ORGANIZATIONS, landed, run_id=run_id)


def load_portal_evidence_checks(con: duckdb.DuckDBPyConnection, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    return load_file(con, PORTAL_EVIDENCE_CHECKS, landed, run_id=run_id)


def load_portal_page(con: duckdb.DuckDBPyConnection, landed: LandedFile, *, run_id: str | None) -> LoadResult:
    return load_file(con, OPEN_DATA_PORTAL, landed, run_id=run_id)


DATASETS_DDL = """
create table if not exists raw.portal_datasets (
    dataset_id varchar,
    dataset_name varchar,
    title varchar,
    organization_name varchar,
    organization_title varchar,
    metadata_created timestamp,
    metadata_modified timestamp,
    resource_count integer,
    resource_urls varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);
"""

ORGANIZATIONS_DDL = """
create table if not exists raw.portal_organizations (
    organization_id varchar,
    organization_name varchar,
    organization_title varchar,
    package_count integer,                     -- as the portal counts them (may include private ones)
    created_at timestamp,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);
"""

EVIDENCE_CHECKS_DDL = """
create table if not exists raw.portal_evidence_checks (
    dataset_reference varchar,                 -- the name or id an evidence link points at
    http_status integer,
    found boolean,
    dataset_id varchar,
    dataset_name varchar,
    organization_name varchar,
    raw_payload json,
    landed_file_id varchar not null,
    source_row_number bigint not null,
    loaded_at timestamptz not null
);
"""

PORTAL_KINDS = frozenset({"duckdb", "ckan"})

DATASETS_SPEC = SourceSpec(
    OPEN_DATA_PORTAL,
    ddl=DATASETS_DDL,
    domain=Domain.REFERENCE,
    quarantine_blocks_publication=False,
    kinds=PORTAL_KINDS,
    preview_columns="dataset_name, organization_name, metadata_created, resource_count",
    description=(
        "Datasets of the national open-data portal (CKAN package_search at OGP_PORTAL_URL): publishing "
        "institution, dates, resources. Indicator of datasets published per institution and month, and the "
        "reference for evidence links. Reads nothing (and says so) while OGP_PORTAL_URL is unset."
    ),
)

ORGANIZATIONS_SPEC = SourceSpec(
    PORTAL_ORGANIZATIONS,
    ddl=ORGANIZATIONS_DDL,
    domain=Domain.REFERENCE,
    quarantine_blocks_publication=False,
    kinds=PORTAL_KINDS,
    preview_columns="organization_name, organization_title, package_count",
    description="The portal's publishing organizations (CKAN organization_list), including those that publish nothing.",
)

EVIDENCE_CHECKS_SPEC = SourceSpec(
    PORTAL_EVIDENCE_CHECKS,
    ddl=EVIDENCE_CHECKS_DDL,
    domain=Domain.REFERENCE,
    quarantine_blocks_publication=False,
    kinds=PORTAL_KINDS,
    preview_columns="dataset_reference, http_status, found, dataset_name",
    description=(
        "CKAN package_show answers for evidence links whose dataset the harvest did not list "
        "(links by id, private or deleted datasets): found, 403 or 404."
    ),
)
