"""Topic retrieval benchmark: the six demo topics hidden among 1,000 and 10,000 distractors.

Reports recall@1 / recall@5 of the right topic set over tests/catalog/questions.yaml for BM25 alone,
embeddings alone and the fused retrieval; median search latency; index build time and the
incremental re-index after one topic changes. Writes bench/results/retrieval.json.

    .venv/bin/python bench/bench_retrieval.py            # MiniLM at 1k, static model at 1k and 10k
    .venv/bin/python bench/bench_retrieval.py --full     # also MiniLM at 10k (slow: ~15+ min on 2 cores)

recall@1: the first |expected| results are exactly the expected set.
recall@5: every expected topic is among the first 5 results.
"""

from __future__ import annotations

import argparse
import copy
import os

from copilot.settings import DEMO_CATALOG_DIR

# One BLAS thread: on a shared 2-core machine it is faster and far steadier than two for these matrix sizes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import write  # noqa: E402
from distractors import generate  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

from copilot.catalog.embedding import MiniLMEmbedder, StaticEmbedder  # noqa: E402
from copilot.catalog.index import HybridTopicIndex  # noqa: E402
from copilot.catalog.store import YamlCatalogStore  # noqa: E402

QUESTIONS = YAML(typ="safe").load((ROOT / "tests" / "catalog" / "questions.yaml").read_text())


def recall(index: HybridTopicIndex, mode: str) -> dict:
    at1 = at5 = 0
    misses = []
    for item in QUESTIONS:
        expected = set(item["topics"])
        hits = [h.topic for h in index.search(item["q"], 5, mode=mode)]
        at1 += set(hits[: len(expected)]) == expected
        at5 += expected <= set(hits[:5])
        if not expected <= set(hits[:5]):
            misses.append({"q": item["q"], "expected": sorted(expected), "got": hits[:5]})
    n = len(QUESTIONS)
    return {"recall@1": round(at1 / n, 3), "recall@5": round(at5 / n, 3), "misses@5": misses[:5]}


def latency_ms(index: HybridTopicIndex) -> dict:
    times = []
    for item in QUESTIONS:
        index._query_cache.clear()  # every query pays for its embedding
        start = time.perf_counter()
        index.search(item["q"], 5)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "p90_ms": round(sorted(times)[int(0.9 * len(times))], 2)}


def run(embedder, size: int, demo: dict) -> dict:
    topics = dict(demo)
    for t in generate(size):
        topics[t.topic] = t
    with tempfile.TemporaryDirectory() as tmp:
        index = HybridTopicIndex(Path(tmp) / "chroma", embedder=embedder)
        start = time.perf_counter()
        report = index.index(topics)
        build_s = time.perf_counter() - start
        changed = dict(topics)
        changed["orders"] = copy.deepcopy(topics["orders"])
        changed["orders"].description += " Includes gift card orders since 2026."
        start = time.perf_counter()
        incremental = index.index(changed)
        incremental_s = time.perf_counter() - start
        result = {
            "topics": len(topics),
            "embedder": embedder.name,
            "index_build_s": round(build_s, 2),
            "embedded": report.embedded,
            "incremental_reindex_s": round(incremental_s, 3),
            "incremental_embedded": incremental.embedded,
            "bm25": recall(index, "lexical"),
            "embeddings": recall(index, "semantic"),
            "fused": recall(index, "fused"),
            "search_latency": latency_ms(index),
        }
    line = (
        f"{result['topics']:>6} topics  {embedder.name:<22} build {result['index_build_s']:>7.1f}s  incr {result['incremental_reindex_s']:.3f}s  "
        f"R@1/R@5 bm25 {result['bm25']['recall@1']:.2f}/{result['bm25']['recall@5']:.2f}  "
        f"emb {result['embeddings']['recall@1']:.2f}/{result['embeddings']['recall@5']:.2f}  "
        f"fused {result['fused']['recall@1']:.2f}/{result['fused']['recall@5']:.2f}  median {result['search_latency']['median_ms']:.1f} ms"
    )
    print(line, flush=True)
    return result


def embedder_facts(embedder) -> dict:
    texts = [q["q"] for q in QUESTIONS]
    embedder.embed(texts[:2])
    start = time.perf_counter()
    for t in texts:
        embedder.embed([t])
    return {
        "name": embedder.name,
        "dimension": embedder.dimension,
        "query_embed_median_ms": round((time.perf_counter() - start) * 1000 / len(texts), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also run MiniLM at 10,000 topics")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--models", nargs="+", default=["static", "minilm"], choices=["static", "minilm"])
    args = parser.parse_args()
    demo = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    minilm, static = MiniLMEmbedder(), StaticEmbedder()
    runs = []
    for size in args.sizes:
        for embedder in (static, minilm):
            if embedder.name not in {
                static.name if "static" in args.models else None,
                minilm.name if "minilm" in args.models else None,
            }:
                continue
            if embedder is minilm and size > 1000 and not args.full:
                continue
            runs.append(run(embedder, size, demo))
    write(
        "retrieval" if args.models == ["static", "minilm"] else "retrieval-partial",
        {
            "load_average": os.getloadavg(),
            "questions": len(QUESTIONS),
            "embedders": [embedder_facts(minilm), embedder_facts(static)],
            "runs": runs,
            "goal": "recall@5 >= 0.95 at 1,000 distractors; median search < 20 ms at 10,000",
        },
    )


if __name__ == "__main__":
    main()
