"""The commitment search index in the warehouse (schema `search`): two vectors per commitment of
`marts.dim_commitments` (its title with its text, and its title alone), with the model's name and
version and a hash of what was embedded, so a run embeds only commitments whose text (or the
model, or what is embedded) changed; and, for every commitment of the
tracked plans, its closest commitments of other members (`search.commitment_peers`, which the
mart fct_similar_commitments documents and publishes), ranked again only when what the ranking
reads changed (`search.commitment_peers_basis`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from similarity import encoder
from similarity.search import LEXICAL_WEIGHT, PEERS_PER_COMMITMENT, TITLE_WEIGHT, Corpus, rank

SCHEMA = "search"
EMBEDDINGS = f"{SCHEMA}.commitment_embeddings"
PEERS = f"{SCHEMA}.commitment_peers"
PEERS_BASIS = f"{SCHEMA}.commitment_peers_basis"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {EMBEDDINGS} (
    commitment_id varchar primary key,
    content_hash varchar not null,
    model_name varchar not null,
    model_version varchar not null,
    embedding float[{encoder.DIMENSIONS}] not null,
    embedded_at timestamp not null
);
-- The title's own vector (added with the ranking on titles: rows from before have none, and a
-- hash that no longer matches, so they are embedded again once).
alter table {EMBEDDINGS} add column if not exists title_embedding float[{encoder.DIMENSIONS}];
create table if not exists {PEERS} (
    commitment_id varchar not null,
    peer_rank integer not null,
    peer_commitment_id varchar not null,
    score double not null,
    semantic_score double not null,
    lexical_score double not null,
    model_version varchar not null,
    primary key (commitment_id, peer_rank)
);
-- A digest of everything the peers were ranked from (texts, vectors' model, members, which
-- commitments are tracked, the number of peers): equal next run, nothing is ranked again.
create table if not exists {PEERS_BASIS} (
    basis varchar not null,
    ranked_at timestamp not null
);
"""

# What is embedded for a commitment, and its hash (with the model's version and what is embedded:
# a new model, or a new way of embedding, re-embeds).
EMBEDDED_PARTS = "title and text; title without its numbering"
_CURRENT_TEXTS = """
create or replace temp table current_commitment_texts as
select
    commitment_id,
    trim(coalesce(commitment_title, '') || '. ' || coalesce(commitment_text, ''), '. ') as embedded_text,
    coalesce(nullif(trim(commitment_title), ''), commitment_text, '') as embedded_title,
    sha256($model_version || chr(10) || $parts || chr(10) || coalesce(commitment_title, '') || chr(10)
           || coalesce(commitment_text, '')) as content_hash
from marts.dim_commitments
"""


@dataclass(frozen=True)
class IndexRefresh:
    commitments: int
    embedded: int
    reused: int
    removed: int
    peer_rows: int
    model_version: str
    peers_ranked: bool = True  # False: nothing the ranking reads changed, the peers were kept


def ensure_search_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def refresh_index(
    con: duckdb.DuckDBPyConnection, *, threads: int = 2, peers: int = PEERS_PER_COMMITMENT
) -> IndexRefresh:
    """Embed new or changed commitments, drop vanished ones, then rank every tracked commitment's
    peers. In one transaction: a reader sees the old index or the new one."""
    ensure_search_schema(con)
    version = encoder.model_version()
    con.execute("begin")
    try:
        con.execute(_CURRENT_TEXTS, {"model_version": version, "parts": EMBEDDED_PARTS})
        [(vanished,)] = con.execute(f"""
            select count(*) from {EMBEDDINGS} e
            where not exists (select 1 from current_commitment_texts c where c.commitment_id = e.commitment_id)""").fetchall()
        con.execute(f"""
            delete from {EMBEDDINGS} e where not exists (
                select 1 from current_commitment_texts c where c.commitment_id = e.commitment_id and c.content_hash = e.content_hash)""")
        pending = con.sql(f"""
            select commitment_id, embedded_text, embedded_title, content_hash from current_commitment_texts c
            where not exists (select 1 from {EMBEDDINGS} e where e.commitment_id = c.commitment_id)
            order by commitment_id""").to_arrow_table()
        vectors = encoder.embed(pending.column("embedded_text").to_pylist(), threads=threads)
        title_vectors = encoder.embed(
            [encoder.title_text(t) for t in pending.column("embedded_title").to_pylist()], threads=threads
        )

        def vector_column(matrix: np.ndarray) -> pa.FixedSizeListArray:
            return pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1), pa.float32()), encoder.DIMENSIONS)

        new_rows = pa.table(  # noqa: F841 - read by name in the insert below
            {
                "commitment_id": pending.column("commitment_id"),
                "content_hash": pending.column("content_hash"),
                "embedding": vector_column(vectors),
                "title_embedding": vector_column(title_vectors),
            }
        )
        con.execute(
            f"""insert into {EMBEDDINGS} (commitment_id, content_hash, model_name, model_version, embedding, embedded_at, title_embedding)
                        select commitment_id, content_hash, ?, ?, embedding, now()::timestamp, title_embedding from new_rows""",
            [encoder.MODEL_NAME, version],
        )
        [(total,)] = con.execute("select count(*) from current_commitment_texts").fetchall()
        peer_rows, ranked = _rank_peers(con, peers, version)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return IndexRefresh(total, pending.num_rows, total - pending.num_rows, vanished, peer_rows, version, ranked)


def ranking_basis(corpus: Corpus, peers: int, version: str) -> str:
    """A digest of what the peers are ranked from: each commitment's id, text, title, member and
    whether it is tracked (its vector follows from its text and the model's version)."""
    columns = ("commitment_id", "embedded_text", "commitment_title", "member_code", "is_tracked")
    digest = hashlib.sha256(
        json.dumps(
            [version, peers, EMBEDDED_PARTS, TITLE_WEIGHT, LEXICAL_WEIGHT, *(corpus.columns[c] for c in columns)],
            default=str,
        ).encode("utf-8")
    )
    return digest.hexdigest()


def _rank_peers(con: duckdb.DuckDBPyConnection, peers: int, version: str) -> tuple[int, bool]:
    """Each tracked commitment's `peers` closest commitments of other members, rewritten whole
    when anything the ranking reads changed since the last ranking, kept as they are otherwise
    (at the scale of every OGP member, ranking all of them is the index's main cost). The
    candidates of a member's commitments are the other members' commitments only, BM25 included,
    so a member's own new commitment does not move its peers' scores."""
    corpus = Corpus.load(con)
    basis = ranking_basis(corpus, peers, version)
    if con.execute(f"select count(*) from {PEERS_BASIS} where basis = ?", [basis]).fetchone()[0]:
        return con.execute(f"select count(*) from {PEERS}").fetchone()[0], False
    members = np.array([m or "" for m in corpus.member_codes])
    rows = []
    for member in sorted(set(members[corpus.is_tracked])):
        tracked = np.flatnonzero(corpus.is_tracked & (members == member))
        candidates = np.flatnonzero(members != member)
        # A commitment's title states its aim; its text can be long and diffuse (or, in a
        # catalogue, a placeholder): the query is the mean of its title's vector and the text's.
        blended = corpus.title_vectors[tracked] + corpus.vectors[tracked]
        blended /= np.maximum(np.linalg.norm(blended, axis=1, keepdims=True), 1e-12)
        elsewhere = corpus.subset(candidates)
        rankings = rank(elsewhere, [corpus.texts[i] for i in tracked], top_k=peers, query_vectors=blended)
        rows += [
            (corpus.ids[q], position + 1, elsewhere.ids[hit.index], hit.score, hit.semantic, hit.lexical, version)
            for q, hits in zip(tracked, rankings, strict=False)
            for position, hit in enumerate(hits)
        ]
    con.execute(f"delete from {PEERS}")
    if rows:
        names = (
            "commitment_id",
            "peer_rank",
            "peer_commitment_id",
            "score",
            "semantic_score",
            "lexical_score",
            "model_version",
        )
        ranked = pa.Table.from_pydict(dict(zip(names, map(list, zip(*rows, strict=False)), strict=False)))  # noqa: F841 - read by name below
        con.execute(f"insert into {PEERS} select * from ranked")
    con.execute(f"delete from {PEERS_BASIS}")
    con.execute(f"insert into {PEERS_BASIS} values (?, now()::timestamp)", [basis])
    return len(rows), True
