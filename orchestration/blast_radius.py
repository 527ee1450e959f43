"""Which failing check blocks which publication: the blast radius, derived from lineage.

Data falls in two domains. *Progress* data is what the platform exists to publish: institutions'
progress reports, indicator measurements and the plan catalogues (and every model built from any
of them). *Reference* data is context gathered from elsewhere: OGP's global exports (Dashboard,
Explorer), the local-government maturity index and the open-data portal (and the models built
only from them). *Correspondence* (the institutions' contacts) is in no publication and
blocks none. Each source declares its domain (`SourceSpec.domain`); an asset's domain is read
from the raw sources among its ancestors in the asset graph, so a new model falls in its domain
by construction.

Each publication declares the domains it is blocked by: the monthly snapshot and the portal
publish the tracked members' progress, so only progress checks stop them (a failing reference check is
published as a warning in `datapackage.json` and the report); the serving copies mirror every mart,
so both domains stop them. Dagster's own blocking is used only for progress checks, so a broken
reference source never stops the dbt build the snapshot needs."""

from __future__ import annotations

import dagster as dg

from ingestion.source_spec import Domain
from ingestion.sources import BY_TABLE

# The domains whose failing error-level checks stop each publication.
BLOCKED_BY: dict[str, frozenset[Domain]] = {
    "monthly_progress_snapshot": frozenset({Domain.PROGRESS}),
    "open_data_portal_publication": frozenset({Domain.PROGRESS}),
    "duckdb_serving_copy": frozenset({Domain.PROGRESS, Domain.REFERENCE}),
    "postgres_serving_schema": frozenset({Domain.PROGRESS, Domain.REFERENCE}),
}


def asset_domain(asset_graph, key: dg.AssetKey) -> Domain:
    """Reference when every raw source behind the asset is a reference source; progress otherwise
    (also for assets with no raw source behind them, such as the vocabulary seeds: a broken
    mapping is the project's own fault and stops everything)."""
    keys = {key} | set(asset_graph.get_ancestor_asset_keys(key))
    # Each source declares its domain; the bookkeeping tables every source writes (ledger,
    # quarantine, ...) say nothing about which data an asset holds.
    raw = {
        BY_TABLE[k.path[-1]].domain for k in keys if len(k.path) == 2 and k.path[0] == "raw" and k.path[-1] in BY_TABLE
    }
    if raw == {Domain.CORRESPONDENCE}:
        return Domain.CORRESPONDENCE
    raw.discard(Domain.CORRESPONDENCE)
    if raw == {Domain.REFERENCE}:
        return Domain.REFERENCE
    return Domain.PROGRESS
