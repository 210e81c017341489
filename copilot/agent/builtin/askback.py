"""Readings that are asked about rather than guessed: a measure word naming numbers of two topics, a number
whose unit varies per row kind, a breakdown by an amount, "different" with nothing counted distinctly, a field
required empty and present at once. Each raises AskBack with complete questions as options."""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.outcome import AskBack
from copilot.agent.builtin.read import Reading, lexicon_role
from copilot.agent.builtin.tags import Mention, Tok
from copilot.agent.builtin.vocab import Element
from copilot.plan.model import Filter, Measure, QueryPlan


def null_contradictions(filters: list[Filter], question: str) -> None:
    """ "anonymous vs logged-in views": a field required empty and present at once, or a value both required
    and excluded. No row meets both: the words were meant side by side or as alternatives — ask which."""
    for f in filters:
        for g in filters:
            if f is g or f.field.key() != g.field.key():
                continue
            clash = (f.op == "is_null" and g.op == "is_not_null") or (
                f.op in ("=", "in") and g.op in ("<>", "not_in") and set(map(str, f.values)) <= set(map(str, g.values))
            )
            if not clash:
                continue
            words = [f.words or f.op, g.words or g.op]
            options = []
            for keep, drop in ((f, g), (g, f)):
                if drop.words and drop.words.lower() in question.lower():
                    i = question.lower().index(drop.words.lower())
                    rest = " ".join((question[:i] + question[i + len(drop.words) :]).split())
                    options.append({"label": f"only {keep.words or keep.op}", "question": rest})
            field = f.field.field.replace("_", " ")
            raise AskBack(
                f"No row can be both “{words[0]}” and “{words[1]}” ({field}): which do you mean?",
                options,
            )


def measure_in_two_topics(b: Builder, r: Reading) -> None:
    """ "average price per brand": the measure's word names a number of the subject (orders' unit price) and
    one of a topic the answer reads anyway (products' list price, looked up for the brand). Nothing in the
    question tells them apart: ask which, never pick by which topic came first."""
    in_plan = {b.source} | {j.topic for j in b.joins}
    said = [(spec.target, spec.func) for spec in r.measures]
    said += [(c.target, c.func) for c in r.compares if c.having and c.kind in ("measure", "field")]  # "average price over 30"
    for m, func in said:
        if m is None or func in ("count", "count_distinct"):
            continue
        words = m.text.lower().split()
        bare = [w for w in words if lexicon_role(w) != "agg"]  # "average price": what the catalog calls "price"
        named = b.vocab.lookup(bare) if bare and len(bare) < len(words) else []
        cands = [b._on_twin(e) for e in list(m.elements) + named if e.kind in ("metric", "field")]
        numbers = [
            e
            for e in cands
            if e.kind == "metric" or (e.field and b.vocab.is_numeric(e.topic, e.field) and not b.vocab.is_key(e.topic, e.field))
        ]
        by_topic: dict[str, Element] = {}
        for e in numbers:
            by_topic.setdefault(e.topic, e)
        reach = in_plan | {t for t in by_topic if t not in in_plan and _answers_all(b, r, m, t)}
        if len(set(by_topic) & reach) < 2:
            continue
        planned = set(by_topic) & in_plan
        if len(planned) == 1 and any(
            x is not m and x not in r.dims and len(x.topics()) == 1 and x.topics() <= planned for x in r.mentions
        ):  # "typical price people pay on the website": the other words are of the one read (channel: the orders)
            continue
        before = next((x for x in r.mentions if x.end == m.start), None)  # "card payment amount": of the payments
        if before is not None and len({e.topic for e in before.elements} & set(by_topic) & reach) == 1:
            continue

        options = [measure_option(b, r, m, e, bare if named else []) for t, e in by_topic.items() if t in reach]
        raise AskBack(
            f"“{m.text}” is a number of {' and of '.join(t.replace('_', ' ') for t in by_topic if t in reach)}: which one?",
            options[:4],
        )


def _answers_all(b: Builder, r: Reading, m: Mention, topic: str) -> bool:
    """Whether the measure read from `topic` keeps everything else the question names: each other word is the
    topic's own or looked up from a table it refers to (a second event stream would need a time bound)."""

    def looked_up(target: str) -> bool:
        path = b.vocab.path(topic, target)
        return target == topic or (path is not None and all(b.vocab.topics[t].is_upsert for t in path))

    return all(any(looked_up(t) for t in x.topics()) for x in r.mentions if x is not m and x.elements)


def measure_option(b: Builder, r: Reading, m: Mention, e: Element, bare: list[str]) -> dict:
    """One reading of a measure word, as a complete question: the catalog's own name put in place of the word."""
    if e.kind == "metric" or not bare:
        return {"label": e.label(), "question": b._replace(m, e)}
    name = (e.field or "").replace("_", " ")
    name = name if e.topic == b.source else f"{name} of {e.topic.replace('_', ' ')}"
    text = re.sub(re.escape(" ".join(bare)), name, b.question, count=1, flags=re.I)
    if b.vocab.topics[e.topic].is_upsert and r.window is not None and r.window.words:
        text = " ".join(re.sub(re.escape(r.window.words), "", text, flags=re.I).split())  # a table's current rows
    return {"label": e.label(), "question": text}


def mixed_units(b: Builder, measures: list[Measure], filters: list[Filter]) -> None:
    """ "readings above 30": a number whose unit another field gives per row (`unit_field`) means nothing until
    the rows are narrowed to one kind — degrees, percent and ppm are not compared or averaged together."""
    used = [f.field for f in filters if f.op in (">", ">=", "<", "<=", "between")]
    used += [m.field for m in measures if m.field is not None and m.func in ("sum", "avg", "min", "max")]
    for ref in used:
        schema = b.vocab.topics[ref.topic]
        unit_field = semantic.field_annotation(schema, ref.field, "unit_field")
        if not unit_field:
            continue
        kinds = {
            f.field.field
            for m in schema.metrics
            if (f := b._metric_filter(ref.topic, m)) is not None and m.expression and ref.field in m.expression
        }
        if any(f.field.topic == ref.topic and f.field.field in kinds | {str(unit_field)} for f in filters):
            continue
        if any(m.filter is not None and m.filter.field.field in kinds for m in measures):
            continue
        field = next(iter(sorted(kinds)), str(unit_field))
        values = list(semantic.values(schema, field))[:4]
        raise AskBack(
            f"{ref.field.replace('_', ' ')} is measured in different units per {field.replace('_', ' ')}: which {field.replace('_', ' ')}?",
            [{"label": str(v), "question": f"{b.question.rstrip('?.! ')} ({v})"} for v in values],
        )


def dims_on_amounts(b: Builder, dims, question: str) -> None:
    """ "paying per unit": a breakdown by a number the catalog adds up or measures in a unit (quantity, amount)
    makes one group per value — rarely what is meant. Ask rather than group by it."""
    for d in dims:
        topic, name = d.field.topic, d.field.field
        schema = b.vocab.topics[topic]
        f = schema.field(name)
        if f is None or not b.vocab.is_numeric(topic, name) or b.vocab.is_key(topic, name):
            continue
        measured = bool(f.unit or f.currency_field or semantic.default_aggregate(schema, name) in ("sum", "avg"))
        measured = measured or any(
            (simple := semantic.simple_metric(m.expression)) is not None and simple[1] == name for m in schema.metrics
        )
        if not measured:
            continue
        words = d.words or name.replace("_", " ")
        pattern = rf"(?:\b(?:per|by|for each|for every|each|across)\s+)?{re.escape(words)}"
        cut = " ".join(re.sub(pattern, "", question, count=1, flags=re.I).split())
        raise AskBack(
            f"“{words}” would make one group per {name.replace('_', ' ')} value: is that what you mean?",
            [
                {"label": f"one group per {name.replace('_', ' ')} value", "question": f"{question} (grouped by {name})"},
                {"label": f"without “{words}”", "question": cut},
            ],
        )


def distinct_read(r: Reading, plan: QueryPlan, b: Builder, question: str) -> None:
    """ "how many different people bought": a word asking for distinct things that no measure counts distinctly
    was read past — ask what is counted, never answer with a plain row count."""
    said = [t for t in r.toks if t.role == "distinct"]
    if not said or not plan.measures or plan.ranking is not None:
        return
    for m in plan.measures:
        metric = b.vocab.metric(plan.source, m.metric) if m.metric else None
        simple = semantic.simple_metric(metric.expression) if metric is not None else None
        if m.func == "count_distinct" or (simple is not None and simple[0] == "count_distinct"):
            return
    word = said[0]
    after = r.toks[word.i + 1] if word.i + 1 < len(r.toks) else None
    schema = b.vocab.topics[plan.source]
    refs = [rel.field for rel in schema.relationships] + [f for f in schema.primary_key if f not in schema.relationships]
    options = []
    for name in refs[:3]:
        words = name.replace("_id", "").replace("_", " ") + "s"
        text = re.sub(rf"\b{re.escape(after.text)}\b", words, question, count=1) if after is not None else f"{question} ({words})"
        options.append({"label": f"different {words}", "question": text})
    raise AskBack(f"“{word.text}”: different what should I count?", options)


def totals_of_a_named_figure(r: Reading) -> None:
    """ "top 5 products by units sold overall": a sum word with nothing after it, beside a figure the question
    names, says "in total" of that figure; it is not a second figure (the total of the subject's amount)."""
    named = any(s.target is not None for s in r.measures) or (r.rank is not None and r.rank.by is not None)
    if named:
        r.measures[:] = [s for s in r.measures if not (s.target is None and s.func == "sum" and s.condition is None)]


def verbs_of_their_object(r: Reading, vocab) -> None:
    """ "which categories sell the most units": a verb that names a metric ("sell" → revenue), followed within
    a few words by the figure it acts on, is the sentence's verb, not a second figure."""
    from copilot.agent.builtin.text import stem

    figures = [s.target for s in r.measures if s.target is not None and s.condition is None]
    if r.rank is not None and r.rank.by is not None and r.rank.by.target is not None:
        figures.append(r.rank.by.target)
    for s in list(r.measures):
        verb = s.target
        if verb is None or verb.end - verb.start != 1 or stem(r.toks[verb.start].low) not in vocab.verb_words:
            continue
        after = [
            m for m in figures if m is not verb and 0 <= m.start - verb.end <= 3 and not set(m.elements) & set(verb.elements)
        ]
        if after and all(t.mention is None for t in r.toks[verb.end : after[0].start]):
            r.measures.remove(s)


def uncoordinated_measures(r: Reading, question: str) -> None:
    """Two figures read from words that no joining word puts side by side ("anonymous visits hit the
    checkout": visits, and page hits from the verb): one was meant, and the words do not say which. Figures
    joined by "and", a comma, "with", "vs" … are asked for together; "fuel in litres" is one figure in a unit."""
    from copilot.agent.builtin.lexicon import english

    lex = english()
    joiners = {str(w).lower() for w in lex["list_joiners"]} | {str(w).lower() for w in lex["measure_joiners"]}
    read_as = [s.target for s in r.measures if s.target is not None and s.condition is None]
    if r.rank is not None and r.rank.by is not None and r.rank.by.target is not None:
        read_as.append(r.rank.by.target)
    spans = sorted({id(m): m for m in read_as}.values(), key=lambda m: m.start)
    for a, b in zip(spans, spans[1:]):
        if set(a.elements) & set(b.elements) or b.start < a.end:
            continue
        if any(x.of("topic") and not x.of("field") and x.topics() & y.topics() for x, y in ((a, b), (b, a))):
            continue  # "the warmest readings": a figure and the rows it is measured on
        between = r.toks[a.end : b.start]
        if any(t.low in joiners or t.role in ("list_joiners", "versus") for t in between):
            continue
        if [t.low for t in between] == ["in"]:
            continue
        options = []
        for keep, drop in ((a, b), (b, a)):
            rest = re.sub(rf"\s*\b{re.escape(drop.text)}\b", "", question, count=1, flags=re.I).strip()
            if rest and rest != question:
                options.append({"label": f"only {keep.text}", "question": rest})
        raise AskBack(f"“{a.text}” and “{b.text}” are two different figures: which one do you mean?", options)


def loose_key_options(b: Builder, words: Sequence[Tok], question: str, keys_named: Sequence[str] = ()) -> None:
    """ "per site and type" when no field of the subject is called "… type", "by depot and how they ended": which
    field groups the rows? The subject's fields with known values not already a key, each a complete question."""
    said = " ".join(t.text for t in words)
    schema = b.vocab.topics[b.source]
    skip = set(schema.primary_key or []) | set(keys_named)
    keys = [f.name for f in schema.fields if f.values and f.name not in skip][:3]
    options = [
        {
            "label": k.replace("_", " "),
            "question": re.sub(rf"\b{re.escape(said)}\b", k.replace("_", " "), question, count=1, flags=re.I),
        }
        for k in keys
    ]
    raise AskBack(f"“{said}”: which field of {b.source.replace('_', ' ')} groups them?", options)
