"""Semantic annotations of a catalog file (contract section 3): metrics, value synonyms, units,
verified queries. Reading them from a YAML mapping and checking metric expressions with the `flink`
dialect, so a bad expression is reported with its file and line like any other catalog error."""

from __future__ import annotations

from typing import Any, Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from copilot.catalog.model import Field, Metric, VerifiedQuery

Report = Callable[[str, "int | None"], None]


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def words(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [text(w) for w in raw if text(w)]
    return [text(raw)] if text(raw) else []


def value_words(raw: Any) -> dict[str, list[str]]:
    """The synonyms of single values: `values: {CODE: {label: ..., synonyms: [WORD, ...]}}`."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): words(v.get("synonyms")) for k, v in raw.items() if isinstance(v, dict) and v.get("synonyms")}


def parse_expression(sql: str) -> exp.Expression:
    """A metric expression or filter condition as a sqlglot tree (flink dialect); raises ValueError."""
    try:
        tree = sqlglot.parse_one(sql, read="flink")
    except SqlglotError as exc:
        raise ValueError(f"not a Flink SQL expression: {str(exc).splitlines()[0]}") from None
    if tree is None or isinstance(tree, (exp.Query, exp.Command, exp.DDL, exp.DML)):
        raise ValueError("expected an expression, not a statement")
    return tree


def check_metric_expression(sql: str, field_names: set[str]) -> str | None:
    """None when `sql` is an aggregate over the given fields; else what is wrong with it."""
    try:
        tree = parse_expression(sql)
    except ValueError as exc:
        return str(exc)
    if tree.find(exp.Subquery, exp.Select, exp.Window):
        return "a metric is one aggregate expression: no subqueries or OVER windows"
    if not tree.find(exp.AggFunc):
        return "a metric must aggregate (SUM, COUNT, AVG, MIN, MAX, ...)"
    for column in tree.find_all(exp.Column):
        if column.table:
            return f"write {column.name!r} without a table name: a metric is over its own topic's fields"
        if column.name.lower() not in field_names:
            return f"{column.name!r} is not a field of this topic"
        if not _inside_aggregate(column):
            return f"{column.name!r} is used outside an aggregate"
    return None


def check_condition(sql: str, field_names: set[str]) -> str | None:
    """None when `sql` is a row condition over the given fields (no aggregates)."""
    try:
        tree = parse_expression(sql)
    except ValueError as exc:
        return str(exc)
    if tree.find(exp.AggFunc, exp.Subquery, exp.Select, exp.Window):
        return "a filter is a condition on single rows: no aggregates or subqueries"
    for column in tree.find_all(exp.Column):
        if column.table or column.name.lower() not in field_names:
            return f"{column.sql(dialect='flink')!r} is not a field of this topic"
    return None


def _numeric(flink_type: str) -> bool:
    from copilot.sql.types import is_numeric

    return is_numeric(flink_type)


def _inside_aggregate(node: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.AggFunc):
            return True
        parent = parent.parent
    return False


def read_metrics(
    raw: Any, fields: list[Field], line_of: Callable[[Any, Any], "int | None"], error: Report, warn: Report
) -> list[Metric]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        error("`metrics:` must be a list of {name, expression}", line_of(raw, None))
        return []
    names = {f.name.lower() for f in fields}
    metrics: list[Metric] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        line = line_of(raw, i)
        if not isinstance(item, dict) or not text(item.get("name")) or not text(item.get("expression")):
            error(f"metric #{i + 1} needs `name:` and `expression:`", line)
            continue
        name = text(item.get("name"))
        if name.lower() in seen:
            error(f"metric {name!r} is listed twice", line)
            continue
        seen.add(name.lower())
        problem = check_metric_expression(text(item.get("expression")), names)
        if problem:
            error(f"metric {name!r}: expression {text(item.get('expression'))!r}: {problem}", line_of(item, "expression") or line)
            continue
        condition = text(item.get("filter")) or None
        if condition:
            problem = check_condition(condition, names)
            if problem:
                error(f"metric {name!r}: filter {condition!r}: {problem}", line_of(item, "filter") or line)
                continue
        metrics.append(
            Metric(
                name=name,
                expression=text(item.get("expression")),
                synonyms=words(item.get("synonyms")),
                description=text(item.get("description")),
                filter=condition,
            )
        )
    return metrics


def read_verified(raw: Any, line_of: Callable[[Any, Any], "int | None"], warn: Report) -> list[VerifiedQuery]:
    out: list[VerifiedQuery] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict) or not text(item.get("question")) or not text(item.get("sql")):
            warn("a verified query needs `question:` and `sql:`", line_of(raw, i))
            continue
        out.append(
            VerifiedQuery(
                question=text(item.get("question")),
                sql=text(item.get("sql")),
                verified_by=text(item.get("verified_by")),
                verified_at=text(item.get("verified_at")),
            )
        )
    return out


AGGREGATES = ("sum", "avg", "min", "max", "count_distinct")


def check_field_units(fields: list[Field], raw_fields: list, line_of: Callable[[Any, Any], "int | None"], error: Report) -> None:
    names = {f.name.lower() for f in fields}
    for f in fields:
        if f.currency_field and f.currency_field.lower() not in names:
            raw = next((r for r in raw_fields if isinstance(r, dict) and text(r.get("name")) == f.name), None)
            error(
                f"field {f.name!r}: currency_field {f.currency_field!r} is not a field of this topic",
                line_of(raw, "currency_field") if raw is not None else None,
            )
        if f.sum_per_currency and not f.currency_field:
            raw = next((r for r in raw_fields if isinstance(r, dict) and text(r.get("name")) == f.name), None)
            error(
                f"field {f.name!r}: sum_per_currency needs a currency_field (the field that holds each amount's currency)",
                line_of(raw, "sum_per_currency") if raw is not None else None,
            )
        if f.aggregate:
            raw = next((r for r in raw_fields if isinstance(r, dict) and text(r.get("name")) == f.name), None)
            line = line_of(raw, "aggregate") if raw is not None else None
            if f.aggregate not in AGGREGATES:
                error(f"field {f.name!r}: aggregate {f.aggregate!r} is not one of {', '.join(AGGREGATES)}", line)
            elif f.aggregate in ("sum", "avg") and not _numeric(f.type):
                error(f"field {f.name!r}: aggregate {f.aggregate} needs a number; the field is {f.type}", line)


# -- twins: topics that carry the same records (another format of one feed) ---------------------------------
_TWIN_CACHE: dict[tuple[str, float], "str | None"] = {}


def same_records_as(schema: Any) -> "str | None":
    """The topic this one carries the same records as, from the catalog annotation `same_records_as: TOPIC`
    (an Avro edition of a JSON feed, a mirror). Read from the model when it has the attribute, else from the
    topic's YAML file (unknown keys are kept on rewrite). Retrieval and the built-in planner prefer the
    original unless a question names the twin."""
    value = getattr(schema, "same_records_as", None)
    if value:
        return text(value) or None
    path = getattr(schema, "source_file", None)
    if not path:
        return None
    import os

    import yaml

    try:
        key = (str(path), os.path.getmtime(path))
    except OSError:
        return None
    if key not in _TWIN_CACHE:
        try:
            with open(path, encoding="utf-8") as fh:
                doc = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError):
            doc = None
        _TWIN_CACHE[key] = text(doc.get("same_records_as")) or None if isinstance(doc, dict) else None
    return _TWIN_CACHE[key]


def twins(topics: dict[str, Any]) -> dict[str, str]:
    """twin topic → the topic whose records it repeats (both in `topics`)."""
    out = {}
    for name, schema in topics.items():
        original = same_records_as(schema)
        if original and original != name and original in topics:
            out[name] = original
    return out


def prefer_originals(ranked: list[str], twins_of: dict[str, str], named: set[str] = frozenset()) -> list[str]:
    """`ranked` reordered so that each original comes before its twin, unless the question asks for the twin
    (`named`: it names the twin, or uses words only the twin has): then the twin comes first. Other topics
    keep their places."""
    order = list(ranked)
    for twin, original in twins_of.items():
        if twin not in order or original not in order:
            continue
        first, second = (twin, original) if twin in named else (original, twin)
        i, j = order.index(first), order.index(second)
        if i > j:
            order[i], order[j] = order[j], order[i]
    return order
