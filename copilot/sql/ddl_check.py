"""Checks on the product's own DDL before it becomes a TrustedStatement."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError


def single_create_table(ddl: str, name: str) -> str | None:
    """None when `ddl` is exactly one `CREATE [TEMPORARY] TABLE <name> ...`, else what is wrong."""
    from sqlglot.dialects.dialect import Dialect

    if not isinstance(ddl, str) or not ddl.strip():
        return "empty"
    try:
        statements = [s for s in Dialect.get_or_raise("flink").parse(ddl) if s is not None]
    except (SqlglotError, RecursionError) as exc:
        return f"does not parse ({type(exc).__name__})"
    if len(statements) != 1:
        return f"{len(statements)} statements"
    create = statements[0]
    if not isinstance(create, exp.Create) or str(create.args.get("kind") or "").upper() != "TABLE":
        return f"a {type(create).__name__}, not CREATE TABLE"
    target = create.this.this if isinstance(create.this, exp.Schema) else create.this
    if not isinstance(target, exp.Table) or target.name != name or target.db or target.catalog:
        return f"creates {target.sql(dialect='flink') if isinstance(target, exp.Expr) else target!r}"
    if create.find(exp.Insert, exp.Select):
        return "has a query inside (CREATE TABLE AS is not the product's DDL)"
    return None
