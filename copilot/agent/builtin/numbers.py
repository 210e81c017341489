"""Which number of the rows a figure is of, when the words name the rows and not the number: "the longest runs"
(in distance or in time?), "avg trip" (which of the trip's numbers?), "the fastest run" (the catalog records no
speed), "battery level per device" (a level is averaged, never added up). Each answers from the catalog's units
and currencies, or asks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from copilot.agent.builtin import semantic
from copilot.agent.builtin.grammar_base import MeasureSpec
from copilot.agent.builtin.lexicon import english, time_words, word_set
from copilot.agent.builtin.outcome import AskBack
from copilot.agent.builtin.vocab import Element
from copilot.catalog.model import TopicSchema
from copilot.sql.types import duration_unit

if TYPE_CHECKING:
    from copilot.agent.builtin.build import Builder


def _said(schema: TopicSchema, names: list[str], question: str, units: bool) -> str | None:
    """The first of the numbers the question names: by its name's first word, a synonym, "time" for a duration, and
    (with `units`) its unit ("in km")."""
    low = question.lower()
    for name in names:
        f = schema.field(name)
        said = [name.split("_")[0], *(f.synonyms if f else [])]
        said += [str(f.unit)] if units and f is not None and f.unit and len(str(f.unit)) > 1 else []
        said += ["time"] if f is not None and duration_unit(f.unit) is not None else []
        if any(re.search(rf"\b{re.escape(w.lower())}\b", low) for w in said):
            return name
    return None


def length_or_duration(b: Builder, topic: str, amount: str, spec: MeasureSpec) -> None:
    """ "the longest runs": long in distance or in time? When the topic records a duration (a field in a time
    unit) beside its main amount, a length word does not say which: ask."""
    words = {w.lower() for w in spec.words.split()}
    if not words & word_set("length_words"):
        return
    schema = b.vocab.topics[topic]
    timed = [f.name for f in schema.fields if duration_unit(f.unit) is not None and f.name != amount]
    main = schema.field(amount)
    if not timed or (main is not None and duration_unit(main.unit) is not None):
        return
    if _said(schema, [amount, *timed], b.question, units=False):  # "the longest trip by distance", "by time"
        return
    options = [
        {"label": name.replace("_", " "), "question": f"{b.question.rstrip('?.! ')} by {name.replace('_', ' ')}"}
        for name in [amount, *timed][:3]
    ]
    raise AskBack(f"“{spec.words}”: longest by which number of {topic.replace('_', ' ')}?", options)


def level(b: Builder, e: Element) -> str | None:
    """ "battery level per device": a number in a unit of levels (percent, degrees) is averaged, never added up."""
    unit = semantic.field_annotation(b.vocab.topics[e.topic], e.field or "", "unit")
    if unit is None or str(unit).lower() not in word_set("level_units") or not b.vocab.is_numeric(e.topic, e.field or ""):
        return None
    b.notices.append(f"{(e.field or '').replace('_', ' ')} is a level in {unit}: averaged, not added up")
    return "avg"


def which_number(b: Builder, topic: str, amount: str, spec: MeasureSpec) -> str:
    """ "avg trip", "the fastest run": a figure of the rows themselves is of their main amount only when that is
    their money; when the catalog's first metric picked another number and the rows record more numbers in units,
    the words do not say which (a speed word names none of them: the catalog records no speed). Asked, each option
    the question with the number named after the rows ("avg trip duration")."""
    schema = b.vocab.topics[topic]
    measured = [
        f.name
        for f in schema.fields
        if semantic.is_numeric(f.type) and (f.unit or semantic.currency_field(schema, f.name)) and f.name != amount
    ]
    if semantic.currency_field(schema, amount) or not measured or spec.target is None:
        return amount
    low = b.question.lower()
    money = [n for n in measured if semantic.currency_field(schema, n)]
    if len(money) == 1 and any(re.search(rf"\b{re.escape(str(w).lower())}\b", low) for w in english()["price_words"]):
        return money[0]  # "the cheapest trip": its one amount of money
    said = _said(schema, [amount, *measured], b.question, units=True)  # "avg trip in litres", "by time"
    if said is not None:
        return said
    units = "|".join(re.escape(str(w).lower()) for ws in time_words()["units"].values() for w in ws)
    if re.search(rf"\b{re.escape(spec.target.text.lower())}\s+(?:{units})\b", low):
        return amount  # "avg trip mins": a duration, said by its unit
    speed = {str(k).lower(): str(v) for k, v in english()["speed_words"].items()}
    said_speed = next((w for w in spec.words.lower().split() if w in speed), None)
    names = [amount, *measured]
    if said_speed is not None:  # "the fastest trip": the shortest duration, if the rows record one
        names = [n for n in names if (f := schema.field(n)) is not None and duration_unit(f.unit) is not None]
    rows = re.compile(rf"\b{re.escape(spec.target.text)}\b", re.I)
    question = (
        re.sub(rf"\b{re.escape(said_speed)}\b", speed[said_speed], b.question, count=1, flags=re.I) if said_speed else b.question
    )
    options = []
    for name in names[:4]:
        f = schema.field(name)
        words = [name.split("_")[0], *(f.synonyms[:1] if f else [])]
        label = name.replace("_", " ")
        options.append(
            {
                "label": f"{speed[said_speed]} {label}" if said_speed else label,
                "tries": [rows.sub(f"{spec.target.text} {w}", question, 1) for w in dict.fromkeys(words)],
            }
        )
    rows_said = topic.replace("_", " ")
    if said_speed is not None:
        raise AskBack(
            f"“{spec.words}”: the catalog records no speed of {rows_said}; by which number?",
            options,
            answered_only=True,
            unanswered=f"the catalog records no speed of {rows_said}",
        )
    raise AskBack(f"“{spec.words}”: which number of {rows_said}?", options, answered_only=True)
