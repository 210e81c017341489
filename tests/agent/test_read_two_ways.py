"""Words the catalog gives two readings are asked about, each reading a complete question: a bare word that is only
the head of several catalog phrases ("volume": order volume, payment volume), and a catalog phrase whose words also
read one by one as a value and the rows of another topic ("active sensors": sensors sending readings, or devices in
service). "The biggest single order per channel" is that order, not the largest amount."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


def _sql(topics, question) -> str:
    draft = _plan(topics, question)
    assert draft.sql, draft.reason or draft.clarification
    return " ".join(draft.sql.split())


@pytest.mark.parametrize(
    "question, offered",
    [
        ("volume per channel hourly", ["order volume", "payment volume"]),
        ("volume by country, every 5 minutes", ["order volume", "payment volume"]),
        ("whats the volumne per method", ["payment volume", "refund volume"]),
    ],
)
def test_a_bare_head_word_of_several_phrases_is_asked_about(demo, question, offered):
    draft = _plan(demo, question)
    assert draft.sql is None and draft.clarification, draft.sql
    labels = [o["label"] for o in draft.clarification["options"]]
    assert all(any(label.startswith(phrase) for label in labels) for phrase in offered), labels
    for option in draft.clarification["options"]:  # only readings the planner answers are offered
        assert _plan(demo, option["question"]).sql, option


def test_the_topics_the_question_names_come_first(demo):
    draft = _plan(demo, "volume per method every minute")
    assert draft.clarification["options"][0]["label"].startswith("payment volume")


def test_a_head_word_beside_a_word_the_catalog_lacks_is_declined(demo):
    draft = _plan(demo, "stock level per warehouse right now")
    assert draft.sql is None and not draft.clarification
    assert "stock" in draft.reason


def test_a_phrase_read_two_ways_is_asked_about(fleet):
    draft = _plan(fleet, "active sensors per site")
    assert draft.sql is None and draft.clarification
    first, second = draft.clarification["options"]
    assert "COUNT(DISTINCT device_id)" in _sql(fleet, first["question"])
    other = _sql(fleet, second["question"])
    assert "FROM devices" in other and "status = 'active'" in other


@pytest.mark.parametrize(
    "question",
    ["revenue by product category so far today", "units sold by product category every 10 min", "active drivers per depot"],
)
def test_a_phrase_whose_words_cannot_all_hold_is_read_as_one(demo, fleet, question):
    topics = fleet if "drivers" in question else demo
    assert _sql(topics, question)


@pytest.mark.parametrize(
    "question, partition",
    [
        ("biggest single order per channel every 10 min", "PARTITION BY window_start, window_end, channel"),
        ("the priciest single order in each country, hourly", "PARTITION BY window_start, window_end, country"),
        ("largest individual payment each minute", "PARTITION BY window_start, window_end ORDER BY amount DESC"),
    ],
)
def test_a_single_event_named_with_a_size_word_is_that_row(demo, question, partition):
    sql = _sql(demo, question)
    assert "ROW_NUMBER()" in sql and partition in sql and "rank_no <= 1" in sql


def test_without_single_the_size_word_stays_an_aggregate(demo):
    sql = _sql(demo, "smallest order per country per hour")
    assert "MIN(amount)" in sql and "ROW_NUMBER" not in sql


def test_counted_persons_are_asked_about(demo):
    draft = _plan(demo, "how many people bought toys today")
    assert draft.sql is None and draft.clarification
    options = {o["label"]: o["question"] for o in draft.clarification["options"]}
    assert "COUNT(DISTINCT o.customer_id)" in _sql(demo, options["buyers"])
    assert "COUNT(*)" in _sql(demo, options["orders"])


def test_a_number_word_inside_a_word_is_no_duration(demo):
    from copilot.agent.builtin.timewords import find_window, normalise

    assert find_window(normalise("and the logged-in ones?"))[0] is None
    assert find_window(normalise("rolling one hour"))[0].size.amount == 1
    planner = BuiltinPlanner()
    first = planner.plan(PlanRequest("guests per device every 10 min", demo, [], []))
    from copilot.agent.base import Turn

    history = [Turn("guests per device every 10 min", first.sql, first.state, first.planner)]
    sql = " ".join(planner.plan(PlanRequest("and the logged-in ones?", demo, [], history)).sql.split())
    assert "INTERVAL '10' MINUTE" in sql and "customer_id IS NOT NULL" in sql


@pytest.mark.parametrize(
    "question", ["how many clients do we have in total lol", "ugh how many parcels did we lose today so far?"]
)
def test_chat_fillers_add_nothing(demo, question):
    assert _sql(demo, question)


def test_a_number_with_a_unit_after_per_is_a_rate(fleet, demo):
    draft = _plan(fleet, "fuel use per 100 km per depot")
    assert draft.sql is None and draft.clarification
    assert "fuel_per_100km" in _sql(fleet, draft.clarification["options"][0]["question"])
    declined = _plan(demo, "revenue per 2 items, by channel")
    assert declined.sql is None and not declined.clarification and "is a rate" in declined.reason
    assert "quantity = 1" in _sql(demo, "single-item orders per channel")


def test_a_longer_phrase_starting_inside_another_is_read_whole(fleet):
    assert "fuel_per_100km" in _sql(fleet, "consumption per 100 km by fuel type, daily")
    draft = _plan(fleet, "Average fuel consumption per 100 km by vehicle type")
    assert draft.sql is None or "distance_km = 100" not in draft.sql
