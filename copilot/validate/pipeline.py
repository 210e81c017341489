"""validate(sql): parse -> policy -> catalog -> engine. The first stage that finds errors stops it."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Collection, Mapping

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from copilot import settings
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError, ServiceUnavailable
from copilot.flink.base import SqlEngine
from copilot.sql import flink_lexer
from copilot.sql.statement import CheckedStatement
from copilot.validate import lexical_policy
from copilot.validate.canonical import CanonicalError, checked_statement, tables_read
from copilot.validate.catalog_check import CatalogChecker
from copilot.validate.engine_check import check_engine
from copilot.validate.policy import _insert_allowed, check_policy, statement_kind
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue, ValidationResult

log = logging.getLogger(__name__)
DIALECT = "flink"


def validate(
    sql: str,
    catalog: Mapping[str, TopicSchema] | None = None,
    engine: SqlEngine | None = None,
    *,
    allow_insert_into: Collection[str] = (),
) -> ValidationResult:
    """Decide whether `sql` may run. `catalog=None` skips the catalog stage, `engine=None` the engine
    stage. Raises ServiceUnavailable when the engine stage is needed and the gateway is unreachable;
    any other problem, whatever the input (bytes, lone surrogates, ...), is a refusal, never an exception.
    A valid result carries `.statement`: the CheckedStatement (canonical text) that may be submitted."""
    try:
        return _validate(sql, catalog, engine, allow_insert_into)
    except ServiceUnavailable:
        raise
    except RecursionError:
        return _fail("parse", _too_deep("parse"))
    except Exception as exc:  # a bug must refuse the statement, not crash the caller
        log.exception("validation failed unexpectedly")
        return _fail(
            "parse",
            ValidationIssue(
                "parse",
                f"the statement could not be checked ({type(exc).__name__})",
                1,
                1,
                "simplify the statement; report this if it is an ordinary query",
                reason="unchecked",
            ),
        )


def _as_text(sql: object) -> tuple[str, ValidationIssue | None]:
    if isinstance(sql, (bytes, bytearray, memoryview)):
        sql = bytes(sql).decode("utf-8", errors="surrogateescape")  # invalid bytes become lone surrogates
    if not isinstance(sql, str):
        return "", ValidationIssue("parse", f"a statement is text, not {type(sql).__name__}", 1, 1, None, reason="not_text")
    bad = next((i for i, ch in enumerate(sql) if "\ud800" <= ch <= "\udfff" or ch == "\x00"), None)
    if bad is not None:
        line, column = TextPositions(sql).at_offset(bad)
        return sql, ValidationIssue(
            "parse",
            "the statement contains a character that is not valid text (invalid UTF-8, a lone surrogate or a NUL)",
            line,
            column,
            "send the statement as UTF-8 text",
            reason="invalid_text",
        )
    return sql, None


def _validate(sql, catalog, engine, allow_insert_into) -> ValidationResult:
    sql, issue = _as_text(sql)
    if issue:
        return _fail("parse", issue)
    positions = TextPositions(sql)
    limit = settings.get_int("COPILOT_MAX_SQL_BYTES")
    size = len(sql.encode("utf-8"))
    if size > limit:
        return _fail(
            "policy",
            ValidationIssue(
                "policy",
                f"the statement is {size:,} bytes, more than the limit of {limit:,}",
                1,
                1,
                "send a shorter statement (COPILOT_MAX_SQL_BYTES sets the limit)",
                reason="too_large",
            ),
        )

    try:  # Flink's own reading of comments, hints and quotes decides what sqlglot gets to parse
        lexed = flink_lexer.scan(sql)
    except flink_lexer.FlinkLexError as exc:
        line, column = positions.at_offset(exc.offset)
        return _fail(
            "parse",
            ValidationIssue("parse", exc.message, line, column, "look for an unclosed quote or comment", reason=exc.reason),
        )
    issue = lexical_policy.client_statement(lexed, positions)
    if issue:
        return _fail("policy", issue)

    statements, starts, issue = _parse(lexed.text, positions)
    if issue:
        if "nested too deeply" in issue.message:
            return _fail("parse", issue)
        named = lexical_policy.unparsed_statement(lexed, positions) or lexical_policy.check_hints(lexed, positions)
        return _fail("policy", named) if named else _fail("parse", issue)
    first = statements[0] if statements else None
    kind = statement_kind(first) if first is not None else None

    issues = check_policy(statements, positions, allow_insert_into, starts)
    if not issues and len(statements) == 1:
        hint_issue = lexical_policy.check_hints(lexed, positions)
        issues = [hint_issue] if hint_issue else []
    if issues:
        return _fail("policy", *issues, kind=kind, expression=first)

    assert first is not None and kind is not None  # no statement is a policy issue, returned above
    tables: list[str] = []
    sink = None
    if isinstance(first, exp.Insert) and _insert_allowed(first, allow_insert_into):
        target = first.this.this if isinstance(first.this, exp.Schema) else first.this
        sink = target.name  # the product's own sink table is not a catalog topic
    if catalog is not None:
        checker = CatalogChecker(catalog, positions)
        try:
            issues = checker.check(first, skip_tables={sink} if sink else set())
        except RecursionError:
            issues = [_too_deep("catalog")]
        tables = checker.tables
        if issues:
            return _fail("catalog", *issues, kind=kind, expression=first, tables=tables)
    else:
        tables = [t for t in tables_read(first) if t != sink]

    try:
        statement = checked_statement(first, kind, tables, sink=sink)
    except (CanonicalError, RecursionError) as exc:
        return _fail(
            "policy",
            ValidationIssue(
                "policy",
                f"the statement cannot be checked: {exc}",
                1,
                1,
                "write the query plainly, without unusual quoting or comments inside it",
                reason="not_canonical",
            ),
            kind=kind,
            expression=first,
            tables=tables,
        )

    if engine is not None:
        issues, plan = check_engine(engine, statement, tables, catalog or {}, positions)
        if issues:
            return _fail("engine", *issues, kind=kind, expression=first, tables=tables, engine_checked=True)
        statement = dataclasses.replace(statement, engine_checked=True)
        return ValidationResult(True, "ok", [], kind, tables, first, engine_checked=True, plan=plan, statement=statement)
    return ValidationResult(True, "ok", [], kind, tables, first, statement=statement)


def check(
    sql: str,
    catalog: Mapping[str, TopicSchema] | None = None,
    engine: SqlEngine | None = None,
    *,
    allow_insert_into: Collection[str] = (),
) -> CheckedStatement:
    """validate() for callers that go on to submit: the CheckedStatement, or RequestError naming the
    first problem (stage, reason, message) when the statement is refused."""
    result = validate(sql, catalog, engine, allow_insert_into=allow_insert_into)
    if not result.valid or result.statement is None:
        issue = result.errors[0]
        raise RequestError(
            f"refused ({issue.stage}{': ' + issue.reason if issue.reason else ''}): {issue.message}",
            hint=issue.hint or "check it with `flink-copilot validate`",
        )
    return result.statement


def _parse(sql: str, positions: TextPositions) -> tuple[list[exp.Expr], list[int], ValidationIssue | None]:
    """The statements, the offset where each starts, or the parse error."""
    dialect = Dialect.get_or_raise(DIALECT)
    try:
        tokens = dialect.tokenize(sql)
        parsed = dialect.parser().parse(tokens, sql)
    except ParseError as exc:
        error = exc.errors[0] if exc.errors else {}
        line = error.get("line") or 1
        end_column = error.get("col") or 1
        highlight = (error.get("highlight") or "").split("\n")[-1]
        column = max(1, end_column - len(highlight) + 1)
        message = _friendly(error.get("description") or str(exc).splitlines()[0])
        near = (error.get("highlight") or "").strip()
        if near:
            message = f"{message} (near {near[:40]!r})"
        return [], [], ValidationIssue("parse", message, line, column, "check the SQL syntax at that position")
    except TokenError as exc:
        line, column = _token_error_position(str(exc), positions)
        return (
            [],
            [],
            ValidationIssue("parse", f"cannot read the statement: {exc}", line, column, "look for an unclosed quote or comment"),
        )
    except RecursionError:
        return [], [], _too_deep("parse")
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    starts = [token.start for i, token in enumerate(tokens) if i == 0 or tokens[i - 1].token_type == TokenType.SEMICOLON]
    return statements, starts, None


def _friendly(description: str) -> str:
    # sqlglot's "Required keyword: 'this' missing for <class 'sqlglot....Where'>" names tree internals
    match = re.match(r"Required keyword: '\w+' missing for <class '[\w.]*\.(\w+)'>", description)
    return f"incomplete {match.group(1).upper()} clause or expression" if match else description


def _token_error_position(message: str, positions: TextPositions) -> tuple[int, int]:
    # sqlglot says "Error tokenizing '<text up to the failure>'": the failure is where that text ends
    if "'" in message:
        context = message.split("'", 1)[1].rsplit("'", 1)[0]
        index = positions.text.find(context)
        if index >= 0:
            return positions.at_offset(index + max(0, len(context) - 1))
    return 1, 1


def _too_deep(stage: str) -> ValidationIssue:
    return ValidationIssue(
        stage,
        "the statement is nested too deeply to check",
        1,
        1,
        "flatten nested expressions or subqueries",
        reason="too_deep" if stage == "policy" else None,
    )


def _fail(
    stage: str, *issues: ValidationIssue, kind=None, expression=None, tables=None, engine_checked=False
) -> ValidationResult:
    return ValidationResult(False, stage, list(issues), kind, list(tables or []), expression, engine_checked=engine_checked)
