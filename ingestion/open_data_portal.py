"""The national open-data portal as three sources, declared: every dataset with its organization
(the publishing institution), creation and modification dates and resources; the organizations;
and whether the datasets evidence links name exist. Used as indicator values (datasets published
per institution per month) and to check evidence URLs. Pages come from the CKAN client
(ingestion/ckan_client.py: `package_search` by `rows`/`start`, sorted by creation), landed unchanged
as JSON lists, then loaded here."""

from __future__ import annotations

import functools

import duckdb

from ingestion import sql_expressions as sx
from ingestion.source_spec import RAW_BOOKKEEPING_COLUMNS, Domain, SourceSpec, canonical_select
from ingestion.tabular_source import TabularSource, source_column

SOURCE = "open_data_portal"

FIELDS = (
    "dataset_id",
    "dataset_name",
    "title",
    "organization_name",
    "organization_title",
    "metadata_created",
    "metadata_modified",
    "resource_count",
    "resource_urls",
)


def _canonical_select(mapping: dict[str, str], columns: list[str]) -> str:
    col = functools.partial(source_column, mapping)

    return canonical_select(
        f"""
            {sx.text(col("dataset_id"))} as dataset_id,
            lower({sx.text(col("dataset_name"))}) as dataset_name,
            {sx.text(col("title"))} as title,
            {sx.text(col("organization_name"))} as organization_name,
            {sx.text(col("organization_title"))} as organization_title,
            {sx.timestamp(col("metadata_created"))} as metadata_created,
            {sx.timestamp(col("metadata_modified"))} as metadata_modified,
            try_cast({col("resource_count")} as integer) as resource_count,
            {sx.text(col("resource_urls"))} as resource_urls
        """
    )


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
    field_aliases={
        name: (name,)
        for name in ("organization_id", "organization_name", "organization_title", "package_count", "created")
    },
    required_fields=("organization_name",),
    canonical_select=lambda mapping, columns: canonical_select(
        f"""
            {sx.text(source_column(mapping, "organization_id"))} as organization_id,
            lower({sx.text(source_column(mapping, "organization_name"))}) as organization_name,
            {sx.text(source_column(mapping, "organization_title"))} as organization_title,
            try_cast({source_column(mapping, "package_count")} as integer) as package_count,
            {sx.timestamp(source_column(mapping, "created"))} as created_at
        """
    ),
    rules_sql="case when organization_name is null then 'missing_organization_name' end",
    reasons_sql="case rule when 'missing_organization_name' then 'fila ' || source_row_number || ': ' || 'una organización sin nombre' end",
)

PORTAL_EVIDENCE_CHECKS = TabularSource(
    name=f"{SOURCE}_evidence",
    target_table="raw.portal_evidence_checks",
    field_aliases={
        name: (name,)
        for name in ("dataset_reference", "http_status", "found", "dataset_id", "dataset_name", "organization_name")
    },
    required_fields=("dataset_reference", "found"),
    canonical_select=lambda mapping, columns: canonical_select(
        f"""
            lower({sx.text(source_column(mapping, "dataset_reference"))}) as dataset_reference,
            try_cast({source_column(mapping, "http_status")} as integer) as http_status,
            try_cast({source_column(mapping, "found")} as boolean) as found,
            {sx.text(source_column(mapping, "dataset_id"))} as dataset_id,
            lower({sx.text(source_column(mapping, "dataset_name"))}) as dataset_name,
            lower({sx.text(source_column(mapping, "organization_name"))}) as organization_name
        """
    ),
    rules_sql="case when dataset_reference is null or found is null then 'incomplete_check' end",
    reasons_sql=(
        "case rule when 'incomplete_check' then 'fila ' || source_row_number || ': ' || 'una respuesta de "
        "package_show sin referencia ni resultado' end"
    ),
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


DATASETS_DDL = f"""
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
    {RAW_BOOKKEEPING_COLUMNS}
);
"""

ORGANIZATIONS_DDL = f"""
create table if not exists raw.portal_organizations (
    organization_id varchar,
    organization_name varchar,
    organization_title varchar,
    package_count integer,                     -- as the portal counts them (may include private ones)
    created_at timestamp,
    {RAW_BOOKKEEPING_COLUMNS}
);
"""

EVIDENCE_CHECKS_DDL = f"""
create table if not exists raw.portal_evidence_checks (
    dataset_reference varchar,                 -- the name or id an evidence link points at
    http_status integer,
    found boolean,
    dataset_id varchar,
    dataset_name varchar,
    organization_name varchar,
    {RAW_BOOKKEEPING_COLUMNS}
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
