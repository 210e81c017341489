"""Read a topic's semantic annotations (metrics, value synonyms, units, currency fields, default
aggregates) whether the catalog model carries them as attributes or only the YAML file holds them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from copilot.catalog.model import TopicSchema
from copilot.sql import types


@dataclass
class Metric:
    name: str
    expression: str
    synonyms: list[str] = field(default_factory=list)
    description: str = ""
    filter: str | None = None


@lru_cache(maxsize=64)
def _raw(path: str, mtime: float) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        return doc if isinstance(doc, dict) else {}
    except (OSError, yaml.YAMLError):
        return {}


def _mtime(schema: TopicSchema) -> float | None:
    path = schema.source_file
    if not path:
        return None
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


def raw_doc(schema: TopicSchema) -> dict:
    mtime = _mtime(schema)
    return {} if mtime is None else _raw(schema.source_file, mtime)


@lru_cache(maxsize=64)
def _raw_fields(path: str, mtime: float) -> dict[str, dict]:
    fields = _raw(path, mtime).get("fields") or []
    by_name: dict[str, dict] = {}
    for f in fields:
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            by_name.setdefault(f["name"], f)  # the first of a name, as a scan of the list finds it
    return by_name


def _get(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def metrics(schema: TopicSchema) -> list[Metric]:
    items = getattr(schema, "metrics", None)
    if items is None:
        items = raw_doc(schema).get("metrics") or []
    out = []
    for m in items or []:
        name, expr = _get(m, "name"), _get(m, "expression")
        if not name or not expr:
            continue
        out.append(
            Metric(
                str(name),
                str(expr),
                [str(s) for s in (_get(m, "synonyms") or [])],
                str(_get(m, "description") or ""),
                _get(m, "filter"),
            )
        )
    return out


def _raw_field(schema: TopicSchema, name: str) -> dict:
    mtime = _mtime(schema)
    return {} if mtime is None else _raw_fields(schema.source_file, mtime).get(name, {})


def field_annotation(schema: TopicSchema, field_name: str, key: str):
    f = schema.field(field_name)
    value = getattr(f, key, None) if f is not None else None
    if value in (None, "", [], {}):
        value = _raw_field(schema, field_name).get(key)
    return value


def values(schema: TopicSchema, field_name: str) -> dict[str, tuple[str, list[str]]]:
    """value → (label, synonyms), from the model's values and the file's value synonyms."""
    f = schema.field(field_name)
    out: dict[str, tuple[str, list[str]]] = {}
    for code, label in ((f.values or {}) if f else {}).items():
        if isinstance(label, dict):
            out[str(code)] = (str(label.get("label") or ""), [str(s) for s in label.get("synonyms") or []])
        else:
            out[str(code)] = (str(label or ""), [])
    model_syns = getattr(f, "value_words", None) if f else None
    raw_values = _raw_field(schema, field_name).get("values")
    if isinstance(raw_values, dict):
        for code, spec in raw_values.items():
            if isinstance(spec, dict):
                label, syns = out.get(str(code), ("", []))
                out[str(code)] = (
                    str(spec.get("label") or label),
                    list(dict.fromkeys(syns + [str(s) for s in spec.get("synonyms") or []])),
                )
    if isinstance(model_syns, dict):
        for code, syns in model_syns.items():
            label, old = out.get(str(code), ("", []))
            out[str(code)] = (label, list(dict.fromkeys(old + [str(s) for s in syns or []])))
    return out


def currency_field(schema: TopicSchema, field_name: str) -> str | None:
    value = field_annotation(schema, field_name, "currency_field")
    return str(value) if value else None


def sum_per_currency(schema: TopicSchema, field_name: str) -> str | None:
    """The currency field when amounts of this field are only added within one currency, else None."""
    return currency_field(schema, field_name) if field_annotation(schema, field_name, "sum_per_currency") else None


def default_aggregate(schema: TopicSchema, field_name: str) -> str | None:
    for key in ("aggregate", "default_aggregate"):
        value = field_annotation(schema, field_name, key)
        if value:
            return str(value).lower()
    return None


AGG_RE = re.compile(r"^\s*(COUNT|SUM|AVG|MIN|MAX)\s*\(\s*(DISTINCT\s+)?(\*|`?\w+`?)\s*\)\s*$", re.I)


def simple_metric(expression: str) -> tuple[str, str | None] | None:
    """(func, field) for a metric of one plain aggregate; None for anything richer."""
    m = AGG_RE.match(expression)
    if not m:
        return None
    func, distinct, arg = m.group(1).lower(), bool(m.group(2)), m.group(3).strip("`")
    if func == "count":
        return ("count", None) if arg == "*" else ("count_distinct", arg) if distinct else ("count", None)
    return func, arg


def is_numeric(type_: str) -> bool:
    return types.is_numeric(type_)  # copilot.sql.types: the one list (INTERVAL is not a number)


def is_time(type_: str) -> bool:
    return types.is_temporal(type_)


def is_fraction(expression: str) -> bool:
    return _fraction_case(expression) is not None


@lru_cache(maxsize=256)
def fraction_condition(expression: str) -> tuple[str, str] | None:
    """(field, value) of a share metric whose rows are those with one value (`… CASE WHEN status = 'declined'
    THEN 1 …) / COUNT(*)`), else None."""
    from sqlglot import exp

    case = _fraction_case(expression)
    ifs = case.args.get("ifs") or [] if case is not None else []
    if len(ifs) != 1 or not isinstance(ifs[0].this, exp.EQ):
        return None
    left, right = ifs[0].this.this, ifs[0].this.expression
    if isinstance(left, exp.Column) and isinstance(right, exp.Literal) and right.is_string:
        return left.name, right.name
    return None


@lru_cache(maxsize=256)
def _fraction_case(expression: str):
    """A metric that is a share of rows between 0 and 1: a count of rows meeting a condition (SUM of
    CASE … THEN 1 ELSE 0, or COUNT of CASE … THEN 1) divided by COUNT(*), not scaled by 100."""
    from sqlglot import exp

    from copilot.catalog.semantic import parse_expression

    try:
        tree = parse_expression(expression)
    except ValueError:
        return None
    while isinstance(tree, (exp.Paren, exp.Cast)):
        tree = tree.this
    if not isinstance(tree, exp.Div) or not isinstance(tree.expression, exp.Count):
        return None
    if not isinstance(tree.expression.this, exp.Star):
        return None
    top = tree.this
    while isinstance(top, (exp.Paren, exp.Cast)):
        top = top.this
    if not isinstance(top, (exp.Sum, exp.Count)) or not isinstance(top.this, exp.Case):
        return None
    case = top.this
    ones = all(isinstance(i.args.get("true"), exp.Literal) and i.args["true"].name == "1" for i in case.args.get("ifs", []))
    default = case.args.get("default")
    return case if ones and (default is None or (isinstance(default, exp.Literal) and default.name == "0")) else None


CONDITION_RE = re.compile(r"^\s*`?(\w+)`?\s*=\s*'([^']*)'\s*$")


def metric_condition(metric: Metric) -> tuple[str, str] | None:
    """(field, value) of a metric's own condition when it is one equality (`filter: status = 'lost'`)."""
    cond = CONDITION_RE.match(str(metric.filter or ""))
    return (cond.group(1), cond.group(2)) if cond else None
