"""Questions as people used to dashboards write them: a table's columns listed with "|" (the first column is the
key), "table with …" / "as a table" saying how to show the answer, a real word one letter short of a catalog word
("table" and the value "tablet") asked about rather than silently corrected, a table's rows ranked with no figure
said ("top 5 products": by price, orders or views?), a unit right after the field it measures, "create a table"
declined, and the rows named beside a value of them ("payments and declines") counted side by side."""

from __future__ import annotations

import random

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.tags import tag
from copilot.agent.builtin.text import edit_distance, letter_mask, letters_within
from copilot.agent.builtin.vocab import vocabulary_for


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


def test_the_letter_test_never_rules_out_words_within_the_limit():
    rng = random.Random(7)
    alphabet = "abcdeor"
    for _ in range(3000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        for limit in (1, 2):
            if edit_distance(a, b, limit) <= limit:
                assert letters_within(letter_mask(a), letter_mask(b), limit), (a, b, limit)


@pytest.mark.parametrize(
    "question, parts",
    [
        ("table: country | orders | revenue", ["country", "COUNT(*)", "SUM(amount)", "GROUP BY country"]),
        ("columns: method | payments | avg payment", ["`method`", "COUNT(*)", "AVG(amount)", "FROM payments"]),
        ("give me a table of revenue per channel", ["channel", "SUM(amount)", "GROUP BY channel"]),
        ("revenue per channel as a table", ["channel", "SUM(amount)", "GROUP BY channel"]),
    ],
)
def test_a_table_asked_for_shows_its_columns(demo, question, parts):
    draft = _plan(demo, question)
    assert draft.sql and all(p in draft.sql for p in parts), draft.reason or draft.sql
    assert "tablet" not in draft.sql


def test_a_real_word_one_letter_short_of_a_catalog_word_is_asked_about_not_corrected(demo):
    tagged = tag("table per country", vocabulary_for(demo))
    assert tagged.corrections == []
    assert ("table", ["tablet"]) in tagged.ambiguous_typos


def test_a_tables_rows_ranked_with_no_figure_are_asked_about(demo, fleet):
    draft = _plan(demo, "top 5 products")
    assert draft.sql is None and draft.clarification is not None
    labels = {o["label"] for o in draft.clarification["options"]}
    assert "list price" in labels and any(label.startswith("number of ") for label in labels)
    for option in draft.clarification["options"]:
        assert _plan(demo, option["question"]).sql, option
    assert _plan(fleet, "the top 3 vehicles").clarification is not None


def test_a_ranking_that_says_its_figure_is_answered(demo):
    draft = _plan(demo, "the 3 most expensive products")
    assert draft.sql and "ORDER BY list_price DESC" in draft.sql


def test_a_unit_after_the_field_it_measures_is_that_field(fleet):
    draft = _plan(fleet, "avg payload kg by fuel type")
    assert draft.sql and "AVG(" in draft.sql and "SUM(" not in draft.sql


def test_creating_a_table_is_a_change(demo):
    draft = _plan(demo, "create a table with revenue per country")
    assert draft.sql is None and draft.clarification is None and "never change data" in draft.reason


def test_the_rows_and_a_value_of_them_are_counted_side_by_side(demo):
    draft = _plan(demo, "payments and declines per method")
    assert draft.sql and "COUNT(*)" in draft.sql and "CASE WHEN status = 'declined'" in draft.sql
    assert "WHERE status" not in draft.sql


def test_a_pivot_is_the_figure_by_both_keys(demo):
    draft = _plan(demo, "pivot of orders by country and channel")
    assert draft.sql and "GROUP BY country, channel" in draft.sql


@pytest.mark.parametrize(
    "question, condition",
    [("vehicles with a payload over 3 tonnes", "capacity_kg > 3000"), ("trips longer than 100 miles", "distance_km > 160.9344")],
)
def test_a_unit_said_as_a_multiple_of_the_fields_unit_is_scaled(fleet, question, condition):
    draft = _plan(fleet, question)
    assert draft.sql and condition in draft.sql, draft.reason or draft.sql
