"""Policy decided on Flink's own lexical reading (copilot.sql.flink_lexer), before sqlglot parses:
hints, wherever Flink would see them, and statements of Flink's SQL client, by their first words."""

from __future__ import annotations

from copilot.sql.flink_lexer import Lexed
from copilot.sql.statement import ALLOWED_QUERY_HINTS
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue

READ_ONLY_HINT = "ask a read-only question: one SELECT (or WITH ... SELECT, or VALUES) query"
QUERY_WORDS = {"SELECT", "WITH", "VALUES", "TABLE"}
# What a statement that sqlglot cannot parse is, by its first word: a named refusal, not a parse error.
FIRST_WORD_REASONS = {
    **{w: "dml" for w in ("INSERT", "UPSERT", "UPDATE", "DELETE", "MERGE", "REPLACE")},
    **{w: "ddl" for w in ("CREATE", "DROP", "ALTER", "TRUNCATE", "ANALYZE", "RENAME", "COMMENT")},
    "SET": "set_reset",
    "RESET": "set_reset",
    "ADD": "add_jar",
    "REMOVE": "add_jar",
    "LOAD": "load_module",
    "UNLOAD": "load_module",
    **{w: "client_statement" for w in ("EXECUTE", "COMPILE", "STOP", "BEGIN", "END", "QUIT", "EXIT", "HELP", "CLEAR")},
    **{w: "not_a_query" for w in ("SHOW", "DESCRIBE", "DESC", "EXPLAIN", "USE", "CALL")},
}
_MESSAGES = {
    "dml": "statements that write data are not allowed",
    "ddl": "DDL statements (CREATE, DROP, ALTER, ...) are not allowed",
    "set_reset": "SET and RESET are not allowed: user SQL cannot change session configuration",
    "add_jar": "ADD/REMOVE JAR is not allowed: user SQL cannot load code",
    "load_module": "LOAD/UNLOAD MODULE is not allowed: user SQL cannot change loaded modules",
    "not_a_query": "only queries are allowed here",
}


def first_words(lexed: Lexed, count: int = 3) -> list[str]:
    if not lexed.statement_starts:
        return []
    start = lexed.statement_starts[0]
    return [w for w, offset in lexed.words if offset >= start][:count]


def client_statement(lexed: Lexed, positions: TextPositions) -> ValidationIssue | None:
    """STOP JOB, COMPILE PLAN, EXECUTE INSERT/PLAN, ...: statements of Flink's SQL client, refused by name
    whether or not sqlglot can read them (EXECUTE STATEMENT SET is parsed, and refused as a write)."""
    words = first_words(lexed)
    if not words or words[0] not in ("STOP", "COMPILE", "EXECUTE", "END", "QUIT", "EXIT", "HELP", "CLEAR"):
        return None
    if words[:2] == ["EXECUTE", "STATEMENT"]:
        return None
    return _issue(
        lexed,
        positions,
        "client_statement",
        f"{' '.join(words[:2])} is a statement of Flink's SQL client, not a query: it is not allowed here",
    )


def unparsed_statement(lexed: Lexed, positions: TextPositions) -> ValidationIssue | None:
    """For a statement sqlglot could not parse: a named policy refusal when its first word says it is
    not a query (the parse error would only distract from that)."""
    words = first_words(lexed)
    reason = FIRST_WORD_REASONS.get(words[0]) if words else None
    if reason is None:
        return None
    message = (
        _MESSAGES.get(reason)
        or f"{' '.join(words[:2])} is a statement of Flink's SQL client, not a query: it is not allowed here"
    )
    return _issue(lexed, positions, reason, message)


def check_hints(lexed: Lexed, positions: TextPositions) -> ValidationIssue | None:
    """Every /*+ ... */ where Flink sees one: after SELECT only the allow-listed query hints; after a
    table (or anywhere else) none, and OPTIONS never."""
    for hint in lexed.hints:
        line, column = positions.at_offset(hint.start)
        if "OPTIONS" in hint.names:
            return ValidationIssue(
                "policy",
                "OPTIONS hints are not allowed: they change how a table connects to Kafka",
                line,
                column,
                "remove the /*+ OPTIONS(...) */ hint; the catalog decides connector settings",
                reason="options_hint",
            )
        if hint.preceding != "SELECT":
            return ValidationIssue(
                "policy",
                "table hints are not allowed: only join and state-TTL hints right after SELECT",
                line,
                column,
                f"remove the hint, or write a query hint: SELECT /*+ {sorted(ALLOWED_QUERY_HINTS)[0]}(t) */ ...",
                reason="table_hint",
            )
        unknown = [n for n in hint.names if n not in ALLOWED_QUERY_HINTS]
        if unknown or not hint.names:
            name = unknown[0] if unknown else "an empty hint"
            return ValidationIssue(
                "policy",
                f"the hint {name} is not allowed (allowed: {', '.join(sorted(ALLOWED_QUERY_HINTS))})",
                line,
                column,
                "remove the hint",
                reason="hint_not_allowed",
            )
    return None


def _issue(lexed: Lexed, positions: TextPositions, reason: str, message: str) -> ValidationIssue:
    line, column = positions.at_offset(lexed.statement_starts[0] if lexed.statement_starts else 0)
    return ValidationIssue("policy", message, line, column, READ_ONLY_HINT, reason=reason)
