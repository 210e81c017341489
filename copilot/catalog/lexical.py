"""BM25 over topic documents: the lexical half of retrieval, and all of it when no embedding model loads."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
# Question scaffolding that says nothing about which topic is meant.
STOPWORDS = frozenset(
    """a an the and or of in on at to for by per with from into over under is are was were be been being do does did
    how what which who whom whose when where why many much show me give list tell find get we our us you your i my
    it its this that these those there their than then as each every all any some most more less top last past
    current currently now live right just so far today yesterday minute minutes second seconds hour hours day days
    week weeks month months year years time window rolling running updated update every please can could would should
    number count total average avg sum rate share""".split()
)


def stem(word: str) -> str:
    """A light English stemmer: enough to match plurals and -ing/-ed forms of business words."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + replacement
    return word


def tokenize(text: str, *, drop_stopwords: bool = True) -> list[str]:
    words = _WORD.findall((text or "").lower().replace("_", " "))
    return [stem(w) for w in words if not (drop_stopwords and w in STOPWORDS)]


class BM25:
    """Okapi BM25 with an inverted index held as numpy arrays, so a query costs O(postings of its terms)."""

    def __init__(self, documents: dict[str, str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.ids = list(documents)
        self._positions = {doc_id: i for i, doc_id in enumerate(self.ids)}
        lengths = np.zeros(len(self.ids), dtype=np.float32)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc_id in enumerate(self.ids):
            counts = Counter(tokenize(documents[doc_id], drop_stopwords=False))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((i, tf))
        n = max(len(self.ids), 1)
        avg = float(lengths.mean()) if len(self.ids) else 1.0
        self._norm = self.k1 * (1 - self.b + self.b * lengths / max(avg, 1e-9))
        self._index: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        for term, plist in postings.items():
            docs = np.fromiter((d for d, _ in plist), dtype=np.int32, count=len(plist))
            tfs = np.fromiter((t for _, t in plist), dtype=np.float32, count=len(plist))
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            self._index[term] = (docs, tfs, idf)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._positions

    def scores(self, query: str) -> np.ndarray:
        """A BM25 score per document, in `self.ids` order (zeros where no query term occurs)."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        for term in set(tokenize(query)):
            entry = self._index.get(term)
            if entry is None:
                continue
            docs, tfs, idf = entry
            total[docs] += idf * tfs * (self.k1 + 1) / (tfs + self._norm[docs])
        return total

    def top(self, query: str, k: int) -> list[tuple[str, float]]:
        return self.top_from(self.scores(query), k)

    def score_of(self, scores: np.ndarray, doc_id: str) -> float:
        position = self._positions.get(doc_id)
        return float(scores[position]) if position is not None else 0.0

    def top_from(self, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not len(scores):
            return []
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best if scores[i] > 0]

    def coverage(self, query: str, doc_ids: list[str]) -> tuple[dict[str, set[str]], dict[str, float]]:
        """Which query terms each of `doc_ids` contains, and each matched query term's idf."""
        positions = np.array([self._positions[d] for d in doc_ids if d in self._positions], dtype=np.int32)
        names = [d for d in doc_ids if d in self._positions]
        covered: dict[str, set[str]] = {d: set() for d in doc_ids}
        idf: dict[str, float] = {}
        for term in set(tokenize(query)):
            entry = self._index.get(term)
            if entry is None:
                continue
            docs, _, term_idf = entry
            idf[term] = term_idf
            for name, present in zip(names, np.isin(positions, docs)):
                if present:
                    covered[name].add(term)
        return covered, idf
