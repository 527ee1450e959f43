"""Ingestion assets: land each source's payload unchanged, then load it as canonical records.
Each asset wires a source's spec (`ingestion.sources`) to its fetcher; what it loaded is shown as
metadata."""

import dagster as dg

from ingestion import sources
from ingestion.ckan_client import check_datasets, fetch_datasets, fetch_organizations
from ingestion.form_apis import FetchResult, advance_cursor, fetch_kobo, fetch_odk, read_cursor
from ingestion.http import redact_url
from ingestion.inbox import land_inbox
from ingestion.inbox_archives import settle_archives
from ingestion.ingest import ingest_new_files
from ingestion.intake import IntakeLimits
from ingestion.landing import LandedFile, land_source
from ingestion.ledger import BOOKKEEPING_TABLES
from ingestion.open_data_portal import unchecked_evidence_references
from ingestion.source_spec import SourceSpec
from ingestion.tracked_members import members_loaded
from orchestration.resources import PlatformResource
from orchestration.shared import FORMS_FRESHNESS, OWNERS, REFERENCE_FRESHNESS, SOURCE_RETRY, WAREHOUSE_POOL, stage_clock
from orchestration.stage_times import LANDING, PARSING


def asset_spec(spec: SourceSpec) -> dg.AssetSpec:
    return dg.AssetSpec(
        spec.asset_key,
        group_name="ingestion",
        kinds=set(spec.kinds),
        owners=OWNERS,
        description=spec.description,
        freshness_policy=FORMS_FRESHNESS if spec.daily else REFERENCE_FRESHNESS,
    )


def ensure_tracked_members(context: dg.AssetExecutionContext, platform: PlatformResource) -> None:
    """Phones are redacted by the tracked members' countries: in a warehouse that has none yet,
    the members file is landed and loaded before the first file of any other source."""
    settings = platform.settings()
    if not settings.tracked_members_url:
        return
    if settings.warehouse_path.exists():
        with platform.warehouse(read_only=True) as con:
            if members_loaded(con):
                return
    landed = land_source(
        sources.TRACKED_MEMBERS.name,
        settings.tracked_members_url,
        landing_dir=settings.landing_dir,
        max_bytes=settings.max_file_bytes,
    )
    with platform.warehouse() as con:
        ingest_new_files(con, sources.TRACKED_MEMBERS, [landed], run_id=context.run_id)
    context.log.info("the tracked members were loaded first: their countries say which phone formats are redacted")


def ingest(
    context: dg.AssetExecutionContext,
    platform: PlatformResource,
    spec: SourceSpec,
    landed_files: list[LandedFile],
    *,
    together: bool = False,
) -> dg.MaterializeResult:
    """Load the landed files not loaded before and say what happened to their rows."""
    if landed_files and spec is not sources.TRACKED_MEMBERS:
        ensure_tracked_members(context, platform)
    with stage_clock(context, platform.settings().data_dir, PARSING), platform.warehouse() as con:
        outcome = ingest_new_files(con, spec, landed_files, run_id=context.run_id, together=together)
    for landed in outcome.skipped_files:
        context.log.info(f"{landed.original_name} ({landed.sha256[:12]}) was loaded before; skipped")
    for landed, result in outcome.loaded_files:
        if result.schema_report.get("drift"):
            context.log.warning(f"schema drift in {landed.original_name}: {result.schema_report}")
        context.log.info(f"{landed.original_name}: {result.ledger}")
    return dg.MaterializeResult(
        asset_key=spec.asset_key,
        metadata={
            "received": outcome.received,
            "loaded": outcome.loaded,
            "quarantined": outcome.quarantined,
            "ledger_balanced": outcome.balanced,
            "quarantine_reasons": dg.MetadataValue.json(outcome.quarantine_reasons),
            "files_seen": len(landed_files),
            "files_loaded": len(outcome.loaded_files),
            "landed_files": dg.MetadataValue.json(
                [
                    {
                        "name": f.original_name,
                        "sha256": f.sha256,
                        "path": str(f.path),
                        "source": redact_url(f.source_uri),
                    }
                    for f in landed_files
                ]
            ),
            "schema": dg.MetadataValue.json(outcome.schema_reports),
            "dagster/row_count": outcome.table_rows,
            "preview": dg.MetadataValue.md(outcome.preview),
        },
    )


FORM_SOURCES = [sources.PROGRESS_REPORTS, sources.INDICATOR_VALUES]


@dg.multi_asset(
    specs=[asset_spec(s) for s in FORM_SOURCES], pool=WAREHOUSE_POOL, retry_policy=SOURCE_RETRY, can_subset=False
)
def form_submissions(context: dg.AssetExecutionContext, platform: PlatformResource):
    """The inbox holds both records of the forms; each file goes to the one its header describes."""
    settings = platform.settings()
    if not settings.inbox_dir.is_dir():
        context.log.warning(f"the inbox {settings.inbox_dir} does not exist yet; nothing to load")
    limits = IntakeLimits(
        settings.max_file_bytes,
        settings.max_archive_members,
        settings.max_unpacked_bytes,
        settings.max_compression_ratio,
    )
    with stage_clock(context, settings.data_dir, LANDING):
        with platform.warehouse() as con:
            landing = land_inbox(
                con,
                settings.inbox_dir,
                landing_dir=settings.landing_dir,
                limits=limits,
                run_id=context.run_id,
                ledger_source=sources.PROGRESS_REPORTS.name,
            )
        fetched = fetch_form_apis(context, platform)
    for note in landing.notes:
        context.log.info(note)
    for refused in landing.refused:
        context.log.warning(f"rechazado: {refused.reason}")
    reports = landing.files.get(sources.PROGRESS_REPORTS.name, []) + [
        page for result in fetched for page in result.pages
    ]
    yield ingest(context, platform, sources.PROGRESS_REPORTS, reports, together=True)
    # Only now that every page is loaded does each API source's high-water mark move.
    with platform.warehouse() as con:
        for result in fetched:
            advance_cursor(con, result.source, result.high_water_mark)
    yield ingest(
        context, platform, sources.INDICATOR_VALUES, landing.files.get(sources.INDICATOR_VALUES.name, []), together=True
    )
    # An archive's state once each of its members has one (a crash before this leaves it to the next run).
    with platform.warehouse() as con:
        for archive in settle_archives(
            con, landing, ledger_source=sources.PROGRESS_REPORTS.name, run_id=context.run_id
        ):
            context.log.info(
                f"{archive.file_name}: {archive.state} ({archive.loaded} tomados, {archive.quarantined} rechazados)"
            )


def fetch_form_apis(context: dg.AssetExecutionContext, platform: PlatformResource) -> list[FetchResult]:
    """New submissions from the KoboToolbox and ODK Central forms named in the settings, each from
    its own high-water mark; the pages are landed unchanged."""
    settings = platform.settings()
    forms = [(f"kobo_{uid}", "kobo", uid) for uid in settings.kobo_asset_uids if settings.kobo_base_url]
    forms += [(f"odk_{p}_{f}", "odk", (p, f)) for p, f in settings.odk_forms if settings.odk_base_url]
    if not forms:
        return []
    with platform.warehouse() as con:
        cursors = {name: read_cursor(con, name) for name, _, _ in forms}
    results = []
    landing = settings.landing_dir / "forms_api"
    for name, tool, ref in forms:
        if tool == "kobo":
            result = fetch_kobo(
                settings.kobo_base_url, ref, settings.kobo_api_token.value, since=cursors[name], landing_dir=landing
            )
        else:
            result = fetch_odk(
                settings.odk_base_url,
                ref[0],
                ref[1],
                user=settings.odk_user,
                password=settings.odk_password.value,
                since=cursors[name],
                landing_dir=landing,
            )
        context.log.info(
            f"{name}: {result.records} new submissions in {len(result.pages)} pages since {cursors[name] or 'the start'}"
        )
        results.append(result)
    return results


PORTAL_SOURCES = [sources.PORTAL_DATASETS, sources.PORTAL_ORGANIZATIONS, sources.PORTAL_EVIDENCE_CHECKS]


@dg.multi_asset(
    specs=[asset_spec(s) for s in PORTAL_SOURCES], pool=WAREHOUSE_POOL, retry_policy=SOURCE_RETRY, can_subset=False
)
def open_data_portal(context: dg.AssetExecutionContext, platform: PlatformResource):
    # Always materializes (possibly with nothing new): the warehouse downstream must not be skipped
    # because the portal is not configured.
    settings = platform.settings()
    datasets, organizations, checks = [], [], []
    landing = settings.landing_dir / "open_data_portal"
    if settings.portal_url:
        key = settings.portal_api_key.value
        with stage_clock(context, settings.data_dir, LANDING):
            fetched = fetch_datasets(settings.portal_url, api_key=key, landing_dir=landing)
            organizations = fetch_organizations(settings.portal_url, api_key=key, landing_dir=landing).pages
        context.log.info(
            f"{fetched.records} datasets in {len(fetched.pages)} pages from {redact_url(settings.portal_url)}"
        )
        datasets = fetched.pages
    else:
        context.log.info("OGP_PORTAL_URL is not set: the open-data portal is not read")
    yield ingest(context, platform, sources.PORTAL_DATASETS, datasets)
    yield ingest(context, platform, sources.PORTAL_ORGANIZATIONS, organizations)
    if settings.portal_url:
        # Only after this harvest is loaded: what it lists needs no package_show.
        with platform.warehouse() as con:
            references = unchecked_evidence_references(con)
        with stage_clock(context, settings.data_dir, LANDING):
            checks = check_datasets(
                settings.portal_url, references, api_key=settings.portal_api_key.value, landing_dir=landing
            ).pages
        context.log.info(f"package_show for {len(references)} evidence reference(s) the harvest did not list")
    yield ingest(context, platform, sources.PORTAL_EVIDENCE_CHECKS, checks)


def file_source_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    """An asset for a source that arrives as one file at a URL or path (its address setting): land
    it, load it if its content is new."""

    @dg.asset(
        key=spec.asset_key,
        group_name="ingestion",
        kinds=set(spec.kinds),
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        retry_policy=SOURCE_RETRY,
        freshness_policy=REFERENCE_FRESHNESS,
        description=spec.description,
    )
    def _asset(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        settings = platform.settings()
        address = getattr(settings, spec.address_setting)
        if not address:
            # Optional sources still materialize, so the warehouse downstream is never skipped.
            context.log.info(f"no address is set for {spec.name}: nothing to read")
            return ingest(context, platform, spec, [])
        with stage_clock(context, settings.data_dir, LANDING):
            landed = land_source(
                spec.name, address, landing_dir=settings.landing_dir, max_bytes=settings.max_file_bytes
            )
        return ingest(context, platform, spec, [landed])

    return _asset


FILE_SOURCES = [file_source_asset(spec) for spec in sources.SOURCES if spec.address_setting]
# A source declared but not wired would never load: said at code-location load, not found later.
_WIRED = {spec.name for spec in [*FORM_SOURCES, *PORTAL_SOURCES]} | {
    spec.name for spec in sources.SOURCES if spec.address_setting
}
if _WIRED != set(sources.BY_NAME):
    raise RuntimeError(
        f"sources declared in ingestion/sources.py with no ingestion asset: {sorted(set(sources.BY_NAME) - _WIRED)}"
    )


# Written by every ingestion asset above; declared so the dbt sources that read them have a home.
ingestion_bookkeeping = [
    dg.AssetSpec(["raw", table], group_name="ingestion", kinds={"duckdb"}, owners=OWNERS, description=description)
    for table, description in BOOKKEEPING_TABLES.items()
]

INGESTION_ASSETS = [form_submissions, *FILE_SOURCES, open_data_portal]
