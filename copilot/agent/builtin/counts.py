"""How counts are put together from what a question names: one count per value side by side, a count's own rows
beside a row filter, empty-versus-present as one group each, the rows a threshold counts, and a distinct count
that the stream's unique key makes a plain row count."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.lexicon import said
from copilot.agent.builtin.read import MeasureSpec, Reading
from copilot.agent.builtin.tags import Mention
from copilot.plan.model import Dimension, FieldRef, Filter, Measure, QueryPlan


def distinct_pinned(b: Builder, measures: list[Measure], filters: list[Filter]) -> None:
    """ "delivered parcels": a distinct count of a field that, with the fields the question fixes to one value
    (status = 'delivered'), is the stream's unique key (`unique_key: [shipment_id, status]`) counts rows that
    occur once each — COUNT(*), which needs no state of the ids seen, gives the same number."""
    schema = b.vocab.topics[b.source]
    key = [k.lower() for k in schema.unique_key]
    if not key:
        return
    fixed = {
        f.field.field.lower()
        for f in filters
        if f.field.topic == b.source and (f.op == "=" or f.op == "in" and len(f.values) == 1)
    }
    for i, m in enumerate(measures):
        field = m.field.field if m.func == "count_distinct" and m.field is not None and m.field.topic == b.source else None
        if m.metric is not None:
            metric = b.vocab.metric(b.source, m.metric)
            simple = semantic.simple_metric(metric.expression) if metric is not None and not metric.filter else None
            field = simple[1] if simple is not None and simple[0] == "count_distinct" else None
        if field is None or m.filter is not None or field.lower() not in key:
            continue
        if set(key) - {field.lower()} <= fixed:
            measures[i] = Measure(alias=m.alias, func="count", words=m.words)


def present_versus_absent(r: Reading, filters: list[Filter], dims: list) -> None:
    """ "anonymous vs logged-in page views": a field empty versus set, side by side — one group each, not rows
    that are both."""
    if not any(t.role == "versus" for t in r.toks):
        return
    for f in filters:
        other = next(
            (g for g in filters if g is not f and g.field.key() == f.field.key() and {f.op, g.op} == {"is_null", "is_not_null"}),
            None,
        )
        if other is None:
            continue
        filters.remove(f)
        filters.remove(other)
        name = f.field.field if f.field.field.endswith("_id") else f.field.field
        dims.append(Dimension(field=f.field, transform="is_null", alias=f"no_{name}", words=f"{f.words} vs {other.words}"))
        return


def counts_per_value(b: Builder, r: Reading, measures: list[Measure], filters: list[Filter]) -> None:
    """ "how many reboots and how many offline events": one count per value, side by side — not rows that are
    both at once."""
    asked = [t for t in r.toks if t.role == "agg" and t.arg == "count" and t.phrase_start == t.i]
    if len(asked) < 2 or any(m.func != "count" or m.filter is not None for m in measures):
        return
    by_field: dict[tuple[str, str], list[Filter]] = {}
    for f in filters:
        if f.op == "=" and len(f.values) == 1:
            by_field.setdefault(f.field.key(), []).append(f)
    for group in by_field.values():
        if len(group) >= 2 and len({str(f.values[0]) for f in group}) == len(group):
            for f in group:
                filters.remove(f)
                measures.append(Measure(alias=b.alias(f"{f.values[0]}_count"), func="count", filter=f, words=f.words))
            measures[:] = [m for m in measures if m.filter is not None]
            return


def side_by_side_counts(b: Builder, measures: list[Measure], filters: list[Filter]) -> None:
    """ "how many alarms and how many low-battery warnings": one measure counts only alarms, and a row filter
    keeps only low-battery warnings — together they would always count 0 alarms. The filter belongs to the plain
    count beside it: each count gets its own rows."""
    plain = [m for m in measures if m.func == "count" and m.filter is None and m.metric is None]
    if len(plain) != 1 or len(measures) < 2:
        return
    own = [m.filter for m in measures if m.filter is not None and m.filter.op in ("=", "in")]
    own += [
        f
        for m in measures
        if m.metric
        and (metric := b.vocab.metric(b.source, m.metric)) is not None
        and (f := b._metric_filter(b.source, metric)) is not None
    ]
    for f in list(filters):
        if f.op not in ("=", "in"):
            continue
        clash = [o for o in own if o.field.key() == f.field.key() and not set(map(str, o.values)) & set(map(str, f.values))]
        if clash:
            filters.remove(f)
            i = measures.index(plain[0])
            measures[i] = Measure(alias=b.alias(f"{f.values[0]}_count"), func="count", filter=f, words=plain[0].words)
            return


def counted_rows(b: Builder, target: Mention | None) -> Measure | Filter | None:
    """What a threshold on a number of rows counts, when its noun says more than the subject's rows: a count
    metric of the catalog (alarm_count), or a value of a field (event_type = 'reboot')."""
    if target is None:
        return None
    for e in target.of("metric"):
        metric = b.vocab.metric(e.topic, e.metric or "")
        simple = semantic.simple_metric(metric.expression) if metric else None
        if metric is not None and metric.filter and simple is not None and simple[0] == "count":
            return b.measure(MeasureSpec(None, Mention(target.start, target.end, target.text, [e], used=True), words=target.text))
    values = target.of("value")
    if values and not target.of("topic") and len({(e.topic, e.field) for e in values}) == 1:
        e = b.resolve(Mention(target.start, target.end, target.text, values, used=True), ("value",))
        return Filter(field=b.ref(e), op="=", values=[e.value or ""], words=target.text)
    return None


def values_side_by_side(b: Builder, r: Reading, filters: list[Filter], dims: list[Dimension]) -> None:
    """ "cart and checkout views per minute", "paypal and klarna volume": values of one field joined by "and"
    in a figure with no other breakdown are one group each — "or" picks rows, "and" sets them side by side."""
    keys = {d.field.key() for d in dims if d.transform == "value"}
    for flt in list(filters):  # "desktop vs phone vs tablet": every value, one group each, no row left out
        known = semantic.values(b.vocab.topics[flt.field.topic], flt.field.field) if flt.field.key() in keys else {}
        if flt.op == "in" and known and set(map(str, flt.values)) >= set(known):
            filters.remove(flt)
    if dims or r.rank is not None or r.list_strong or (r.list_rows and not (r.window or r.measures)):
        return  # a listing shows each row with its value already
    for spec, flt in zip(r.filters, filters):
        if flt.op != "in" or len(spec.mentions) < 2:
            continue
        known = semantic.values(b.vocab.topics[flt.field.topic], flt.field.field)
        if known and set(map(str, flt.values)) >= set(known):
            # "how did the runs end - completed, partial, aborted": every value named, so no row is left out
            filters.remove(flt)
            dims.append(Dimension(field=flt.field, words=spec.words))
            return
        first, last = spec.mentions[0], spec.mentions[-1]
        between = {t.low for t in r.toks[first.end : last.start]}
        if "and" in between and not between & {"or", "nor", "either"} and not _said_combined(r):
            dims.append(Dimension(field=flt.field, words=spec.words))
            return


def _said_combined(r: Reading) -> bool:
    """ "the US and Canada combined": the values of the list are one figure together ("together with" joins figures)."""
    return said([t.low for t in r.toks], "combined_phrases", {("together",): "with"})


def counted_values_side_by_side(b: Builder, r: Reading, measures: list[Measure], filters: list[Filter], dims) -> None:
    """ "payments and declines per method": the rows named, and a value of them named as rows, joined by "and",
    are two counts side by side — not the plain count kept to the value's rows. (Values alone joined by "and",
    "reboots and alarms per site", stay one count of either: people write both, and the earlier reading is
    kept.)"""
    if not dims or r.rank is not None or r.list_rows or r.measures or measures:
        return  # a figure of its own named ("revenue of payments and declines"): not counts of the rows
    for spec, flt in zip(r.filters, filters):
        if flt.op != "=" or not all(m.of("value") and not m.qualifier for m in spec.mentions):
            continue
        topic = next(
            (m for m in r.mentions if m.of("topic") and not m.qualifier and m not in r.dims and m.end <= spec.mentions[0].start),
            None,
        )
        if topic is not None and _joined_by_and(r, topic, spec.mentions[0]):
            filters.remove(flt)
            measures.append(Measure(alias=b.alias(b.source), func="count", words=topic.text))
            measures.append(Measure(alias=b.alias(f"{flt.values[0]}_count"), func="count", words=spec.words, filter=flt))
            return


def _joined_by_and(r: Reading, first: Mention, last: Mention) -> bool:
    between = [t.low for t in r.toks[first.end : last.start]]
    return bool(between) and set(between) <= {"and", ",", "&", "as", "well"} and "and" in between


def metric_versus_values(b: Builder, r: Reading, plan: QueryPlan) -> None:
    """ "alarms vs reboots": a metric of one value of a field compared with other values of that field is the metric's
    own figure for each of those values — not the metric's rows kept to values it never counts. Compared with the
    same figure of other values ("refunded amount vs authorized amount"), that figure is kept to those values, beside
    the metric."""
    if not any(t.role == "versus" for t in r.toks) or not plan.measures or plan.ranking is not None or plan.having:
        return
    m = plan.measures[0]
    metric = b.vocab.metric(plan.source, m.metric) if m.metric and m.filter is None else None
    own = semantic.metric_condition(metric) if metric is not None else None
    simple = semantic.simple_metric(metric.expression) if metric is not None else None
    if own is None or simple is None or simple[0] == "count_distinct" and not simple[1]:
        return
    if len(plan.measures) > 2:
        return
    second = plan.measures[1] if len(plan.measures) == 2 else None
    if second is not None and (
        second.metric or second.filter or second.func != simple[0] or (second.field.field if second.field else None) != simple[1]
    ):
        return
    key = FieldRef(topic=plan.source, field=own[0])
    other = next(
        (
            f
            for f in plan.filters
            if f.field == key and f.op in ("=", "in") and own[1].lower() not in {str(v).lower() for v in f.values}
        ),
        None,
    )
    if other is None:
        return
    plan.filters.remove(other)
    if second is not None:  # "refunded amount vs authorized amount": the same figure of the other values, beside it
        b.aliases.discard(second.alias)
        alias = b.alias(f"{_side_alias(other)}_{simple[1] or plan.source}")
        plan.measures[1] = second.model_copy(update={"filter": other, "alias": alias})
        return
    plan.filters.append(Filter(field=key, op="in", values=[own[1], *other.values], words=f"{m.words} vs {other.words}"))
    if not any(d.field == key for d in plan.dimensions):
        plan.dimensions.append(Dimension(field=key, words=f"{m.words} vs {other.words}"))
    func, arg = simple
    b.aliases.discard(m.alias)
    name = f"{func}_{arg}" if arg else plan.source
    plan.measures = [
        Measure(
            alias=b.alias(name),
            func=func,  # type: ignore[arg-type]
            field=FieldRef(topic=plan.source, field=arg) if arg and func != "count" else None,
            words=m.words,
        )
    ]


def columns_side_by_side(b: Builder, plan: QueryPlan) -> None:
    """ "web vs app orders per minute, side by side": the figure once per compared value, as columns of one row —
    not one group per value. Values compared are a key kept to a list of its values (or a key of present/absent);
    figures already side by side ("revenue and order count per channel, side by side") stay as they are."""
    if len(plan.measures) != 1 or plan.ranking is not None or plan.having:
        return
    m = plan.measures[0]
    if m.func == "share":
        return
    for d in plan.dimensions:
        if d.transform == "value":
            kept = next((f for f in plan.filters if f.field == d.field and f.op == "in" and 2 <= len(f.values) <= 4), None)
            if kept is None:
                continue
            sides = [Filter(field=d.field, op="=", values=[v], words=str(v)) for v in kept.values]
            plan.filters.remove(kept)
        else:
            sides = [
                Filter(field=d.field, op=op, words=f"{d.field.field.replace('_', ' ')} {op.replace('_', ' ')}")
                for op in ("is_null", "is_not_null")
            ]
        plan.dimensions.remove(d)
        aliases = [_side_alias(f) for f in sides]
        b.aliases.discard(m.alias)
        plan.measures = [m.model_copy(update={"alias": b.alias(f"{a}_{m.alias}"), "filter": f}) for a, f in zip(aliases, sides)]
        return


def _side_alias(f: Filter) -> str:
    if f.op in ("is_null", "is_not_null"):
        return ("no_" if f.op == "is_null" else "with_") + f.field.field
    return re.sub(r"[^a-z0-9]+", "_", str(f.values[0]).lower()).strip("_") or "value"
