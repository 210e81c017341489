"""Vectors of a catalog's words (names, synonyms, value labels, metric names), computed once per phrase list
and model and kept under FLINK_COPILOT_HOME/cache, so reading a word by meaning costs one embedding of that
word (about 10 ms with MiniLM) and a dot product, not a pass over the whole vocabulary (seconds)."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from copilot import settings
from copilot.catalog.embedding import Embedder, EmbeddingUnavailable

log = logging.getLogger(__name__)
FORMAT = 1


class TermVectors:
    """Nearest catalog phrases to a word by cosine similarity. `embedder_factory` is called on first use;
    if it raises EmbeddingUnavailable, `nearest` returns nothing (the caller keeps its lexical answer)."""

    def __init__(self, embedder_factory: Callable[[], Embedder], cache_dir: Path | None = None):
        self._factory = embedder_factory
        self._embedder: Embedder | None = None
        self._failed = False
        self._cache_dir = cache_dir
        self._tables: dict[str, np.ndarray] = {}
        self._words: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _model(self) -> Embedder | None:
        if self._embedder is None and not self._failed:
            try:
                self._embedder = self._factory()
            except EmbeddingUnavailable as exc:
                log.warning("words outside the catalog are not read by meaning: %s", exc)
                self._failed = True
        return self._embedder

    def _table(self, phrases: Sequence[str], model: Embedder) -> np.ndarray:
        digest = hashlib.sha256(f"{FORMAT}|{model.name}|".encode() + "\n".join(phrases).encode()).hexdigest()[:20]
        table = self._tables.get(digest)
        if table is not None:
            return table
        path = (self._cache_dir or settings.home() / "cache") / f"terms-{digest}.npy"
        try:
            table = np.load(path)
            if table.shape != (len(phrases), model.dimension):
                table = None
        except (OSError, ValueError):
            table = None
        if table is None:
            table = model.embed(list(phrases))
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(tmp, table)
                os.replace(tmp, path)
            except OSError as exc:  # a read-only home: the vectors are kept in memory only
                log.info("term vectors not cached at %s: %s", path, exc)
        if len(self._tables) >= 8:
            self._tables.pop(next(iter(self._tables)))
        self._tables[digest] = table
        return table

    def warm(self, phrases: Sequence[str]) -> bool:
        """Compute (or load from the cache) the vectors of `phrases` ahead of the first question that needs them
        (about 6 s for a catalog of 1,100 phrases); False when no model is available."""
        if not phrases:
            return False
        with self._lock:
            model = self._model()
            if model is None:
                return False
            self._table(phrases, model)
            return True

    def nearest(self, phrases: Sequence[str], text: str, n: int = 8) -> list[tuple[str, float]]:
        """The `n` phrases closest in meaning to `text`, best first, with their cosine similarity."""
        if not phrases:
            return []
        with self._lock:
            model = self._model()
            if model is None:
                return []
            table = self._table(phrases, model)
            query = self._words.get(text)
            if query is None:
                query = model.embed([text])[0]
                if len(self._words) > 4096:
                    self._words.clear()
                self._words[text] = query
        scores = table @ query
        best = np.argsort(-scores)[:n]
        return [(phrases[i], float(scores[i])) for i in best]
