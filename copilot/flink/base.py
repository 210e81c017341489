"""Flink's refusal of a statement, and the engine capabilities (copilot.capabilities.engine) re-exported."""

from __future__ import annotations

from copilot.capabilities.engine import SqlEngine, SqlGateway
from copilot.errors import RequestError

__all__ = ["FlinkSqlError", "SqlEngine", "SqlGateway"]


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
