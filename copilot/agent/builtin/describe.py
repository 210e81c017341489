"""Plain-words explanation of a QueryPlan: what it computes, how often it updates, which topics it reads."""

from __future__ import annotations

from copilot.agent.builtin.plan import Filter, Measure, QueryPlan

OP_WORDS = {"=": "is", "<>": "is not", ">": "above", ">=": "at least", "<": "below", "<=": "at most", "IN": "is one of", "NOT IN": "is none of"}


def _field_words(name: str) -> str:
    return name.replace("_", " ")


def _measure(m: Measure, plan: QueryPlan) -> str:
    if m.func == "count":
        return f"the number of {plan.source.replace('_', ' ')}"
    if m.func == "count_distinct":
        return f"the number of distinct {_field_words(m.ref.field)}s"
    if m.func == "share":
        return f"the share of {plan.source.replace('_', ' ')} whose {_filter(m.condition)}"
    word = {"sum": "total", "avg": "average", "min": "smallest", "max": "largest"}[m.func]
    named = f" ({m.alias})" if m.alias not in (f"total_{m.ref.field}", f"{m.func}_{m.ref.field}") else ""
    return f"the {word} {_field_words(m.ref.field)}{named}"


def _filter(f: Filter) -> str:
    if f.op == "IS NOT NULL":
        return f"{_field_words(f.ref.field)} is known"
    values = ", ".join(str(v) if not isinstance(v, float) else f"{v:g}" for v in f.values)
    return f"{_field_words(f.ref.field)} {OP_WORDS.get(f.op, f.op)} {values}"


def _join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe(plan: QueryPlan, *, upsert: bool = False) -> str:
    """`upsert`: the source keeps one current row per key (a table of products, not a stream of events)."""
    topics = _join_words(plan.tables)
    reads = f"It reads the Kafka topic{'s' if len(plan.tables) > 1 else ''} {topics}"
    by_left: dict[tuple[str, bool], list[str]] = {}
    for j in plan.joins:  # grouped by the table each hop starts from: the source, or the hop before
        by_left.setdefault((j.left.table, j.temporal), []).append(j.table.rstrip("s").replace("_", " "))
    for (left, temporal), tables in by_left.items():
        event = left.rstrip("s").replace("_", " ")
        if temporal:
            reads += f", looking up each {event}'s {_join_words(tables)} as it was at that time"
        else:
            reads += f", matching each {event} with its {_join_words(tables)} within an hour"
    where = f" where {' and '.join(_filter(f) for f in plan.filters)}" if plan.filters else ""
    if plan.projection:
        first = f"Shows each {plan.source.rstrip('s').replace('_', ' ')} event{where} as it arrives"
        if upsert:
            columns = _join_words([_field_words(f.field) for f in plan.projection]) if len(plan.projection) <= 3 else "record"
            first = f"Shows the current {columns} of each {plan.source.rstrip('s').replace('_', ' ')}{where}, updated as they change"
        if plan.top_n:
            first = (f"Keeps the {plan.top_n.n} {plan.source.replace('_', ' ')} with the "
                     f"{'largest' if plan.top_n.descending else 'smallest'} {_field_words(plan.top_n.measure_alias)}{where}, updated as events arrive")
        return f"{first}. {reads}."
    measures = _join_words([_measure(m, plan) for m in plan.measures])
    dims = f" per {_join_words([_field_words(d.field) for d in plan.dimensions])}" if plan.dimensions else ""
    having = ""
    if plan.having:
        having = " (only groups where " + " and ".join(f"{h.measure_alias} is {OP_WORDS.get(h.op, h.op)} {h.value:g}" for h in plan.having) + ")"
    w = plan.window
    if w is None:
        when = "continuously, updating the figures as each event arrives"
    elif w.kind == "tumble":
        size = w.size.unit.lower() if w.size.amount == 1 else f"{w.size.amount}-{w.size.unit.lower()}"
        when = f"for each {size} window; a new row appears when each window closes"
    elif w.kind == "session":
        who = f"each {_join_words([_field_words(d.field) for d in plan.dimensions])}'s" if plan.dimensions else "each"
        when = (f"for {who} session (a session ends after {w.size.words()} without events); "
                f"a row appears when a session ends")
    elif w.kind == "hop":
        when = f"over the last {w.size.words()}, refreshed every {w.step.words()}"
    else:
        span = "day (UTC)" if w.size.unit == "DAY" else w.size.words()
        when = f"since the start of the current {span}, refreshed every {w.step.words()}"
    top = ""
    if plan.top_n and plan.dimensions:
        order = "highest" if plan.top_n.descending else "lowest"
        top = f", keeping the {plan.top_n.n} {_field_words(plan.dimensions[-1].field)} value{'s' if plan.top_n.n > 1 else ''} with the {order} {_field_words(plan.top_n.measure_alias)}"
    return f"Computes {measures}{dims}{where}{having} {when}{top}. {reads}."
