"""The validation result shape shared by every stage (contract section 1, `validate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STAGES = ("parse", "policy", "catalog", "engine")


@dataclass
class ValidationIssue:
    stage: str  # parse | policy | catalog | engine
    message: str
    line: int  # 1-based, into the user's text
    column: int  # 1-based
    hint: str | None = None
    reason: str | None = None  # policy refusals: a stable name, e.g. "ddl", "options_hint"

    def to_dict(self) -> dict[str, Any]:
        d = {"stage": self.stage, "message": self.message, "line": self.line, "column": self.column, "hint": self.hint}
        if self.reason:
            d["reason"] = self.reason
        return d

    def __str__(self) -> str:
        text = f"{self.stage} error at line {self.line}, column {self.column}: {self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass
class ValidationResult:
    valid: bool
    stage: str  # the failing stage, or "ok"
    errors: list[ValidationIssue] = field(default_factory=list)
    statement_kind: str | None = None
    tables: list[str] = field(default_factory=list)
    expression: Any = None  # the sqlglot tree, or None when it did not parse
    engine_checked: bool = False
    plan: str | None = None  # Flink's plan text when the engine stage ran and accepted the statement
    statement: Any = None  # the CheckedStatement (canonical text) of a valid statement: what may be submitted

    @property
    def sql(self) -> str | None:
        """The canonical text: what is shown, explained, audited and submitted (None unless valid)."""
        return self.statement.sql if self.statement is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stage": self.stage,
            "errors": [e.to_dict() for e in self.errors],
            "statement_kind": self.statement_kind,
            "tables": list(self.tables),
            "engine_checked": self.engine_checked,
            "sql": self.sql,
        }
