"""A small persisted vector store: one .npz file of topic vectors keyed by id, with each vector's content hash.

For a catalog of a few hundred topics an exact cosine over a numpy matrix answers in microseconds, and
opening it is one file read, where importing chromadb and opening its collection costs most of a second
of a command's wall time. It offers the subset of chromadb's collection API that HybridTopicIndex uses
(get, upsert, delete, query), so the index treats both alike; larger catalogs use chromadb.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

KEEP_FILES = 128


class NumpyVectorStore:
    def __init__(self, path: str | os.PathLike, dimension: int):
        self.path = Path(path)
        self.dimension = dimension
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._hashes: list[str] = []
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                ids, hashes, vectors = list(data["ids"]), list(data["hashes"]), data["vectors"]
        except (OSError, KeyError, ValueError):
            return  # absent or unreadable: rebuilt by the next index()
        if vectors.ndim == 2 and vectors.shape[1] == self.dimension and len(ids) == len(hashes) == len(vectors):
            self._ids, self._hashes, self._vectors = [str(i) for i in ids], [str(h) for h in hashes], vectors.astype(np.float32)
            try:
                os.utime(self.path)  # used: pruning keeps it
            except OSError:
                pass

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, ids=np.array(self._ids, dtype=str), hashes=np.array(self._hashes, dtype=str), vectors=self._vectors)
        os.replace(tmp, self.path)
        from copilot.catalog.load_cache import prune

        prune(self.path.parent, "topics-*.npz", KEEP_FILES)  # one file per catalog: keep the recent ones

    def count(self) -> int:
        return len(self._ids)

    def get(self, ids: Sequence[str] | None = None, include: Sequence[str] = ("metadatas",)) -> dict:
        with self._lock:
            position = {i: n for n, i in enumerate(self._ids)}
            rows = [position[i] for i in ids if i in position] if ids is not None else list(range(len(self._ids)))
            out: dict = {"ids": [self._ids[r] for r in rows]}
            if "metadatas" in include:
                out["metadatas"] = [{"hash": self._hashes[r]} for r in rows]
            if "embeddings" in include:
                out["embeddings"] = [self._vectors[r] for r in rows]
            return out

    def upsert(self, ids: Sequence[str], embeddings, metadatas: Sequence[dict], documents=None) -> None:
        vectors = np.asarray(embeddings, dtype=np.float32).reshape(len(ids), self.dimension)
        with self._lock:
            position = {i: n for n, i in enumerate(self._ids)}
            fresh = []
            for i, vector, meta in zip(ids, vectors, metadatas):
                if i in position:
                    self._vectors[position[i]] = vector
                    self._hashes[position[i]] = str(meta.get("hash", ""))
                else:
                    fresh.append((i, vector, str(meta.get("hash", ""))))
            if fresh:
                self._ids += [f[0] for f in fresh]
                self._hashes += [f[2] for f in fresh]
                self._vectors = np.vstack([self._vectors, np.stack([f[1] for f in fresh])])
            self._save()

    def delete(self, ids: Sequence[str]) -> None:
        drop = set(ids)
        with self._lock:
            keep = [n for n, i in enumerate(self._ids) if i not in drop]
            self._ids = [self._ids[n] for n in keep]
            self._hashes = [self._hashes[n] for n in keep]
            self._vectors = self._vectors[keep] if keep else np.zeros((0, self.dimension), dtype=np.float32)
            self._save()

    def query(self, query_embeddings, n_results: int, include: Sequence[str] = ("distances",)) -> dict:
        """Cosine distance (1 - cosine) of the `n_results` nearest vectors, as chromadb returns them."""
        with self._lock:
            ids, vectors = list(self._ids), self._vectors
        result: dict = {"ids": [], "distances": []}
        for query in np.asarray(query_embeddings, dtype=np.float32).reshape(-1, self.dimension):
            norm = np.linalg.norm(vectors, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
            cosine = (vectors @ query) / np.maximum(norm, 1e-12)
            order = np.argsort(-cosine)[:n_results]
            result["ids"].append([ids[n] for n in order])
            result["distances"].append([float(1.0 - cosine[n]) for n in order])
        return result
