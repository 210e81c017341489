"""Turn a `Reading` into a complete `QueryPlan`: defaults, joins along catalog relationships, top-N."""

from __future__ import annotations

from copilot.agent.builtin.plan import FieldRef, Filter, Having, Join, QueryPlan, TopN
from copilot.agent.builtin.understand import NotUnderstood, Reading
from copilot.agent.builtin.vocabulary import Vocabulary, stem


def complete(plan: QueryPlan, vocab: Vocabulary, notices: list[str]) -> QueryPlan:
    """Fill what a plan still needs to be a valid query: a measure when grouping, joins, ranking."""
    schema = vocab.topics[plan.source]
    if (schema.is_upsert and plan.measures and not plan.window and not plan.top_n and not plan.having
            and [d.field for d in plan.dimensions] == list(schema.primary_key)
            and all(m.ref and m.func in ("sum", "avg", "min", "max") for m in plan.measures)):
        # "price of each product": one row per key, so the value itself, not an aggregate of one value
        plan.projection = [*plan.dimensions, *(m.ref for m in plan.measures)]
        plan.measures, plan.dimensions = [], []
    if not plan.measures and (plan.dimensions or plan.window or (plan.top_n and not plan.projection)):
        plan.measures = [_count(plan.source)]
    if plan.measures:
        plan.projection = []
    elif not plan.projection:
        plan.projection = [FieldRef(plan.source, f.name) for f in schema.fields]
    if plan.window and (schema.is_upsert or not schema.event_time):
        why = "it keeps only the latest row per key" if schema.is_upsert else "it has no event time"
        notices.append(f"{plan.source} cannot be cut into time windows ({why}); the result is a continuously updated total instead")
        plan.window = None
    if plan.projection and plan.window:
        plan.window = None  # rows are shown as they arrive; a window only makes sense for aggregates
    if plan.top_n and plan.window and plan.window.kind == "session":
        notices.append("sessions of different keys start and end at different times, so there is no top-N "
                       "across them; each session is shown instead")
        plan.top_n = None
    _dedupe_aliases(plan)
    if plan.top_n:
        if plan.projection:
            number = vocab.main_number(plan.source)
            if not number:
                raise NotUnderstood(f"I do not know how to rank {plan.source}")
            plan.top_n = TopN(plan.top_n.n, number, plan.top_n.descending)
        elif plan.measures:
            aliases = {m.alias for m in plan.measures}
            if plan.top_n.measure_alias not in aliases:
                plan.top_n = TopN(plan.top_n.n, plan.measures[0].alias, plan.top_n.descending)
            if not plan.dimensions:
                plan.top_n = None  # one row per window: nothing to rank
            _rank_only_known_references(plan, vocab)
    if plan.chart == "auto":  # over time → a line per group; a snapshot → bars
        plan.chart = "line" if plan.window else "bar"
    plan.joins = _joins(plan, vocab)
    return plan


def _rank_only_known_references(plan: QueryPlan, vocab: Vocabulary) -> None:
    """A ranking of products or customers leaves out the events that name none (a page view outside a
    product page has no product_id): otherwise "no product" could top the list."""
    if not plan.top_n:
        return
    foreign_keys = {rel.field for rel in vocab.topics[plan.source].relationships}
    for d in plan.dimensions:
        if d.table == plan.source and d.field in foreign_keys and not any(f.ref == d for f in plan.filters):
            plan.filters.append(Filter(d, "IS NOT NULL", [], ""))


def from_reading(r: Reading, vocab: Vocabulary) -> tuple[QueryPlan, list[str]]:
    if not r.source:
        raise NotUnderstood("I could not tell which stream the question is about")
    plan = QueryPlan(source=r.source, measures=list(r.measures), dimensions=list(r.dimensions),
                     filters=list(r.filters), window=r.window, top_n=r.top_n, chart=r.chart)
    add_having(plan, r)
    if r.list_rows and not r.measures and not r.dimensions and not r.window and not r.having:
        plan.projection = [FieldRef(r.source, f.name) for f in vocab.topics[r.source].fields]
    notices: list[str] = []
    return complete(plan, vocab, notices), notices


def add_having(plan: QueryPlan, r: Reading) -> None:
    for op, value, measure in r.having:
        existing = next((m for m in plan.measures if m.func == measure.func and m.ref == measure.ref), None)
        if existing is None:
            plan.measures.append(measure)
            existing = measure
        plan.having = [h for h in plan.having if h.measure_alias != existing.alias]
        plan.having.append(Having(existing.alias, op, value))


def _count(topic: str):
    from copilot.agent.builtin.plan import Measure

    return Measure("count", None, f"{stem(topic).split('_')[-1]}_count")


def _dedupe_aliases(plan: QueryPlan) -> None:
    seen: dict[str, int] = {}
    reserved = {"count", "sum", "avg", "min", "max", "value", "rank", "year", "month", "day", "hour", "minute",
                "second", "time", "timestamp", "date", "window_start", "window_end", "window_time", "order", "user"}
    dim_names = {d.field for d in plan.dimensions}
    for m in plan.measures:
        alias = m.alias if m.alias not in reserved and m.alias not in dim_names else f"{m.alias}_value"
        n = seen.get(alias, 0)
        seen[alias] = n + 1
        new = alias if n == 0 else f"{alias}_{n + 1}"
        for h in plan.having:
            if h.measure_alias == m.alias:
                h.measure_alias = new
        if plan.top_n and plan.top_n.measure_alias == m.alias:
            plan.top_n = TopN(plan.top_n.n, new, plan.top_n.descending)
        m.alias = new


def _refs(plan: QueryPlan) -> list[FieldRef]:
    refs = list(plan.dimensions) + [f.ref for f in plan.filters] + list(plan.projection)
    for m in plan.measures:
        if m.ref:
            refs.append(m.ref)
        if m.condition:
            refs.append(m.condition.ref)
    return refs


def _joins(plan: QueryPlan, vocab: Vocabulary) -> list[Join]:
    """Joins along catalog relationships: directly, or through one topic in between (payments → orders
    → customers), each hop temporal (to an upsert table) or an interval join (between event streams)."""
    joins: list[Join] = []
    for ref in _refs(plan):
        if ref.table == plan.source or any(j.table == ref.table for j in joins):
            continue
        for join in _path(vocab, plan.source, ref.table):
            if not any(j.table == join.table for j in joins):
                joins.append(join)
    return joins


def _path(vocab: Vocabulary, source: str, target: str) -> list[Join]:
    if vocab.relationship(source, target):
        return [_hop(vocab, source, target)]
    # through one topic in between; the source's own foreign keys first (a payment's order, not …)
    middles = sorted((t for t in vocab.topics if t not in (source, target)),
                     key=lambda t: (not vocab.references(source, t), t))
    for middle in middles:
        if vocab.relationship(source, middle) and vocab.relationship(middle, target):
            try:
                return [_hop(vocab, source, middle), _hop(vocab, middle, target)]
            except NotUnderstood:
                continue
    raise NotUnderstood(f"{target} has no catalog relationship to {source}, so I cannot combine them")


def _hop(vocab: Vocabulary, left_table: str, table: str) -> Join:
    rel = vocab.relationship(left_table, table)
    target, source = vocab.topics[table], vocab.topics[left_table]
    left, right = FieldRef(left_table, rel[0]), FieldRef(table, rel[1])
    if target.is_upsert and target.event_time and source.event_time and vocab.references(left_table, table):
        return Join(table, left, right, temporal=True)
    if not target.is_upsert and not source.is_upsert and target.event_time and source.event_time:
        return Join(table, left, right, temporal=False)
    raise NotUnderstood(f"I can only look up {table} from {left_table} along a catalog relationship with event times")
