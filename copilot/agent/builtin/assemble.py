"""Reading → QueryPlan: the subject, measures, breakdowns, filters, comparisons, ranking and window,
with stated defaults; then every content word is checked to have been used, or the planner asks."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.askback import (
    dims_on_amounts,
    distinct_read,
    loose_key_options,
    measure_in_two_topics,
    mixed_units,
    null_contradictions,
    totals_of_a_named_figure,
    uncoordinated_measures,
    verbs_of_their_object,
)
from copilot.agent.builtin.build import Builder, choose_source
from copilot.agent.builtin.counts import (
    counted_rows,
    counts_per_value,
    distinct_pinned,
    present_versus_absent,
    side_by_side_counts,
    values_side_by_side,
)
from copilot.agent.builtin.durations import durations_in_unit, durations_named_by_unit
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import AskBack, Decline, UnknownWords
from copilot.agent.builtin.read import MeasureSpec, Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Element, Vocabulary
from copilot.plan.model import Dimension, FieldRef, Filter, Having, Measure, QueryPlan, Ranking


def session_time_zone() -> str:
    """The zone "today" and "since midnight" are aligned to: the Flink session's local time zone, the
    COPILOT_TIMEZONE setting (the gateway session is opened with it)."""
    from copilot import settings

    return settings.time_zone()


def aligned_to_midnight(window) -> bool:
    """A window whose boundaries depend on the session time zone: "since midnight / the top of the hour",
    or windows of whole days."""
    if window is None:
        return False
    return window.kind == "cumulate" or any(d is not None and d.unit == "DAY" for d in (window.size, window.slide))


def assemble(
    r: Reading, vocab: Vocabulary, question: str, rank: list[str], context: str | None = None
) -> tuple[QueryPlan, list[str]]:
    unknown_words(r, question, vocab)
    source = choose_source(r, vocab, rank, context, question)
    b = Builder(r, vocab, source, question, rank)
    _plain_words(r, vocab, source)
    durations_named_by_unit(b, r)
    verbs_of_their_object(r, vocab)
    totals_of_a_named_figure(r)
    uncoordinated_measures(r, question)
    measures = []
    for s in r.measures:  # "kg of capacity": two words for one measure give it once
        m = b.measure(s)
        if all(m.model_dump(exclude={"alias", "words"}) != x.model_dump(exclude={"alias", "words"}) for x in measures):
            measures.append(m)
    b.measures_built = measures
    dims = [b.dimension(m) for m in r.dims]
    for cue, word in r.loose_keys:  # "by type": the one field of the subject whose name ends in that word
        schema = vocab.topics[source]
        named = [
            f.name
            for f in schema.fields
            if f.name.lower().endswith("_" + stem(word.low)) or f.name.lower().endswith("_" + word.low)
        ]
        if len(named) == 1 and all(d.field.field != named[0] for d in dims):
            dims.append(Dimension(field=FieldRef(topic=source, field=named[0]), words=f"{cue.text} {word.text}"))
            cue.used = word.used = True
        elif len(named) != 1 and word.low in {str(w).lower() for w in english()["key_nouns"]}:
            loose_key_options(b, word, question)
    dims_on_amounts(b, dims, question)
    filters = [b.filter(f) for f in r.filters]
    b.extra_filters = filters
    values_side_by_side(b, r, filters, dims)
    having: list[Having] = []
    for c in r.compares:
        _comparison(b, c, measures, filters, having, dims)
    _currency_words(b, r, filters)
    counts_per_value(b, r, measures, filters)
    present_versus_absent(r, filters, dims)
    _contradictions(filters, question)
    _qualified_numbers(b, measures, filters, dims, question)
    ranking = _ranking(b, r, measures, dims)
    _one_per_source_row(b, measures)
    _unfold_filtered_metric(b, measures, filters)
    measure_in_two_topics(b, r)
    durations_in_unit(b, r, measures)
    side_by_side_counts(b, measures, filters)
    mixed_units(b, measures, filters)
    distinct_pinned(b, measures, filters)
    schema = vocab.topics[source]
    if (
        schema.is_upsert
        and dims
        and ranking is None
        and not having
        and all(d.field.topic == source and d.field.field in (schema.primary_key or []) for d in dims)
        and measures
        and all(spec.func is None and m.field is not None for spec, m in zip(r.measures, measures))
        and len(r.measures) == len(measures)
    ):
        # "the price of each product": an upsert table already holds one current row per key
        b.notices.append(
            f"{source} keeps one current row per {', '.join(schema.primary_key)}: listed as they are, not aggregated"
        )
        cols = [d.field for d in dims] + [m.field for m in measures if m.field is not None]
        plan = QueryPlan(source=source, filters=filters, joins=b.joins, columns=cols)
        _every_word_used(r, plan, b, question)
        return plan, b.notices
    if not measures and ranking is None and not r.list_rows:
        for m in r.mentions:  # "devices that went offline": the named table's members, counted through the events
            if m.used or m.qualifier or not m.of("topic"):
                continue
            t = m.of("topic")[0].topic
            if t != source and vocab.references(source, t):
                measures.append(b.measure(MeasureSpec("count", m, words=m.text)))
                m.used = True
                break
    key = vocab.topics[source].primary_key or []
    opener = next((t for t in r.toks if t.role != "function_words"), None)
    asks_which = opener is not None and opener.role == "which_words" and r.agg_only is None and vocab.topics[source].is_upsert
    if (
        (r.list_strong or asks_which)
        and not measures
        and not having
        and dims
        and all(d.field.topic == source and d.field.field in key for d in dims)
    ):
        dims = []  # "each payment, listed": one row per key is the listing itself
    if not measures and ranking is None and (dims or r.window and not r.list_rows or having):
        chosen = None
        if r.agg_only not in ("count", "count_distinct") and not any(
            e.topic == source for m in r.mentions for e in m.of("topic")
        ):
            chosen = _value_or_metric(b, filters, question)  # "co2 by device" names no subject to count
        measured_kind = _measured_kind(b, filters) if chosen is None and not r.list_rows and r.agg_only is None else None
        if measured_kind is not None:  # "vibration per site": the measured number's default aggregate, for that kind
            func, field, f = measured_kind
            measures.append(
                Measure(
                    alias=b.alias(f"{func}_{f.values[0]}"), func=func, field=FieldRef(topic=source, field=field), words=f.words
                )
            )
            b.notices.append(
                f"“{f.words}” read as the {func} of {field.replace('_', ' ')} where {f.field.field.replace('_', ' ')} is {f.values[0]}"
            )
        elif chosen is not None:
            metric, f = chosen
            filters.remove(f)  # the metric's own condition: it comes back as a WHERE condition below
            measures.append(Measure(alias=b.alias(metric.name), metric=metric.name, words=f.words))
            _unfold_filtered_metric(b, measures, filters)
            b.notices.append(f"“{f.words}” read as the catalog's measure {metric.name.replace('_', ' ')} ({metric.expression})")
        elif (money := _money_named_as_figure(b, r)) is not None:
            measures.append(
                Measure(
                    alias=b.alias(f"sum_{money[0]}"), func="sum", field=FieldRef(topic=source, field=money[0]), words=money[1]
                )
            )
        else:
            measures.append(Measure(alias=b.alias(b.source), func="count", words=source.replace("_", " ")))
    columns: list[FieldRef] = []
    schema = vocab.topics[source]
    if not measures and (ranking is None or ranking.of == "rows"):
        columns = [FieldRef(topic=source, field=f.name) for f in schema.fields]
    if dims and not measures and ranking is None:
        raise AskBack(
            "What should I compute for each group?",
            [{"label": "count", "question": f"how many {source.replace('_', ' ')} {question}"}],
        )
    schema_ = vocab.topics[source]
    if not schema_.is_upsert and measures and all(m.func == "avg" or m.metric for m in measures):
        # "average quantity per order": the subject's own key is the grain of an average, not a breakdown
        grain = [d for d in dims if d.field.topic == source and d.field.field in (schema_.primary_key or [])]
        if grain and len(dims) > len(grain) or grain and not any(m.metric for m in measures):
            dims = [d for d in dims if d not in grain]
    for h in having:  # a threshold on a count written before the measure existed
        if h.measure == "__count__":
            h.measure = next((m.alias for m in measures if m.func == "count"), None) or _add_count(b, measures)
    if r.bound_mention is not None:  # "delivered within 2 hours of the order": the join is the condition
        b.join_to(b.resolve(r.bound_mention, ("topic",)).topic)
    window = r.window
    if (
        window is not None
        and not measures
        and not (ranking is not None and ranking.of == "rows" and window.kind in ("tumble", "cumulate"))
    ):
        # listed rows have no time window: ranking or listing "in the last hour" cannot be expressed
        without = question
        if window.words and window.words.lower() in question.lower():
            i = question.lower().index(window.words.lower())
            without = (question[:i] + question[i + len(window.words) :]).replace("  ", " ").strip()
        raise AskBack(
            f"Rows are listed as they arrive, without a time window: what should “{window.words}” do?",
            [
                {"label": "list them as they arrive", "question": without},
                {"label": f"count them {window.words}", "question": f"how many {source.replace('_', ' ')} {window.words}"},
            ],
        )
    if window is not None and (schema.is_upsert or not schema.event_time):
        _window_on_table(b, window, question, dims)
    plan = QueryPlan(
        source=source,
        measures=measures,
        dimensions=dims,
        filters=filters,
        joins=b.joins,
        window=window,
        ranking=ranking,
        having=having,
        columns=columns,
        chart=("line" if r.chart == "auto" and window else "bar" if r.chart == "auto" else r.chart) if r.chart else None,
    )
    if aligned_to_midnight(window):
        plan.time_zone = session_time_zone()
    _keys_that_split_nothing(b, plan, question)
    _every_word_used(r, plan, b, question)
    return plan, b.notices


def _keys_that_split_nothing(b: Builder, plan: QueryPlan, question: str) -> None:
    """A figure per group where the groups are the rows themselves (the subject's own id: "per parcel") or
    an amount ("by units", "by amount") answers nothing anyone asks: a word was read as a key where it was
    meant as the figure, or as "each one". Ask, never answer it."""
    if not plan.measures:
        return
    keys = [(d.field, d.words) for d in plan.dimensions if d.transform == "value"]
    keys += [(f, "") for f in (plan.ranking.partition_by if plan.ranking else [])]
    for ref, words in keys:
        schema = b.vocab.topics[ref.topic]
        own_id = ref.topic == plan.source and ref.field in (schema.primary_key or []) and len(schema.primary_key or []) == 1
        amount = (
            b.vocab.is_numeric(ref.topic, ref.field)
            and not b.vocab.is_key(ref.topic, ref.field)
            and (
                semantic.default_aggregate(schema, ref.field) in ("sum", "avg")
                or semantic.field_annotation(schema, ref.field, "unit")
                or semantic.currency_field(schema, ref.field)
            )
        )
        if not (own_id or amount):
            continue
        said = words or ref.field.replace("_", " ")
        what = f"single {plan.source.replace('_', ' ')} row" if own_id else f"value of {ref.field.replace('_', ' ')}"
        options = []
        if words and words.lower() in question.lower():
            i = question.lower().index(words.lower())
            without = " ".join((question[:i] + question[i + len(words) :]).split())
            options.append({"label": f"without “{words}”", "question": without})
        raise AskBack(f"“{said}” would give one group per {what}: what should it do?", options)


def _window_on_table(b: Builder, window, question: str, dims) -> None:
    """A time window over a table of current rows ("products per brand every 10 minutes"): its rows are not
    events. Ask: the current figure without a window, or the events that name the table, per window."""
    words = window.words or ""
    without = question
    if words and words.lower() in question.lower():
        i = question.lower().index(words.lower())
        without = " ".join((question[:i] + question[i + len(words) :]).split())
    options = [{"label": "the current figure, without a window", "question": without}]
    for t, schema in b.vocab.topics.items():
        if (
            t != b.source
            and not schema.is_upsert
            and schema.event_time
            and b.vocab.references(t, b.source)
            and t not in b.vocab.twins
        ):
            per = " and ".join(d.words for d in dims if d.words)
            q = f"{t.replace('_', ' ')}" + (f" per {per}" if per else "") + f" {words}"
            options.append({"label": q, "question": q})
        if len(options) >= 3:
            break
    raise AskBack(
        f"{b.source.replace('_', ' ')} holds current rows, not events: “{words}” cannot split them. What do you mean?", options
    )


def _plain_words(r: Reading, vocab: Vocabulary, source: str) -> None:
    """A one-word value that is also a generic word ("live", "active") and belongs only to topics the subject
    cannot reach: here it is the generic word ("list them live"), not a filter on an unrelated table."""
    from copilot.agent.builtin.tags import lexicon_table

    table = lexicon_table()
    cues = {str(w).lower() for w in english()["list_strong"] if " " not in str(w)}
    keep = []
    for f in r.filters:
        m = f.mentions[0] if len(f.mentions) == 1 else None
        if m is not None and r.list_strong and m.text.lower() in cues and m.end == len(r.toks) and f.op == "=":
            continue  # "… list them live": the listing cue at the end, not a value
        hit = table.get((m.text.lower(),)) if m is not None and m.end - m.start == 1 else None
        if (
            hit is not None
            and hit[0] in ("light_words", "function_words", "list_cue")
            and all(e.topic != source and not vocab.path(source, e.topic) for e in m.elements)
            and f.op == "="
        ):
            continue
        keep.append(f)
    r.filters = keep


def _qualified_numbers(b: Builder, measures: list[Measure], filters: list[Filter], dims, question: str) -> None:
    """A number whose meaning depends on another field ("value", read per "kind"): the catalog says so when
    every metric over it carries a condition on that field. Aggregated without one, it mixes units: ask."""
    for m in measures:
        if m.metric or m.field is None or m.func in ("count", "count_distinct") or m.filter is not None:
            continue
        over = [
            x
            for x in b.vocab.metrics.get(m.field.topic, [])
            if (s := semantic.simple_metric(x.expression)) and s[1] == m.field.field
        ]
        conds = [FILTER_RE.match(str(x.filter or "")) for x in over]
        if len(over) < 2 or any(c is None for c in conds) or len({c.group(1) for c in conds}) != 1:
            continue
        by = conds[0].group(1)
        if any(f.field.key() == (m.field.topic, by) for f in filters) or any(d.field.key() == (m.field.topic, by) for d in dims):
            continue
        options = []
        for x in over[:3]:
            words = (x.synonyms or [x.name.replace("_", " ")])[0]
            options.append(
                {
                    "label": words,
                    "question": re.sub(re.escape(m.words), words, question, count=1, flags=re.I)
                    if m.words and m.words.lower() in question.lower()
                    else f"{question} ({words})",
                }
            )
        options.append({"label": f"by {by.replace('_', ' ')}", "question": f"{question} by {by.replace('_', ' ')}"})
        raise AskBack(
            f"“{m.words or m.field.field}” means something different for each {by.replace('_', ' ')}: which one?", options
        )


def _contradictions(filters: list[Filter], question: str) -> None:
    """Two conditions no row can meet together (status = 'a' AND status = 'b'): the question joined the
    values in a way the grammar did not read as a list. Ask: either of them, or one of them."""
    by_field: dict[tuple[str, str], list[Filter]] = {}
    for f in filters:
        if f.op in ("=", "in"):
            by_field.setdefault(f.field.key(), []).append(f)
    null_contradictions(filters, question)
    for key, group in by_field.items():
        sets = [set(map(str, f.values)) for f in group]
        if len(group) < 2 or set.intersection(*sets):
            continue
        values = [v for f in group for v in f.values]
        words = [f.words or str(f.values[0]) for f in group]
        field = key[1].replace("_", " ")
        low = question.lower()
        spans = [(low.find(w.lower()), low.find(w.lower()) + len(w)) for w in words]
        options = []
        if all(a >= 0 for a, _ in spans) and spans == sorted(spans):
            either = question[: spans[0][1]] + "".join(" or " + question[a:b] for a, b in spans[1:]) + question[spans[-1][1] :]
            options.append({"label": f"{field} is any of {', '.join(map(str, values))}", "question": either})
            for i, w in enumerate(words[:3]):
                rest = question
                for j, (a, b) in sorted(enumerate(spans), key=lambda x: -x[1][0]):
                    if j != i:
                        rest = rest[:a] + rest[b:]
                options.append({"label": f"only {w}", "question": " ".join(rest.split())})
        raise AskBack(f"A row has one {field}: {', '.join(f'“{w}”' for w in words)} cannot all hold. Which do you mean?", options)


def _measured_kind(b: Builder, filters: list[Filter]):
    """A value of the field that every metric over a number is conditioned on ("kind"), named with no measure
    and no metric of its own ("vibration per site"): the number's default aggregate (catalog `aggregate:`)."""
    for f in filters:
        if f.op != "=" or len(f.values) != 1 or f.field.topic != b.source:
            continue
        over: dict[str, list] = {}
        for m in b.vocab.metrics.get(b.source, []):
            s = semantic.simple_metric(m.expression)
            c = FILTER_RE.match(str(m.filter or ""))
            if s and s[1]:
                over.setdefault(s[1], []).append(c.group(1) if c else None)
        fields = [x for x, conds in over.items() if len(conds) >= 2 and set(conds) == {f.field.field}]
        if len(fields) == 1:
            func = semantic.default_aggregate(b.vocab.topics[b.source], fields[0])
            if func in ("avg", "sum", "min", "max"):
                return func, fields[0], f
    return None


def _value_or_metric(b: Builder, filters: list[Filter], question: str):
    """ "co2 by device": the number of co2 readings, or the metric whose filter is that value
    (average humidity)? Ask rather than count."""
    for f in filters:
        if f.op != "=" or len(f.values) != 1:
            continue
        named = [
            m
            for m in b.vocab.metrics.get(b.source, [])
            if (c := FILTER_RE.match(str(m.filter or ""))) and c.group(1) == f.field.field and c.group(2) == str(f.values[0])
        ]
        if len(named) == 1 and not b.r.list_rows:
            return named[0], f  # "co2 by device": the one measure the catalog defines for that value
        if len(named) > 1 and not b.r.list_rows:
            # "temperature by device": several measures; the number's default aggregate (catalog `aggregate:`) picks one
            simple = [semantic.simple_metric(m.expression) for m in named]
            fields = {s[1] for s in simple if s}
            default = semantic.default_aggregate(b.vocab.topics[b.source], next(iter(fields))) if len(fields) == 1 else None
            chosen = [m for m, s in zip(named, simple) if s and default and s[0] == default]
            if len(chosen) == 1:
                return chosen[0], f
        if named:
            options = []
            for m in named[:3]:
                words = (m.synonyms or [m.name.replace("_", " ")])[0]
                options.append({"label": words, "question": question.replace(f.words, words, 1)})
            rows = b.source.replace("_", " ")
            options.append(
                {
                    "label": f"number of {rows}",
                    "question": f"number of {f.words} {rows} " + question.replace(f.words, "", 1).strip(),
                }
            )
            choices = ", ".join(o["label"] for o in options[:-1])
            raise AskBack(f"“{f.words}”: the {choices}, or the number of {rows}?", options)
    return None


def _money_named_as_figure(b: Builder, r: Reading) -> tuple[str, str] | None:
    """ "euros taken in payments", "how many dollars per channel": a currency named as the thing counted, not as
    a qualifier ("EUR payments", "paid in euros"), asks for the subject's amount of money, added up."""
    schema = b.vocab.topics[b.source]
    money = [f.name for f in schema.fields if semantic.currency_field(schema, f.name)]
    if len(money) != 1:
        return None
    currency = semantic.currency_field(schema, money[0])
    for k, t in enumerate(r.toks):
        m = t.mention
        named = (
            t.role == "currency"
            and m is None
            or m is not None
            and m.start == k
            and m.end == k + 1
            and all(e.kind == "value" and (e.topic != b.source or e.field == currency) for e in m.elements)
            and any(e.topic == b.source for e in m.elements)
        )
        if not named or any(c.currency for c in r.compares):
            continue
        before = r.toks[k - 1].low if k > 0 else ""
        after = r.toks[k + 1] if k + 1 < len(r.toks) else None
        if before in ("in", "into", "of", "for", "from", "paid") or (after is not None and after.mention is not None):
            continue
        return money[0], t.text
    return None


def _currency_words(b: Builder, r: Reading, filters: list[Filter]) -> None:
    """ "toll costs in pounds": a currency named outside a comparison filters the subject's currency field."""
    schema = b.vocab.topics[b.source]
    fields = sorted({c for f in schema.fields if (c := semantic.currency_field(schema, f.name))})
    money = {f.name for f in schema.fields if semantic.currency_field(schema, f.name)}
    measured = set()
    for m in b.measures_built:
        if m.field is not None:
            measured.add(m.field.field)
        elif (
            m.metric
            and (metric := b.vocab.metric(b.source, m.metric))
            and (s := semantic.simple_metric(metric.expression))
            and s[1]
        ):
            measured.add(s[1])
    if b.measures_built and not measured & money:
        return  # "fuel in dollars": no amount of money is measured, so the currency is left for the user to explain
    for t in r.toks:
        if t.role != "currency" or t.used or t.mention is not None or len(fields) != 1:
            continue
        ref = FieldRef(topic=b.source, field=fields[0])
        if not any(f.field == ref for f in filters):
            filters.append(Filter(field=ref, op="=", values=[str(t.arg)], words=t.text))
        t.used = True


def _one_per_source_row(b: Builder, measures: list[Measure]) -> None:
    """A join to a topic with several rows per source row ("orders paid by card": an order may have several
    payments) repeats the source row: its count becomes a distinct count of the source's key, and a
    sum or average of the source's numbers, which would count them again, is not given."""
    if not b.fanout:
        return
    for f in b.extra_filters:
        if f.field.topic in b.fanout and f.op in ("<>", "not_in", "not_between", "is_null"):
            joined = f.field.topic.replace("_", " ")
            raise Decline(
                f"“{f.words}” would need {b.source.replace('_', ' ')} with no matching {joined}; I can only "
                f"find those with a matching one (say it without the negation), or ask about the {joined} themselves"
            )
    key = (b.vocab.topics[b.source].primary_key or [None])[0]
    for i, m in enumerate(measures):
        if m.func == "count" and key:
            measures[i] = Measure(alias=m.alias, func="count_distinct", field=FieldRef(topic=b.source, field=key), words=m.words)
        elif m.func in ("sum", "avg", "share") or m.metric:
            joined = ", ".join(t.replace("_", " ") for t in b.fanout)
            raise Decline(
                f"each {b.source.replace('_', ' ')} row can match several {joined}, so a total over them would "
                f"count it more than once; ask about the {joined} themselves instead"
            )


FILTER_RE = semantic.CONDITION_RE


def _unfold_filtered_metric(b: Builder, measures: list[Measure], filters: list[Filter]) -> None:
    """A metric with its own filter ("delivered parcels") as the only measure: the filter applies to
    every row, so it becomes a WHERE condition the explanation lists like any other. The same when every
    measure carries the same condition ("lowest and highest unit price")."""
    if len(measures) > 1:
        conds = []
        for m in measures:
            if m.metric:
                metric = b.vocab.metric(b.source, m.metric)
                simple = semantic.simple_metric(metric.expression) if metric else None
                cond = b._metric_filter(b.source, metric) if metric and simple else None
            else:
                cond = m.filter
            conds.append(cond)
        if any(c is None for c in conds) or len({(c.field.key(), tuple(c.values), c.op) for c in conds}) != 1:
            return
        if any(f.field == conds[0].field for f in filters):
            return
        for i, m in enumerate(measures):
            if m.metric:
                func, field = semantic.simple_metric(b.vocab.metric(b.source, m.metric).expression)  # type: ignore[misc, union-attr]
                measures[i] = Measure(
                    alias=m.alias,
                    func=func,
                    field=FieldRef(topic=b.source, field=field) if field and func != "count" else None,  # type: ignore[arg-type]
                    words=m.words,
                )
            else:
                measures[i] = m.model_copy(update={"filter": None})
        filters.append(conds[0].model_copy(update={"words": conds[0].values[0] if conds[0].values else conds[0].words}))
        return
    if len(measures) != 1 or not measures[0].metric:
        if (
            len(measures) == 1
            and measures[0].filter is not None
            and not any(f.field == measures[0].filter.field for f in filters)
        ):
            filters.append(measures[0].filter)  # one measure: its condition holds for every row it reads
            measures[0] = measures[0].model_copy(update={"filter": None})
        return
    metric = b.vocab.metric(b.source, measures[0].metric)
    simple = semantic.simple_metric(metric.expression) if metric else None
    cond = FILTER_RE.match(str(metric.filter or "")) if metric else None
    if simple is None or cond is None or b.vocab.topics[b.source].field(cond.group(1)) is None:
        return
    ref = FieldRef(topic=b.source, field=cond.group(1))
    same = [f for f in filters if f.field == ref and f.op == "=" and [str(v) for v in f.values] == [cond.group(2)]]
    if any(f.field == ref for f in filters) and not same:
        return
    func, field = simple
    m = measures[0]
    measures[0] = Measure(
        alias=m.alias,
        func=func,
        field=FieldRef(topic=b.source, field=field) if field and func != "count" else None,  # type: ignore[arg-type]
        words=m.words,
    )
    if not same:  # "delivered deliveries": the condition is there once
        filters.append(Filter(field=ref, op="=", values=[cond.group(2)], words=m.words))


def _add_count(b: Builder, measures: list[Measure]) -> str:
    m = Measure(alias=b.alias(b.source), func="count")
    measures.append(m)
    return m.alias


def _comparison(b: Builder, c, measures, filters, having, dims) -> None:
    op = c.op
    if c.kind == "share":  # "methods whose declined share is above 10 %": the share per group, compared
        m = b.measure(MeasureSpec("share", None, condition=c.target, words=c.target.text))
        same = next(
            (x for x in measures if x.model_dump(exclude={"alias", "words"}) == m.model_dump(exclude={"alias", "words"})), None
        )
        if same is None:
            measures.append(m)
            same = m
        having.append(Having(measure=same.alias, op=op, value=c.value, words=c.words))
        return
    if c.kind == "measure" and b.r.list_strong and c.target is not None:
        # "tolls above 30 euros, listed as they arrive": rows are listed, so the metric's number is compared row by row
        e = next((x for x in c.target.of("metric")), None)
        metric = b.vocab.metric(e.topic, e.metric or "") if e else None
        simple = semantic.simple_metric(metric.expression) if metric else None
        if simple and simple[1] and simple[0] in ("sum", "avg", "min", "max"):
            c.kind, c.having = "field", False
            c.target = Mention(c.target.start, c.target.end, c.target.text, [Element("field", e.topic, simple[1])], used=True)
    if c.kind == "count":
        counted = counted_rows(b, c.target)
        if isinstance(counted, Measure):  # "devices with more than 5 alarms": the catalog's count of alarms
            same = next((x for x in measures if x.metric and x.metric == counted.metric), None)
            if same is None:
                measures.append(counted)
                same = counted
            having.append(Having(measure=same.alias, op=op if op != "=" else ">=", value=c.value, words=c.words))
            return
        if isinstance(counted, Filter) and not b.r.measures:
            filters.append(counted)  # "devices with more than 5 reboots": the rows with that value, counted
        having.append(Having(measure="__count__", op=op if op != "=" else ">=", value=c.value, words=c.words))
        return
    if c.kind == "measure" or (c.having and (dims or b.r.window)):
        if c.target is None:  # "which channels brought in over 5000 euros": each group's total amount
            m = b.measure(MeasureSpec(c.func or "sum", None, words=c.words))
        else:
            m = b.measure(MeasureSpec(c.func, c.target, distinct=c.func == "count_distinct", words=c.target.text))
        same = next(
            (x for x in measures if x.model_dump(exclude={"alias", "words"}) == m.model_dump(exclude={"alias", "words"})), None
        )
        if c.currency:
            money = _money_field(b, m)
            if money is None:  # a count or a number without a currency is never compared with an amount of money
                raise AskBack(
                    f"“{c.words}” compares a total with an amount in {c.currency}: which do you mean?",
                    [
                        {
                            "label": f"each {b.source.replace('_', ' ')} over {c.value:g} {c.currency}",
                            "question": b.question.replace(c.words, "").strip()
                            + f" with an amount over {c.value:g} {c.currency}",
                        },
                        {"label": f"groups whose total is over {c.value:g}", "question": b.question},
                    ],
                )
            _currency_filter(b, c, money, filters)
        if same is None:
            measures.append(m)
            same = m
        having.append(Having(measure=same.alias, op=op if op != "=" else ">=", value=c.value, words=c.words))
        return
    if c.target is not None and c.target.of("topic") and not c.target.of("field"):
        e = b.resolve(c.target, ("topic",))
        amount = b.vocab.main_amount(e.topic)
        if amount is None:
            raise AskBack(f"Over {c.value:g} of what?", b._number_options(e.topic, c.words))
        if e.topic != b.source:
            b.join_to(e.topic)
        field = FieldRef(topic=e.topic, field=amount)
    elif c.target is not None:
        e = b.resolve(c.target, ("field",))
        field = FieldRef(topic=e.topic, field=e.field or "")
    else:
        amount = b.vocab.main_amount(b.source)
        if amount is None:
            raise AskBack(f"Over {c.value:g} of what?", b._number_options(b.source, c.words))
        field = FieldRef(topic=b.source, field=amount)

    def num(v: float):
        return int(v) if float(v).is_integer() else v

    values = [num(c.value)] + ([num(c.high)] if c.high is not None else [])
    filters.append(Filter(field=field, op=op, values=values, words=c.words))
    if c.currency:
        _currency_filter(b, c, field, filters)


def _own_number(b: Builder, by: MeasureSpec) -> str | None:
    """ "by distance": a plain number of the subject's own rows that a ranking of those rows is ordered by."""
    m = by.target
    if by.func is not None or m is None or m.of("metric") or m.of("topic"):
        return None
    fields = [e for e in m.of("field") if e.topic == b.source and b.vocab.is_numeric(e.topic, e.field)]
    return fields[0].field if len(fields) == 1 else None


def _only_topic(m: Mention) -> bool:
    return bool(m.of("topic")) and not (m.of("field") or m.of("metric") or m.of("value"))


def _money_field(b: Builder, m: Measure) -> FieldRef | None:
    """The amount of money a measure adds up or averages (a field with a currency), if it is one."""
    field, func = m.field, m.func
    if m.metric is not None:
        metric = b.vocab.metric(b.source, m.metric)
        simple = semantic.simple_metric(metric.expression) if metric else None
        func, field = (simple[0], FieldRef(topic=b.source, field=simple[1])) if simple and simple[1] else (None, None)
    if field is None or func not in ("sum", "avg", "min", "max"):
        return None
    return field if semantic.currency_field(b.vocab.topics[field.topic], field.field) else None


def _currency_filter(b: Builder, c, field: FieldRef, filters: list[Filter]) -> None:
    """An amount named in a currency keeps the rows in that currency (the amount's currency field)."""
    cur = semantic.currency_field(b.vocab.topics[field.topic], field.field)
    if cur:
        if not any(f.field == FieldRef(topic=field.topic, field=cur) for f in filters):
            filters.append(Filter(field=FieldRef(topic=field.topic, field=cur), op="=", values=[c.currency], words=c.currency))
    else:
        b.notices.append(f"{field.field} has no currency in the catalog; {c.currency} is read as a unit only")


def _ranking(b: Builder, r: Reading, measures: list[Measure], dims) -> Ranking | None:
    spec = r.rank
    if spec is None:
        return None
    target = spec.target
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
            amount = b.vocab.main_amount(b.source)
            if amount is not None:
                b._length_or_duration(b.source, amount, MeasureSpec(None, None, words=spec.words))
        if amount is None:
            raise AskBack(f"Biggest by which number of {b.source}?", b._number_options(b.source, spec.words))
        partition = [b.dimension(m).field for m in spec.partition]
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
    if te is not None and te.kind in ("field", "topic") and not any(d.words == target.text for d in dims):
        dims.insert(0, b.dimension(target))
    if te is not None and te.kind == "metric":
        measures.append(b.measure(MeasureSpec(None, target, words=target.text)))
    size = set(spec.words.lower().split()) & {str(w) for w in english()["size_words"]}
    if spec.by is not None:
        if size and spec.by.func is None and spec.by.target is not None and _only_topic(spec.by.target):
            # "the vehicles with the longest trips": the trips' size, not how many there are: which number?
            raise AskBack(
                f"“{spec.words}” by which number of {b.source.replace('_', ' ')}?", b._number_options(b.source, spec.words)
            )
        m = b.measure(spec.by)
        measures.insert(0, m)
    if not measures:
        if size:
            # "the vehicles with the longest trips": a size is not a count of rows; which number is meant?
            raise AskBack(
                f"“{spec.words}” by which number of {b.source.replace('_', ' ')}?", b._number_options(b.source, spec.words)
            )
        measures.append(Measure(alias=b.alias(b.source), func="count"))
    # a ranking by a reference leaves out the events that name none ("most viewed products")
    for d in dims:
        if d.field.topic == b.source and any(rel.field == d.field.field for rel in b.vocab.topics[b.source].relationships):
            if not any(f.field == d.field for f in b.extra_filters):
                b.extra_filters.append(Filter(field=d.field, op="is_not_null", words=f"with a {d.field.field.replace('_', ' ')}"))
    if not dims:
        raise AskBack("Top of what?", [])
    partition = []
    for m in spec.partition:  # "best 2 countries by revenue for each channel": ranked within each channel
        d = b.dimension(m)
        if all(x.field != d.field for x in dims):
            dims.append(d)
        partition.append(d.field)
    return Ranking(
        n=max(1, spec.n), of="groups", by=measures[0].alias, descending=spec.descending, partition_by=partition, words=spec.words
    )


def unknown_words(r: Reading, question: str, vocab: Vocabulary | None = None) -> None:
    """Words neither the catalog nor the lexicon knows. A misspelling with several readings, a word that
    is part of catalog names, a vague word ("performance"), or a value next to known values of one field
    ("Sweden or Norway") is asked about, with options built from the catalog; anything else is missing
    from the catalog, and the question is declined naming it."""
    toks = [t for t in r.toks if t.mention is None and not t.used and t.role is None and t.number is None]
    verbs = {t.phrasal: t for t in toks if t.phrasal >= 0}  # "went through": one phrase
    unknown = [
        " ".join(x.text for x in r.toks[t.i : verbs[t.i].i + 1]) if t.i in verbs else t.text
        for t in toks
        if t.phrasal < 0 or t.phrasal not in {x.i for x in toks}
    ]
    if not unknown:
        return
    typo = [(a, c) for a, c in r.tagged.ambiguous_typos if a in unknown and len(a) >= 5]  # a short word is rarely a typo of two
    if typo:
        word, cands = typo[0]
        raise AskBack(
            f"What do you mean by “{word}”?", [{"label": c, "question": question.replace(word, c, 1)} for c in cands[:4]]
        )
    if vocab is not None:
        _ask_about_unknown(r, toks, question, vocab)
    words = ", ".join(f"“{w}”" for w in unknown)
    raise UnknownWords(f"no topic in the catalog holds {words}", unknown)


def _without(question: str, word: str) -> str:
    out = re.sub(rf"\s*\b(?:or|and|,)?\s*{re.escape(word)}\b", "", question, count=1, flags=re.I)
    return " ".join(out.split())


def _ask_about_unknown(r: Reading, toks, question: str, vocab: Vocabulary) -> None:
    from copilot.agent.builtin.lexicon import english

    lex = english()
    # a value next to values of one field, joined by a list word: "France or Portugal"
    for t in toks:
        for step in (-1, 1):
            j = t.i + step
            k = t.i + 2 * step
            if (
                0 <= j < len(r.toks)
                and 0 <= k < len(r.toks)
                and r.toks[j].low in ("or", "and", ",", "nor")
                and r.toks[k].mention is not None
                and r.toks[k].mention.of("value")
            ):
                m = r.toks[k].mention
                fields = sorted({e.field or "" for e in m.of("value")})
                field = fields[0].replace("_", " ")
                raise AskBack(
                    f"“{t.text}” is not a {field} the catalog knows (it has {m.text}): leave it out?",
                    [{"label": f"without {t.text}", "question": _without(question, t.text)}],
                )
    # part of catalog names: "capacity" (capacity_kg), "cost" (toll_cost)
    for t in toks:
        parts = vocab.partial.get(stem(t.low), [])
        if parts:
            options = [
                {
                    "label": e.label(),
                    "question": re.sub(
                        rf"\b{re.escape(t.text)}\b", (e.field or e.metric or e.topic).replace("_", " "), question, count=1
                    ),
                }
                for e in parts[:3]
            ]
            options.append({"label": f"without “{t.text}”", "question": _without(question, t.text)})
            raise AskBack(f"“{t.text}” is part of {', '.join(o['label'] for o in options[:-1])}: which do you mean?", options)
    # a vague word: "performance", "doing", "growth"
    vague = {str(w).lower() for w in lex["vague_words"]}
    for t in toks:
        if t.low in vague or stem(t.low) in vague:
            options = []
            topics = [e.topic for m in r.mentions for e in m.elements] or list(vocab.topics)
            for topic in dict.fromkeys(topics):
                for metric in vocab.metrics.get(topic, [])[:3]:
                    words = metric.name.replace("_", " ")
                    options.append(
                        {"label": words, "question": re.sub(rf"\b{re.escape(t.text)}\b", words, question, count=1, flags=re.I)}
                    )
                if len(options) >= 3:
                    break
            raise AskBack(f"“{t.text}” can be measured several ways: which figure do you mean?", options[:4])


def _every_word_used(r: Reading, plan: QueryPlan, b: Builder, question: str) -> None:
    distinct_read(r, plan, b, question)
    tables = set(plan.tables)
    unknown_words(r, question, b.vocab)
    tables |= {b.vocab.twins[t] for t in plan.tables if t in b.vocab.twins}  # "payments … in the avro feed": the edition read
    unused, numbers = [], []
    read_as = (
        {id(s.target) for s in r.measures if s.target is not None} | {id(m) for m in r.dims} | {id(m) for m in r.count_targets}
    )
    if r.rank is not None:
        read_as |= {id(r.rank.target)} | {id(m) for m in r.rank.partition} | ({id(r.rank.by.target)} if r.rank.by else set())
    if r.bound_mention is not None:
        read_as.add(id(r.bound_mention))
    for t in r.toks:
        if t.mention is not None:
            m = t.mention
            only_topic = m.of("topic") and not (m.of("field") or m.of("value") or m.of("metric") or m.of("state"))
            if only_topic and not m.qualifier and id(m) not in read_as and not {e.topic for e in m.of("topic")} & tables:
                if m.start == t.i:
                    unused.append(m)  # a table named that the answer never reads: never dropped silently
                continue
            if m.used or m.qualifier:
                continue
            if {e.topic for e in m.of("topic")} & tables:
                continue
            before = next((x for x in r.mentions if x.end == m.start), None)
            if (
                before is not None
                and before.used
                and before.of("value")
                and m.of("field")
                and {e.topic for e in m.of("field")} & tables
            ):
                continue  # "from desktop users": the rows' own people, named after the value that picks them
            if m.start == t.i:
                unused.append(m)
            continue
        if t.used or t.role in (
            "function_words",
            "light_words",
            "which_words",
            "list_joiners",
            "followup",
            "list_cue",
            "distinct",
            "chart",
            "clear_filters",
            "versus",
        ):
            continue
        if t.role == "breakdown" and (plan.dimensions or plan.ranking or t.low not in ("by", "per")):
            continue
        if t.role in ("rank_top", "rank_bottom", "agg") and plan.measures:
            continue
        numbers.append(t.text)  # a number, comparison, negation, currency … that no part of the plan used
    if numbers and numbers[0].lower() in {t.text.lower() for t in r.toks if t.role == "breakdown"}:
        # "revenue by": by what? the subject's keys with known values
        schema = b.vocab.topics[plan.source]
        keys = [f.name for f in schema.fields if f.values and f.name not in (schema.primary_key or [])][:3]
        word = numbers[0]
        base = question.rstrip("?!. ")
        if base.lower().endswith(word.lower()):
            base = base[: -len(word)].rstrip()
        raise AskBack(
            f"“{word}” what?",
            [{"label": f"{word} {k.replace('_', ' ')}", "question": f"{base} {word} {k.replace('_', ' ')}"} for k in keys]
            + [{"label": f"without “{word}”", "question": base}],
        )
    if numbers:
        raise AskBack(
            f"I did not see what “{numbers[0]}” refers to: what should it do?",
            [{"label": f"without “{numbers[0]}”", "question": question.replace(numbers[0], "", 1).replace("  ", " ").strip()}],
        )
    if unused:
        m = unused[0]
        options = []
        for e in m.elements[:3]:
            if e.kind == "field":
                options.append({"label": f"by {e.field.replace('_', ' ')}", "question": f"{question} by {m.text}"})
            elif e.kind == "value":
                options.append({"label": f"only {e.value}", "question": f"{question} only {m.text}"})
        options.append({"label": f"without “{m.text}”", "question": question.replace(m.text, "").replace("  ", " ").strip()})
        options = list({o["label"]: o for o in options}.values())  # one option per reading ("by country" once)
        raise AskBack(f"I did not see how “{m.text}” fits in: what should it do?", options)
