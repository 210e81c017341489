"""The grammar: a tagged question → a `Reading` (measures, breakdowns, filters, comparisons, ranking,
window, joins' time bound), each piece holding the mentions it consumed. Topics are not resolved here;
`build.py` does that against the catalog."""

from __future__ import annotations

import re
from functools import lru_cache

from copilot.agent.builtin.grammar_base import SKIP_ROLES, CompareSpec, FilterSpec, MeasureSpec, RankSpec, Reading, lexicon_role
from copilot.agent.builtin.grammar_compare import CompareMixin
from copilot.agent.builtin.grammar_measure import MeasureMixin
from copilot.agent.builtin.grammar_rank import RankMixin
from copilot.agent.builtin.grammar_share import ShareMixin
from copilot.agent.builtin.grammar_values import ValuesMixin
from copilot.agent.builtin.lexicon import english, word_set
from copilot.agent.builtin.outcome import AskBack, Decline
from copilot.agent.builtin.tags import correct_text, tag
from copilot.agent.builtin.text import is_identifier
from copilot.agent.builtin.timewords import GAP, find_window, normalise, strip_spans
from copilot.agent.builtin.vocab import Vocabulary

__all__ = ["SKIP_ROLES", "CompareSpec", "FilterSpec", "Grammar", "MeasureSpec", "RankSpec", "Reading", "lexicon_role", "read"]


@lru_cache(maxsize=1)
def _write_phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(str(w).lower().split()) for w in english()["write_requests"])


def read(question: str, vocab: Vocabulary) -> Reading:
    early: list[tuple[str, str]] = []
    text = normalise(correct_text(question, vocab, early))
    window, used = find_window(text)
    rest = re.sub(r"(?<!\d),|,(?!\d)", f" {GAP} ", strip_spans(text, used))  # a comma ends a catalog phrase
    r = Reading(tag(rest, vocab), window=window, question=question, text=text)
    r.tagged.corrections[:0] = early
    lex = english()
    low = [t.low for t in r.toks]
    writes = _write_phrases()
    start = next(
        (
            i
            for i, t in enumerate(r.toks)
            if t.role != "function_words"
            or t.low not in ("please", "pls", "kindly", "can", "could", "you", "would", "hey", "hi", "hello")
        ),
        0,
    )
    head = [t.text.lower() for t in r.toks[start : start + 3]]
    if any(tuple(head[:n]) in writes for n in (1, 2, 3)) and (
        not any(t.role in ("clear_filters", "followup") for t in r.toks[start : start + 3]) or _acts_on_rows(r, start)
    ):
        raise Decline(
            f"I only read the streams and never change data; “{r.toks[start].text}” asks for a change. I can show "
            f"the current values instead"
        )
    if _changes_a_record(r, start):
        raise Decline(
            f"I only read the streams and never change data; “{r.toks[start].text} … {_target_word(r, start)}” asks "
            f"for a change. I can show the current values instead"
        )
    _limit_unsaid(r)
    for t in r.toks:
        if t.role == "duration_questions":
            _durations_held(vocab, question)
            raise Decline(
                "I cannot compute durations (how long something takes or lasts); I can count, sum, "
                "average or rank per time window"
            )
        if t.role == "long_period":
            raise Decline(
                f"a live window is at most a day long (a week is read as 7 days); “{t.text}” is longer — "
                f"ask per day, or for the last 7 days"
            )
        if t.role == "out_of_scope":
            raise Decline(
                f"I answer from the data as it streams in; “{t.text}” asks about something no topic "
                f"records (forecasts and reasons are not in the data)"
            )
    # a listing word inside a catalog phrase ("list price") asks for nothing
    free = " " + " ".join(t.low if t.mention is None else "\x00" for t in r.toks) + " "
    r.list_rows = any(f" {w} " in free for w in map(str.lower, lex["list_words"] + lex["list_strong"])) and not any(
        t.role == "agg" and t.arg == "count" for t in r.toks
    )
    r.list_strong = (
        r.list_rows
        and any(f" {w} " in free for w in map(str.lower, lex["list_strong"]))
        and not any(
            t.role in ("agg", "distinct", "share")
            and not (t.low in lex["percent_words"] and t.i > 0 and r.toks[t.i - 1].number is not None)
            for t in r.toks
        )
        and r.window is None
    )
    chart = [t for t in r.toks if t.role == "chart"]
    if chart:
        kinds = {k: set(map(str.lower, v)) for k, v in lex["chart_kinds"].items()}
        r.chart = next((k for k, words in kinds.items() if words & set(low)), "auto")
        for t in chart:
            t.used = True
        for t in r.toks:
            if any(t.low in w for w in kinds.values()):
                t.used = True
    for t in r.toks:
        if t.role == "side_by_side":
            r.side_by_side = t.used = True
    if r.side_by_side:  # "put deliveries and lost parcels side by side"
        for t in r.toks:
            if t.role is None and t.mention is None and t.low in word_set("side_by_side_verbs"):
                t.role, t.used = "function_words", True
    r.clear_filters = any(t.role == "clear_filters" for t in r.toks)
    first = next((t for t in r.toks if t.role != "function_words" or t.low in ("now", "only", "just", "also", "instead")), None)
    opener = {tuple(str(w).lower().split()) for w in lex["followup"]}
    r.followup_cue = bool(r.toks) and (
        any(tuple(low[:n]) in opener for n in (1, 2, 3)) or (first is not None and first.role == "followup") or "instead" in low
    )
    r.additive = (
        any(tuple(low[:n]) in {tuple(str(w).lower().split()) for w in lex["followup_additive"]} for n in (1, 2))
        or "also" in low
        or any(low[-len(w.split()) :] == str(w).lower().split() for w in lex["followup_additive_end"])
    )
    Grammar(r, vocab).run()
    return r


class Grammar(ShareMixin, CompareMixin, RankMixin, MeasureMixin, ValuesMixin):
    def __init__(self, r: Reading, vocab: Vocabulary):
        self.r, self.vocab, self.toks = r, vocab, r.toks

    def run(self) -> None:
        self._units_said()
        self._value_lists()
        self._instead_of()
        self._qualifiers()
        self._within()
        self._ranges()
        self._share_thresholds()
        self._comparisons()
        self._unit_counts()
        self._shares()
        self._recency()
        self._rankings()
        self._ranked_metric()
        self._breakdowns()
        self._aggregates()
        self._values()
        self._nulls()
        self._unit_words()
        self._rest()
        self._rows_beside_a_figure()


def _durations_held(vocab: Vocabulary, question: str) -> None:
    """ "How long …": when the catalog records durations (a field whose unit is a time unit), ask which one,
    rather than declining; the options are complete questions about those fields."""
    from copilot.agent.builtin.lexicon import time_words
    from copilot.agent.builtin.outcome import AskBack

    units = {str(w).lower() for words in time_words()["units"].values() for w in words}
    fields = [e for u, es in vocab.units.items() if u in units for e in es]
    if not fields:
        return
    options = [
        {
            "label": f"average {e.field.replace('_', ' ')} of {e.topic.replace('_', ' ')}",
            "question": f"average {e.field.replace('_', ' ')} of {e.topic.replace('_', ' ')}",
        }
        for e in fields[:3]
    ]
    raise AskBack(
        f"“{question.strip()}”: the catalog records durations as {', '.join(o['label'][8:] for o in options)}. "
        f"Which figure do you mean?",
        options,
    )


def _acts_on_rows(r: Reading, start: int) -> bool:
    """ "remove every order placed by …": a verb that a follow-up uses to take out a part of the answer
    ("remove the channel filter") acts on a topic's rows when its object is the topic itself."""
    obj = next((t for t in r.toks[start + 1 : start + 4] if t.role != "function_words"), None)
    m = obj.mention if obj is not None else None
    return m is not None and bool(m.of("topic")) and not m.of("field") and not m.of("value")


def _limit_unsaid(r: Reading) -> None:
    """ "cold stores running too warm", "parcels taking too long": a limit word before another word says a limit
    was passed, and with no number in the question the limit is the user's to give, not the planner's to pick."""
    if any(t.number is not None for t in r.toks):
        return
    limits = word_set("limit_words")
    for a, b in zip(r.toks, r.toks[1:]):
        if a.low in limits and b.text.isalpha():
            raise AskBack(
                f"“{a.text} {b.text}” needs a limit the question does not give: above or below what value? Ask again "
                f"with the number (for example “… above 30”).",
                [],
            )


_RECORD_VERBS = ("set", "mark", "flag", "change", "put", "assign", "label", "tag", "switch")  # "move …": write_requests


def _changes_a_record(r: Reading, start: int) -> bool:
    """ "flag device D-42 as retired", "put the GW-1 at AMS-01 into maintenance": a verb that sets something, an
    identifier, then what it should become — a change to a record, never a question."""
    toks = r.toks
    if start >= len(toks) or toks[start].low not in _RECORD_VERBS:
        return False
    ids = [t.i for t in toks[start + 1 :] if is_identifier(t.text)]
    return bool(ids) and any(t.low in ("as", "to", "into") for t in toks[ids[0] + 1 :])


def _target_word(r: Reading, start: int) -> str:
    return next((t.text for t in r.toks[start + 1 :] if is_identifier(t.text)), "")
