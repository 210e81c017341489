"""Questions whose words the catalog reads two ways, asked about instead of answered: a catalog phrase whose words
also read as a value and the rows of another topic, persons counted in general, and a rate read as a value. Each
option is a complete question; options the planner does not answer are dropped by the planner (`answered_only`)."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import AskBack, passed
from copilot.agent.builtin.read import Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.vocab import Element, Vocabulary

_ROWS_OR_VALUES = ("value", "state", "topic")


def phrases_read_two_ways(r: Reading, question: str, vocab: Vocabulary) -> None:
    """ "active sensors": a catalog phrase naming a figure or field of one topic (sensors that sent readings)
    whose words also read, one by one, as a value and the rows of another topic (devices in service). Nothing
    in the words chooses between them, so the question is asked, each reading as a complete question."""
    for m in r.mentions:
        words = [t.low for t in r.toks[m.start : m.end]]  # as corrected: "active sensers"
        own = m.topics()
        if len(words) < 2 or not (m.of("metric") or m.of("field")) or m.of("topic") or m.of("value"):
            continue
        for cut in range(1, len(words)):
            parts = (words[:cut], words[cut:])
            found = [vocab.lookup(p) for p in parts]
            shared = set.intersection(*({e.topic for e in f if e.kind in _ROWS_OR_VALUES} for f in found)) - own
            other = next(
                (e for f in found for e in f if e.topic in shared and e.kind in ("value", "state")), None
            )  # a value of the other topic, its rows named or restricted by the other words
            chosen = [next(e for e in f if e.topic == other.topic and e.kind in _ROWS_OR_VALUES) for f in found] if other else []
            fields = [e.field for e in chosen if e.kind != "topic"]
            if other is None or len(fields) != len(set(fields)):  # "product category": one page type cannot be two
                continue
            mine = (m.of("metric") or m.of("field"))[0]
            mine_words = (mine.metric or mine.field or "").replace("_", " ")
            other_words = " ".join(_value_words(vocab, e, p) for e, p in zip(chosen, parts))
            said = re.compile(re.escape(m.text), re.I)
            raise AskBack(
                f"“{m.text}” can be read two ways: which do you mean?",
                [
                    {"label": f"{mine_words} ({mine.topic.replace('_', ' ')})", "question": said.sub(mine_words, question, 1)},
                    {"label": f"{other_words} ({other.topic.replace('_', ' ')})", "question": said.sub(other_words, question, 1)},
                ],
            )


def value_of_two_topics(r: Reading, question: str, vocab: Vocabulary, context: str | None) -> None:
    """ "hubs per country": one word the catalog lists as a value of two topics (gateway devices, depot sites),
    each of which reaches everything else the question names ("country" is the sites', and devices have a site).
    The other words do not choose, so the question is asked, each topic's reading as a complete question."""
    if context is not None:
        return
    for m in r.mentions:
        if m in r.dims or m.of("topic") or m.of("field") or m.of("metric"):
            continue
        by_topic: dict[str, Element] = {}
        for e in m.of("value"):
            by_topic.setdefault(e.topic, e)
        if len(by_topic) < 2 or len({e.field for e in by_topic.values()}) < 2 or f"value:{m.text}" in passed.get():
            continue  # one field shared by twins or a topic and its copy: one meaning
        others = [x for x in r.mentions if x is not m]
        if any(len({e.topic for e in x.of("topic") + x.of("metric")} & set(by_topic)) == 1 for x in others) or any(
            x not in r.dims and len(x.topics()) == 1 and x.topics() <= set(by_topic) and x.of("field") for x in others
        ):  # "mobile orders", "hub sites", "number of products", "list prices of books": another word names one of them
            continue
        named = [x.topics() for x in others if x.elements]
        fits = [t for t in by_topic if all(t in ts or any(vocab.path(t, o) for o in ts) for ts in named)]
        if len(fits) < 2:
            continue  # the other words reach only one of them
        q = question.rstrip("?!. ") or " ".join(t.text for t in r.toks)
        readings = " or ".join(_value_reading(vocab, by_topic[t]) for t in fits)
        raise AskBack(
            f"“{m.text}” is {readings}: which do you mean?",
            [{"label": _value_reading(vocab, by_topic[t]), "tries": _value_tries(question, q, m, t)} for t in fits],
            answered_only=True,
            passable=f"value:{m.text}",
        )


def _value_tries(question: str, q: str, m: Mention, topic: str) -> list[str]:
    """The question with the topic's rows named after the word ("gateway devices"), or the topic said after it."""
    rows = topic.replace("_", " ")
    said = re.compile(rf"\b{re.escape(m.text)}\b", re.I)
    return [said.sub(f"{m.text} {rows}", question, 1), f"{q} ({rows})", said.sub(rows, question, 1)]


def _value_reading(vocab: Vocabulary, value: Element) -> str:
    label = semantic.values(vocab.topics[value.topic], value.field or "").get(value.value or "", ("", []))[0]
    label = re.sub(r"\(.*?\)", "", label or "").strip().lower() or str(value.value)
    return f"{label} ({value.topic.replace('_', ' ')})"


def _value_words(vocab: Vocabulary, value: Element, said: list[str]) -> str:
    """The value's label when it names the value alone ("in service"), else the words the user said."""
    if value.kind != "value":
        return " ".join(said)
    label = semantic.values(vocab.topics[value.topic], value.field or "").get(value.value or "", ("", []))[0]
    label = re.sub(r"\(.*?\)", "", label or "").strip().lower()
    return label if label and vocab.lookup(label.split()) == [value] else " ".join(said)


def counted_persons(b: Builder, r: Reading, question: str) -> None:
    """ "how many people bought something": persons in general, counted. The rows (orders) are not persons, and the
    catalog does not say which reference is a person, so the planner asks: each distinct count the catalog defines
    on the subject (buyers, visitors) or the rows themselves, as complete questions it answers."""
    lex = english()
    persons = {str(w).lower() for w in lex["person_words"]}
    counted = {str(w).lower() for w in lex["count_words"]}
    for t in r.toks:
        if t.low not in persons or t.i == 0:
            continue
        if not _counted_before(r, t.i, counted):  # "count people", "how many (signed-in) people"
            continue
        said = re.compile(rf"\b{re.escape(t.text)}\b", re.I)
        options = []
        for metric in b.vocab.metrics.get(b.source, []):
            expression = metric.expression.upper().replace(" ", "")
            if expression.startswith("COUNT(DISTINCT") and expression.endswith(")") and "/" not in expression:
                words = metric.name.replace("_", " ")
                options.append({"label": words, "question": said.sub(words, question, 1)})
        rows = b.source.replace("_", " ")
        options.append({"label": rows, "question": said.sub(rows, question, 1)})
        raise AskBack(
            f"“{t.text}”: which count do you mean?",
            options,
            answered_only=True,
            unanswered=f"the catalog does not say which {rows} field is a person, so “{t.text}” cannot be counted",
        )


def _counted_before(r: Reading, i: int, counted: set[str]) -> bool:
    """A count word right before the persons, or before the values and states that qualify them ("how many
    signed-in people", "count the logged in folks")."""
    j = i
    while j > 0 and (_qualifies(r.toks[j - 1].mention) or r.toks[j - 1].low == "the"):
        j -= 1
    before = [x.low for x in r.toks[max(0, j - 2) : j]]
    return bool(before) and (before[-1] in counted or " ".join(before) in counted)


def _qualifies(m) -> bool:
    return m is not None and bool(m.elements) and all(e.kind in ("value", "state") for e in m.elements)


def rate_read_as_value(b: Builder, r: Reading, question: str) -> None:
    """ "fuel use per 100 km": a number with a unit after "per" is a rate's denominator, never rows of exactly that
    much. The catalog's rates over that field are offered (each a question the planner answers); with none, the
    question is declined naming the rate."""
    for spec in r.compares:
        if spec.op != "=" or spec.kind != "field" or spec.target is None or not spec.words:
            continue
        said = re.search(rf"\b(?:per|every|each)\s+{re.escape(spec.words)}\b", question, re.I)
        if said is None:
            continue
        fields = {(e.topic, e.field) for e in spec.target.of("field")}
        before = [m for m in r.mentions if m.end <= spec.target.start and (m.of("field") or m.of("metric"))]
        start = question.lower().find(before[-1].text.lower()) if before else -1
        span = question[start : said.end()] if 0 <= start < said.start() else said.group(0)
        options = []
        for topic, field in sorted(fields):
            for metric in b.vocab.metrics.get(topic, []):
                denominator = metric.expression.split("/", 1)[1] if "/" in metric.expression else ""
                if re.search(rf"\b{re.escape(field or '')}\b", denominator):
                    words = (metric.synonyms or [metric.name.replace("_", " ")])[0]
                    options.append({"label": words, "question": question.replace(span, words, 1)})
        raise AskBack(
            f"“{said.group(0)}” is a rate: which figure do you mean?",
            options,
            answered_only=True,
            unanswered=f"“{said.group(0)}” is a rate, and the catalog defines no figure {said.group(0)}",
        )
