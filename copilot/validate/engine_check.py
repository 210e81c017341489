"""Engine stage: Flink's own planner (through the SQL Gateway) explains the statement in a session
where the referenced catalog tables are registered."""

from __future__ import annotations

import re
from collections.abc import Mapping

from copilot.catalog.model import TopicSchema
from copilot.flink.base import FlinkSqlError, SqlEngine
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue

_QUOTED_NAME = re.compile(r"['`\"]([A-Za-z_][\w.]*)['`\"]")


def table_ddls(tables: list[str], catalog: Mapping[str, TopicSchema]) -> dict[str, str]:
    from copilot.catalog.ddl import create_table_sql  # the catalog area; imported when needed

    return {name: create_table_sql(catalog[name]) for name in tables if name in catalog}


def check_engine(
    engine: SqlEngine, statement_text: str, tables: list[str], catalog: Mapping[str, TopicSchema], positions: TextPositions
) -> tuple[list[ValidationIssue], str | None]:
    """Issues (empty when Flink accepts the statement) and Flink's plan text."""
    try:
        plan = engine.explain(statement_text, table_ddls(tables, catalog))
    except FlinkSqlError as exc:
        line, column = _locate(exc, positions)
        return [ValidationIssue("engine", exc.message, line, column, _hint(exc.message))], None
    return [], plan


def _locate(exc: FlinkSqlError, positions: TextPositions) -> tuple[int, int]:
    if exc.line is not None and exc.column is not None:
        return max(1, exc.line), max(1, exc.column)
    # Validation errors from the planner often name the object but give no position.
    for name in _QUOTED_NAME.findall(exc.message):
        found = positions.find(name.split(".")[-1])
        if found:
            return found
    return 1, 1


def _hint(message: str) -> str | None:
    lowered = message.lower()
    if "not found" in lowered and "column" in lowered:
        return "check the column names with `flink-copilot catalog show TOPIC`"
    if "rowtime" in lowered or "time attribute" in lowered:
        return "windows and interval joins need the table's event-time column"
    return None
