"""`QueryPlan` → sqlglot expression tree → Flink SQL through the `flink` dialect.

No SQL is assembled from strings here: names become `exp.Identifier`s, values `exp.Literal`s, and
catalog metric expressions are parsed with the flink dialect and inserted as trees (qualified with
the source's alias when the plan joins). Quoting is the dialect's job.

Entry points: `compile_plan(plan, topics) -> str` and `plan_tree(plan, topics) -> exp.Select`.
Check a plan first (`copilot.plan.check.check_plan`); compiling an unchecked plan raises PlanError."""

from __future__ import annotations

from functools import cached_property, lru_cache

from sqlglot import exp

from copilot.catalog.model import TopicSchema
from copilot.catalog.semantic import parse_expression
from copilot.plan.check import RANK_COLUMN, check_plan, column_name, dimension_name, duration_factor, kind_of, listed_columns
from copilot.plan.model import Dimension, Duration, FieldRef, Filter, Measure, QueryPlan, Window
from copilot.sql.expressions import Cumulate, Descriptor, Hop, Session, TableArgument, Tumble


class PlanError(ValueError):
    """The plan does not fit the catalog; `problems` lists what to change."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def compile_plan(plan: QueryPlan, topics: dict[str, TopicSchema], *, pretty: bool = False) -> str:
    return to_flink_sql(plan_tree(plan, topics), pretty=pretty, copy=False)  # the tree is ours and printed once


def to_flink_sql(tree: exp.Expression, *, pretty: bool = False, copy: bool = True) -> str:
    # The dialect decides quoting. Until its generator knows Flink's reserved words, every identifier
    # is quoted (always valid), rather than keeping a second reserved-word list here.
    return tree.sql(dialect="flink", pretty=pretty, identify=not _dialect_quotes_reserved(), copy=copy)


@lru_cache(maxsize=1)
def _dialect_quotes_reserved() -> bool:
    from sqlglot.dialects.dialect import Dialect

    generator = Dialect.get_or_raise("flink").generator_class
    return "select" in {w.lower() for w in getattr(generator, "RESERVED_KEYWORDS", ())}


def plan_tree(plan: QueryPlan, topics: dict[str, TopicSchema]) -> exp.Select:
    problems = check_plan(plan, topics)
    if problems:
        raise PlanError(problems)
    return _Compiler(plan, topics).statement()


_UNIT_NODES = {"SECOND": exp.Second, "MINUTE": exp.Minute, "HOUR": exp.Hour, "DAY": exp.Day}


def interval(d: Duration) -> exp.Interval:
    """INTERVAL 'n' UNIT; with a leading precision (HOUR(3)) when n has more than Flink's default 2 digits."""
    digits = len(str(d.amount))
    unit = _UNIT_NODES[d.unit](this=exp.Literal.number(digits)) if digits > 2 else exp.Var(this=d.unit)
    return exp.Interval(this=exp.Literal.string(str(d.amount)), unit=unit)


def literal(value) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return exp.Neg(this=exp.Literal.number(-value)) if value < 0 else exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=False)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=_ident(name), table=_ident(table) if table else None)


class _Compiler:
    def __init__(self, plan: QueryPlan, topics: dict[str, TopicSchema]):
        self.plan = plan
        self.topics = topics
        self.aliases = _aliases(plan.tables) if plan.joins else {}

    # -- names -------------------------------------------------------------------------------
    def col(self, ref: FieldRef) -> exp.Column:
        field = self.topics[ref.topic].field(ref.field)
        return _col(field.name if field else ref.field, self.aliases.get(ref.topic))

    def table(self, topic: str) -> exp.Table:
        alias = self.aliases.get(topic)
        return exp.Table(this=_ident(topic), alias=exp.TableAlias(this=_ident(alias)) if alias else None)

    # -- conditions and measures ---------------------------------------------------------------
    def condition(self, f: Filter) -> exp.Expression:
        column = self.col(f.field)
        values = [literal(v) for v in f.values]
        op = f.op
        if op == "is_null":
            return exp.Is(this=column, expression=exp.Null())
        if op == "is_not_null":
            return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
        if op in ("in", "not_in"):
            node: exp.Expression = exp.In(this=column, expressions=values)
            return exp.Not(this=node) if op == "not_in" else node
        if op in ("between", "not_between"):
            low, high = sorted(f.values, key=lambda v: (isinstance(v, str), v))
            node = exp.Between(this=column, low=literal(low), high=literal(high))
            return exp.Not(this=exp.Paren(this=node)) if op == "not_between" else node
        comparison = {"=": exp.EQ, "<>": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}[op]
        return comparison(this=column, expression=values[0])

    @cached_property
    def kept_rows(self) -> list[exp.Expression]:
        """The WHERE conjuncts: conditions every row the query aggregates meets."""
        return [self.condition(f) for f in self.plan.filters]

    def measure(self, m: Measure) -> exp.Expression:
        conditions = [self.condition(m.filter)] if m.filter is not None else []
        if m.metric is not None:
            metric = self.topics[self.plan.source].metric(m.metric)
            tree = self._source_expression(metric.expression)
            if metric.filter:
                conditions.insert(0, self._source_expression(metric.filter))
        elif m.func == "count":
            tree = exp.Count(this=exp.Star())
        elif m.func == "count_distinct":
            tree = exp.Count(this=exp.Distinct(expressions=[self.col(m.field)]))
        elif m.func == "share":
            hit = exp.Case(
                ifs=[exp.If(this=self.condition(m.condition), true=exp.Literal.number(1))], default=exp.Literal.number(0)
            )
            share = exp.Cast(this=exp.Sum(this=hit), to=exp.DataType.build("DOUBLE"))
            tree = exp.Div(this=share, expression=exp.Count(this=exp.Star()))
        else:
            argument: exp.Expression = self.col(m.field)
            if m.func == "avg" and kind_of(self.topics[m.field.topic].field(m.field.field)) == "integer":
                argument = exp.Cast(this=argument, to=exp.DataType.build("DOUBLE"))  # AVG of INT is an INT in Flink
            tree = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[m.func](this=argument)
        conditions = [c for c in conditions if c not in self.kept_rows]  # every row meets it already: no CASE needed
        if conditions:
            tree = only_where(tree, exp.and_(*conditions) if len(conditions) > 1 else conditions[0])
        if m.in_unit is not None and m.field is not None:
            factor = duration_factor(self.topics[m.field.topic], m.field.field, m.in_unit)
            if factor != 1:
                tree = exp.Div(
                    this=tree, expression=exp.Literal.number(f"{factor:g}.0" if float(factor).is_integer() else f"{factor:g}")
                )
        return tree

    def _source_expression(self, sql: str) -> exp.Expression:
        """A catalog expression over the source's fields, columns qualified with its alias when joined."""
        tree = parse_expression(sql)
        alias = self.aliases.get(self.plan.source)
        if alias:
            for column in tree.find_all(exp.Column):
                column.set("table", _ident(alias))
        return tree

    def dimension(self, d: Dimension) -> exp.Expression:
        column = self.col(d.field)
        if d.transform == "value":
            return column
        null = exp.Is(this=column, expression=exp.Null())
        return null if d.transform == "is_null" else exp.Not(this=null)

    # -- FROM ------------------------------------------------------------------------------------
    def source(self) -> exp.Expression:
        plan, schema = self.plan, self.topics[self.plan.source]
        if plan.window is None:
            return self.table(plan.source)
        w: Window = plan.window
        partition = None
        if w.kind == "session":  # one session per key of the source, not one for the whole stream
            partition = [
                _col(self.topics[d.field.topic].field(d.field.field).name)
                for d in plan.dimensions
                if d.field.topic == plan.source and d.transform == "value"
            ] or None
        argument = TableArgument(this=exp.Table(this=_ident(plan.source)), partition_by=partition)
        descriptor = Descriptor(expressions=[_col(schema.event_time)])
        if w.kind == "tumble":
            tvf: exp.Expression = Tumble(this=argument, timecol=descriptor, size=interval(w.size))
        elif w.kind == "hop":
            tvf = Hop(this=argument, timecol=descriptor, slide=interval(w.slide), size=interval(w.size))
        elif w.kind == "cumulate":
            tvf = Cumulate(this=argument, timecol=descriptor, step=interval(w.step), size=interval(w.size))
        else:
            tvf = Session(this=argument, timecol=descriptor, gap=interval(w.gap))
        alias = self.aliases.get(plan.source)
        return exp.TableFromRows(this=tvf, alias=exp.TableAlias(this=_ident(alias)) if alias else None)

    def joins(self, select: exp.Select) -> exp.Select:
        for j in self.plan.joins:
            left_schema, right_schema = self.topics[j.left.topic], self.topics[j.topic]
            on: exp.Expression = exp.EQ(this=self.col(j.left), expression=self.col(j.right))
            table = self.table(j.topic)
            if j.kind == "temporal":
                as_of = self.col(j.as_of or FieldRef(topic=j.left.topic, field=left_schema.event_time))
                table.set("version", exp.Version(this="TIMESTAMP", kind="AS OF", expression=as_of))
            elif j.kind == "interval":
                mine = self.col(FieldRef(topic=j.left.topic, field=left_schema.event_time))
                theirs = self.col(FieldRef(topic=j.topic, field=right_schema.event_time))
                bound = interval(j.bound)
                low = exp.Sub(this=mine.copy(), expression=bound.copy()) if j.direction in ("before", "around") else mine.copy()
                high = exp.Add(this=mine.copy(), expression=bound.copy()) if j.direction in ("after", "around") else mine.copy()
                on = exp.and_(on, exp.Between(this=theirs, low=low, high=high))
            select = select.join(exp.Join(this=table, on=on))
        return select

    # -- statements ------------------------------------------------------------------------------
    def statement(self) -> exp.Select:
        return self._aggregate() if self.plan.is_aggregate else self._rows()

    def _where(self, select: exp.Select) -> exp.Select:
        for f in self.plan.filters:
            select = select.where(self.condition(f), copy=False)
        for x in self.plan.excluded:
            both = exp.and_(*[self.condition(c) for c in x.conditions])
            select = select.where(exp.Not(this=exp.Paren(this=both)), copy=False)
        return select

    def _aggregate(self) -> exp.Select:
        plan = self.plan
        window = [_col("window_start"), _col("window_end")] if plan.window else []
        keys = [self.dimension(d) for d in plan.dimensions]
        projections = [c.copy() for c in window]
        for i, key in enumerate(keys):
            name = dimension_name(plan, i)
            projections.append(
                key.copy() if isinstance(key, exp.Column) and key.name == name else exp.alias_(key.copy(), _ident(name))
            )
        projections += [exp.alias_(self.measure(m), _ident(m.alias)) for m in plan.measures]
        select = exp.Select(expressions=projections).from_(self.source(), copy=False)
        select = self._where(self.joins(select))
        if window or keys:
            select = select.group_by(*[k.copy() for k in window + keys], copy=False)
        by_alias = {m.alias: m for m in plan.measures}
        for h in plan.having:
            comparison = {"=": exp.EQ, "<>": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}[h.op]
            select = select.having(comparison(this=self.measure(by_alias[h.measure]), expression=literal(h.value)), copy=False)
        if plan.ranking is None:
            return select
        names = [
            _col(n)
            for n in ["window_start", "window_end"][: len(window)]
            + [dimension_name(plan, i) for i in range(len(keys))]
            + [m.alias for m in plan.measures]
        ]
        partition = [_col("window_start"), _col("window_end")] if window else []
        partition += [
            _col(
                dimension_name(
                    plan,
                    plan.dimensions.index(
                        next(d for d in plan.dimensions if d.field.key() == p.key() and d.transform == "value")
                    ),
                )
            )
            for p in plan.ranking.partition_by
        ]
        return self._top_n(select, names, partition, _col(plan.ranking.by))

    def _rows(self) -> exp.Select:
        plan = self.plan
        refs = listed_columns(plan, self.topics)
        window = [_col("window_start"), _col("window_end")] if plan.window is not None else []
        projections: list[exp.Expression] = [c.copy() for c in window]  # rows ranked per window (Window Top-N)
        for ref in refs:
            name = column_name(plan, ref, refs)
            column = self.col(ref)
            projections.append(column if column.name == name else exp.alias_(column, _ident(name)))
        select = exp.Select(expressions=projections).from_(self.source(), copy=False)
        select = self._where(self.joins(select))
        if plan.ranking is None:
            return select
        partition = [c.copy() for c in window] + [self.col(p) for p in plan.ranking.partition_by]
        names = [c.copy() for c in window] + [_col(column_name(plan, ref, refs)) for ref in refs]
        return self._top_n(select, names, partition, self.col(plan.ranking.by_field), inline=True)

    def _top_n(
        self,
        inner: exp.Select,
        names: list[exp.Column],
        partition: list[exp.Expression],
        order: exp.Expression,
        inline: bool = False,
    ) -> exp.Select:
        """Flink's Top-N: ROW_NUMBER() over the partition, kept where it is at most n."""
        r = self.plan.ranking
        ordered = exp.Ordered(this=order, desc=r.descending, nulls_first=False)
        number = exp.Window(this=exp.RowNumber(), partition_by=partition or None, order=exp.Order(expressions=[ordered]))
        if inline:  # rows: the ROW_NUMBER() goes into the listing itself
            numbered = inner.select(exp.alias_(number, _ident(RANK_COLUMN)), copy=False)
        else:
            numbered = exp.Select(expressions=[n.copy() for n in names] + [exp.alias_(number, _ident(RANK_COLUMN))]).from_(
                inner.subquery(), copy=False
            )
        outer = exp.Select(expressions=[n.copy() for n in names] + [_col(RANK_COLUMN)]).from_(numbered.subquery(), copy=False)
        return outer.where(exp.LTE(this=_col(RANK_COLUMN), expression=exp.Literal.number(r.n)), copy=False)


def only_where(tree: exp.Expr, condition: exp.Expr) -> exp.Expr:
    """Restrict every aggregate in `tree` to the rows meeting `condition`: SUM(x) → SUM(CASE WHEN c THEN x END)."""
    tree = tree.copy()
    for agg in list(tree.find_all(exp.AggFunc)):
        argument = agg.this
        if isinstance(argument, exp.Star):
            agg.set("this", exp.Case(ifs=[exp.If(this=condition.copy(), true=exp.Literal.number(1))]))
        elif isinstance(argument, exp.Distinct):
            argument.set("expressions", [exp.Case(ifs=[exp.If(this=condition.copy(), true=e)]) for e in argument.expressions])
        elif argument is not None:
            agg.set("this", exp.Case(ifs=[exp.If(this=condition.copy(), true=argument)]))
    return tree


def _aliases(tables: list[str]) -> dict[str, str]:
    """Short table aliases from the topic names' initials (o, pv, ...), made unique."""
    out: dict[str, str] = {}
    for table in tables:
        words = [w for w in table.replace("-", "_").replace(".", "_").split("_") if w] or ["t"]
        candidate, n = "".join(w[0] for w in words).lower(), 1
        if not candidate[0].isalpha():
            candidate = "t" + candidate
        while candidate in out.values():
            n += 1
            candidate = "".join(w[:n] for w in words).lower() if n <= max(len(w) for w in words) else f"{candidate}{n}"
        out[table] = candidate
    return out
