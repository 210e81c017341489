"""Follow-ups: a question that changes one part of the previous answer's plan ("now only mobile",
"make it per hour", "and by channel", "now the maximum instead", "make it the top 5")."""

from __future__ import annotations

import re

from copilot.agent.builtin.accounting import every_word_used, unknown_words
from copilot.agent.builtin.assemble import aligned_to_midnight, session_time_zone
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.degenerate import checked
from copilot.agent.builtin.outcome import Decline
from copilot.agent.builtin.plan_compare import comparison
from copilot.agent.builtin.read import Reading
from copilot.agent.builtin.vocab import Vocabulary
from copilot.plan.model import FieldRef, Filter, Measure, QueryPlan, Ranking


def wants_followup(r: Reading, previous: QueryPlan, vocab: Vocabulary) -> bool:
    """A follow-up opens with a follow-up word, or names no subject of its own (no measure, no topic)."""
    named = {e.topic for m in r.mentions if not m.qualifier and m not in r.replaced for e in m.of("topic")}
    for a, b in zip(r.mentions, r.mentions[1:]):  # "France (page views)": a value the old subject also has, placed elsewhere
        for topic_m, value_m in ((a, b), (b, a)):
            if topic_m.qualifier and value_m.of("value"):
                again = vocab.lookup([t.text for t in r.toks[value_m.start : value_m.end]])
                if any(e.kind == "value" and e.topic == previous.source for e in again):
                    named |= {e.topic for e in topic_m.of("topic")}
    if named and not named & set(previous.tables):
        # "just the sites in Denmark": a related table named to place a filter keeps the question
        related = all(vocab.path(previous.source, t) for t in named)
        if not (r.followup_cue and related and r.filters and not r.measures and not r.list_rows):
            return False  # it names another subject: a new question
    if r.followup_cue:
        return True
    names_subject = bool(r.measures) or any(m.of("topic") and not m.qualifier for m in r.mentions) or r.list_rows
    return not names_subject and bool(r.mentions or r.window or r.rank or r.chart or r.agg_only)


def refine(previous: QueryPlan, r: Reading, vocab: Vocabulary, question: str, rank: list[str]) -> tuple[QueryPlan, list[str]]:
    unknown_words(r, question, vocab)
    plan = previous.model_copy(deep=True)
    b = Builder(r, vocab, plan.source, question, rank)
    b.joins = list(plan.joins)
    b.aliases = {m.alias for m in plan.measures}
    for m in r.replaced:  # "instead of country": that key, filter or measure goes
        fields = {(e.topic, e.field) for e in m.elements if e.kind in ("field", "value")}
        topics = {e.topic for e in m.of("topic")}
        plan.dimensions = [d for d in plan.dimensions if d.field.key() not in fields and not (d.words and d.words == m.text)]
        plan.filters = [f for f in plan.filters if f.field.key() not in fields]
        if topics and not fields:
            plan.dimensions = [d for d in plan.dimensions if d.field.topic not in topics]
    if r.measures:
        old = {m.alias for m in plan.measures}
        # "and the units sold": one more measure next to the ones there ("revenue rather than a count" replaces it)
        if r.additive and not r.replaced and not r.replaces_figure:
            new = [b.measure(s) for s in r.measures]
            plan.measures = plan.measures + [
                m
                for m in new
                if all(
                    m.model_dump(exclude={"alias", "words"}) != x.model_dump(exclude={"alias", "words"}) for x in plan.measures
                )
            ]
        else:
            b.aliases = set()
            plan.measures = [b.measure(s) for s in r.measures]
            plan.having = [h for h in plan.having if h.measure not in old]
        if plan.ranking is not None and plan.ranking.of == "groups":
            plan.ranking.by = plan.measures[0].alias
    elif r.agg_only:
        plan.measures = [_with_func(m, r.agg_only, plan, vocab) for m in plan.measures]
    if r.dims:
        dims = [b.dimension(m) for m in r.dims]
        plan.dimensions = (
            (plan.dimensions + [d for d in dims if d not in plan.dimensions]) if (r.additive or r.replaced) else dims
        )
    if r.clear_filters:
        plan.filters = []
        plan.excluded = []
    for spec in r.filters:
        f = b.filter(spec)
        for old in [x for x in plan.filters if x.field == f.field and x.values != f.values]:
            _renamed_with(plan, b, old, f)
        plan.filters = [x for x in plan.filters if x.field != f.field] + [f]
    new_filters: list = []
    for c in [c for c in r.compares if not _new_bar(plan, c)]:
        comparison(b, c, plan.measures, new_filters, plan.having, plan.dimensions)
    for f in new_filters:
        plan.filters = [x for x in plan.filters if not (x.field == f.field and _replaces(f, x))] + [f]
    if r.window is not None:
        plan.window = r.window
        plan.time_zone = session_time_zone() if aligned_to_midnight(r.window) else None
    if r.rank is not None:
        if plan.ranking is not None:
            plan.ranking.n = r.rank.n if r.rank.explicit_n else plan.ranking.n
            plan.ranking.descending = r.rank.descending
        elif plan.measures and plan.dimensions:
            plan.ranking = Ranking(n=r.rank.n, of="groups", by=plan.measures[0].alias, descending=r.rank.descending)
    if r.chart:
        plan.chart = "line" if r.chart == "auto" and plan.window else "bar" if r.chart == "auto" else r.chart  # type: ignore[assignment]
    plan.joins = _needed_joins(plan, b.joins)
    try:
        plan = QueryPlan.model_validate(plan.model_dump())
    except ValueError as exc:
        raise Decline(f"that change does not fit the previous question ({exc})") from exc
    every_word_used(r, plan, b, question)
    checked(b, plan, r, question)
    return plan, b.notices


def _with_func(m: Measure, func: str, plan: QueryPlan, vocab: Vocabulary) -> Measure:
    from copilot.agent.builtin import semantic

    if m.metric:
        metric = vocab.metric(plan.source, m.metric)
        simple = semantic.simple_metric(metric.expression) if metric else None
        if simple is None or simple[1] is None:
            return m
        return Measure(alias=m.alias, func=func, field=FieldRef(topic=plan.source, field=simple[1]), words=m.words)  # type: ignore[arg-type]
    if m.field is None or m.func in ("share", "count_distinct"):
        return m
    return Measure(alias=m.alias, func=func, field=m.field, filter=m.filter, words=m.words)  # type: ignore[arg-type]


def _needed_joins(plan: QueryPlan, joins: list) -> list:
    """Joins whose topic a field of the plan still uses (or that lead to one)."""
    used = {ref.topic for ref in plan.field_refs() if ref.topic != plan.source}
    keep, changed = list(joins), True
    while changed:
        changed = False
        for j in list(keep):
            needed = j.topic in used or any(k.left.topic == j.topic for k in keep if k is not j)
            if not needed:
                keep.remove(j)
                changed = True
    return keep


_BOUNDS = {"<": -1, "<=": -1, ">": 1, ">=": 1}


def _replaces(new: Filter, old: Filter) -> bool:
    """A bound on a field replaces the previous one of the same side ("now over 50"), and one of the other side that
    would leave no row ("over 500" then "now under 20 instead"); two sides that leave rows are a range ("and under
    1000")."""
    if new.op == old.op:
        return True
    if new.op not in _BOUNDS or old.op not in _BOUNDS or len(new.values) != 1 or len(old.values) != 1:
        return False
    if _BOUNDS[new.op] == _BOUNDS[old.op]:
        return True
    try:
        low, high = (
            (float(old.values[0]), float(new.values[0])) if _BOUNDS[old.op] > 0 else (float(new.values[0]), float(old.values[0]))
        )
    except (TypeError, ValueError):
        return False
    return low >= high


def _new_bar(plan: QueryPlan, c) -> bool:
    """ "now more than 5", "what about over 10": a bare number compared, with no unit, currency or thing of its own,
    moves the previous answer's one threshold (a threshold per group first, else a threshold on rows)."""
    if (
        c.target is not None
        or c.currency is not None
        or c.kind != "default"
        or c.high is not None
        or c.op not in ("<", "<=", ">", ">=")
    ):
        return False
    if len(plan.having) == 1:
        plan.having[0].op, plan.having[0].value, plan.having[0].words = c.op, c.value, c.words
        return True
    bars = [f for f in plan.filters if f.op in ("<", "<=", ">", ">=")]
    if not plan.having and len(bars) == 1:
        i = plan.filters.index(bars[0])
        plan.filters[i] = bars[0].model_copy(update={"op": c.op, "values": [c.value], "words": c.words})
        return True
    return False


def _renamed_with(plan: QueryPlan, b: Builder, old: Filter, new: Filter) -> None:
    """ "alarms per site" then "what about reboots": a count named by the value it counts is renamed with the value
    that replaces it (the column would otherwise say alarm_count over reboots)."""
    if not old.words or len(new.values) != 1:
        return
    was = str(old.values[0]).lower().replace(" ", "_") if len(old.values) == 1 else None
    value = str(new.values[0]).lower().replace(" ", "_")
    for i, m in enumerate(plan.measures):
        if m.words != old.words or m.metric:
            continue
        if was and was in m.alias:  # "avg temperature" then "humidity instead": avg_humidity
            alias = m.alias.replace(was, value)
        elif m.func in ("count", "count_distinct"):
            alias = f"{value}_count"
        else:
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", alias):
            plan.measures[i] = m.model_copy(update={"alias": b.alias(alias), "words": new.words or m.words})
        for h in plan.having:
            if h.measure == m.alias:
                h.measure = plan.measures[i].alias
        if plan.ranking is not None and plan.ranking.by == m.alias:
            plan.ranking.by = plan.measures[i].alias
