"""Ranking commitments for a text by the cosine of multilingual sentence vectors (meaning, across
languages), two per commitment: its title's and its title with its text's. Score =
TITLE_WEIGHT x cosine(title) + (1 - TITLE_WEIGHT) x cosine(title and text): a title says what a
commitment is for, and 2,000 characters of text drown it; the text still lets a long draft meet
a commitment whose title is terse. BM25 over the same words (names and acronyms a vector blurs)
can be added with `lexical_weight`; on OGP's real corpus it lowers both recall and MRR, even
within a query's language, so it weighs 0. Chosen on 68 cross-lingual paraphrases of real
commitments (benchmarks/similarity_real_queries.json; docs/performance.md)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import duckdb
import numpy as np

from similarity import encoder

PEERS_PER_COMMITMENT = 10
TITLE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.0

# Commitments with their vector, member, plan and how they fared, narrowed by the filters.
CORPUS_SQL = """
select
    c.commitment_id,
    c.member_code,
    coalesce(c.member_name, m.member_name, c.member_code) as member_name,
    m.region,
    c.action_plan_id,
    p.start_year,
    p.end_year,
    c.commitment_title,
    trim(coalesce(c.commitment_title, '') || '. ' || coalesce(c.commitment_text, ''), '. ') as embedded_text,
    c.ogp_url,
    c.is_tracked,
    o.completion,
    o.did_it_open_government,
    o.early_results,
    o.potential_impact,
    o.potential_for_results,
    coalesce(o.is_starred, false) as is_starred,
    o.is_substantial_or_complete,
    coalesce(o.opened_government_notably, false) as opened_government_notably,
    coalesce(o.has_irm_verdict, false) as has_irm_verdict,
    e.embedding,
    e.title_embedding
from search.commitment_embeddings as e
inner join marts.dim_commitments as c on c.commitment_id = e.commitment_id
left join marts.dim_members as m on m.member_code = c.member_code
left join marts.dim_action_plans as p on p.action_plan_id = c.action_plan_id
left join marts.fct_commitment_outcomes as o on o.commitment_id = c.commitment_id
where {where}
order by c.commitment_id
"""

OUTCOMES = {  # filter name -> condition on the corpus query
    "assessed": "coalesce(o.has_irm_verdict, false)",
    "substantial_or_complete": "coalesce(o.is_substantial_or_complete, false)",
    "opened_government": "coalesce(o.opened_government_notably, false)",
    "starred": "coalesce(o.is_starred, false)",
}


@dataclass(frozen=True)
class Filters:
    """Which commitments may be returned. Members are matched by code or name, case-insensitively."""

    members: tuple[str, ...] = ()
    exclude_members: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    policy_areas: tuple[str, ...] = ()
    plan_years: tuple[int, int] | None = None  # plans overlapping these years
    outcomes: tuple[str, ...] = ()  # keys of OUTCOMES, all required

    def sql(self) -> tuple[str, list]:
        conditions, params = ["true"], []
        member = (
            "(lower(c.member_code) in (select lower(unnest(?))) or lower(coalesce(c.member_name, m.member_name)) "
            "in (select lower(unnest(?))))"
        )
        if self.members:
            conditions.append(member)
            params += [list(self.members)] * 2
        if self.exclude_members:
            conditions.append(f"not coalesce({member}, false)")
            params += [list(self.exclude_members)] * 2
        if self.regions:
            conditions.append("lower(m.region) in (select lower(unnest(?)))")
            params.append(list(self.regions))
        if self.policy_areas:
            conditions.append("""c.commitment_id in (select commitment_id from marts.bridge_commitment_policy_areas
                                 where lower(policy_area) in (select lower(unnest(?))) or
                                     lower(policy_area_code) in (select lower(unnest(?))))""")
            params += [list(self.policy_areas)] * 2
        if self.plan_years:
            conditions.append("p.start_year <= ? and coalesce(p.end_year, p.start_year) >= ?")
            params += [self.plan_years[1], self.plan_years[0]]
        for outcome in self.outcomes:
            conditions.append(OUTCOMES[outcome])
        return " and ".join(conditions), params


def _matrix(table, column: str) -> np.ndarray:
    if not table.num_rows:
        return np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
    values = table.column(column).combine_chunks()
    return (
        values.flatten().to_numpy(zero_copy_only=False).reshape(-1, encoder.DIMENSIONS).astype(np.float32, copy=False)
    )


@dataclass
class Corpus:
    """The searchable commitments, columns as arrays (row i is one commitment): `vectors` of title
    and text, `title_vectors` of the title alone (the text's where there is no title)."""

    columns: dict[str, list]
    vectors: np.ndarray
    title_vectors: np.ndarray | None = None

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Corpus:
        where, params = filters.sql()
        table = con.sql(CORPUS_SQL.format(where=where), params=params).to_arrow_table()
        return cls(
            {name: table.column(name).to_pylist() for name in table.column_names if not name.endswith("embedding")},
            _matrix(table, "embedding"),
            _matrix(table, "title_embedding"),
        )

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def ids(self) -> list[str]:
        return self.columns["commitment_id"]

    @property
    def texts(self) -> list[str]:
        return self.columns["embedded_text"]

    @property
    def member_codes(self) -> list[str]:
        return self.columns["member_code"]

    @property
    def is_tracked(self) -> np.ndarray:
        return np.array(self.columns["is_tracked"], dtype=bool)

    def subset(self, rows: np.ndarray) -> Corpus:
        return Corpus(
            {name: [values[i] for i in rows] for name, values in self.columns.items()},
            self.vectors[rows],
            None if self.title_vectors is None else self.title_vectors[rows],
        )

    def record(self, i: int) -> dict:
        return {name: values[i] for name, values in self.columns.items() if name != "embedded_text"}


@dataclass(frozen=True)
class Hit:
    index: int
    score: float
    semantic: float
    lexical: float


def fold(text: str) -> str:
    """Lower case without accents, so `participación` and `participacion` are one word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def _stopwords() -> list[str]:
    from bm25s import stopwords

    words = (
        stopwords.STOPWORDS_EN
        + stopwords.STOPWORDS_SPANISH
        + stopwords.STOPWORDS_FRENCH
        + stopwords.STOPWORDS_PORTUGUESE
    )
    return sorted({fold(w) for w in words})


def lexical_scores(documents: list[str], queries: list[str]) -> np.ndarray:
    """BM25 of every document for every query (queries x documents), 0 where no word is shared."""
    import bm25s

    scores = np.zeros((len(queries), len(documents)), dtype=np.float32)
    if not documents or not queries:
        return scores
    stop = _stopwords()
    corpus_tokens = bm25s.tokenize([fold(d) for d in documents], stopwords=stop, show_progress=False)
    if not corpus_tokens.vocab:
        return scores
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    vocab = corpus_tokens.vocab
    for q, query in enumerate(queries):  # one vectorised scoring per query text (a handful per call)
        words = [
            w
            for w in bm25s.tokenize(fold(query), stopwords=stop, return_ids=False, show_progress=False)[0]
            if w in vocab
        ]
        if words:
            scores[q] = retriever.get_scores(words)
    return scores


def rank(
    corpus: Corpus,
    queries: list[str],
    *,
    top_k: int = PEERS_PER_COMMITMENT,
    query_vectors: np.ndarray | None = None,
    exclude_member_of: list[str | None] | None = None,
    lexical_weight: float = LEXICAL_WEIGHT,
    semantic_weight: float = 1.0,
    title_weight: float = TITLE_WEIGHT,
) -> list[list[Hit]]:
    """For each query text, the `top_k` best commitments of the corpus (best first). With
    `exclude_member_of`, a query's own member's commitments are left out (peers elsewhere)."""
    if not queries:
        return []
    if len(corpus) == 0:
        return [[] for _ in queries]
    vectors = encoder.embed(queries) if query_vectors is None else query_vectors
    semantic = vectors @ corpus.vectors.T
    if corpus.title_vectors is not None and title_weight:
        semantic = title_weight * (vectors @ corpus.title_vectors.T) + (1 - title_weight) * semantic
    lexical = lexical_scores(corpus.texts, queries) if lexical_weight else np.zeros_like(semantic)
    best = lexical.max(axis=1, keepdims=True)
    lexical_share = np.divide(lexical, best, out=np.zeros_like(lexical), where=best > 0)
    combined = semantic_weight * semantic + lexical_weight * lexical_share
    if exclude_member_of is not None:
        members = np.array([m or "" for m in corpus.member_codes])
        for q, member in enumerate(exclude_member_of):
            combined[q, members == (member or "\0")] = -np.inf
    results = []
    for q in range(len(queries)):
        order = np.argsort(-combined[q], kind="stable")[:top_k]
        results.append(
            [
                Hit(int(i), float(combined[q, i]), float(semantic[q, i]), float(lexical_share[q, i]))
                for i in order
                if np.isfinite(combined[q, i])
            ]
        )
    return results


@dataclass
class Peer:
    commitment_id: str
    member: str
    member_code: str | None
    region: str | None
    action_plan_id: str | None
    plan_years: str | None
    title: str | None
    url: str | None
    score: float
    semantic_score: float
    lexical_score: float
    completion: str | None
    did_it_open_government: str | None
    early_results: str | None
    potential_impact: str | None
    potential_for_results: str | None
    starred: bool
    has_irm_verdict: bool
    substantial_or_complete: bool
    opened_government_notably: bool


@dataclass
class Answer:
    query: str
    results: list[Peer] = field(default_factory=list)


def peer_of(corpus: Corpus, hit: Hit) -> Peer:
    r = corpus.record(hit.index)
    years = f"{r['start_year']}-{r['end_year']}" if r["start_year"] and r["end_year"] else None
    return Peer(
        r["commitment_id"],
        r["member_name"],
        r["member_code"],
        r["region"],
        r["action_plan_id"],
        years,
        r["commitment_title"],
        r["ogp_url"],
        round(hit.score, 4),
        round(hit.semantic, 4),
        round(hit.lexical, 4),
        r["completion"],
        r["did_it_open_government"],
        r["early_results"],
        r["potential_impact"],
        r["potential_for_results"],
        bool(r["is_starred"]),
        bool(r["has_irm_verdict"]),
        bool(r["is_substantial_or_complete"]),
        bool(r["opened_government_notably"]),
    )


def similar(
    con: duckdb.DuckDBPyConnection, texts: list[str], *, top_k: int = 10, filters: Filters = Filters()
) -> list[Answer]:
    """The `top_k` commitments most like each text, in the order of `texts`."""
    corpus = Corpus.load(con, filters)
    return [
        Answer(text, [peer_of(corpus, hit) for hit in hits])
        for text, hits in zip(texts, rank(corpus, texts, top_k=top_k), strict=False)
    ]


SUMMARY = {
    "es": "{assessed} de {total} con evaluación del IRM; {complete}; {opened}; {starred}",
    "en": "{assessed} of {total} assessed by the IRM; {complete}; {opened}; {starred}",
}


def outcome_summary(peers: list[Peer], language: str = "es") -> str:
    """How the peers fared, each count with its words in the right plural form."""
    from exports.formatting import count

    language = language if language in SUMMARY else "es"
    return SUMMARY[language].format(
        total=len(peers),
        assessed=sum(p.has_irm_verdict for p in peers),
        complete=count(sum(p.substantial_or_complete for p in peers), "substantial_or_complete", language),
        opened=count(sum(p.opened_government_notably for p in peers), "opened_government", language),
        starred=count(sum(p.starred for p in peers), "starred", language),
    )


STORED_PEERS_SQL = """
select
    s.commitment_id, own.commitment_title as own_title, s.peer_rank,
    s.peer_commitment_id, s.peer_member_name, s.peer_member_code, m.region, s.peer_action_plan_id,
    case when p.start_year is not null and p.end_year is not null then p.start_year || '-' || p.end_year end as plan_years,
    s.peer_commitment_title, s.peer_ogp_url, s.similarity_score, s.semantic_score, s.lexical_score,
    s.peer_completion, s.peer_did_it_open_government, s.peer_early_results, s.peer_potential_impact,
    s.peer_potential_for_results, s.peer_is_starred, s.peer_has_irm_verdict,
    coalesce(o.is_substantial_or_complete, false), coalesce(o.opened_government_notably, false)
from marts.fct_similar_commitments s
join marts.dim_commitments own on own.commitment_id = s.commitment_id
left join marts.dim_members m on m.member_code = s.peer_member_code
left join marts.dim_action_plans p on p.action_plan_id = s.peer_action_plan_id
left join marts.fct_commitment_outcomes o on o.commitment_id = s.peer_commitment_id
where s.commitment_id in (select unnest($ids))
order by s.commitment_id, s.peer_rank
"""


def stored_peers(con: duckdb.DuckDBPyConnection, commitment_ids: list[str]) -> dict[str, Answer]:
    """The peers the monthly run ranked for tracked commitments (marts.fct_similar_commitments),
    as answers whose query is the commitment's own title."""
    answers: dict[str, Answer] = {}
    for row in con.execute(STORED_PEERS_SQL, {"ids": list(commitment_ids)}).fetchall():
        answer = answers.setdefault(row[0], Answer(row[1] or row[0]))
        answer.results.append(
            Peer(
                row[3],
                row[4] or row[5],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                row[10],
                row[11],
                row[12],
                row[13],
                row[14],
                row[15],
                row[16],
                row[17],
                row[18],
                bool(row[19]),
                bool(row[20]),
                bool(row[21]),
                bool(row[22]),
            )
        )
    return answers
