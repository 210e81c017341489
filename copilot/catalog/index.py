"""Topic retrieval: `TopicIndex` is the interface; `HybridTopicIndex` fuses BM25, embeddings kept in a
chromadb persistent collection, and the catalog's relationships (see docs/retrieval.md)."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Iterable

import numpy as np

from copilot import settings
from copilot.capabilities.catalog import IndexReport, TopicIndex
from copilot.catalog.embedding import Embedder, EmbeddingUnavailable, load_embedder
from copilot.catalog.fusion import SearchHit, fuse
from copilot.catalog.lexical import BM25, tokenize
from copilot.catalog.model import TopicSchema
from copilot.catalog.semantic import prefer_originals, twins

log = logging.getLogger(__name__)

# With COPILOT_EMBEDDING_MODEL=auto: MiniLM (best first answers) up to this many topics, the static
# model above (MiniLM indexes ~12 topics/s and takes ~16 ms a question on 2 cores; bench/bench_retrieval.py).
AUTO_STATIC_ABOVE_TOPICS = 2000
# Up to this many topics the vectors live in one numpy file (vector_store.py): exact, opened in a
# millisecond, and chromadb stays off the import path; above it, a chromadb persistent collection.
SMALL_CATALOG_TOPICS = 1000
CANDIDATES = 50  # best topics taken from each retriever before fusion
EXPAND_FROM = 10  # related topics of this many leading candidates join the candidates


def document_text(schema: TopicSchema, related: Iterable[str] = ()) -> str:
    """The text that represents a topic for retrieval."""
    name_words = schema.topic.replace("_", " ").replace(".", " ").replace("-", " ")
    # The name is repeated: a topic named like the question's subject should outrank one that mentions it.
    lines = [f"{name_words}. {name_words}. {name_words}. {schema.description}".strip()]
    names = list(schema.synonyms) + list(schema.verbs)
    if names:  # the topic's own other names and verbs, as strong as a field's synonyms
        lines.append("also called " + ", ".join(names) + "; " + ", ".join(names))
    for f in schema.fields:
        parts = [f.name.replace("_", " ")]
        if f.description:
            parts.append(f.description)
        if f.synonyms:
            # Twice: a field's business synonyms are the strongest vocabulary signal a catalog has.
            parts.append("also called " + ", ".join(f.synonyms) + "; " + ", ".join(f.synonyms))
        if f.values:
            labels = [label if label == value else f"{value} {label}" for value, label in f.values.items()]
            parts.append("values " + ", ".join(labels))
        lines.append("; ".join(parts))
    for rel in schema.relationships:
        lines.append(f"{rel.field.replace('_', ' ')} links to {rel.target_topic.replace('_', ' ')}")
    for other in related:
        lines.append(f"referenced by {other.replace('_', ' ')}")
    for ex in schema.examples:
        lines.append(ex.question)
    return "\n".join(lines)


def related_topics(topics: dict[str, TopicSchema]) -> dict[str, set[str]]:
    """Undirected relationship graph between catalog topics."""
    graph: dict[str, set[str]] = {name: set() for name in topics}
    for name, schema in topics.items():
        for rel in schema.relationships:
            if rel.target_topic in topics and rel.target_topic != name:
                graph[name].add(rel.target_topic)
                graph[rel.target_topic].add(name)
    return graph


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def default_chroma_path() -> Path:
    return settings.home() / "state" / "chroma"


class HybridTopicIndex(TopicIndex):
    """BM25 + embeddings in a chromadb PersistentClient + relationship boost.

    `embedder=None` loads the configured model; if that fails, search is lexical and `notices` says so.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        embedder: Embedder | None | str = "auto",
        use_embeddings: bool = True,
        namespace: str = "default",
    ):
        """`namespace` separates catalogs sharing one chromadb directory (the CLI passes the catalog dir)."""
        self.path = Path(path) if path else default_chroma_path()
        self.namespace = namespace
        self.notices: list[str] = []
        self._embedder: Embedder | None = None
        self._auto_large_catalog = False
        if use_embeddings:
            if isinstance(embedder, Embedder):
                self._embedder = embedder
            else:
                kind = (
                    embedder
                    if isinstance(embedder, str) and embedder != "auto"
                    else (settings.get("COPILOT_EMBEDDING_MODEL") or "auto")
                )
                self._auto_large_catalog = kind == "auto"
                kind = "minilm" if kind == "auto" else kind
                # The configured model first, then the small static one, then lexical only.
                for candidate in dict.fromkeys([kind, "static"]) if kind != "none" else []:
                    try:
                        self._embedder = load_embedder(candidate)
                        break
                    except EmbeddingUnavailable as exc:
                        self.notices.append(f"embedding model {candidate!r} unavailable: {exc}")
                if self._embedder is None and kind != "none":
                    self.notices.append("search is lexical only (BM25)")
                for notice in self.notices:
                    log.warning("%s", notice)
        self._collection = None
        self._store_kind = "numpy"  # or "chroma" above SMALL_CATALOG_TOPICS (set by index())
        self._bm25: BM25 | None = None
        self._twins: dict[str, str] = {}  # topic → the topic whose records it repeats (catalog `same_records_as`)
        self._graph: dict[str, set[str]] = {}
        self._query_cache: dict[str, np.ndarray] = {}
        self._indexed_hashes: dict[str, str] = {}
        self._name_words: dict[str, frozenset[str]] = {}
        self._by_name_word: dict[str, list[str]] = {}

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder

    def _open_collection(self):
        if self._collection is None and self._embedder is not None:
            scope = hashlib.sha256(self.namespace.encode("utf-8")).hexdigest()[:10]
            name = "topics-" + re.sub(r"[^a-zA-Z0-9_-]", "-", self._embedder.name) + "-" + scope
            if self._store_kind == "numpy":
                from copilot.catalog.vector_store import NumpyVectorStore

                self._collection = NumpyVectorStore(self.path / f"{name}.npz", self._embedder.dimension)
                return self._collection
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            self.path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(self.path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
            )
            # embedding_function=None: we always pass our own vectors, so chromadb never loads its default model.
            self._collection = client.get_or_create_collection(
                name=name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        return self._collection

    def _fit_embedder_to(self, topic_count: int) -> None:
        if (
            self._auto_large_catalog
            and topic_count > AUTO_STATIC_ABOVE_TOPICS
            and self._embedder is not None
            and self._embedder.name != "tokenlearn-static-64d"
        ):
            try:
                self._embedder = load_embedder("static")
            except EmbeddingUnavailable:
                return
            self._collection = None
            self._query_cache.clear()
            self.notices.append(f"{topic_count} topics: using the static embedding model (set COPILOT_EMBEDDING_MODEL to choose)")

    def index(self, topics: dict[str, TopicSchema]) -> IndexReport:
        self._fit_embedder_to(len(topics))
        store_kind = "numpy" if len(topics) <= SMALL_CATALOG_TOPICS else "chroma"
        if store_kind != self._store_kind:
            self._store_kind, self._collection, self._indexed_hashes = store_kind, None, {}
        graph = related_topics(topics)
        self._twins = twins(topics)
        documents = {
            name: document_text(schema, sorted(graph[name] - {r.target_topic for r in schema.relationships}))
            for name, schema in topics.items()
        }
        hashes = {name: content_hash(text) for name, text in documents.items()}
        if hashes == self._indexed_hashes:  # same catalog as last call: nothing to rebuild or re-embed
            return IndexReport(unchanged=len(hashes))
        self._graph = graph
        self._bm25 = BM25(documents)
        self._name_words = {name: frozenset(tokenize(name, drop_stopwords=False)) for name in topics}
        self._by_name_word: dict[str, list[str]] = {}
        for name, words in self._name_words.items():
            for word in words:
                self._by_name_word.setdefault(word, []).append(name)
        report = IndexReport()
        collection = self._open_collection()
        if collection is None:
            report.unchanged = len(documents)
            self._indexed_hashes = hashes
            return report
        existing = collection.get(include=["metadatas"])
        stored = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"])}
        stale = [i for i in stored if i not in documents]
        if stale:
            for start in range(0, len(stale), 5000):
                collection.delete(ids=stale[start : start + 5000])
            report.removed = stale
        todo = [name for name in documents if stored.get(name) != hashes[name]]
        report.added = [n for n in todo if n not in stored]
        report.updated = [n for n in todo if n in stored]
        report.unchanged = len(documents) - len(todo)
        batch = 256
        for start in range(0, len(todo), batch):
            names = todo[start : start + batch]
            vectors = self._embedder.embed([documents[n] for n in names])
            collection.upsert(
                ids=names,
                embeddings=vectors.tolist(),
                metadatas=[{"hash": hashes[n]} for n in names],
                documents=[documents[n] for n in names],
            )
            report.embedded += len(names)
        self._indexed_hashes = hashes
        return report

    def _query_vector(self, text: str) -> np.ndarray:
        vector = self._query_cache.get(text)
        if vector is None:
            vector = self._embedder.embed([text])[0]
            if len(self._query_cache) > 512:
                self._query_cache.clear()
            self._query_cache[text] = vector
        return vector

    def semantic_candidates(self, text: str, n: int = CANDIDATES) -> dict[str, float]:
        """Cosine similarity of the best `n` topics (empty without an embedding model)."""
        collection = self._open_collection()
        if collection is None or self._bm25 is None or not len(self._bm25):
            return {}
        n = min(n, len(self._bm25))
        result = collection.query(query_embeddings=[self._query_vector(text).tolist()], n_results=n, include=["distances"])
        # Only topics of the indexed catalog: another process may have changed the collection since index().
        return {i: 1.0 - float(d) for i, d in zip(result["ids"][0], result["distances"][0]) if i in self._bm25}

    def _cosines(self, text: str, names: list[str]) -> dict[str, float]:
        collection = self._open_collection()
        if collection is None or not names:
            return {}
        got = collection.get(ids=names, include=["embeddings"])
        query = self._query_vector(text)
        return {i: float(np.dot(np.asarray(v, dtype=np.float32), query)) for i, v in zip(got["ids"], got["embeddings"])}

    def search(self, text: str, k: int = 5, *, mode: str = "fused") -> list[SearchHit]:
        """`mode`: "fused" (default), "lexical" or "semantic" (the last two for measurement)."""
        if self._bm25 is None:
            raise RuntimeError("call index(topics) before search()")
        if not tokenize(text, drop_stopwords=False):
            return []
        scores = self._bm25.scores(text) if mode in ("fused", "lexical") else None
        lexical = dict(self._bm25.top_from(scores, CANDIDATES)) if scores is not None else {}
        semantic = self.semantic_candidates(text) if mode in ("fused", "semantic") else {}
        if mode != "fused":  # one signal alone, for measurement
            return fuse(lexical, semantic)[:k]
        # Related topics of the leading candidates join even when neither retriever ranked them:
        # "how long after the order is the parcel shipped" needs orders next to shipments.
        leading = [h.topic for h in fuse(lexical, semantic)[:EXPAND_FROM]]
        named = self.named_topics(text)
        extra = sorted({r for t in leading for r in self._graph.get(t, ())} | named)
        extra = [r for r in extra if r not in lexical and r not in semantic]
        names = list(dict.fromkeys([*lexical, *semantic, *extra]))
        # Every candidate gets both scores, not only the ones its retriever ranked in its top list.
        lexical.update(
            {name: score for name in names if name not in lexical and (score := self._bm25.score_of(scores, name)) > 0}
        )
        if self._open_collection() is not None:
            semantic.update(self._cosines(text, [name for name in names if name not in semantic]))
        coverage, idf = self._bm25.coverage(text, names)
        hits = fuse(lexical, semantic, self._graph, coverage, idf, named)
        if self._twins:  # a topic with the same records as another ranks after it, unless the question names it
            asked = {t for t, o in self._twins.items() if t in named or coverage.get(t, set()) - coverage.get(o, set())}
            order = prefer_originals([h.topic for h in hits], self._twins, asked)
            if order != [h.topic for h in hits]:
                by_name, scores = {h.topic: h for h in hits}, [h.score for h in hits]
                hits = [by_name[name] for name in order]
                for hit, score in zip(hits, scores):
                    hit.score = score
        return hits[:k]

    def named_topics(self, text: str) -> set[str]:
        """Topics every word of whose name the question contains ("orders", "page views")."""
        words = set(tokenize(text, drop_stopwords=False))
        seen = {name for word in words for name in self._by_name_word.get(word, ())}
        return {name for name in seen if self._name_words[name] <= words}
