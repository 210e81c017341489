"""Policy stage: what a business user's statement may do. By default, exactly one read-only query."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlglot import exp

from copilot.sql import expressions as fx
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue
from copilot.validate.tree_nodes import find_all, nodes

QUERY_TYPES = (exp.Query, exp.Values)
DDL_TYPES = (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable, fx.CreateFunction)
DML_TYPES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, fx.StatementSet)
DDL_WORDS = {"CREATE", "DROP", "ALTER", "TRUNCATE", "ANALYZE", "RENAME"}


def statement_kind(statement: exp.Expr) -> str:
    """A stable name for what the statement is: query, insert, ddl, set, ..."""
    if isinstance(statement, QUERY_TYPES):
        return "query"
    if isinstance(statement, exp.Insert):
        return "insert"
    if isinstance(statement, fx.StatementSet):
        return "statement_set"
    if isinstance(statement, (exp.Update, exp.Delete, exp.Merge)):
        return type(statement).__name__.lower()
    if isinstance(statement, DDL_TYPES):
        return "ddl"
    kinds = {
        exp.Set: "set",
        fx.Reset: "reset",
        fx.JarStatement: "jar",
        fx.ModuleStatement: "module",
        fx.Explain: "explain",
        fx.FlinkShow: "show",
        exp.Describe: "describe",
        exp.Use: "use",
    }
    for node_type, kind in kinds.items():
        if isinstance(statement, node_type):
            return kind
    if isinstance(statement, exp.Command):
        return "ddl" if str(statement.this).upper() in DDL_WORDS else "command"
    return "other"


@dataclass
class Refusal:
    reason: str
    message: str
    node: exp.Expr | None
    hint: str | None = None


def check_policy(
    statements: list[exp.Expr],
    positions: TextPositions,
    allow_insert_into: Collection[str] = (),
    starts: list[int] | None = None,
) -> list[ValidationIssue]:
    """`starts`: the offset where each statement begins (refusals of a whole statement point there)."""
    starts = starts or []

    def where(node: exp.Expr | None, index: int = 0) -> tuple[int, int]:
        if isinstance(node, exp.Hint) or node is None:
            return positions.find("/*+", whole_word=False) or (1, 1)
        if node is statements[index] and index < len(starts):
            return positions.at_offset(starts[index])
        return positions.of_node(node)

    if not statements:
        return [ValidationIssue("policy", "there is no statement to run", 1, 1, "write one SELECT query", reason="empty")]
    if len(statements) > 1:
        line, column = where(statements[1], 1)
        return [
            ValidationIssue(
                "policy",
                f"only one statement may run at a time, found {len(statements)}",
                line,
                column,
                "send a single SELECT query without `;`-separated statements after it",
                reason="multiple_statements",
            )
        ]
    refusal = _refusal(statements[0], allow_insert_into)
    if refusal is None:
        return []
    line, column = where(refusal.node if refusal.node is not None else statements[0])
    return [ValidationIssue("policy", refusal.message, line, column, refusal.hint, reason=refusal.reason)]


def _refusal(statement: exp.Expr, allow_insert_into: Collection[str]) -> Refusal | None:
    read_only_hint = "ask a read-only question: one SELECT (or WITH ... SELECT, or VALUES) query"
    if isinstance(statement, fx.CreateFunction) and statement.args.get("jars"):
        return Refusal("function_from_jar", "creating a function from a jar is not allowed", statement, read_only_hint)
    if isinstance(statement, fx.JarStatement):
        return Refusal(
            "add_jar", f"{statement.text('this')} JAR is not allowed: user SQL cannot load code", statement, read_only_hint
        )
    if isinstance(statement, fx.ModuleStatement):
        verb = statement.text("this")
        return Refusal(
            "load_module",
            f"{verb} {'MODULES' if verb == 'USE' else 'MODULE'} is not allowed: user SQL cannot change loaded modules",
            statement,
            read_only_hint,
        )
    if isinstance(statement, (exp.Set, fx.Reset)):
        word = "SET" if isinstance(statement, exp.Set) else "RESET"
        return Refusal(
            "set_reset", f"{word} is not allowed: user SQL cannot change session configuration", statement, read_only_hint
        )
    unreadable = _unreadable_hint(statement)
    if unreadable is not None:
        return Refusal(
            "unreadable_hint",
            "a /*+ ... */ hint could not be read, so it cannot be checked",
            unreadable,
            "remove the hint, or write it as NAME(...) like /*+ BROADCAST(t) */",
        )
    options = _options_hint(statement)
    if options is not None:
        return Refusal(
            "options_hint",
            "OPTIONS hints are not allowed: they change how a table connects to Kafka",
            options,
            "remove the /*+ OPTIONS(...) */ hint; the catalog decides connector settings",
        )
    # Only generic key/value properties are connector settings; TEMPORARY, LIKE etc. are plain DDL.
    connector = next((p for p in find_all(statement, exp.Property) if type(p) is exp.Property), None)
    if connector is not None and not isinstance(statement, exp.Command):
        return Refusal(
            "connector_property",
            "connector properties (WITH (...)) are not allowed in user SQL",
            connector,
            "the catalog decides connector settings; query the catalog's tables instead",
        )
    kind = statement_kind(statement)
    if kind == "ddl":
        return Refusal("ddl", "DDL statements (CREATE, DROP, ALTER, ...) are not allowed", statement, read_only_hint)
    if kind == "query" or isinstance(statement, exp.Insert) and _insert_allowed(statement, allow_insert_into):
        nested = _tree_refusal(statement, read_only_hint)
        if nested is not None:
            return nested
    if isinstance(statement, exp.Insert) and _insert_allowed(statement, allow_insert_into):
        return None
    if isinstance(statement, DML_TYPES):
        target = ""
        if isinstance(statement, exp.Insert) and allow_insert_into:
            target = f" (only INSERT INTO {', '.join(sorted(allow_insert_into))} ... SELECT is allowed here)"
        return Refusal("dml", f"statements that write data are not allowed{target}", statement, read_only_hint)
    if kind == "query":
        return None
    if kind == "command":
        return Refusal("unsupported_statement", "this kind of statement is not supported", statement, read_only_hint)
    return Refusal("not_a_query", f"{kind.upper()} statements are not allowed here", statement, read_only_hint)


_WRITES_OR_DEFINES = (
    *DDL_TYPES,
    *DML_TYPES,
    exp.Command,
    exp.Set,
    fx.Reset,
    fx.JarStatement,
    fx.ModuleStatement,
    fx.Explain,
    fx.FlinkShow,
    exp.Describe,
    exp.Use,
)


def _tree_refusal(statement: exp.Expr, read_only_hint: str) -> Refusal | None:
    """What may hide anywhere in a statement's tree: a write or DDL inside a CTE or subquery, SELECT ...
    INTO, FOR UPDATE, names of more than three parts, a CTE named like a qualified table it would
    shadow, and table functions other than the window functions (TUMBLE, HOP, CUMULATE, SESSION)."""
    ctes = {cte.alias_or_name for cte in find_all(statement, exp.CTE)}
    for node in nodes(statement):
        if node is not statement and isinstance(node, _WRITES_OR_DEFINES) and not isinstance(node, exp.Property):
            inner = statement_kind(node)
            reason = (
                "dml"
                if inner in ("insert", "statement_set", "update", "delete", "merge")
                else ("ddl" if inner == "ddl" else "not_a_query")
            )
            return Refusal(reason, f"{inner.upper()} inside the query is not allowed: a query only reads", node, read_only_hint)
        if isinstance(node, exp.Select) and node.args.get("into"):
            return Refusal(
                "select_into", "SELECT ... INTO writes into a table: it is not allowed", node.args["into"], read_only_hint
            )
        if isinstance(node, exp.Select) and node.args.get("locks"):
            return Refusal("for_update", "FOR UPDATE / locking clauses are not allowed", node, read_only_hint)
        if isinstance(node, exp.Table):
            refusal = _table_refusal(node, ctes)
            if refusal is not None:
                return refusal
        if isinstance(node, exp.TableFromRows) and not isinstance(node.this, fx.WindowTableFunction):
            return Refusal(
                "table_function",
                "table functions are not allowed: only the catalog's tables and the window "
                "functions TUMBLE, HOP, CUMULATE and SESSION",
                node,
                "read catalog tables; aggregate over time with TUMBLE/HOP/CUMULATE/SESSION",
            )
        if isinstance(node, exp.Lateral) and not isinstance(node.this, (exp.Subquery, exp.Unnest, exp.Query)):
            return Refusal(
                "table_function",
                "LATERAL TABLE(...) functions are not allowed: only the catalog's tables "
                "and the window functions TUMBLE, HOP, CUMULATE and SESSION",
                node,
                "read catalog tables; aggregate over time with TUMBLE/HOP/CUMULATE/SESSION",
            )
    return None


def _table_refusal(table: exp.Table, ctes: set[str]) -> Refusal | None:
    if isinstance(table.this, exp.Dot):
        return Refusal(
            "name_parts", "a table name has at most three parts (catalog.database.table)", table, "name a catalog table"
        )
    source = table.this
    if isinstance(source, exp.TableFromRows):
        source = source.this
    if isinstance(table.this, exp.Expr) and not isinstance(table.this, exp.Identifier):
        if not isinstance(source, (fx.WindowTableFunction, exp.Unnest)):
            return Refusal(
                "table_function",
                "table functions are not allowed: only the catalog's tables and the window "
                "functions TUMBLE, HOP, CUMULATE and SESSION",
                table,
                "read catalog tables; aggregate over time with TUMBLE/HOP/CUMULATE/SESSION",
            )
    if (table.db or table.catalog) and table.name in ctes:
        return Refusal(
            "cte_shadows_table",
            f"the WITH name {table.name!r} is also used for the qualified table "
            f"{table.sql(dialect='flink')}: that reads a real table, not the WITH query",
            table,
            "give the WITH query another name, or write the name without qualifiers",
        )
    return None


def _unreadable_hint(statement: exp.Expr) -> exp.Expr | None:
    """A hint sqlglot kept as raw text: whatever it says (an OPTIONS hint in disguise?) goes unchecked."""
    return next((h for h in find_all(statement, exp.Hint) if any(isinstance(i, str) for i in h.expressions)), None)


def _options_hint(statement: exp.Expr) -> exp.Expr | None:
    for hint in find_all(statement, exp.Hint):
        for item in hint.expressions:
            name = item.name if isinstance(item, (exp.Anonymous, exp.Var)) else getattr(item, "sql_name", lambda: "")()
            text = item.sql() if not name else name
            if str(text).upper().startswith("OPTIONS"):
                return hint
    return None


def _insert_allowed(insert: exp.Insert, allowed: Collection[str]) -> bool:
    if not allowed or insert.args.get("overwrite"):
        return False
    target = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
    if not isinstance(target, exp.Table) or target.name not in set(allowed):
        return False
    if target.catalog not in ("", "default_catalog") or target.db not in ("", "default_database"):
        return False  # `hive.db.<sink>` is another table that happens to share the sink's name
    return isinstance(insert.expression, exp.Query)
