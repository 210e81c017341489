"""Questions the copilot can answer, offered when it cannot answer the one asked."""

from __future__ import annotations

from copilot.catalog.model import TopicSchema


def suggestions(topics: dict[str, TopicSchema], retrieved: list[tuple[str, float]], limit: int = 4) -> list[str]:
    order = [t for t, _ in retrieved if t in topics] + [t for t in topics if t not in {r for r, _ in retrieved}]
    out: list[str] = []
    for topic in order:
        for example in topics[topic].examples:
            if example.question not in out:
                out.append(example.question)
                break
        if len(out) >= limit:
            break
    return out
