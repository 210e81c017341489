"""Planner: turns a question (with the catalog, the retrieved topics and the conversation) into a draft."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from copilot.catalog.model import TopicSchema


@dataclass
class Turn:
    """One earlier exchange of a conversation. `plan` is the built-in planner's structured state."""

    question: str
    sql: str | None = None
    plan: dict[str, Any] | None = None
    planner: str | None = None
    valid: bool | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Turn:
        return cls(d.get("question", ""), d.get("sql"), d.get("plan"), d.get("planner"), d.get("valid"))

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "sql": self.sql, "plan": self.plan, "planner": self.planner, "valid": self.valid}


@dataclass
class PlanRequest:
    question: str
    topics: dict[str, TopicSchema]  # the whole catalog
    retrieved: list[tuple[str, float]]  # (topic, score), best first
    history: list[Turn] = field(default_factory=list)

    def retrieved_topics(self) -> list[TopicSchema]:
        return [self.topics[t] for t, _ in self.retrieved if t in self.topics]


@dataclass
class Draft:
    """A planner's proposal. `confident=False` means: no query, say why and suggest questions."""

    planner: str  # "builtin" | "llm" | "verified"
    sql: str | None = None
    tables: list[str] = field(default_factory=list)
    explanation: str = ""
    state: dict[str, Any] | None = None  # structured plan, kept for follow-ups
    confident: bool = True
    reason: str | None = None
    suggestions: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    # Asking back: {"question": ..., "options": [{"label": ..., "question": ...}]} (confident=False, no SQL)
    clarification: dict[str, Any] | None = None


class Planner(ABC):
    name: str = "planner"

    @abstractmethod
    def plan(self, request: PlanRequest) -> Draft:
        """A first draft for the question (never raises for a question it does not understand:
        returns a draft with confident=False instead)."""

    def repair(self, request: PlanRequest, draft: Draft, errors: list[dict[str, Any]]) -> Draft | None:
        """A corrected draft given the validator's structured errors, or None when it cannot."""
        return None


class PlannerFailure(Exception):
    """The planner itself failed (model unreachable, reply unusable): the agent falls back."""
