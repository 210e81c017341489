"""A word neither the catalog nor the lexicon lists: the question without it is offered when the word says how
rather than what, never answered silently; a word naming a thing the catalog lacks is declined naming it; a
request to change data or to explain causes is declined."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.meaning import names_a_thing, without_asides, without_words
from copilot.agent.builtin.vocab import vocabulary_for


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


@pytest.mark.parametrize(
    "question, words, expected",
    [
        ("how many units moved per category", ["moved"], "how many units per category"),
        ("revenue for France or Narnia", ["Narnia"], "revenue for France"),
        ("hey, cheers mate, revenue per channel", ["cheers", "mate"], "hey, revenue per channel"),
        ("total racked up by country", ["racked up"], "total by country"),
        ("orders per minute rapido", ["rapido"], "orders per minute"),
    ],
)
def test_words_are_taken_out_with_the_list_word_before_them(question, words, expected):
    assert without_words(question, words) == expected


@pytest.mark.parametrize(
    "question, extra",
    [
        ("orders per channel per minute, much obliged", "obliged"),
        ("units moved per category each hour", "moved"),
        ("payments per method every minute por favor", "por"),
    ],
)
def test_a_word_saying_how_is_asked_about_with_the_question_without_it(topics, question, extra):
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification, draft.reason
    assert extra in draft.clarification["question"]
    without = [o for o in draft.clarification["options"] if o["label"].startswith("without")]
    assert len(without) == 1 and extra not in without[0]["question"]
    assert _plan(topics, without[0]["question"]).sql  # the option is a question the planner answers


@pytest.mark.parametrize(
    "question, missing",
    [
        ("how many employees per warehouse", "employees"),
        ("what is the tyre pressure of each order", "pressure"),
        ("which products get the best reviews", "reviews"),
        ("salary spend per channel every hour", "salary"),
    ],
)
def test_a_word_naming_a_thing_the_catalog_lacks_is_not_offered_without(topics, question, missing):
    draft = _plan(topics, question)
    assert draft.sql is None
    options = (draft.clarification or {}).get("options") or []
    assert not any(o["label"].startswith("without") for o in options), options
    assert missing in (draft.reason or "") or draft.clarification


@pytest.mark.parametrize(
    "question, word, thing",
    [
        ("how many employees per warehouse", "employees", True),
        ("what's the tyre pressure per truck", "tyre", True),
        ("salary spend per channel", "salary", True),
        ("the best reviews per brand", "reviews", True),
        ("profit by country", "profit", True),
        ("units moved per category", "moved", False),
        ("orders per channel, cheers", "cheers", False),
    ],
)
def test_a_word_names_a_thing_by_where_it_stands(topics, question, word, thing):
    assert names_a_thing(question, word, vocabulary_for(topics)) is thing


@pytest.mark.parametrize(
    "question, verb",
    [
        ("cancel every pending klarna payment", "cancel"),
        ("void all card payments above 500 euros", "void"),
        ("remove every order placed today", "remove"),
        ("please notify each customer with a declined payment", "notify"),
    ],
)
def test_a_request_to_change_data_is_declined(topics, question, verb):
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification is None
    assert "never change data" in draft.reason and verb in draft.reason


def test_remove_as_a_follow_up_still_takes_out_a_part(topics):
    from copilot.agent.copilot import Copilot

    copilot = Copilot(topics)
    first = copilot.ask("revenue per channel per minute for mobile", conversation_id="c")
    assert first.sql and "mobile" in first.sql
    then = copilot.ask("remove the filter", conversation_id="c")
    assert then.sql and "mobile" not in then.sql


@pytest.mark.parametrize("question", ["does rain affect our store sales?", "what caused the drop in orders per minute"])
def test_a_question_about_causes_is_declined(topics, question):
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification is None and "reasons are not in the data" in draft.reason


@pytest.mark.parametrize(
    "question, words, expected",
    [
        ("our CFO asked, how many orders per minute by channel?", ["CFO", "asked"], "how many orders per minute by channel?"),
        ("revenue per channel every minute - for the ops wall", ["ops", "wall"], "revenue per channel every minute"),
        ("orders per channel per minute, cheers mate", ["cheers", "mate"], "orders per channel per minute"),
        ("how many units moved per category", ["moved"], "how many units per category"),
    ],
)
def test_an_aside_naming_no_catalog_word_is_taken_out_whole(topics, question, words, expected):
    assert without_asides(question, words, vocabulary_for(topics)) == expected


def test_words_the_catalog_lacks_in_an_aside_are_offered_without(topics):
    options = _plan(topics, "orders per channel per minute, cheers mate").clarification["options"]
    assert options[0]["question"] == "orders per channel per minute"


@pytest.mark.parametrize(
    "question",
    [
        "our CFO asked, how many orders per minute by channel?",
        "the fraud team wants to know: how many orders per minute by channel",
        "how many orders per minute by channel? my manager is asking",
    ],
)
def test_who_asked_is_a_remark_not_data(topics, question):
    assert _plan(topics, question).sql == _plan(topics, "how many orders per minute by channel").sql


def test_an_aside_with_a_catalog_word_is_not_an_aside(topics):
    assert names_a_thing("for the revenue dashboard, the staff per country", "staff", vocabulary_for(topics))
