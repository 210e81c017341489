"""Every word accounted for: the words a plan left unread are asked about or declined, and a plan whose keys
split nothing (the rows' own id, an amount) is asked about instead of answered."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.askback import distinct_read
from copilot.agent.builtin.build import Builder
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import AskBack, UnknownWords
from copilot.agent.builtin.read import Reading
from copilot.agent.builtin.realised import what_was_read_is_answered
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Vocabulary
from copilot.plan.model import QueryPlan


def keys_that_split_nothing(b: Builder, plan: QueryPlan, question: str) -> None:
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
        options: list[dict] = []
        if words and words.lower() in question.lower():
            said_with = re.search(rf"(?i)\b(?:(?:for )?(?:per|by|each|every)\s+)?{re.escape(words)}\b", question)
            i, end = (said_with.start(), said_with.end()) if said_with else (question.lower().index(words.lower()), 0)
            without = " ".join((question[:i] + question[(end or i + len(words)) :]).split())
            measured = next((m.words for m in plan.measures if m.words and m.words.lower() in without.lower()), "")
            if own_id and measured and not re.search(r"(?i)\b(?:average|avg|mean)\b", measured):
                # "revenue per order": the average over the rows is the usual reading
                j = without.lower().index(measured.lower())
                average = f"{without[:j]}average {without[j:]}"
                options.insert(0, {"label": f"average {measured} per {words}", "question": average})
            options.append({"label": f"without “{words}”", "question": without})
        raise AskBack(f"“{said}” would give one group per {what}: what should it do?", options)


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


def _phrase_in(question: str, word: str, phrase: str) -> list[str]:
    """The question with the catalog phrase in place of the word: the word alone replaced, or with the word
    before it ("avg ticket" → "average ticket", not "avg average ticket"), whichever the planner answers."""
    tries = [re.sub(rf"\b{re.escape(word)}\b", phrase, question, count=1)]
    before = re.search(rf"\b[\w']+\s+{re.escape(word)}\b", question)
    if before:
        tries.append(question[: before.start()] + phrase + question[before.end() :])
    return [q for q in tries if q.lower() != question.lower()]


def _ask_about_unknown(r: Reading, toks, question: str, vocab: Vocabulary) -> None:

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
    # part of catalog names or phrases: "capacity" (capacity_kg), "volume" ("order volume", "volume sold"); the
    # topics the rest of the question names come first
    asked = [topic for m in r.mentions for topic in {e.topic for e in m.elements}]
    partial = [t for t in toks if vocab.partial.get(stem(t.low))]
    for t in partial if len(partial) == len(toks) else []:  # beside a word the catalog lacks, that word decides
        parts = sorted(vocab.partial.get(stem(t.low), []), key=lambda p: -asked.count(p[0].topic))
        options = [
            {
                "label": phrase if phrase == e.label() else f"{phrase} ({e.label()})",
                "tries": _phrase_in(question, t.text, phrase),
            }
            for e, phrase in parts
        ]
        options.append({"label": f"without “{t.text}”", "question": _without(question, t.text)})
        raise AskBack(
            f"“{t.text}” alone names nothing in the catalog: which of these do you mean?",
            options,
            answered_only=True,
            unanswered=f"“{t.text}” alone names nothing in the catalog",
        )
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


def every_word_used(r: Reading, plan: QueryPlan, b: Builder, question: str) -> None:
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
                and not any(e.kind == "value" for e in b.vocab.lookup([x.text for x in r.toks[m.start : m.end]]))
            ):
                continue  # "from desktop users": the rows' own people, named after the value that picks them (not
                # "electric vans": the word is a value of its own, which the plan must apply)
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
                options.append({"label": f"by {(e.field or '').replace('_', ' ')}", "question": f"{question} by {m.text}"})
            elif e.kind == "value":
                options.append({"label": f"only {e.value}", "question": f"{question} only {m.text}"})
        options.append({"label": f"without “{m.text}”", "question": question.replace(m.text, "").replace("  ", " ").strip()})
        options = list({o["label"]: o for o in options}.values())  # one option per reading ("by country" once)
        raise AskBack(f"I did not see how “{m.text}” fits in: what should it do?", options)
    what_was_read_is_answered(r, plan, b.vocab, question)
