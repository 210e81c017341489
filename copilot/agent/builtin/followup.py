"""Follow-ups refine the previous plan: "now only Germany", "make it per hour", "as a chart by channel"."""

from __future__ import annotations

import copy
import re

from copilot.agent.builtin import cues
from copilot.agent.builtin.build import add_having, complete
from copilot.agent.builtin.plan import Measure, QueryPlan, TopN
from copilot.agent.builtin.understand import Reading
from copilot.agent.builtin.vocabulary import Vocabulary

FOLLOWUP_START = re.compile(
    r"^\s*(now|only|just|and|also|what about|how about|same|instead|make it|change|switch|show it|show that|as a|"
    r"but|break it|split|add|remove|drop|without|exclude|per|by|every|then|ok|okay|sort|limit|keep|plus|over|in|"
    r"for|let's|lets|can you|could you|group|filter|turn it|display it|put it|top|bottom|exclud)\b",
    re.I,
)


def is_followup(question: str, reading: Reading, previous: QueryPlan | None) -> bool:
    if previous is None:
        return False
    new_topics = reading.mentioned_topics - set(previous.tables)
    if FOLLOWUP_START.match(question):
        return True
    if new_topics:
        return False
    has_subject = bool(reading.measures) or bool(reading.mentioned_topics)
    return not has_subject


def refine(previous: QueryPlan, r: Reading, vocab: Vocabulary) -> tuple[QueryPlan, list[str]]:
    plan = copy.deepcopy(previous)
    plan.joins = []
    if r.clear_filters:
        plan.filters = []
    for f in r.filters:
        plan.filters = [old for old in plan.filters if not (old.ref == f.ref and _same_kind(old.op, f.op))]
        plan.filters.append(f)
    if r.dimensions:
        if r.additive:
            plan.dimensions += [d for d in r.dimensions if d not in plan.dimensions]
        else:
            plan.dimensions = list(r.dimensions)
        plan.projection = []
    if r.measures:
        plan.measures = (plan.measures + r.measures) if r.additive else list(r.measures)
        plan.projection = []
    else:
        func = _bare_aggregate(r.tokens)
        if func and plan.measures and plan.measures[0].ref and vocab.is_numeric(plan.measures[0].ref.table, plan.measures[0].ref.field):
            old = plan.measures[0]
            prefix = {"sum": "total", "avg": "avg", "min": "min", "max": "max"}[func]
            plan.measures[0] = Measure(func, old.ref, f"{prefix}_{old.ref.field}")
            plan.having = [h for h in plan.having if h.measure_alias != old.alias]
            if plan.top_n and plan.top_n.measure_alias == old.alias:
                plan.top_n = TopN(plan.top_n.n, plan.measures[0].alias, plan.top_n.descending)
    if r.window:
        plan.window = r.window
    elif re.search(r"\b(no (time )?windows?|without (a |the )?windows?|all time|overall|in total|since the start)\b", " ".join(r.tokens)):
        plan.window = None
    if r.top_n:
        plan.top_n = r.top_n if not plan.top_n else TopN(r.top_n.n, plan.top_n.measure_alias, r.top_n.descending)
    add_having(plan, r)
    if r.chart:
        plan.chart = r.chart
    notices: list[str] = []
    return complete(plan, vocab, notices), notices


def _same_kind(a: str, b: str) -> bool:
    equality = {"=", "<>", "IN", "NOT IN"}
    return (a in equality) == (b in equality)


def _bare_aggregate(tokens: list[str]) -> str | None:
    for i in range(len(tokens)):
        for phrase, func in cues.AGG_CUES.items():
            if cues.match_phrase(tokens, i, phrase) and func != "count":
                return func
    return None
