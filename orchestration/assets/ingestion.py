"""Ingestion assets: land each source's payload unchanged, then load it as canonical records.
Each asset is a thin wrapper over `ingestion/`; what it loaded is shown as metadata."""


from datetime import timedelta
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
import duckdb

from ingestion.form_apis import FetchResult, advance_cursor, fetch_kobo, fetch_odk, read_cursor
from ingestion.inbox import expand_archive, inbox_files, is_archive, record_archive, refuse_file
from ingestion.indicators import holds_indicator_values, load_indicator_catalogue_file, load_indicator_values_files
from ingestion.landing import LandedFile, PayloadTooLarge, land_local_file, land_source, sha256_file
from ingestion.local_government_index import load_local_government_index_file
from ingestion.ogp_dashboard import load_ogp_dashboard_file
from ingestion.ogp_explorer import load_ogp_explorer_file
from ingestion.open_data_portal import (
    check_datasets,
    fetch_datasets,
    fetch_organizations,
    load_portal_evidence_checks,
    load_portal_organizations_page,
    load_portal_page,
    unchecked_evidence_references,
)
from ingestion.plan_catalogue import load_plan_catalogue_file
from ingestion.progress_reports import load_progress_report_files
from ingestion.tabular_source import LoadResult
from ingestion.warehouse import already_loaded
from orchestration.resources import PlatformResource

WAREHOUSE_POOL = "duckdb_warehouse"
OWNERS = ["team:datos-gobierno-abierto"]
SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

# How stale each kind of source may get before the UI flags it (forms daily, reference data weekly).
FORMS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=3), warn_window=timedelta(days=2))
REFERENCE_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=15), warn_window=timedelta(days=8))

Loader = Callable[[duckdb.DuckDBPyConnection, LandedFile], LoadResult]


def redact_url(uri: str) -> str:
    """A source address for metadata: no credentials, no query string (tokens live there)."""
    parts = urlsplit(uri)
    if not parts.scheme.startswith("http"):
        return uri
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _preview(con: duckdb.DuckDBPyConnection, table: str, landed_ids: list[str], columns: str) -> str:
    if not landed_ids:
        return "_nothing new_"
    frame = con.execute(
        f"select {columns} from {table} where landed_file_id in (select unnest(?)) order by source_row_number limit 5",
        [landed_ids],
    ).df()
    return frame.to_markdown(index=False)


def ingest(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    landed_files: list[LandedFile],
    loader: Callable[..., LoadResult] | None = None,
    *,
    table: str,
    preview_columns: str,
    asset_key: list[str] | None = None,
    many_loader: Callable[..., list[LoadResult]] | None = None,
) -> dg.MaterializeResult:
    """Load the landed files not loaded before, with `many_loader` (all at once: form exports) or
    `loader` (one by one), and say what happened to their rows."""
    totals = {"received": 0, "loaded": 0, "quarantined": 0}
    reasons: dict[str, int] = {}
    new_ids: list[str] = []
    schema_reports = {}
    with platform.warehouse() as con:
        new_files, seen = [], set()
        for landed in landed_files:
            if landed.sha256 in seen or already_loaded(con, landed.sha256):
                context.log.info(f"{landed.original_name} ({landed.sha256[:12]}) was loaded before; skipped")
                continue
            seen.add(landed.sha256)
            new_files.append(landed)
        if many_loader is not None:
            results = many_loader(con, new_files, run_id=context.run_id)
        else:
            results = (loader(con, landed, run_id=context.run_id) for landed in new_files)
        for landed, result in zip(new_files, results):
            new_ids.append(landed.sha256)
            for key, value in result.ledger.as_metadata().items():
                totals[key] += value
            for rule, count in result.quarantine_reasons.items():
                reasons[rule] = reasons.get(rule, 0) + count
            if result.schema_report:
                schema_reports[landed.original_name] = result.schema_report
                if result.schema_report.get("drift"):
                    context.log.warning(f"schema drift in {landed.original_name}: {result.schema_report}")
            context.log.info(f"{landed.original_name}: {result.ledger}")
        preview = _preview(con, table, new_ids, preview_columns)
        table_rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata={
            **totals,
            "ledger_balanced": totals["received"] == totals["loaded"] + totals["quarantined"],
            "quarantine_reasons": dg.MetadataValue.json(reasons),
            "files_seen": len(landed_files),
            "files_loaded": len(new_ids),
            "landed_files": dg.MetadataValue.json(
                [{"name": f.original_name, "sha256": f.sha256, "path": str(f.path), "source": redact_url(f.source_uri)} for f in landed_files]
            ),
            "schema": dg.MetadataValue.json(schema_reports),
            "dagster/row_count": table_rows,
            "preview": dg.MetadataValue.md(preview),
        }
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "progress_reports"], group_name="ingestion", kinds={"duckdb", "csv", "xlsx"}, owners=OWNERS,
            freshness_policy=FORMS_FRESHNESS,
            description=(
                "Progress reports from the institutions' forms: spreadsheet drops in OGP_INBOX_DIR (Google Forms "
                "exports, the Excel/CSV template, Kobo exports) and, when configured, the KoboToolbox and ODK "
                "Central APIs (incremental from each form's high-water mark). Everything is landed unchanged, "
                "then loaded as canonical progress-report records; rows that break a rule go to raw.quarantine."
            ),
        ),
        dg.AssetSpec(
            ["raw", "indicator_values"], group_name="ingestion", kinds={"duckdb", "csv", "xlsx"}, owners=OWNERS,
            freshness_policy=FORMS_FRESHNESS,
            description="Indicator measurements sent with the same forms (indicator code, period, value, evidence).",
        ),
    ],
    pool=WAREHOUSE_POOL,
    retry_policy=SOURCE_RETRY,
    can_subset=False,
)
def form_submissions(context: dg.AssetExecutionContext, platform: PlatformResource):
    """The inbox holds both records of the forms; each file goes to the one its header describes."""
    settings = platform.settings()
    inbox = settings.inbox_dir
    if not inbox.is_dir():
        context.log.warning(f"the inbox {inbox} does not exist yet; nothing to load")
    reports, measurements = [], []
    with platform.warehouse() as con:
        loaded = {sha for (sha,) in con.execute("select landed_file_id from raw.landed_files where source = 'forms'").fetchall()}
    for path in inbox_files(inbox):
        # A file loaded before is recognised by its hash, without copying it to the landing zone again.
        if sha256_file(path) in loaded:
            context.log.info(f"{path.name} was loaded before; skipped")
            continue
        try:
            landed = land_local_file("forms", path, landing_dir=settings.landing_dir, max_bytes=settings.max_file_bytes)
        except PayloadTooLarge as exc:
            with platform.warehouse() as con:
                refuse_file(con, "forms", path, str(exc), ledger_source="progress_reports", run_id=context.run_id)
            context.log.warning(f"{path.name}: {exc}")
            continue
        if is_archive(landed.path):
            contents = expand_archive(landed, landing_dir=settings.landing_dir, max_bytes=settings.max_file_bytes)
            with platform.warehouse() as con:
                entry = record_archive(con, contents, ledger_source="progress_reports", run_id=context.run_id)
            context.log.info(f"{landed.original_name}: {entry.loaded} file(s) taken from the archive, {entry.quarantined} refused")
            files = [m for m in contents.members if m.sha256 not in loaded]
        else:
            files = [landed]
        for file in files:
            (measurements if holds_indicator_values(file.path) else reports).append(file)
    fetched = fetch_form_apis(context, platform, settings)
    for result in fetched:
        reports.extend(result.pages)
    yield ingest(
        context, platform, reports, many_loader=load_progress_report_files, table="raw.progress_reports", asset_key=["raw", "progress_reports"],
        preview_columns="submission_id, reporting_month, institution, milestone_code, percent_complete, review_state",
    )
    # Only now that every page is loaded does each API source's high-water mark move.
    with platform.warehouse() as con:
        for result in fetched:
            advance_cursor(con, result.source, result.high_water_mark)
    yield ingest(
        context, platform, measurements, many_loader=load_indicator_values_files, table="raw.indicator_values", asset_key=["raw", "indicator_values"],
        preview_columns="submission_id, indicator_code, period_raw, period_start, value",
    )


def fetch_form_apis(context: dg.AssetExecutionContext, platform: PlatformResource, settings) -> list[FetchResult]:
    """New submissions from the KoboToolbox and ODK Central forms named in the settings, each from
    its own high-water mark; the pages are landed unchanged."""
    sources = [(f"kobo_{uid}", "kobo", uid) for uid in settings.kobo_asset_uids if settings.kobo_base_url]
    sources += [(f"odk_{p}_{f}", "odk", (p, f)) for p, f in settings.odk_forms if settings.odk_base_url]
    if not sources:
        return []
    with platform.warehouse() as con:
        cursors = {name: read_cursor(con, name) for name, _, _ in sources}
    results = []
    landing = settings.landing_dir / "forms_api"
    for name, tool, ref in sources:
        if tool == "kobo":
            result = fetch_kobo(settings.kobo_base_url, ref, settings.kobo_api_token.value, since=cursors[name], landing_dir=landing)
        else:
            result = fetch_odk(settings.odk_base_url, ref[0], ref[1], user=settings.odk_user,
                               password=settings.odk_password.value, since=cursors[name], landing_dir=landing)
        context.log.info(f"{name}: {result.records} new submissions in {len(result.pages)} pages since {cursors[name] or 'the start'}")
        results.append(result)
    return results


PORTAL_SPECS = [
    dg.AssetSpec(
        ["raw", "portal_datasets"], group_name="ingestion", kinds={"duckdb", "ckan"}, owners=OWNERS,
        freshness_policy=REFERENCE_FRESHNESS,
        description=(
            "Datasets of the national open-data portal (CKAN package_search at OGP_PORTAL_URL): publishing "
            "institution, dates, resources. Indicator of datasets published per institution and month, and the "
            "reference for evidence links. Reads nothing (and says so) while OGP_PORTAL_URL is unset."
        ),
    ),
    dg.AssetSpec(
        ["raw", "portal_organizations"], group_name="ingestion", kinds={"duckdb", "ckan"}, owners=OWNERS,
        freshness_policy=REFERENCE_FRESHNESS,
        description="The portal's publishing organizations (CKAN organization_list), including those that publish nothing.",
    ),
    dg.AssetSpec(
        ["raw", "portal_evidence_checks"], group_name="ingestion", kinds={"duckdb", "ckan"}, owners=OWNERS,
        description=(
            "CKAN package_show answers for evidence links whose dataset the harvest did not list "
            "(links by id, private or deleted datasets): found, 403 or 404."
        ),
    ),
]


@dg.multi_asset(specs=PORTAL_SPECS, pool=WAREHOUSE_POOL, retry_policy=SOURCE_RETRY, can_subset=False)
def open_data_portal(context: dg.AssetExecutionContext, platform: PlatformResource):
    # Always materializes (possibly with nothing new): the warehouse downstream must not be skipped
    # because the portal is not configured.
    settings = platform.settings()
    datasets, organizations, checks = [], [], []
    landing = settings.landing_dir / "open_data_portal"
    if settings.portal_url:
        key = settings.portal_api_key.value
        fetched = fetch_datasets(settings.portal_url, api_key=key, landing_dir=landing)
        context.log.info(f"{fetched.records} datasets in {len(fetched.pages)} pages from {redact_url(settings.portal_url)}")
        datasets = fetched.pages
        organizations = fetch_organizations(settings.portal_url, api_key=key, landing_dir=landing).pages
    else:
        context.log.info("OGP_PORTAL_URL is not set: the open-data portal is not read")
    yield ingest(context, platform, datasets, load_portal_page, table="raw.portal_datasets", asset_key=["raw", "portal_datasets"],
                 preview_columns="dataset_name, organization_name, metadata_created, resource_count")
    yield ingest(context, platform, organizations, load_portal_organizations_page, table="raw.portal_organizations",
                 asset_key=["raw", "portal_organizations"], preview_columns="organization_name, organization_title, package_count")
    if settings.portal_url:
        # Only after this harvest is loaded: what it lists needs no package_show.
        with platform.warehouse() as con:
            references = unchecked_evidence_references(con)
        checks = check_datasets(settings.portal_url, references, api_key=settings.portal_api_key.value, landing_dir=landing).pages
        context.log.info(f"package_show for {len(references)} evidence reference(s) the harvest did not list")
    yield ingest(context, platform, checks, load_portal_evidence_checks, table="raw.portal_evidence_checks",
                 asset_key=["raw", "portal_evidence_checks"], preview_columns="dataset_reference, http_status, found, dataset_name")


def file_source_asset(
    *, table: str, source: str, url_setting: str, loader: Callable[..., LoadResult], preview_columns: str, description: str
) -> dg.AssetsDefinition:
    """An asset for a source that arrives as one file at a URL or path (a setting): land it, load
    it as `raw.<table>` if its content is new."""

    @dg.asset(
        key=["raw", table],
        group_name="ingestion",
        kinds={"duckdb", "csv"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        retry_policy=SOURCE_RETRY,
        freshness_policy=REFERENCE_FRESHNESS,
        description=description,
    )
    def _asset(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        settings = platform.settings()
        uri = getattr(settings, url_setting)
        if not uri:
            # Optional sources still materialize, so the warehouse downstream is never skipped.
            context.log.info(f"no address is set for {source}: nothing to read")
            return ingest(context, platform, [], loader, table=f"raw.{table}", preview_columns=preview_columns)
        landed = land_source(source, uri, landing_dir=settings.landing_dir, max_bytes=settings.max_file_bytes)
        return ingest(context, platform, [landed], loader, table=f"raw.{table}", preview_columns=preview_columns)

    return _asset


FILE_SOURCES = [
    file_source_asset(
        table="plan_milestones", source="plan_catalogue", url_setting="plan_catalogue_url", loader=load_plan_catalogue_file,
        preview_columns="action_plan_id, commitment_id, milestone_code, weight, planned_start, planned_end",
        description="The milestone catalogue of the tracked action plans (weights, planned dates), from OGP_PLAN_CATALOGUE_URL.",
    ),
    file_source_asset(
        table="indicator_catalogue", source="indicator_catalogue", url_setting="indicator_catalogue_url",
        loader=load_indicator_catalogue_file,
        preview_columns="indicator_code, commitment_id, indicator_name, unit, baseline, target",
        description="The indicators of each commitment (unit, baseline, target, frequency, direction), from OGP_INDICATOR_CATALOGUE_URL.",
    ),
    file_source_asset(
        table="ogp_dashboard_commitments", source="ogp_dashboard", url_setting="ogp_dashboard_url", loader=load_ogp_dashboard_file,
        preview_columns="commitment_unique_identifier, action_plan_id, commitment_title, lead_institution",
        description="OGP Data Dashboard export (every member's commitments and IRM assessments), from OGP_DASHBOARD_URL.",
    ),
    file_source_asset(
        table="ogp_explorer_commitments", source="ogp_explorer", url_setting="ogp_explorer_url", loader=load_ogp_explorer_file,
        preview_columns="country, action_plan_number, commitment_number, specificity, completion_progress",
        description="OGP's older Explorer file (2011-2014 plans, old IRM methodology), from OGP_EXPLORER_URL; officials' contact data is never loaded.",
    ),
    file_source_asset(
        table="local_government_index", source="local_government_index", url_setting="local_government_index_url",
        loader=load_local_government_index_file, preview_columns="municipality, province, year, index_score",
        description="Local-government open-government maturity index (municipality x year, dimension scores), from OGP_LOCAL_INDEX_URL.",
    ),
]


# Written by every ingestion asset above; declared so the dbt sources that read them have a home.
ingestion_bookkeeping = [
    dg.AssetSpec(
        ["raw", "quarantine"], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS,
        description="Rows ingestion could not load, with source, rule and reason (written by every ingestion asset).",
    ),
    dg.AssetSpec(
        ["raw", "date_interpretations"], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS,
        description="Each distinct date text of the OGP exports with the period it names and its precision.",
    ),
    dg.AssetSpec(
        ["raw", "landed_files"], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS,
        description="Every file landed, refused or taken apart: hash, source, original name, size, landing time.",
    ),
    dg.AssetSpec(
        ["raw", "personal_data_redactions"], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS,
        description="E-mail addresses and phone numbers redacted from free text at ingestion: counts per source, file and column.",
    ),
    dg.AssetSpec(
        ["raw", "ingestion_ledger"], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS,
        description="Per run and file: received = loaded + quarantined (written by every ingestion asset).",
    ),
]

INGESTION_ASSETS = [form_submissions, *FILE_SOURCES, open_data_portal]
