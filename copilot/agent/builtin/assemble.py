"""Reading → QueryPlan: the subject, measures, breakdowns, filters, comparisons, ranking and window,
with stated defaults; then every content word is checked to have been used, or the planner asks."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.accounting import every_word_used, keys_that_split_nothing, unknown_words
from copilot.agent.builtin.ambiguity import counted_persons, phrases_read_two_ways, rate_read_as_value, value_of_two_topics
from copilot.agent.builtin.askback import (
    dims_on_amounts,
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
    columns_side_by_side,
    counted_values_side_by_side,
    counts_per_value,
    distinct_pinned,
    metric_versus_values,
    present_versus_absent,
    side_by_side_counts,
    values_side_by_side,
)
from copilot.agent.builtin.degenerate import checked, one_side_of_a_comparison
from copilot.agent.builtin.durations import durations_in_unit, durations_named_by_unit
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import AskBack, Decline
from copilot.agent.builtin.plan_compare import add_count, comparison, currency_words, money_named_as_figure
from copilot.agent.builtin.plan_rank import ranking_of
from copilot.agent.builtin.read import MeasureSpec, Reading
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Vocabulary
from copilot.plan.model import Dimension, Exclusion, FieldRef, Filter, Having, Measure, QueryPlan, Ranking


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
    phrases_read_two_ways(r, question, vocab)
    value_of_two_topics(r, question, vocab, context)
    source = choose_source(r, vocab, rank, context, question)
    b = Builder(r, vocab, source, question, rank)
    counted_persons(b, r, question)
    rate_read_as_value(b, r, question)
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
        if len(named) > 1:  # "per type and powertrain": the one "… type" field not already a key
            named = [n for n in named if all(d.field != FieldRef(topic=source, field=n) for d in dims)]
        if len(named) == 1 and all(d.field.field != named[0] for d in dims):
            dims.append(Dimension(field=FieldRef(topic=source, field=named[0]), words=f"{cue.text} {word.text}"))
            cue.used = word.used = True
        elif len(named) != 1 and word.low in {str(w).lower() for w in english()["key_nouns"]}:
            loose_key_options(b, [word], question)
    for clause in r.key_clauses:
        loose_key_options(b, clause, question, [d.field.field for d in dims if d.field.topic == source])
    dims_on_amounts(b, dims, question)
    excluded = _exclusions(b, r)
    filters = [b.filter(f) for f in r.filters] + b.counted_values
    b.extra_filters = filters
    values_side_by_side(b, r, filters, dims)
    having: list[Having] = []
    for c in r.compares:
        comparison(b, c, measures, filters, having, dims)
    currency_words(b, r, filters)
    counts_per_value(b, r, measures, filters)
    counted_values_side_by_side(b, r, measures, filters, dims)
    present_versus_absent(r, filters, dims)
    _contradictions(filters, question)
    _qualified_numbers(b, measures, filters, dims, question)
    ranking = ranking_of(b, r, measures, dims)
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
        plan = b.plan(source=source, filters=filters, excluded=excluded, columns=cols)
        every_word_used(r, plan, b, question)
        one_side_of_a_comparison(r, plan)
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
        elif (money := money_named_as_figure(b, r)) is not None:
            measures.append(
                Measure(
                    alias=b.alias(f"sum_{money[0]}"), func="sum", field=FieldRef(topic=source, field=money[0]), words=money[1]
                )
            )
        else:
            _count_named(b, r, question)
            measures.append(Measure(alias=b.alias(b.source), func="count", words=source.replace("_", " ")))
    columns: list[FieldRef] = []
    schema = vocab.topics[source]
    if not measures and (ranking is None or ranking.of == "rows"):
        columns = [FieldRef(topic=source, field=f.name) for f in schema.fields]
        shown = r.rank.shown if r.rank is not None and ranking is not None else None
        if shown is not None:  # "the latest battery level per device": each key and that one field
            field = FieldRef(topic=source, field=shown.of("field")[0].field or "")
            columns = [p for p in ranking.partition_by if p.topic == source and p != field] + [field]  # type: ignore[union-attr]
            _latest_of_whom(b, ranking, filters, question, r.rank.words)  # type: ignore[union-attr, arg-type]
    if dims and not measures and ranking is None:
        raise AskBack(
            "What should I compute for each group?",
            [{"label": "count", "question": f"how many {source.replace('_', ' ')} {question}"}],
        )
    schema_ = vocab.topics[source]

    def _total(m: Measure) -> bool:  # a metric that adds up or counts ("revenue"): "per order" is not its grain
        metric = vocab.metric(source, m.metric) if m.metric else None
        simple = semantic.simple_metric(metric.expression) if metric is not None else None
        return simple is not None and simple[0] in ("sum", "count")

    if not schema_.is_upsert and measures and all(m.func == "avg" or m.metric and not _total(m) for m in measures):
        # "average quantity per order": the subject's own key is the grain of an average, not a breakdown
        grain = [d for d in dims if d.field.topic == source and d.field.field in (schema_.primary_key or [])]
        if grain and len(dims) > len(grain) or grain and not any(m.metric for m in measures):
            dims = [d for d in dims if d not in grain]
    for h in having:  # a threshold on a count written before the measure existed
        if h.measure == "__count__":
            h.measure = next((m.alias for m in measures if m.func == "count"), None) or add_count(b, measures)
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
    columns += _shown_from_joined(b, r, columns, filters)
    plan = b.plan(
        source=source,
        measures=measures,
        dimensions=dims,
        filters=filters,
        excluded=excluded,
        window=window,
        ranking=ranking,
        having=having,
        columns=columns,
        chart=("line" if r.chart == "auto" and window else "bar" if r.chart == "auto" else r.chart) if r.chart else None,
    )
    if aligned_to_midnight(window):
        plan.time_zone = session_time_zone()
    keys_that_split_nothing(b, plan, question)
    metric_versus_values(b, r, plan)
    if r.side_by_side:
        columns_side_by_side(b, plan)
    every_word_used(r, plan, b, question)
    checked(b, plan, r, question)
    return plan, b.notices


def _row_nouns() -> set[str]:
    lex = english()
    return {str(w).lower() for w in [*lex["change_nouns"], *lex["count_nouns"]]}


def _count_named(b: Builder, r: Reading, question: str) -> None:
    """A count of rows the question never names ("what did each channel make"): no rows, values or count word,
    only keys. Counting them would be a guess where an amount may be meant: ask which figure."""
    names_rows = any(e.topic == b.source and e.kind in ("topic", "value", "state") for m in r.mentions for e in m.elements)
    if (
        names_rows
        or r.agg_only is not None
        or any(t.role in ("agg", "distinct", "share") for t in r.toks)
        or any(c.having or c.kind == "count" for c in r.compares)
        or any(e.kind == "metric" and e.topic == b.source for m in r.mentions for e in m.elements)
        or any(t.low in _row_nouns() for t in r.toks)  # "status changes", "events": the rows, named generically
    ):
        return
    rows = b.source.replace("_", " ")
    options = [{"label": f"number of {rows}", "question": f"number of {rows}: {question}"}]
    amount = b.vocab.main_amount(b.source)
    if amount is not None:
        options.append(
            {"label": f"total {amount.replace('_', ' ')}", "question": f"total {amount.replace('_', ' ')}: {question}"}
        )
    raise AskBack(f"What should I compute: the number of {rows}, or an amount?", options)


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


def _shown_from_joined(b: Builder, r: Reading, columns: list[FieldRef], filters: list[Filter]) -> list[FieldRef]:
    """ "orders as they happen, with the product name": a listed field of a joined topic the question names,
    shown next to the rows' own fields (a field only filtered on is not shown twice)."""
    if not columns:
        return []
    for m in r.mentions:  # "new orders with the product name and brand": a field of a table the rows refer to
        fields = m.of("field")
        topics = {e.topic for e in fields}
        if m.qualifier or not fields or m.of("value") or m.of("metric") or m.of("topic") or len(topics) != 1:
            continue
        (topic,) = topics
        if topic != b.source and b.vocab.topics[topic].is_upsert and b.vocab.references(b.source, topic):
            b.join_to(topic)
            m.used = True
    joined = {j.topic for j in b.joins}
    filtered = {f.field.key() for f in filters}
    out: list[FieldRef] = []
    for m in r.mentions:
        if not m.used or m.of("value") or m.of("metric"):
            continue
        for e in m.of("field"):
            ref = FieldRef(topic=e.topic, field=e.field or "")
            if e.topic in joined and ref not in columns and ref.key() not in filtered and ref not in out:
                out.append(ref)
    return out


def _exclusions(b: Builder, r: Reading) -> list[Exclusion]:
    """The values an exclusion word leaves out together ("except the declined paypal ones"): taken out of the
    single-field filters, one `Exclusion` per phrase."""
    groups: dict[int, list] = {}
    for spec in r.filters:
        if spec.joint:
            groups.setdefault(spec.joint, []).append(spec)
    r.filters = [f for f in r.filters if not f.joint]
    out = []
    for specs in groups.values():
        conditions = [b.filter(s) for s in specs]
        out.append(Exclusion(conditions=conditions, words=" ".join(s.words for s in specs)))
    return out


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


def _latest_of_whom(b: Builder, ranking: Ranking, filters: list[Filter], question: str, words: str) -> None:
    """ "the current status": the latest value of one thing, or of each — never the latest of all rows alone. Without
    a key to group by or one thing named by its id, asked: per each reference of the rows."""
    schema = b.vocab.topics[b.source]
    refs = [rel.field for rel in schema.relationships] + list(schema.primary_key or [])
    named = any(f.op == "=" and f.field.topic == b.source and f.field.field in refs for f in filters)
    if ranking.partition_by or named:
        return
    q = question.rstrip("?.! ")
    options = [
        {"label": f"per {ref.replace('_', ' ')}", "question": f"{q} per {ref.replace('_', ' ')}"} for ref in dict.fromkeys(refs)
    ]
    raise AskBack(f"“{words}”: of which {b.source.replace('_', ' ')}?", options[:4], answered_only=True)
