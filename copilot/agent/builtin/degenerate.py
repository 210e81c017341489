"""Plans that answer a different question than the one asked, mended or refused before they are answered: a share
whose rows are already filtered to its own condition (the decline share of declined payments is always 1) means the
words of that filter name what the share measures; a share among rows pinned to other values of its field is always
0; a share said of an amount or of distinct things is not a share of rows; things counted beside a threshold on how
many times are the groups; things that never reached a value cannot be found with a row filter; a comparison whose
answer would hold one side only is declined; amounts the catalog keeps per currency are not added across currencies;
things said to be in the state an event names are not answered with the events. (A breakdown by a field the question
also pins to one value — "lost parcels per carrier, DHL only" — is answered as read: every word of it maps to one
catalog element, and such questions are answered.)"""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.grammar_base import Reading
from copilot.agent.builtin.lexicon import english, said
from copilot.agent.builtin.outcome import AskBack, Decline, trying_an_option
from copilot.plan.model import Dimension, FieldRef, Filter, QueryPlan


def checked(b: Builder, plan: QueryPlan, r: Reading, question: str) -> None:
    """Every check of a finished plan, new or changed by a follow-up, in order (a check may mend the plan)."""
    one_side_of_a_comparison(r, plan)
    shares_of_their_own_rows(b, plan)
    shares_that_cannot_vary(b, plan, question)
    share_of_an_amount(b, plan, r.text)
    things_over_a_count(b, plan, question, r.text)
    things_that_never_reached(b, plan, question)
    sums_kept_per_currency(b, plan, question)
    things_in_a_state_now(b, plan, question)


def changes_something(before: QueryPlan, after: QueryPlan, question: str, last_question: str) -> None:
    """ "what about orders instead" read as no change to the answer before is asked about; the conversation's last
    question sent again (a retry, a second client) is answered again."""
    if after.to_dict() == before.to_dict() and " ".join(last_question.lower().split()) != " ".join(question.lower().split()):
        raise AskBack(f"I read no change to the answer before in “{question}”: what should change?", [])


def shares_of_their_own_rows(b: Builder, plan: QueryPlan) -> None:
    """ "are payments failing? decline rate per minute": "failing" names the rows the decline share counts, so it
    is not also a filter (every remaining row would be declined, the share always 1)."""
    conditions = set()
    for m in plan.measures:
        if m.condition is not None and m.condition.op == "=" and len(m.condition.values) == 1:
            conditions.add((m.condition.field.topic, m.condition.field.field, str(m.condition.values[0])))
        elif m.metric:
            metric = b.vocab.metric(plan.source, m.metric)
            cond = semantic.fraction_condition(metric.expression) if metric else None
            if cond is not None:
                conditions.add((plan.source, cond[0], cond[1]))
    if not conditions:
        return
    kept = []
    for f in plan.filters:
        if _one_value(f) and (f.field.topic, f.field.field, str(f.values[0])) in conditions:
            b.notices.append(f"“{f.words or f.values[0]}” is what the share measures, not also a filter (it would always be 1)")
            continue
        kept.append(f)
    plan.filters = kept


def _share_conditions(b: Builder, plan: QueryPlan) -> list[tuple[str, str, set[str]]]:
    """The topic, field and values whose share of rows each share of the plan measures (its own or a metric's)."""
    out = []
    for m in plan.measures:
        c = m.condition
        if m.func == "share" and c is not None and c.op in ("=", "in"):
            out.append((c.field.topic, c.field.field, {str(v).lower() for v in c.values}))
        elif m.metric:
            metric = b.vocab.metric(plan.source, m.metric)
            cond = semantic.fraction_condition(metric.expression) if metric else None
            if cond is not None:
                out.append((plan.source, cond[0], {str(cond[1]).lower()}))
    return out


def shares_that_cannot_vary(b: Builder, plan: QueryPlan, question: str) -> None:
    """ "ratio of declined to authorized payments": a share of one value among rows a filter pins to other values
    of the same field is always 0 (or always 1) — the words asked for something else, such as one count over
    another, which a share is not. Ask, with the share of all rows as the option."""
    for topic, field_name, own in _share_conditions(b, plan):
        for f in plan.filters:
            if (f.field.topic, f.field.field) != (topic, field_name):
                continue
            values = {str(v).lower() for v in f.values}
            if (f.op in ("=", "in") and not own & values) or (f.op in ("<>", "not_in") and own <= values):
                name = field_name.replace("_", " ")
                said = " or ".join(sorted(own))
                kept = " or ".join(map(str, f.values))
                without = " ".join(question.replace(f.words, "", 1).split()) if f.words and f.words in question else ""
                raise AskBack(
                    f"The share of {name} {said} among rows whose {name} is {'not ' if f.op in ('<>', 'not_in') else ''}"
                    f"{kept} is always {0 if f.op in ('=', 'in') else 1}: what should I compare?",
                    [{"label": f"share of {said} among all rows", "question": without}]
                    if without and without != question
                    else [],
                )


def share_of_an_amount(b: Builder, plan: QueryPlan, text: str) -> None:
    """ "mobile share of revenue", "revenue from mobile as a share of total revenue": a share of rows answered beside
    the amount it was said of reads the amount's share as a share of rows — a different number (so is the share of
    "visits", distinct sessions, read as a share of page views). A share of an amount needs a ratio of two totals,
    which a plan does not hold: decline, naming what was asked."""
    counted = [m for m in plan.measures if m.func == "share" or m.metric and _share_conditions(b, _only(plan, m))]
    amounts = [m for m in plan.measures if m.func in ("sum", "avg", "count_distinct") or m.metric and _adds_up(b, plan, m)]
    if not counted or not amounts:
        return
    words = "|".join(sorted({re.escape(str(w).lower()) for w in english()["share"]}, key=len, reverse=True))
    low = " ".join(text.lower().split())
    for m in amounts:
        said = (m.words or "").lower()
        between = r"(?:\s+(?!(?:and|plus|&|with|vs|versus)\b)[^\s,;]+){0,5}?"  # within one figure's words
        share_then_amount = rf"(?<!\w)(?:{words})(?!\w){between}\s+{re.escape(said)}\b"
        amount_then_share = rf"\b{re.escape(said)}\s+(?:{words})(?!\w)"
        if said and (re.search(share_then_amount, low) or re.search(amount_then_share, low)):
            raise Decline(f"I can compute the share of rows with one value, not the share of a figure such as {said}")


def things_over_a_count(b: Builder, plan: QueryPlan, question: str, text: str) -> None:
    """ "customers who ordered more than 3 times per hour", "products viewed more than 100 times": the distinct things
    counted beside a threshold on how many times (rows), with no key. A threshold on the whole window's rows says
    nothing about each thing: the things are the groups the threshold is about — unless a count of them was asked
    ("how many customers ordered more than 3 times"), which needs two levels of aggregation: declined."""
    if plan.dimensions or plan.ranking is not None or not plan.having:
        return
    read = {m.alias: _plain(b, plan, m) for m in plan.measures}
    counts = [h for h in plan.having if read.get(h.measure, (None, None))[0] == "count"]
    things = [m for m in plan.measures if read[m.alias][0] == "count_distinct" and read[m.alias][1]]
    if not counts or len(things) != 1:
        return
    nouns = "|".join(re.escape(str(w)) for w in english()["count_nouns"])
    if not re.search(rf"\b\d+(?:\.\d+)?\s+(?:{nouns})\b", text.lower()):
        return  # "buyers per hour with more than 100 orders": the hours may be what is meant
    thing = things[0]
    key = FieldRef(topic=plan.source, field=str(read[thing.alias][1]))
    if _says(question, "count_asks"):
        raise Decline(
            f"counting the {key.field.replace('_', ' ')}s that each pass “{counts[0].words or 'the threshold'}” "
            "needs a count of a count, which I cannot write; ask for the list of them instead"
        )
    plan.measures = [m for m in plan.measures if m is not thing]
    plan.dimensions = [Dimension(field=key, words=thing.words)]
    b.notices.append(f"one row per {key.field.replace('_', ' ')}, with the threshold on each one's count")


def _plain(b: Builder, plan: QueryPlan, m) -> tuple[str | None, str | None]:
    """A measure as one plain aggregate over the plan's rows (its own, or its metric's): (func, field)."""
    if m.metric:
        metric = b.vocab.metric(plan.source, m.metric)
        if metric is None or metric.filter:
            return None, None
        simple = semantic.simple_metric(metric.expression)
        return simple if simple is not None else (None, None)
    if m.condition is not None or m.filter is not None or (m.field is not None and m.field.topic != plan.source):
        return None, None
    return m.func, m.field.field if m.field is not None else None


def things_that_never_reached(b: Builder, plan: QueryPlan, question: str) -> None:
    """ "parcels that never got delivered": a topic with one event per thing and value of a field (unique key
    shipment_id + status) answers "not delivered" with the other events — of parcels that may well be delivered.
    Things that never reached a value need all of their events at once, which a row filter cannot say: decline
    when the things are counted or the question says "never"."""
    for f in plan.filters:
        schema = b.vocab.topics.get(f.field.topic)
        unique = list(schema.unique_key or []) if schema is not None else []
        if f.op not in ("<>", "not_in") or len(unique) != 2 or f.field.field != unique[1]:
            continue
        thing = unique[0]
        counted = any(_plain(b, plan, m) == ("count_distinct", thing) for m in plan.measures)
        if counted or _says(question, "never_words"):
            said = " or ".join(map(str, f.values))
            raise Decline(
                f"{f.field.topic.replace('_', ' ')} has one event per {thing.replace('_', ' ')} and "
                f"{f.field.field.replace('_', ' ')}: leaving out {said} keeps the other events of the same "
                f"{thing.replace('_', ' ')}s, so I cannot find those that never reached {said}"
            )


def _says(question: str, words: str) -> bool:
    """The question holds one of the lexicon's `words` (whole words)."""
    said = "|".join(re.escape(str(w)) for w in english()[words])
    return re.search(rf"(?i)\b(?:{said})\b", question) is not None


def _only(plan: QueryPlan, m) -> QueryPlan:
    return plan.model_copy(update={"measures": [m]})


def _adds_up(b: Builder, plan: QueryPlan, m) -> bool:
    metric = b.vocab.metric(plan.source, m.metric)
    simple = semantic.simple_metric(metric.expression) if metric is not None else None
    return simple is not None and simple[0] in ("sum", "avg", "count_distinct")  # "visits": distinct sessions


def _one_value(f: Filter) -> bool:
    return f.op in ("=", "in") and len(f.values) == 1


def one_side_of_a_comparison(r: Reading, plan: QueryPlan) -> None:
    """ "klarna's decline rate compared with the overall one": a comparison word, but the answer holds one figure over
    one set of rows — no key, no list of values, no second figure, no ranking. Declined, never answered with one side."""
    said = next((t for t in r.toks if t.role == "versus"), None)
    if said is None:
        return
    several_values = any(f.op in ("in", "not_in") and len(f.values) > 1 for f in plan.filters)
    if plan.dimensions or len(plan.measures) > 1 or several_values or plan.ranking is not None:
        return
    words = " ".join(t.text for t in r.toks if t.i == said.i or t.phrase_start == said.i and t.role == "versus")
    raise Decline(
        f"“{words}”: one query gives one figure over one set of rows, so it cannot hold both sides of this comparison; "
        "ask for the figure broken down by what is compared, or for each side on its own"
    )


def sums_kept_per_currency(b: Builder, plan: QueryPlan, question: str) -> None:
    """ "toll bill per depot", "toll spend today" where the catalog keeps toll sums per currency (`sum_per_currency`):
    a sum or average over rows of several currencies is grouped by currency too. Asked for as one total ("in total",
    "one number") or ranked, it is asked about — per currency, or in one of them."""
    for m in plan.measures:
        ref = _summed_amount(b, plan, m)
        if ref is None:
            continue
        schema = b.vocab.topics[ref.topic]
        currency = semantic.sum_per_currency(schema, ref.field)
        if currency is None:
            continue
        key = FieldRef(topic=ref.topic, field=currency)
        pinned = [f for f in plan.filters + ([m.filter] if m.filter else []) if f.field == key]
        if any(f.op == "=" or f.op == "in" and len(f.values) == 1 for f in pinned):
            continue
        if any(d.field == key for d in plan.dimensions):
            continue
        if plan.ranking is None and (plan.dimensions or not _one_total_said(question)):
            plan.dimensions.append(Dimension(field=key, words=""))
            b.notices.append(f"{ref.field.replace('_', ' ')} is in several currencies: kept per {currency.replace('_', ' ')}")
            return
        if trying_an_option.get():
            return  # an option of another question back: answered, its own answer asks which currency
        codes = [str(f.values[0]) for f in pinned if f.op == "in"] or list(semantic.values(schema, currency))
        q = question.rstrip("?.! ")
        options = [{"label": f"per {currency.replace('_', ' ')}", "question": f"{q} per {currency.replace('_', ' ')}"}]
        options += [{"label": f"in {code}", "question": f"{q}, only {code}"} for code in codes[:3]]
        raise AskBack(
            f"{ref.field.replace('_', ' ')} is in several currencies ({', '.join(codes)}), which are not added together: "
            f"per {currency.replace('_', ' ')}, or in one of them?",
            options,
        )


def _one_total_said(question: str) -> bool:
    lows = re.findall(r"[a-z]+", question.lower())
    return said(lows, "one_total_phrases") or said(lows, "combined_phrases", {("together",): "with"})


def _summed_amount(b: Builder, plan: QueryPlan, m) -> FieldRef | None:
    """The field a measure adds up or averages, its own or its metric's."""
    if m.func in ("sum", "avg") and m.field is not None:
        return m.field
    if m.metric:
        metric = b.vocab.metric(plan.source, m.metric)
        simple = semantic.simple_metric(metric.expression) if metric is not None else None
        if simple is not None and simple[0] in ("sum", "avg") and simple[1]:
            return FieldRef(topic=plan.source, field=simple[1])
    return None


def things_in_a_state_now(b: Builder, plan: QueryPlan, question: str) -> None:
    """ "how many devices are offline (right now)?": the things an event stream refers to, said to be in the state one
    of its events names. Events say what happened, not the state things are in: a device that went offline and came
    back is not offline. Without a window it is asked — such events in a recent window, or each thing's latest
    event."""
    schema = b.vocab.topics[plan.source]
    if plan.window is not None or schema.is_upsert or not schema.event_time:
        return
    refs = {rel.field for rel in schema.relationships}
    counted = [m.field.field for m in plan.measures if m.func == "count_distinct" and m.field is not None]
    if plan.measures and all(m.func == "count" for m in plan.measures):  # "which devices are offline"
        counted += [d.field.field for d in plan.dimensions if d.transform == "value"]
    things = [f for f in counted if f in refs]
    if not things:
        return
    low = " ".join(question.lower().split())
    now = any(re.search(rf"(?<![\w']){re.escape(str(w).lower())}(?![\w'])", low) for w in english()["state_now_words"])
    for f in plan.filters:
        if f.field.topic != plan.source or f.op != "=" or not f.words or f.field.field in refs:
            continue
        copula = any(f" {c} {f.words.lower()}" in f" {low}" for c in english()["copulas"])
        if not (copula or now) or trying_an_option.get():
            continue  # (an option of another question back is answered: its own answer asks this)
        thing = things[0].replace("_", " ").removesuffix(" id")
        q = question.rstrip("?.! ")
        raise AskBack(
            f"“{f.words}” is an event of {plan.source.replace('_', ' ')}, which says what happened, not the state each "
            f"{thing} is in now: which do you mean?",
            [
                {"label": f"a “{f.words}” event in the last hour", "question": f"{q} in the last hour"},
                {
                    "label": f"the latest event of each {thing}",
                    "question": f"the latest {_one_of(plan.source)} of each {thing}",
                },
            ],
        )


def _one_of(topic: str) -> str:
    """ "device_events" → "device event": one row of a topic, in words."""
    words = topic.replace("_", " ").split()
    if words and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
        words[-1] = words[-1][:-1]
    return " ".join(words)
