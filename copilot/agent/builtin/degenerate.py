"""Plans whose answer cannot vary, mended before they are answered: a share whose rows are already filtered to its
own condition (the decline share of declined payments is always 1) means the words of that filter name what the
share measures. (A breakdown by a field the question also pins to one value — "lost parcels per carrier, DHL
only" — is answered as read: every word of it maps to one catalog element, and such questions are answered.)"""

from __future__ import annotations

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.plan.model import Filter, QueryPlan


def shares_of_their_own_rows(b: Builder, plan: QueryPlan) -> None:
    """ "are payments failing? decline rate per minute": "failing" names the rows the decline share counts, so it
    is not also a filter (every remaining row would be declined, the share always 1)."""
    conditions = set()
    for m in plan.measures:
        if m.condition is not None and m.condition.op == "=" and len(m.condition.values) == 1:
            conditions.add((m.condition.field.topic, m.condition.field.field, str(m.condition.values[0])))
        elif m.metric:
            metric = b.vocab.metric(plan.source, m.metric)
            cond = semantic.fraction_condition(metric.expression) if metric else None
            if cond is not None:
                conditions.add((plan.source, cond[0], cond[1]))
    if not conditions:
        return
    kept = []
    for f in plan.filters:
        if _one_value(f) and (f.field.topic, f.field.field, str(f.values[0])) in conditions:
            b.notices.append(f"“{f.words or f.values[0]}” is what the share measures, not also a filter (it would always be 1)")
            continue
        kept.append(f)
    plan.filters = kept


def _one_value(f: Filter) -> bool:
    return f.op in ("=", "in") and len(f.values) == 1
