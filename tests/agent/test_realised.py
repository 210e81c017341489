"""What was read is what is answered: a catalog word the reader used but the finished plan does not hold is
asked about, never answered. Checked two ways: any filter or key taken out of a finished plan is noticed
(over generated questions on both catalogs), and questions whose reading once dropped a word now ask."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from test_planner_properties import CATALOGS, _building_blocks, _load, _question

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.assemble import assemble
from copilot.agent.builtin.read import read
from copilot.agent.builtin.realised import unrealised
from copilot.agent.builtin.vocab import vocabulary_for
from copilot.settings import DEMO_CATALOG_DIR


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda p: p.name)
def catalog(request):
    topics = _load(request.param)
    return topics, _building_blocks(topics)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_filter_or_key_taken_out_of_the_plan_is_noticed(catalog, data):
    topics, blocks = catalog
    name, question = _question(data, blocks)
    vocab = vocabulary_for(topics)
    reading = read(question, vocab)
    plan, _ = assemble(reading, vocab, question, [name])
    assert unrealised(reading, plan, vocab) is None, question
    keys = {(d.field.topic, d.field.field) for d in plan.dimensions}
    for i, f in enumerate(plan.filters):
        if f.words and (f.field.topic, f.field.field) not in keys:  # a key shows every value: the filter's too
            dropped = plan.model_copy(update={"filters": plan.filters[:i] + plan.filters[i + 1 :]})
            assert unrealised(reading, dropped, vocab) is not None, (question, f)
    filtered = {(f.field.topic, f.field.field) for f in plan.filters}
    for i, d in enumerate(plan.dimensions):
        if d.words and (d.field.topic, d.field.field) not in filtered:
            dropped = plan.model_copy(update={"dimensions": plan.dimensions[:i] + plan.dimensions[i + 1 :]})
            assert unrealised(reading, dropped, vocab) is not None, (question, d)


@pytest.fixture(scope="module")
def demo():
    return _load(DEMO_CATALOG_DIR)


@pytest.mark.parametrize(
    "question, must_hold",
    [
        # a comparison read on the listing's amount must keep the rows it was said of
        ("show refunds above 75 euros as they come in", "refunded"),
        ("list refunds larger than 30 dollars live", "refunded"),
        # a number said of one field is never compared on another
        ("payments from the avro feed with risk over 0.7 and amount above 20 dollars", "risk_score"),
    ],
)
def test_a_word_read_is_in_the_answer_or_asked_about(demo, question, must_hold):
    draft = BuiltinPlanner().plan(PlanRequest(question, demo, [], []))
    if draft.sql is not None:
        assert must_hold in draft.sql, (question, draft.sql)
    else:
        assert draft.clarification is not None, (question, draft.reason)


def test_a_time_bound_with_nothing_to_bound_is_asked_about(demo):
    draft = BuiltinPlanner().plan(PlanRequest("how many orders were paid within 15 minutes, per country", demo, [], []))
    assert draft.sql is None or "payments" in draft.sql, draft.sql
    assert draft.sql is not None or draft.clarification is not None


@pytest.fixture(scope="module")
def fleet():
    from test_planner_properties import FLEET

    return _load(FLEET)


@pytest.mark.parametrize(
    "question, answered",
    [
        ("litres of fuel per vehicle in euros", False),  # litres are not money: the euros name no amount
        ("average distance per vehicle in pounds", False),
        ("total tolls in euros per site", True),  # an amount recorded in that currency
        ("how many trips per site in euros", True),  # counting the trips paid in euros
    ],
)
def test_a_currency_qualifies_an_amount_of_money(fleet, question, answered):
    draft = BuiltinPlanner().plan(PlanRequest(question, fleet, [], []))
    if answered:
        assert draft.sql is not None, (question, draft.reason)
    else:
        assert draft.sql is None and draft.clarification is not None, (question, draft.sql)
        assert any("toll" in o["label"] for o in draft.clarification["options"]), draft.clarification


@pytest.mark.parametrize(
    "question, catalog_name",
    [
        ("how many refunds above 20 euros per hour", "demo"),
        ("count refunds bigger than 10 GBP per currency", "demo"),
        ("how many stops per driver so far today", "fleet"),  # whole things the rows carry, added up
        ("number of payments over 50 dollars by method", "demo"),
    ],
)
def test_a_count_asked_for_is_counted_or_asked_about(demo, fleet, question, catalog_name):
    topics = demo if catalog_name == "demo" else fleet
    draft = BuiltinPlanner().plan(PlanRequest(question, topics, [], []))
    if draft.sql is None:
        assert draft.clarification is not None, (question, draft.reason)
    else:
        assert "COUNT(" in draft.sql or "SUM(stops)" in draft.sql, (question, draft.sql)


def test_a_field_of_a_joined_topic_named_for_a_listing_is_shown(demo):
    question = "list home orders above 70 euros as they come in, with the product name"
    draft = BuiltinPlanner().plan(PlanRequest(question, demo, [], []))
    assert draft.sql is not None, draft.reason
    assert "p.name" in draft.sql.split(" FROM ")[0], draft.sql
