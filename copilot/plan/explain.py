"""A `QueryPlan` in plain words, clause by clause: what is counted or summed, each filter, each
breakdown key, the window, the ranking and each join, so a person can see what was understood.

`explain_plan(plan, topics) -> str` (one paragraph of sentences); `explain_clauses` gives the list."""

from __future__ import annotations

from copilot.catalog.model import TopicSchema
from copilot.plan.model import Dimension, FieldRef, Filter, Having, Join, Measure, QueryPlan, Ranking, Window

_OPS = {"=": "is", "<>": "is not", "<": "is below", "<=": "is at most", ">": "is above", ">=": "is at least"}
_FUNCS = {"sum": "total", "avg": "average", "min": "smallest", "max": "largest"}


def explain_plan(plan: QueryPlan, topics: dict[str, TopicSchema]) -> str:
    return " ".join(explain_clauses(plan, topics))


def explain_clauses(plan: QueryPlan, topics: dict[str, TopicSchema]) -> list[str]:
    e = _Explainer(plan, topics)
    clauses = [e.subject()]
    clauses += [e.join(j) for j in plan.joins]
    clauses += [f"Only {e.rows()} where {e.condition(f)}." for f in plan.filters]
    clauses += [f"Leaving out {e.rows()} where {_and([e.condition(c) for c in x.conditions])}." for x in plan.excluded]
    if plan.dimensions:
        clauses.append("Broken down by " + _and([e.dimension(d) for d in plan.dimensions]) + ".")
    if plan.window is not None:
        clauses.append(e.window(plan.window))
    elif plan.is_aggregate:
        clauses.append("Without a time window: the figures update continuously as events arrive.")
    clauses += [e.having(h) for h in plan.having]
    if plan.ranking is not None:
        clauses.append(e.ranking(plan.ranking))
    return clauses


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Explainer:
    def __init__(self, plan: QueryPlan, topics: dict[str, TopicSchema]):
        self.plan, self.topics = plan, topics

    def rows(self) -> str:
        return self.plan.source.replace("_", " ")

    def field(self, ref: FieldRef) -> str:
        name = ref.field.replace("_", " ")
        return name if ref.topic == self.plan.source else f"{ref.topic.replace('_', ' ')} {name}"

    def value(self, ref: FieldRef, value) -> str:
        schema = self.topics.get(ref.topic)
        f = schema.field(ref.field) if schema else None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            unit = ""
            if f is not None and f.unit:
                unit = f" {f.unit}"
            return _number(value) + unit
        label = f.values.get(str(value)) if f is not None else None
        return f"'{value}'" + (f" ({label})" if label and label != str(value) else "")

    def condition(self, f: Filter) -> str:
        name = self.field(f.field)
        values = [self.value(f.field, v) for v in f.values]
        if f.op == "is_null":
            return f"{name} is missing"
        if f.op == "is_not_null":
            return f"{name} is present"
        if f.op in ("in", "not_in"):
            joined = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
            return f"{name} {'is' if f.op == 'in' else 'is not'} {joined}"
        if f.op in ("between", "not_between"):
            return f"{name} {'is' if f.op == 'between' else 'is not'} between {values[0]} and {values[1]}"
        return f"{name} {_OPS[f.op]} {values[0]}"

    def measure(self, m: Measure) -> str:
        schema = self.topics.get(self.plan.source)
        if m.metric is not None:
            metric = schema.metric(m.metric) if schema else None
            text = f"the metric {m.metric.replace('_', ' ')}"
            if metric is not None:
                text += f" ({metric.expression}" + (f", counting only rows where {metric.filter}" if metric.filter else "") + ")"
        elif m.func == "count":
            text = f"the number of {self.rows()}"
        elif m.func == "count_distinct":
            text = f"the number of different {self.field(m.field)} values"
        elif m.func == "share":
            text = f"the share of {self.rows()} where {self.condition(m.condition)}"
        else:
            text = f"the {_FUNCS[m.func]} {self.field(m.field)}"
            currency = self._currency(m.field)
            if currency:
                text += f" (in each row's {currency.replace('_', ' ')})"
            if m.in_unit is not None:
                text += f" in {m.in_unit.lower()}s"
        if m.filter is not None:
            text += f", only where {self.condition(m.filter)}"
        return text + f" as {m.alias}"

    def _currency(self, ref: FieldRef) -> str | None:
        schema = self.topics.get(ref.topic)
        f = schema.field(ref.field) if schema else None
        if f is None or not f.currency_field:
            return None
        pinned = any(x.field.key() == (ref.topic, f.currency_field) and x.op == "=" for x in self.plan.filters)
        grouped = any(d.field.key() == (ref.topic, f.currency_field) for d in self.plan.dimensions)
        return None if pinned or grouped else f.currency_field

    def subject(self) -> str:
        if self.plan.is_aggregate:
            return f"From {self.rows()}: " + _and([self.measure(m) for m in self.plan.measures]) + "."
        if self.plan.columns:
            listing = _and([self.field(c) for c in self.plan.columns])
        else:
            listing = "every field"
        schema = self.topics.get(self.plan.source)
        how = "its current rows (one per key)" if schema is not None and schema.is_upsert else "each one as it arrives"
        return f"Lists {self.rows()} ({listing}): {how}."

    def dimension(self, d: Dimension) -> str:
        name = self.field(d.field)
        if d.transform == "is_null":
            return f"whether {name} is missing"
        if d.transform == "is_not_null":
            return f"whether {name} is present"
        return name

    def join(self, j: Join) -> str:
        link = f"{self.field(j.left)} = {j.topic.replace('_', ' ')} {j.right.field.replace('_', ' ')}"
        if j.kind == "temporal":
            return f"Looks up {j.topic.replace('_', ' ')} as they were at the time of each {self.rows()} event ({link})."
        if j.kind == "interval":
            words = {"before": "before", "after": "after", "around": "before or after"}[j.direction]
            return f"Joins {j.topic.replace('_', ' ')} that happened at most {j.bound.words()} {words} it ({link})."
        return f"Joins {j.topic.replace('_', ' ')} ({link}); without a time bound this keeps state for every key."

    def window(self, w: Window) -> str:
        zone = self.plan.time_zone or "the session time zone"
        if w.kind == "tumble":
            aligned = f" (days start at midnight in {zone})" if w.size.unit == "DAY" else ""
            return f"Per {w.size.words()} window{aligned}."
        if w.kind == "hop":
            return f"Over the last {w.size.every_words()}, updated every {w.slide.every_words()}."
        if w.kind == "cumulate":
            start = {"DAY": "midnight", "HOUR": "the top of the hour"}.get(
                w.size.unit, f"the start of each {w.size.every_words()}"
            )
            return f"Since {start} in {zone}, updated every {w.step.every_words()}."
        return f"Per session: a session ends after {w.gap.words()} without activity."

    def having(self, h: Having) -> str:
        return f"Keeps only groups whose {h.measure} {_OPS[h.op]} {_number(h.value)}."

    def ranking(self, r: Ranking) -> str:
        order = "highest" if r.descending else "lowest"
        per = ""
        if r.partition_by:
            per = " in each " + _and([self.field(p) for p in r.partition_by])
        if self.plan.window is not None:
            per += " per window"
        if r.of == "groups":
            return f"Keeps the top {r.n} by {r.by} ({order} first){per}."
        return f"Keeps the {r.n} {self.rows()} with the {order} {self.field(r.by_field)}{per}."
