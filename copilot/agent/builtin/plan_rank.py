"""Rankings in a plan: rows ranked by a number of their own, or groups ranked by a figure."""

from __future__ import annotations

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.lexicon import english, word_set
from copilot.agent.builtin.numbers import length_or_duration
from copilot.agent.builtin.outcome import AskBack
from copilot.agent.builtin.read import MeasureSpec, RankSpec, Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.vocab import Element
from copilot.plan.model import Dimension, FieldRef, Filter, Measure, Ranking


def _own_number(b: Builder, by: MeasureSpec) -> str | None:
    """ "by distance": a plain number of the subject's own rows that a ranking of those rows is ordered by."""
    m = by.target
    if by.func is not None or m is None or m.of("metric") or m.of("topic"):
        return None
    fields = [e for e in m.of("field") if e.topic == b.source and b.vocab.is_numeric(e.topic, e.field or "")]
    return fields[0].field if len(fields) == 1 else None


def _rows_of_a_value(b: Builder, target: Mention | None, size: bool) -> Mention | None:
    """ "the 5 largest refunds": a value of the subject named as its rows (payments whose status is refunded),
    ranked by a size; the value keeps the rows, the subject is what is ranked (a metric of the same name is a
    total, and a total has no size of its own rows)."""
    if target is None or target.of("topic") or target.of("field") or (target.of("metric") and not size):
        return target
    values = [e for e in target.of("value") if e.topic == b.source]
    if not values or len({(e.field, e.value) for e in values}) != 1:
        return target
    e = values[0]
    kept = Filter(field=FieldRef(topic=b.source, field=e.field or ""), op="=", values=[e.value or ""], words=target.text)
    if not any(f.field == kept.field and f.op == "=" and e.value in f.values for f in b.extra_filters):
        b.extra_filters.append(kept)
    return Mention(target.start, target.end, target.text, [Element("topic", b.source)], used=True)


def _key(b: Builder, m: Mention) -> FieldRef:
    d = b.dimension(m)
    return d.field if isinstance(d, Dimension) else d


def _only_topic(m: Mention) -> bool:
    return bool(m.of("topic")) and not (m.of("field") or m.of("metric") or m.of("value"))


def ranking_of(b: Builder, r: Reading, measures: list[Measure], dims) -> Ranking | None:
    spec = r.rank
    if spec is None:
        return None
    size = set(spec.words.lower().split()) & {str(w) for w in english()["size_words"]}
    target = _rows_of_a_value(b, spec.target, bool(size))
    te = b.resolve(target, ("topic", "field", "metric")) if target is not None else None
    if (
        te is not None
        and te.kind == "topic"
        and te.topic == b.source
        and not measures
        and (spec.by is None or (own_number := _own_number(b, spec.by)) is not None)
    ):
        # the subject's own rows ranked: "each depot's three longest runs" ranks runs within each depot, by the
        # number the question names ("the 3 longest trips by distance") or else the subject's main amount
        if spec.by is not None:
            amount = own_number
        elif spec.by_time:
            amount = b.vocab.topics[b.source].event_time
        else:
            if not size and b.vocab.topics[b.source].is_upsert and _only_rank_words(spec, target):
                _table_ranked_by_nothing_named(b, spec)
            amount = b.vocab.main_amount(b.source)
            if amount is not None:
                length_or_duration(b, b.source, amount, MeasureSpec(None, None, words=spec.words))
        if amount is None:
            raise AskBack(f"Biggest by which number of {b.source}?", b._number_options(b.source, spec.words))
        partition = [_key(b, m) for m in spec.partition]
        partition += [d.field for d in dims if d.field not in partition]
        dims.clear()
        return Ranking(
            n=spec.n,
            of="rows",
            by_field=FieldRef(topic=b.source, field=amount),
            descending=spec.descending,
            partition_by=partition,
            words=spec.words,
        )
    if te is not None and target is not None:
        if te.kind in ("field", "topic") and not any(d.words == target.text for d in dims):
            dims.insert(0, b.dimension(target))
        if te.kind == "metric":
            measures.append(b.measure(MeasureSpec(None, target, words=target.text)))
    if spec.by is not None:
        if size and spec.by.func is None and spec.by.target is not None and _only_topic(spec.by.target):
            # "the vehicles with the longest trips": the trips' size, not how many there are: which number?
            raise AskBack(
                f"“{spec.words}” by which number of {b.source.replace('_', ' ')}?", b._number_options(b.source, spec.words)
            )
        m = b.measure(spec.by)
        same = next((x for x in measures if _same_figure(x, m)), None)
        if same is not None:  # "revenue by country, top 3 by revenue": the figure already asked for
            measures.remove(same)
            m = same
        measures.insert(0, m)
    if not measures:
        if size:
            # "the vehicles with the longest trips": a size is not a count of rows; which number is meant?
            raise AskBack(
                f"“{spec.words}” by which number of {b.source.replace('_', ' ')}?", b._number_options(b.source, spec.words)
            )
        said = set(spec.words.lower().split()) | {t.low for t in r.toks if t.role in ("rank_top", "rank_bottom")}
        counts = said & word_set("rank_counts")
        if not counts and not b.r.count_targets and not _rows_named(b, r):
            _ranked_by_nothing_named(b, spec)
        measures.append(Measure(alias=b.alias(b.source), func="count"))
    # a ranking by a reference leaves out the events that name none ("most viewed products")
    for d in dims:
        if d.field.topic == b.source and any(rel.field == d.field.field for rel in b.vocab.topics[b.source].relationships):
            if not any(f.field == d.field for f in b.extra_filters):
                b.extra_filters.append(Filter(field=d.field, op="is_not_null", words=f"with a {d.field.field.replace('_', ' ')}"))
    if not dims:
        raise AskBack("Top of what?", [])
    within: list[FieldRef] = []
    if target is not None and te is not None and te.kind in ("field", "topic"):
        # "per site, which 3 devices send the most readings": a key said before the ranked things ranks within it
        before = {m.text for m in r.dims if m.start < target.start and m is not target}  # built above, not again
        within += [d.field for d in dims if d.words in before and d.field not in within]
    for pm in spec.partition:  # "best 2 countries by revenue for each channel": ranked within each channel
        d = b.dimension(pm)
        if all(x.field != d.field for x in dims):
            dims.append(d)
        within.append(_key(b, pm))
    return Ranking(
        n=max(1, spec.n), of="groups", by=measures[0].alias, descending=spec.descending, partition_by=within, words=spec.words
    )


def _same_figure(a: Measure, b: Measure) -> bool:
    skip = {"alias", "words"}
    return a.model_dump(exclude=skip) == b.model_dump(exclude=skip)


def _rows_named(b: Builder, r: Reading) -> bool:
    """The question names the rows it ranks groups by ("the carriers with the most parcels", "the most declines"):
    a count of them. A value that names a measured quantity ("the worst site for humidity": the catalog measures
    humidity with an average) names what is ranked, not rows to count."""
    target = r.rank.target if r.rank else None
    return any(
        (m.of("topic") or m.of("value") and not all(_measured(b, e) for e in m.of("value"))) and not m.qualifier
        for m in r.mentions
        if m is not target
    )


def _measured(b: Builder, e) -> bool:
    """A catalog metric of the value's rows measures a number, not a count, of exactly that value (avg_humidity)."""
    for metric in b.vocab.metrics.get(e.topic, []):
        simple = semantic.simple_metric(metric.expression)
        condition = semantic.metric_condition(metric)
        if simple is not None and simple[0] not in ("count", "count_distinct") and condition is not None:
            if condition[0] == e.field and str(condition[1]).lower() == str(e.value).lower():
                return True
    return False


def _ranked_by_nothing_named(b: Builder, spec: RankSpec) -> None:
    """ "busiest depots this week", "rank our best clients": a ranking word that names no figure, and no rows to
    count — trips, kilometres or stops all fit. Ask which, with the subject's count and metrics as options."""
    source = b.source.replace("_", " ")
    base = b.question.rstrip("?!. ")
    options = [{"label": f"number of {source}", "question": f"{base}, by number of {source}"}]
    for metric in b.vocab.metrics.get(b.source, [])[:3]:
        name = metric.name.replace("_", " ")
        options.append({"label": name, "question": f"{base}, by {name}"})
    raise AskBack(f"“{spec.words}” by what?", options)


def _only_rank_words(spec: RankSpec, target: Mention | None) -> bool:
    """ "top 5 products", "the best 3 sites": nothing but ranking words beside what is ranked ("the most expensive
    products" says a figure of its own)."""
    named = set(target.text.lower().split()) if target is not None else set()
    rank = word_set("rank_top") | word_set("rank_bottom")
    numbers = {str(n).lower() for n in english()["numbers"]}
    return all(w in rank or w in named or w.isdigit() or w in numbers or w == "the" for w in spec.words.lower().split())


def _table_ranked_by_nothing_named(b: Builder, spec: RankSpec) -> None:
    """ "top 5 products": a table's rows ranked with no figure and no size said — by a number of their own (the
    price) or by the events that name them (orders, views)? Ask, offering each reading the planner answers."""
    base = b.question.rstrip("?!. ")
    schema = b.vocab.topics[b.source]
    keys = set(schema.primary_key or [])
    tries = [
        (f.name.replace("_", " "), f"{base}, by {f.name.replace('_', ' ')}")
        for f in schema.fields
        if semantic.is_numeric(f.type) and f.name not in keys and not any(r.field == f.name for r in schema.relationships)
    ]
    for name, other in sorted(b.vocab.topics.items()):
        if not other.is_upsert and b.vocab.references(name, b.source):
            words = name.replace("_", " ")
            tries.append((f"number of {words}", f"{base}, by number of {words}"))
    options = [{"label": label, "question": q, "tries": [q]} for label, q in tries]
    raise AskBack(f"“{spec.words}” by what?", options, answered_only=True)
