"""Catalog store (where topic schemas live) and topic index (which topics a question is about)."""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from copilot.catalog.fusion import SearchHit
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError


@dataclass
class CatalogProblem:
    file: str
    line: int | None  # 1-based; None when the problem concerns the whole file
    message: str
    severity: str = "error"  # "error": the topic is not loaded; "warning": it loads anyway

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message, "severity": self.severity}


@dataclass
class CatalogLoad:
    topics: dict[str, TopicSchema] = field(default_factory=dict)
    problems: list[CatalogProblem] = field(default_factory=list)


class CatalogStore(ABC):
    """Where topic schemas live. Implementations are passed to whoever needs the catalog."""

    @abstractmethod
    def load(self) -> CatalogLoad:
        """Every readable topic, and a problem for every file or entry that could not be used."""

    @abstractmethod
    def save(self, schema: TopicSchema) -> str:
        """Write `schema`, keeping what a human added to an existing entry. Returns where it went."""

    def remove(self, topic: str) -> str | None:
        """Forget `topic` (a deleted job's output). Returns where it was, or None if it was not there."""
        raise NotImplementedError(f"{type(self).__name__} cannot remove topics")

    def get(self, topic: str) -> TopicSchema:
        """One topic; an unknown name raises RequestError with the closest names as a hint."""
        topics = self.load().topics
        if topic in topics:
            return topics[topic]
        raise unknown_topic(topic, topics)


def unknown_topic(topic: str, known: Iterable[str]) -> RequestError:
    names = sorted(known)
    close = difflib.get_close_matches(topic, names, n=3, cutoff=0.5)
    if not close:
        close = [n for n in names if topic.lower() in n.lower() or n.lower() in topic.lower()][:3]
    hint = f"did you mean {', '.join(close)}?" if close else "run `flink-copilot catalog list` to see the topics"
    return RequestError(f"unknown topic {topic!r}", hint=hint)


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0


class TopicIndex(ABC):
    """Finds the topics a question is about."""

    notices: list[str]

    @abstractmethod
    def index(self, topics: dict[str, TopicSchema]) -> IndexReport:
        """Make the index reflect exactly `topics`; unchanged topics are not re-embedded."""

    @abstractmethod
    def search(self, text: str, k: int = 5) -> list[SearchHit]:
        """The `k` most relevant topics, best first."""
