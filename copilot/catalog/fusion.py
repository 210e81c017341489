"""Score fusion for topic search: lexical + semantic + topic-name match + catalog relationships.
docs/retrieval.md describes it; the weights are here."""

from __future__ import annotations

from dataclasses import dataclass

LEXICAL_WEIGHT = 0.55
SEMANTIC_WEIGHT = 0.45
NAME_WEIGHT = 0.3
RELATIONSHIP_WEIGHT = 0.1
COMPLEMENT_WEIGHT = 0.6


@dataclass
class SearchHit:
    topic: str
    score: float
    lexical: float = 0.0
    semantic: float = 0.0
    related_via: str | None = None

    def to_dict(self) -> dict:
        d = {
            "topic": self.topic,
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "semantic": round(self.semantic, 4),
        }
        if self.related_via:
            d["related_via"] = self.related_via
        return d


def fuse(
    lexical: dict[str, float],
    semantic: dict[str, float],
    graph: dict[str, set[str]] | None = None,
    coverage: dict[str, set[str]] | None = None,
    idf: dict[str, float] | None = None,
    named: set[str] | None = None,
) -> list[SearchHit]:
    """Combine normalised lexical and semantic scores, then boost topics whose related topics also match,
    most when they cover query words their partner lacks (docs/retrieval.md)."""
    coverage, idf, named, graph = coverage or {}, idf or {}, named or set(), graph or {}
    hits: dict[str, SearchHit] = {}
    top_lex = max(lexical.values(), default=0.0)
    for name, score in lexical.items():
        hits.setdefault(name, SearchHit(name, 0.0)).lexical = score / top_lex if top_lex > 0 else 0.0
    if semantic:
        values = sorted(semantic.values())
        floor, ceiling = values[0], values[-1]
        span = max(ceiling - floor, 1e-6)
        for name, cos in semantic.items():
            hits.setdefault(name, SearchHit(name, 0.0)).semantic = max(0.0, (cos - floor) / span)
    lex_w, sem_w = (LEXICAL_WEIGHT, SEMANTIC_WEIGHT) if (lexical and semantic) else (1.0, 1.0)
    for hit in hits.values():
        hit.score = lex_w * hit.lexical + sem_w * hit.semantic + (NAME_WEIGHT if hit.topic in named else 0.0)
    base = {name: hit.score for name, hit in hits.items()}
    total_idf = sum(idf.values()) or 1.0
    for name, hit in hits.items():
        best, via = 0.0, None
        for other in graph.get(name, ()):
            if other not in base:
                continue
            novel = sum(idf[t] for t in coverage.get(name, set()) - coverage.get(other, set())) / total_idf
            bonus = RELATIONSHIP_WEIGHT * min(base[name], base[other]) + COMPLEMENT_WEIGHT * novel * base[other]
            if bonus > best:
                best, via = bonus, other
        if via is not None:
            hit.score += best
            hit.related_via = via
    return sorted(hits.values(), key=lambda h: (-h.score, h.topic))
