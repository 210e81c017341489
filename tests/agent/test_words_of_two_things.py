"""A word the catalog lists as a value of two topics ("hub": gateway devices and depot sites) is asked about unless
another word names one of them; "site by site" is a breakdown; a particle right after the rows it describes
("devices up", "sensors down") is a state the planner must read or ask about, never drop."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


def _readings(topics, question) -> list[str]:
    """The question is asked back; the SQL each offered option is answered with."""
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification is not None
    answers = [_plan(topics, o["question"]).sql for o in draft.clarification["options"]]
    assert all(answers)
    return answers


@pytest.mark.parametrize("question", ["hubs per country", "hub count for every city", "how many hubs in benelux"])
def test_a_value_of_two_topics_is_asked_about_with_both_readings(fleet, question):
    labels = " ".join(o["label"] for o in _plan(fleet, question).clarification["options"])
    assert "devices" in labels and "sites" in labels
    answers = _readings(fleet, question)
    assert any("FROM devices" in a for a in answers) and any("FROM sites" in a for a in answers)


@pytest.mark.parametrize(
    "question, source",
    [("hub devices per country", "devices"), ("hub sites per country", "sites")],
)
def test_a_value_of_two_topics_with_one_topic_named_is_answered(fleet, question, source):
    draft = _plan(fleet, question)
    assert draft.sql is not None and f"FROM {source}" in draft.sql


def test_none_of_the_readings_answered_reads_the_question_as_before(demo):
    draft = _plan(demo, "how much of our activity is on mobile, per minute?")
    assert draft.sql is None and draft.clarification is not None  # asked which topic, not declined


@pytest.mark.parametrize(
    "question, key",
    [("count the trips depot by depot", "site_id"), ("orders country by country", "country")],
)
def test_a_key_said_twice_around_by_is_a_breakdown(demo, fleet, question, key):
    draft = _plan(fleet if "trips" in question else demo, question)
    assert draft.sql is not None and f"GROUP BY {key}" in draft.sql


@pytest.mark.parametrize("question", ["hour by hour orders", "orders side by side per channel"])
def test_time_units_and_side_by_side_are_not_keys(demo, question):
    draft = _plan(demo, question)
    assert draft.sql is None or "GROUP BY side" not in draft.sql and "GROUP BY hour" not in draft.sql


@pytest.mark.parametrize("question", ["number of devices up per site", "how many sensors down per site"])
def test_a_particle_after_the_rows_is_never_dropped(fleet, question):
    draft = _plan(fleet, question)
    assert draft.sql is None


@pytest.mark.parametrize("question", ["break revenue down by country", "trips out of each depot per hour"])
def test_a_particle_of_a_phrasal_verb_or_a_preposition_stays_grammar(demo, fleet, question):
    draft = _plan(fleet if "trips" in question else demo, question)
    assert draft.sql is not None


@pytest.mark.parametrize(
    "question, sql",
    [
        ("how many electric vans do we have", "FROM vehicles WHERE fuel_type = 'electric' AND vehicle_type = 'van'"),
        ("how many vans", "FROM vehicles WHERE vehicle_type = 'van'"),
        ("how many trucks take more than 3.5 t?", "FROM vehicles WHERE vehicle_type = 'truck' AND capacity_kg > 3500"),
    ],
)
def test_a_counted_value_of_a_table_counts_its_rows_not_the_references_to_it(fleet, question, sql):
    draft = _plan(fleet, question)
    assert draft.sql is not None and draft.sql.endswith(sql) and "COUNT(*)" in draft.sql


def test_the_references_still_count_when_the_events_are_asked_about(fleet):
    draft = _plan(fleet, "trips per van")
    assert draft.sql is not None and "FROM trips" in draft.sql


@pytest.mark.parametrize("question", ["whats the avg price rn", "typical price for each brand", "chart of price by category"])
def test_a_measure_word_of_two_topics_the_question_can_reach_is_asked_about(demo, question):
    answers = _readings(demo, question)
    assert any("unit_price" in a for a in answers) and any("list_price" in a for a in answers)


@pytest.mark.parametrize(
    "question, field",
    [("average price people pay on the website, hourly", "unit_price"), ("price per product for electronics", "list_price")],
)
def test_a_measure_word_of_two_topics_is_answered_when_the_other_words_are_of_one(demo, question, field):
    draft = _plan(demo, question)
    assert draft.sql is not None and field in draft.sql
