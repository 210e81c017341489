"""What a Flink query computes, read from its SQL: tables, aggregates, grouping keys, window, filters,
top-N. Used to explain SQL the planner did not build (model or user SQL) and to compare a planned
query with a gold one by meaning rather than by text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import sqlglot
from sqlglot import exp

from copilot.plan.compile import only_where
from copilot.sql.expressions import Cumulate, Hop, Session, Tumble, WindowTableFunction
from copilot.sql.types import UNIT_SECONDS, WINDOW_COLUMNS


@dataclass
class Components:
    tables: list[str] = field(default_factory=list)
    aggregates: list[str] = field(default_factory=list)
    group_keys: list[str] = field(default_factory=list)
    window: tuple | None = None  # (kind, size_s, step_s)
    filters: list[str] = field(default_factory=list)
    having: list[str] = field(default_factory=list)
    top_n: int | None = None
    joins: list[tuple[str, bool]] = field(default_factory=list)  # (table, temporal)

    def to_dict(self) -> dict:
        return asdict(self)

    def differences(self, other: "Components") -> dict[str, tuple]:
        """Component name → (mine, theirs) for every component that differs."""
        mine, theirs = self.to_dict(), other.to_dict()
        return {k: (mine[k], theirs[k]) for k in mine if _norm(mine[k]) != _norm(theirs[k])}


def _norm(value):
    if isinstance(value, list):
        return sorted(map(str, value))
    return value


def _interval_seconds(node: exp.Expression | None) -> int | None:
    if not isinstance(node, exp.Interval):
        return None
    unit = (node.unit.name if node.unit else "SECOND").upper().rstrip("S") or "SECOND"
    try:
        return int(float(node.this.name)) * UNIT_SECONDS.get(unit, 1)
    except (TypeError, ValueError):
        return None


def _unqualified(node: exp.Expr) -> str:
    def strip(n):
        if isinstance(n, exp.Cast) and isinstance(n.this, exp.Cast) and n.this.to == n.to:
            return strip(n.this.copy())  # CAST(CAST(x AS DOUBLE) AS DOUBLE) is CAST(x AS DOUBLE)
        if isinstance(n, exp.Column) and n.table:
            return exp.column(n.name)
        if isinstance(n, exp.Identifier) and n.quoted:
            return exp.to_identifier(n.name)
        if isinstance(n, exp.Literal) and not n.is_string:  # 0.10 and 0.1 are one number
            try:
                return exp.Literal.number(f"{float(n.name):g}")
            except ValueError:
                return n
        return n

    return node.copy().transform(strip).sql(dialect="flink")


def _condition(cond: exp.Expression) -> str:
    """One WHERE condition as text; the parts of NOT (a AND b) in one order (they are one exclusion)."""
    inner = cond.this.unnest() if isinstance(cond, exp.Not) else None
    if isinstance(inner, exp.And):
        return "NOT (" + " AND ".join(sorted(_unqualified(x) for x in _conjuncts(inner))) + ")"
    return _unqualified(cond)


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    if isinstance(node, exp.Paren):
        return _conjuncts(node.this)
    return [node]


def _two_labels(key: exp.Expr) -> exp.Expr:
    """CASE WHEN c THEN 'a' ELSE 'b' END as a key makes the same two groups as c: one key, written two ways."""
    if isinstance(key, exp.Case) and len(key.args.get("ifs") or []) == 1 and isinstance(key.args.get("default"), exp.Literal):
        branch = key.args["ifs"][0]
        if isinstance(branch.args.get("true"), exp.Literal) and branch.args["true"] != key.args["default"]:
            return branch.this
    return key


def _uncast(agg: exp.Expr) -> exp.Expr:
    """AVG(CAST(x AS DOUBLE)) is AVG(x) read without integer division: one measure, compared as one."""
    inner = agg.this
    if isinstance(agg, exp.Avg) and isinstance(inner, exp.Cast) and isinstance(inner.this, exp.Column):
        return exp.Avg(this=inner.this.copy())
    return agg


def _as_fraction(cond: exp.Expr) -> exp.Expr:
    """`X * 100 / COUNT(*) > 10` and `X * 1.0 / COUNT(*) > 0.1` are `CAST(X AS DOUBLE) / COUNT(*) > 0.1`: one
    share threshold, in percent or as a fraction."""
    if not isinstance(cond, (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ)) or not isinstance(cond.expression, exp.Literal):
        return cond
    left = cond.this
    if not isinstance(left, exp.Div) or not isinstance(left.expression, exp.Count):
        return cond
    top = left.this
    if not isinstance(top, exp.Mul):
        return cond
    parts = [top.this, top.expression]
    scale = [p for p in parts if isinstance(p, exp.Literal) and not p.is_string and float(p.name) in (1.0, 100.0)]
    if len(scale) != 1:
        return cond
    counted = next(p for p in parts if p is not scale[0])
    try:
        value = float(cond.expression.name) / float(scale[0].name)
    except ValueError:
        return cond
    share = exp.Div(this=exp.Cast(this=counted.copy(), to=exp.DataType.build("DOUBLE")), expression=left.expression.copy())
    return type(cond)(this=share, expression=exp.Literal.number(f"{value:g}"))


def _group_key_guard(node: exp.Expression, group_columns: set[str]) -> bool:
    return isinstance(node, exp.Column) and node.name in group_columns


def _column_origins(tree: exp.Expr, ctes: set[str]):
    """A grouping column → `table.column` of the topic it comes from, through table aliases and the columns a
    WITH query renames (`c.country AS customer_country`), so that one key written two ways compares equal and
    two topics' columns of one name (orders.country, customers.country) do not."""
    tables = {}
    for t in tree.find_all(exp.Table):
        if t.name and t.name not in ctes:
            tables[t.alias_or_name] = t.name
            tables[t.name] = t.name
    for wrapped in tree.find_all(exp.TableFromRows):  # TABLE(TUMBLE(TABLE orders, …)) AS o
        inner = wrapped.find(exp.Table)
        if wrapped.alias and inner is not None and inner.name in tables:
            tables[wrapped.alias] = inner.name
    single = next(iter(set(tables.values()))) if len(set(tables.values())) == 1 else None
    renamed: dict[str, set[str]] = {}
    for select in tree.find_all(exp.Select):
        for projection in select.expressions:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(inner, exp.Column) and inner.table in tables:
                renamed.setdefault(projection.alias_or_name, set()).add(f"{tables[inner.table]}.{inner.name}")

    def origin(col: exp.Column) -> str:
        if col.table in tables:
            return f"{tables[col.table]}.{col.name}"
        if len(renamed.get(col.name, ())) == 1:
            return next(iter(renamed[col.name]))
        return f"{single}.{col.name}" if single else col.name

    return origin


def _filtered_aggregates_as_cases(tree: exp.Expr) -> exp.Expr:
    """`AGG(x) FILTER (WHERE c)` is `AGG(CASE WHEN c THEN x END)` (COUNT(*) counts 1s), the form the compiler
    writes: one measure of its own rows, written two ways — and its WHERE is the measure's, never a filter of the
    query's rows."""
    for node in list(tree.find_all(exp.Filter)):
        agg, where = node.this, node.expression
        if not isinstance(agg, exp.AggFunc) or not isinstance(where, exp.Where):
            continue
        case = only_where(agg, where.this)
        if node is tree:
            return case
        node.replace(case)
    return tree


def analyse(sql: str) -> Components:
    tree = _filtered_aggregates_as_cases(sqlglot.parse_one(sql, read="flink"))
    c = Components()
    named = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}  # a WITH name is not a table
    c.tables = sorted({t.name for t in tree.find_all(exp.Table) if t.name and t.name not in named})
    rank_aliases = set()
    for alias in tree.find_all(exp.Alias):
        if isinstance(alias.this, exp.Window) and isinstance(alias.this.this, exp.RowNumber):
            rank_aliases.add(alias.alias)
    aggregates = set()
    for agg in tree.find_all(exp.AggFunc):
        if agg.find_ancestor(exp.Having) or agg.find_ancestor(exp.Window):
            continue
        aggregates.add(_unqualified(_uncast(agg)))
    c.aggregates = sorted(aggregates)
    keys = set()
    origin = _column_origins(tree, named)
    for group in tree.find_all(exp.Group):
        for key in group.expressions:
            key = _two_labels(key)
            name = key.name if isinstance(key, exp.Column) else _unqualified(key)
            if name not in WINDOW_COLUMNS:
                keys.add(origin(key) if isinstance(key, exp.Column) else name)
    c.group_keys = sorted(keys)
    tvf = next(tree.find_all(WindowTableFunction), None)
    if tvf is not None:
        kind = {Tumble: "tumble", Hop: "hop", Cumulate: "cumulate", Session: "session"}.get(type(tvf), "window")
        size = _interval_seconds(tvf.args.get("size") or tvf.args.get("gap"))
        step = _interval_seconds(tvf.args.get("slide") or tvf.args.get("step"))
        c.window = (kind, size, step)
    filters = set()
    group_columns = {k.name for g in tree.find_all(exp.Group) for k in g.expressions if isinstance(k, exp.Column)}
    for where in tree.find_all(exp.Where):
        for cond in _conjuncts(where.this):
            columns = {col.name for col in cond.find_all(exp.Column)}
            if columns & rank_aliases:
                literal = next(cond.find_all(exp.Literal), None)
                if literal is not None and not literal.is_string:
                    n = int(float(literal.name))
                    c.top_n = n - 1 if isinstance(cond, exp.LT) else n
                continue
            if isinstance(cond, exp.Not) and isinstance(cond.this, exp.Is) and _group_key_guard(cond.this.this, group_columns):
                continue  # "key IS NOT NULL" before a ranking of groups: a guard, not a condition the question set
            filters.add(_condition(cond))
    c.filters = sorted(filters)
    c.having = sorted(_unqualified(_as_fraction(cond)) for h in tree.find_all(exp.Having) for cond in _conjuncts(h.this))
    joins = []
    for join in tree.find_all(exp.Join):
        table = join.this
        if isinstance(table, exp.Table) and table.name not in named:
            temporal = table.args.get("version") is not None
            select = join.find_ancestor(exp.Select)
            source = (select.args.get("from_") or select.args.get("from")) if select is not None else None
            first = next((t for t in source.find_all(exp.Table) if t.name not in named), None) if source else None
            if not temporal and first is not None:
                # two event streams joined on a time bound: which one is written first is a choice of words
                joins.append(("|".join(sorted((first.name, table.name))), False))
            else:
                joins.append((table.name, temporal))
    c.joins = sorted(joins)
    return c


def describe_sql(sql: str) -> str:
    """One or two plain sentences for SQL the built-in planner did not write."""
    try:
        c = analyse(sql)
    except sqlglot.errors.ParseError:
        return "A Flink SQL statement (it could not be parsed for an explanation)."
    what = ", ".join(c.aggregates) if c.aggregates else "the matching rows"
    per = f" per {', '.join(c.group_keys)}" if c.group_keys else ""
    where = f" where {' and '.join(c.filters)}" if c.filters else ""
    if c.window:
        kind, size, step = c.window
        size_words = _seconds_words(size)
        when = {
            "tumble": f"for each {size_words} window, with a new row when each window closes",
            "hop": f"over the last {size_words}, refreshed every {_seconds_words(step)}",
            "cumulate": f"since the start of each {size_words} period, refreshed every {_seconds_words(step)}",
        }.get(kind, f"in {kind} windows")
    else:
        when = "continuously, updating as each event arrives"
    top = f", keeping the top {c.top_n}" if c.top_n else ""
    reads = f"It reads the Kafka topic{'s' if len(c.tables) > 1 else ''} {', '.join(c.tables)}."
    return f"Computes {what}{per}{where} {when}{top}. {reads}"


def _seconds_words(seconds: int | None) -> str:
    if not seconds:
        return "period"
    for unit in ("DAY", "HOUR", "MINUTE", "SECOND"):
        size = UNIT_SECONDS[unit]
        if seconds % size == 0:
            n = seconds // size
            return unit.lower() if n == 1 else f"{n} {unit.lower()}s"
    return f"{seconds} seconds"
