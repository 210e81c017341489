"""What was read is what is answered: every catalog word the reader used must show in the finished plan.

The reader marks a word used when a construct takes it; a later step can still drop that construct (a
comparison moved to another field, a value that named the subject of a listing, a time bound with no
second topic to join). Such a plan answers a different question while looking valid. This check runs on
the finished plan, independent of how it was reached: a used catalog mention none of whose readings the
plan holds, or a join bound the plan does not apply, is asked about, never answered."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.agent.builtin import semantic
from copilot.agent.builtin.lexicon import phrase_set
from copilot.agent.builtin.outcome import AskBack
from copilot.agent.builtin.read import CompareSpec, MeasureSpec, Reading
from copilot.agent.builtin.tags import Element, Mention
from copilot.agent.builtin.vocab import Vocabulary
from copilot.plan.model import FieldRef, Filter, QueryPlan

WHOLE_NUMBERS = {"INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT"}


@dataclass
class Held:
    """The catalog elements a plan holds, each under the topic that records it (twins folded into one)."""

    tables: set[str] = field(default_factory=set)
    fields: set[tuple[str, str]] = field(default_factory=set)
    values: set[tuple[str, str, str]] = field(default_factory=set)
    states: set[tuple[str, str]] = field(default_factory=set)
    metrics: set[str] = field(default_factory=set)  # a metric is compiled inline, under its name
    columns: set[tuple[str, str]] = field(default_factory=set)  # fields only shown, in a listing
    counts: bool = False  # rows are counted
    shares: bool = False  # a share of the rows with one value is computed
    units: set[str] = field(default_factory=set)  # the units and currencies of the numbers the plan reads


def _field(held: Held, vocab: Vocabulary, ref: FieldRef | None) -> None:
    if ref is not None:
        held.fields.add((vocab.original(ref.topic), ref.field))


def _filter(held: Held, vocab: Vocabulary, f: Filter | None) -> None:
    if f is None:
        return
    _field(held, vocab, f.field)
    topic = vocab.original(f.field.topic)
    if f.op in ("is_null", "is_not_null"):
        held.states.add((topic, f.field.field))
    for v in f.values:
        held.values.add((topic, f.field.field, str(v).lower()))


def _condition_text(held: Held, vocab: Vocabulary, topic: str, text: str) -> None:
    """A metric's expression and filter: the fields and quoted values it names."""
    schema = vocab.topics.get(topic)
    if schema is None:
        return
    low = text.lower()
    for f in schema.fields:
        if re.search(rf"\b{re.escape(f.name.lower())}\b", low):
            held.fields.add((vocab.original(topic), f.name))
    for value in re.findall(r"'((?:[^']|'')*)'", text):
        for f in schema.fields:
            if re.search(rf"\b{re.escape(f.name.lower())}\b", low):
                held.values.add((vocab.original(topic), f.name, value.replace("''", "'").lower()))


def held_by(plan: QueryPlan, vocab: Vocabulary) -> Held:
    held = Held(tables={vocab.original(t) for t in plan.tables})
    for f in plan.filters + [c for x in plan.excluded for c in x.conditions]:
        _filter(held, vocab, f)
    for m in plan.measures:
        held.counts |= m.func in ("count", "count_distinct")
        held.shares |= m.func == "share"
        _field(held, vocab, m.field)
        _filter(held, vocab, m.condition)
        _filter(held, vocab, m.filter)
    for m in plan.measures:  # a metric is compiled inline, under its name; its row filter must be there too
        topic = m.field.topic if m.field else plan.source
        metric = vocab.metric(topic, m.metric or m.alias)
        if metric is None:
            held.metrics |= {m.alias} | ({m.metric} if m.metric else set())
            continue
        if m.metric:  # compiled from the catalog's definition, filter and all
            _condition_text(held, vocab, topic, metric.filter or "")
        _condition_text(held, vocab, topic, metric.expression)
        wanted = Held()
        _condition_text(wanted, vocab, topic, metric.filter or "")
        if wanted.values <= held.values:
            held.metrics |= {m.alias} | ({m.metric} if m.metric else set())
    for d in plan.dimensions:
        _field(held, vocab, d.field)
        topic = vocab.original(d.field.topic)
        if d.transform != "value":
            held.states.add((topic, d.field.field))
        else:  # "diesel vs hybrid": values shown one group each
            for v in semantic.values(vocab.topics[d.field.topic], d.field.field):
                held.values.add((topic, d.field.field, str(v).lower()))
    for j in plan.joins:
        for ref in (j.left, j.right, j.as_of):
            _field(held, vocab, ref)
    if plan.ranking is not None:
        _field(held, vocab, plan.ranking.by_field)
        for ref in plan.ranking.partition_by:
            _field(held, vocab, ref)
    for c in plan.columns:
        held.columns.add((vocab.original(c.topic), c.field))
    for topic, name in held.fields | held.columns:
        schema = vocab.topics.get(topic)
        unit = semantic.field_annotation(schema, name, "unit") if schema is not None else None
        if unit:
            held.units.add(str(unit).lower())
    return held


def _a_count(vocab: Vocabulary, e: Element) -> bool:
    """A count of the topic's rows: its own id ("parcels" = shipment_id), or a metric that counts them."""
    schema = vocab.topics.get(e.topic)
    if schema is None:
        return False
    if e.kind == "field":
        return (schema.primary_key or []) == [e.field]
    metric = vocab.metric(e.topic, e.metric or "") if e.kind == "metric" else None
    return metric is not None and not metric.filter and metric.expression.strip().upper().startswith("COUNT(")


def _holds(held: Held, vocab: Vocabulary, e: Element, listing: bool) -> bool:
    topic = vocab.original(e.topic)
    schema = vocab.topics.get(e.topic)
    if held.counts and topic in held.tables and _a_count(vocab, e):
        return True
    if e.kind == "topic":  # the topic read, or its rows named by their key ("products" ranked by product_id)
        key = (schema.primary_key or []) if schema is not None else []
        return topic in held.tables or (len(key) == 1 and any(f == key[0] for _t, f in held.fields))
    if e.kind == "metric":
        metric = vocab.metric(e.topic, e.metric or "")
        own = semantic.metric_condition(metric) if metric is not None else None
        counted = own is not None and semantic.simple_metric(metric.expression) == ("count", None)  # type: ignore[union-attr]
        # "the share of refunded payments": the count of one value's rows, as the share of that value; "lost parcels vs
        # delivered ones": rows counted, one group (or column) of them that value's
        return (e.metric or "") in held.metrics or (
            counted and (held.shares or held.counts) and (topic, own[0], own[1].lower()) in held.values  # type: ignore[index]
        )
    if e.kind == "field":
        ref = (topic, e.field or "")
        if topic in held.tables and (
            (schema is not None and e.field == schema.event_time)
            or (held.counts and vocab.ftype(e.topic, e.field or "").upper().startswith("TIMESTAMP"))
        ):
            return True  # "new customers": the rows counted by the time they were recorded
        return ref in held.fields or (listing and ref in held.columns)
    if e.kind == "value":  # a currency is also held by an amount recorded in it ("under €20": list_price in EUR)
        return (topic, e.field or "", str(e.value).lower()) in held.values or str(e.value).lower() in held.units
    if e.kind == "state":
        return (topic, e.field or "") in held.states
    return True


def _spans(plan: QueryPlan) -> list[tuple[str, object]]:
    """The question's words each plan part says it was built from, with the part."""
    parts: list[tuple[str, object]] = [(f.words, f) for f in plan.filters]
    parts += [(m.words, m) for m in plan.measures] + [(h.words, h) for h in plan.having]
    return [(w.lower(), p) for w, p in parts if w]


def _inside_other_part(m: Mention, plan: QueryPlan) -> bool:
    """A field named inside the words a filter or measure was built from ("risk above 0.9" read as a filter on
    amount): shown as a column of the listing, it was still not what that part compares."""
    text = m.text.lower()
    return any(re.search(rf"\b{re.escape(text)}\b", words) for words, _part in _spans(plan))


def _constructs(r: Reading) -> set[int]:
    """The mentions a construct of the reading took as its part (measured, split by, filtered, compared,
    ranked, counted), or that lie within the words of a comparison or measure whose part is not one of the
    question's mentions ("refunds over 200" compared as an amount);
    other used mentions are context, such as a verb naming the rows ("units sold")."""
    out: list[Mention | None] = [r.bound_mention, *r.dims, *r.count_targets]
    said = {id(m) for m in r.mentions}
    text = " ".join(t.low for t in r.toks)

    def own_part(x: MeasureSpec | CompareSpec) -> bool:  # the part is one of the words' own mentions ("sell more than 200 units")
        w, part = x.words.lower(), x.target.text.lower() if x.target is not None else ""
        return id(x.target) in said and (part in w or f"{w} {part}" in text)

    parts: list[MeasureSpec | CompareSpec] = [*r.measures, *r.compares]
    spans = [x.words for x in parts if not own_part(x)]
    for s in r.measures:
        out += [s.target, s.condition, s.own]
    for f in r.filters:
        out += f.mentions
    out += [c.target for c in r.compares]
    if r.rank is not None:
        out += [r.rank.target, *r.rank.partition, r.rank.by.target if r.rank.by else None]
    words = " | ".join(w.lower() for w in spans if w)
    out += [m for m in r.mentions if re.search(rf"(?<!\w){re.escape(m.text.lower())}(?!\w)", words)]
    return {id(m) for m in out if m is not None}


def unrealised(r: Reading, plan: QueryPlan, vocab: Vocabulary) -> Mention | None:
    held = held_by(plan, vocab)
    listing = not plan.measures
    parts = _constructs(r)
    for m in r.mentions:
        if not m.used or m.qualifier or not m.elements:
            continue
        if id(m) not in parts:  # context: its topic must be read
            if not any(vocab.original(e.topic) in held.tables or _holds(held, vocab, e, listing) for e in m.elements):
                return m
            continue
        shown_only = listing and not _inside_other_part(m, plan)
        if not any(_holds(held, vocab, e, shown_only) for e in m.elements):
            return m
    return None


def _amounts_by_currency(vocab: Vocabulary, topic: str) -> dict[str, set[str]]:
    """A topic's currency fields, each with the amounts recorded in it (toll_cost in `currency`)."""
    schema = vocab.topics[topic]
    out: dict[str, set[str]] = {}
    for f in schema.fields:
        currency = semantic.currency_field(schema, f.name)
        if currency:
            out.setdefault(currency, set()).add(f.name)
    return out


def _figures(plan: QueryPlan, vocab: Vocabulary) -> set[tuple[str, str]]:
    """The number fields the answer adds up, averages or compares."""
    out: set[tuple[str, str]] = set()
    for m in plan.measures:
        if m.field is not None:
            out.add((m.field.topic, m.field.field))
        metric = vocab.metric(m.field.topic if m.field else plan.source, m.metric or m.alias)
        if metric is not None:
            held = Held()
            _condition_text(held, vocab, plan.source, metric.expression)
            out |= held.fields
    out |= {(f.field.topic, f.field.field) for f in plan.filters if f.op in ("<", "<=", ">", ">=", "between", "not_between")}
    return {(t, f) for t, f in out if vocab.is_numeric(t, f)}  # a rate of rows ("decline share") counts them


def currency_of_no_amount(plan: QueryPlan, vocab: Vocabulary, question: str) -> None:
    """A currency qualifies amounts of money: "fuel per site in euros" adds up litres, and the trips whose
    tolls were paid in euros are not what was asked. When the answer adds up or compares numbers and none of
    them is an amount in that currency, ask which amount is meant."""
    if not plan.measures or any(m.func in ("count", "count_distinct") for m in plan.measures):
        return
    figures = _figures(plan, vocab)
    for f in plan.filters:
        amounts = _amounts_by_currency(vocab, f.field.topic).get(f.field.field, set())
        if f.op not in ("=", "in") or not amounts or not figures:
            continue
        if any((f.field.topic, a) in figures for a in amounts):
            continue
        said = " or ".join(str(v) for v in f.values)
        shown = ", ".join(sorted(field.replace("_", " ") for _t, field in figures))
        named = [m.words for m in plan.measures if m.words and m.words.lower() in question.lower()]
        options = []
        for a in sorted(amounts):
            if named:  # the figure's words replaced by the amount: "tolls per site in euros"
                i = question.lower().index(named[0].lower())
                asked = question[:i] + a.replace("_", " ") + question[i + len(named[0]) :]
                options.append({"label": f"{a.replace('_', ' ')} in {said}", "question": asked})
        raise AskBack(
            f"{said} is the currency of {', '.join(sorted(a.replace('_', ' ') for a in amounts))}, but the answer "
            f"adds up {shown}, which is not money: which amount do you mean?",
            options,
        )


def _counts_rows(plan: QueryPlan, vocab: Vocabulary) -> bool:
    """The answer counts rows, or adds up a whole number the rows carry ("how many stops": SUM(stops))."""
    for m in plan.measures:
        if m.func in ("count", "count_distinct"):
            return True
        if m.func == "sum" and m.field is not None and vocab.ftype(m.field.topic, m.field.field).upper() in WHOLE_NUMBERS:
            return True
        topic = m.field.topic if m.field else plan.source
        metric = vocab.metric(topic, m.metric or "") if m.metric else None
        simple = semantic.simple_metric(metric.expression) if metric is not None else None
        if simple is not None and (
            simple[0] in ("count", "count_distinct")
            or simple[0] == "sum"
            and simple[1]
            and vocab.ftype(topic, simple[1]).upper() in WHOLE_NUMBERS
        ):
            return True
    return False


def _replace_phrase_starts(r: Reading) -> list[int]:
    """Where a phrase that takes a part out of the question ("instead of", "rather than") begins."""
    lows = [t.low for t in r.toks]
    return [i for i in range(len(lows)) for p in phrase_set("replace_words") if tuple(lows[i : i + len(p)]) == p]


def count_asked_is_counted(r: Reading, plan: QueryPlan, vocab: Vocabulary, question: str) -> None:
    """ "how many refunds above 20 euros": a count was asked for; an answer that only adds up the amounts
    (refunds whose total is above 20) reads the count words as something else. Ask which is meant."""
    plain = phrase_set("count_words")
    replaced = _replace_phrase_starts(r)  # "… instead of the count": taken out
    said = [
        t
        for t in r.toks
        if t.role == "agg"
        and t.arg == "count"
        and t.used
        and tuple(x.low for x in r.toks if x.phrase_start == t.phrase_start and x.role == "agg") in plain
        and not any(i < t.i for i in replaced)
    ]
    if not said or not plan.measures or _counts_rows(plan, vocab) or any(s.counted for s in r.measures):
        return
    words = " ".join(t.text for t in r.toks if t.phrase_start == said[0].phrase_start) or said[0].text
    raise AskBack(
        f"“{words}” asks for a count, but I read the question as {', '.join(m.alias for m in plan.measures)}: "
        "what should I count?",
        [],
    )


def values_the_catalog_lists(plan: QueryPlan, vocab: Vocabulary, question: str) -> None:
    """ "sales in JPY": a value the catalog does not list for a field whose values it lists (orders are paid in
    EUR, USD or GBP) matches no row, or rows the catalog does not describe — an empty answer that looks like
    "none". Ask which listed value is meant."""
    conditions = list(plan.filters) + [c for x in plan.excluded for c in x.conditions]
    conditions += [c for m in plan.measures for c in (m.filter, m.condition) if c is not None]
    for f in conditions:
        schema = vocab.topics.get(f.field.topic)
        listed = semantic.values(schema, f.field.field) if f.op in ("=", "in", "<>", "not_in") and schema else {}
        codes = {str(c).lower() for c in listed}
        missing = [v for v in f.values if codes and str(v).lower() not in codes]
        if not missing:
            continue
        name = f.field.field.replace("_", " ")
        word = next(
            (w for w in (f.words, str(missing[0])) if w and re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", question, re.I)), ""
        )
        options = []
        for code in list(listed)[:4] if word else []:
            asked = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", str(code), question, count=1, flags=re.I)
            options.append({"label": f"{name} {code}", "question": asked})
        raise AskBack(
            f"The catalog lists {', '.join(map(str, listed))} as {name} values, not {missing[0]}: which do you mean?", options
        )


def metric_rows_kept(plan: QueryPlan, vocab: Vocabulary, question: str) -> None:
    """ "refund amount excluding refunded": a metric's own rows (`status = 'refunded'`) left out by a filter of the
    question, or narrowed to another value, measures no row at all. The words contradict each other: ask."""
    for m in plan.measures:
        topic = m.field.topic if m.field else plan.source
        metric = vocab.metric(topic, m.metric) if m.metric else None
        own = semantic.metric_condition(metric) if metric is not None else None
        if own is None:
            continue
        field_name, value = own[0], own[1].lower()
        for f in plan.filters:
            if (f.field.topic, f.field.field) != (topic, field_name):
                continue
            values = {str(v).lower() for v in f.values}
            if (f.op in ("<>", "not_in") and value in values) or (f.op in ("=", "in") and value not in values):
                without = " ".join(re.sub(re.escape(f.words), "", question, count=1, flags=re.I).split()) if f.words else ""
                raise AskBack(
                    f"“{m.words or m.metric}” counts only rows where {field_name.replace('_', ' ')} is {own[1]}, "
                    f"and “{f.words or f.op}” leaves those out: which do you mean?",
                    [{"label": f"without “{f.words}”", "question": without}] if without and without != question else [],
                )


def what_was_read_is_answered(r: Reading, plan: QueryPlan, vocab: Vocabulary, question: str) -> None:
    values_the_catalog_lists(plan, vocab, question)
    metric_rows_kept(plan, vocab, question)
    currency_of_no_amount(plan, vocab, question)
    count_asked_is_counted(r, plan, vocab, question)
    m = unrealised(r, plan, vocab)
    if m is not None:
        without = " ".join(re.sub(rf"\b{re.escape(m.text)}\b", "", question, count=1, flags=re.I).split())
        readings = list(dict.fromkeys(e.label() for e in m.elements))[:2]
        raise AskBack(
            f"I read “{m.text}” ({' or '.join(readings)}) but could not fit it into the answer: what should it do?",
            [{"label": f"without “{m.text}”", "question": without}],
        )
    if r.bound is not None and not any(j.bound is not None for j in plan.joins):
        raise AskBack(
            "I read a time limit between two events but found no second topic to bound: what should it apply to?",
            [],
        )
