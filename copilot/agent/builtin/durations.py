"""Durations read in the unit a question names ("average trip time in minutes", "mean minutes per trip"):
the fields that hold a duration, and the measures over them (`Measure.in_unit`)."""

from __future__ import annotations

from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.read import Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.vocab import Element
from copilot.plan.model import AggregateFunc, FieldRef, Measure
from copilot.sql.types import duration_unit


def duration_fields(b: Builder, topic: str) -> list[str]:
    schema = b.vocab.topics[topic]
    return [f.name for f in schema.fields if duration_unit(f.unit) is not None and b.vocab.is_numeric(topic, f.name)]


def durations_named_by_unit(b: Builder, r: Reading) -> None:
    """ "mean minutes per trip": an aggregate word before a time unit, and one field of the subject that holds a
    duration: that field is what is averaged (read in that unit below)."""
    fields = duration_fields(b, b.source)
    if len(fields) != 1:
        return
    for spec in r.measures:
        if spec.target is not None or spec.func not in ("avg", "sum", "min", "max"):
            continue
        unit = next(
            (
                t
                for t in r.toks
                if t.role == "time_unit"
                and not t.used
                and spec.words
                and t.i > 0
                and r.toks[t.i - 1].low in spec.words.lower().split()
            ),
            None,
        )
        if unit is not None:
            spec.target = Mention(unit.i, unit.i + 1, unit.text, [Element("field", b.source, fields[0])], used=True)


def duration_aggregate(b: Builder, metric_name: str) -> tuple[AggregateFunc, str] | None:
    """(func, field) of a metric that is one sum/avg/min/max of a duration field, scaled or not."""
    from sqlglot import exp

    from copilot.catalog.semantic import parse_expression

    metric = b.vocab.metric(b.source, metric_name)
    if metric is None or metric.filter:
        return None
    try:
        tree = parse_expression(metric.expression)
    except Exception:
        return None
    aggs = list(tree.find_all(exp.AggFunc))
    funcs: dict[type, AggregateFunc] = {exp.Sum: "sum", exp.Avg: "avg", exp.Min: "min", exp.Max: "max"}
    if len(aggs) != 1 or type(aggs[0]) not in funcs or not isinstance(aggs[0].this, exp.Column):
        return None
    field = aggs[0].this.name
    if field not in duration_fields(b, b.source):
        return None
    return funcs[type(aggs[0])], field


def durations_in_unit(b: Builder, r: Reading, measures: list[Measure]) -> None:
    """ "average trip time in minutes": a time unit the window did not take, and one measure of a field that holds
    a duration: that measure is read in the unit asked."""
    units = [t for t in r.toks if t.role == "time_unit" and not t.used]
    for t in list(units):  # "average trip duration in minutes": the catalog's metric avg_trip_minutes already is
        if any(m.metric and t.low in m.metric.lower().split("_") for m in measures):
            units.remove(t)
            t.used = True
            if t.i > 0 and r.toks[t.i - 1].low in ("in", "as"):
                r.toks[t.i - 1].used = True
    for i, m in enumerate(measures):  # "average trip time in hours" with a metric in minutes: its aggregate, re-read
        if m.metric and len(units) == 1:
            inner = duration_aggregate(b, m.metric)
            if inner is not None:
                measures[i] = Measure(
                    alias=f"{inner[0]}_{inner[1]}", func=inner[0], field=FieldRef(topic=b.source, field=inner[1]), words=m.words
                )
    timed = [
        i
        for i, m in enumerate(measures)
        if m.field is not None and m.func in ("sum", "avg", "min", "max") and m.field.field in duration_fields(b, m.field.topic)
    ]
    if len(units) != 1 or len(timed) != 1:
        return
    t = units[0]
    m = measures[timed[0]]
    measures[timed[0]] = m.model_copy(update={"in_unit": str(t.arg)})  # same alias: a ranking may name it
    t.used = True
    if t.i > 0 and r.toks[t.i - 1].low in ("in", "as"):
        r.toks[t.i - 1].used = True
