"""The answer to one question: the contract's JSON (`sql, tables, explanation, valid, errors, planner`)
plus what a person or app needs around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    question: str
    conversation_id: str
    planner: str
    sql: str | None = None
    tables: list[str] = field(default_factory=list)
    explanation: str = ""
    valid: bool = False
    errors: list[dict] = field(default_factory=list)
    engine_checked: bool = False
    stage: str | None = None
    statement_kind: str | None = None
    repairs: int = 0
    suggestions: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    chart: dict | None = None
    plan: dict | None = None  # the built-in planner's structured state, for follow-ups
    retrieved: list[dict] = field(default_factory=list)
    columns: list[str] | None = None
    rows: list[list[Any]] | None = None
    run: dict | None = None  # stop reason, change counts, job id
    # asking back (stage "clarify"): {"question": ..., "options": [{"label": ..., "question": ...}]}
    clarification: dict | None = None
    # the CheckedStatement of a valid answer (its canonical text is `sql`): what a run submits
    statement: Any = field(default=None, repr=False, compare=False)

    @property
    def chart_kind(self) -> str | None:
        """The chart the question asked for ("line", "bar", "auto"), if any."""
        if not self.chart:
            return None
        return self.chart.get("kind") or self.chart.get("type")

    def turn(self) -> dict:
        """This exchange as conversation history, for a follow-up question."""
        return {"question": self.question, "sql": self.sql, "plan": self.plan, "planner": self.planner, "valid": self.valid}

    def to_dict(self) -> dict:
        d: dict[str, Any] = {
            "sql": self.sql,
            "tables": self.tables,
            "explanation": self.explanation,
            "valid": self.valid,
            "errors": self.errors,
            "planner": self.planner,
            "engine_checked": self.engine_checked,
            "stage": self.stage,
            "statement_kind": self.statement_kind,
            "repairs": self.repairs,
            "question": self.question,
            "conversation_id": self.conversation_id,
            "suggestions": self.suggestions,
            "notices": self.notices,
            "chart": self.chart,
            "retrieved": self.retrieved,
        }
        if self.clarification is not None:
            d["clarification"] = self.clarification
        if self.columns is not None:
            d["columns"] = self.columns
            d["rows"] = self.rows or []
            d["run"] = self.run
        return d
