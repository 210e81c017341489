"""Engine stage: Flink's own planner (through the SQL Gateway) explains the statement in a session
where the referenced catalog tables are registered."""

from __future__ import annotations

import re
from collections.abc import Mapping

from copilot.catalog.model import TopicSchema
from copilot.flink.base import FlinkSqlError, SqlEngine
from copilot.flink.plan_check import disagreements
from copilot.sql.statement import CheckedStatement, TrustedStatement
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue

_WORD = re.compile(r"`[^`]+`|\w+")
_QUOTED_NAME = re.compile(r"['`\"]([A-Za-z_][\w.]*)['`\"]")


def table_ddls(tables: list[str], catalog: Mapping[str, TopicSchema]) -> dict[str, TrustedStatement]:
    from copilot.catalog.ddl import table_statements  # the catalog area; imported when needed

    return table_statements(tables, catalog)


def check_engine(
    engine: SqlEngine,
    statement: CheckedStatement,
    tables: list[str],
    catalog: Mapping[str, TopicSchema],
    positions: TextPositions,
) -> tuple[list[ValidationIssue], str | None]:
    """Issues (empty when Flink accepts the statement) and Flink's plan text. Flink reads the canonical
    text; its error positions are mapped back into the user's text through the word they point at."""
    try:
        plan = engine.explain(statement, table_ddls(tables, catalog))
    except FlinkSqlError as exc:
        line, column = _locate(exc, positions, statement.sql)
        return [ValidationIssue("engine", exc.message, line, column, _hint(exc.message))], None
    # Defence in depth: Flink's own reading must be what the validator saw (a read of the listed tables).
    found = disagreements(plan, kind=statement.kind, tables=statement.tables, sink=statement.sink, hints=statement.hints)
    if found:
        return [
            ValidationIssue(
                "engine",
                f"Flink does not read this statement as it was checked: {d.message}",
                1,
                1,
                "write the query plainly; report this if it is an ordinary query",
                reason=d.reason,
            )
            for d in found
        ], None
    return [], plan


def _locate(exc: FlinkSqlError, positions: TextPositions, canonical: str) -> tuple[int, int]:
    if exc.line is not None and exc.column is not None:
        if canonical == positions.text:
            return max(1, exc.line), max(1, exc.column)
        word = _word_at(canonical, exc.line, exc.column)
        found = positions.find(word) if word else None
        if found:
            return found
    # Validation errors from the planner often name the object but give no position.
    for name in _QUOTED_NAME.findall(exc.message):
        found = positions.find(name.split(".")[-1])
        if found:
            return found
    return 1, 1


def _word_at(text: str, line: int, column: int) -> str | None:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    match = _WORD.match(lines[line - 1], max(0, column - 1))
    return match.group(0).strip("`") if match else None


def _hint(message: str) -> str | None:
    lowered = message.lower()
    if "not found" in lowered and "column" in lowered:
        return "check the column names with `flink-copilot catalog show TOPIC`"
    if "rowtime" in lowered or "time attribute" in lowered:
        return "windows and interval joins need the table's event-time column"
    return None
