"""The capability the validator and the agent need from Flink's SQL Gateway."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING

from copilot.errors import RequestError

if TYPE_CHECKING:
    from copilot.sql.statement import CheckedStatement, TrustedStatement


class FlinkSqlError(RequestError):
    """Flink refused a statement. `message` is the root cause a person can act on;
    `line`/`column` (1-based) point into the submitted statement when Flink said where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, detail: str = ""):
        super().__init__(message, hint="fix the statement; `flink-copilot validate` shows where")
        self.line = line
        self.column = column
        self.detail = detail  # the full Flink text, for logs only

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FlinkSqlError({self.message!r}, line={self.line}, column={self.column})"


class SqlEngine(ABC):
    """Flink's planner as a validator: explains a statement in a session where the given
    tables are registered."""

    @abstractmethod
    def explain(self, statement: "CheckedStatement | TrustedStatement", table_ddls: "Mapping[str, TrustedStatement]") -> str:
        """Return Flink's plan text of the statement's canonical text, or raise FlinkSqlError.
        `table_ddls` maps table name to its TrustedStatement.create_table; only those tables are
        registered for the statement."""
