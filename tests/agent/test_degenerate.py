"""Plans whose answer cannot vary are not answered as they are: a share filtered to its own rows ("are payments
failing? decline rate per minute" is the decline share, not the share among declined payments, which is always 1)."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest, Turn
from copilot.agent.builtin import BuiltinPlanner


def _plan(topics, question, history=()):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], list(history)))


@pytest.mark.parametrize(
    "question",
    [
        "are payments failing right now? decline rate per minute",
        "failed payments: what's the decline rate per method?",
        "decline rate of the declined payments by currency",
    ],
)
def test_a_share_is_never_filtered_to_its_own_rows(demo, question):
    draft = _plan(demo, question)
    assert draft.sql, draft.reason
    assert "WHERE status = 'declined'" not in draft.sql
    assert "CASE WHEN status = 'declined'" in draft.sql
    assert any("share measures" in n for n in draft.notices)


def test_a_follow_up_keeps_the_share_unfiltered(demo):
    first = _plan(demo, "are payments failing right now? decline rate per minute")
    then = _plan(
        demo,
        "same but per payment method",
        [Turn("are payments failing right now? decline rate per minute", first.sql, first.state, first.planner)],
    )
    assert then.sql and "WHERE" not in then.sql and "`method`" in then.sql


def test_a_follow_up_may_narrow_a_breakdown_to_one_value(demo):
    first = _plan(demo, "lost parcels per carrier every hour")
    then = _plan(demo, "only DHL", [Turn("lost parcels per carrier every hour", first.sql, first.state, first.planner)])
    assert then.sql and "carrier = 'DHL'" in then.sql


@pytest.mark.parametrize(
    "question, key",
    [
        ("toll bill per depot", "site_id"),
        ("average toll per trip for each driver, hourly", "driver_id"),
        ("what have tolls cost us so far", "currency"),
    ],
)
def test_a_sum_kept_per_currency_is_grouped_by_currency_too(fleet, question, key):
    draft = _plan(fleet, question)
    assert draft.sql, draft.reason
    assert "GROUP BY" in draft.sql and "currency" in draft.sql.split("GROUP BY")[1] and key in draft.sql
    assert any("several currencies" in n for n in draft.notices)


@pytest.mark.parametrize(
    "question", ["total toll spend today", "top 3 depots by toll spend", "what have tolls cost us in total? one number"]
)
def test_one_total_over_several_currencies_is_asked(fleet, question):
    draft = _plan(fleet, question)
    assert draft.sql is None and draft.clarification, draft.sql
    options = draft.clarification["options"]
    assert options[0]["label"] == "per currency" and any(o["label"] == "in EUR" for o in options)
    for option in options:  # every option is a complete question the planner answers
        assert _plan(fleet, option["question"]).sql, option


@pytest.mark.parametrize(
    "question", ["toll spend in euros per depot", "toll spend per currency", "tolls paid in sterling since midnight"]
)
def test_a_sum_in_one_currency_or_per_currency_is_answered_as_asked(fleet, question):
    draft = _plan(fleet, question)
    assert draft.sql and not any("several currencies" in n for n in draft.notices), draft.reason


def test_a_catalog_without_the_annotation_adds_amounts_as_its_metric_says(demo):
    draft = _plan(demo, "revenue per channel")
    assert draft.sql and "currency" not in draft.sql


@pytest.mark.parametrize(
    "question", ["how many devices are offline?", "which devices are offline", "how many sensors are offline right now?"]
)
def test_things_said_to_be_in_the_state_an_event_names_are_asked_about(fleet, question):
    draft = _plan(fleet, question)
    assert draft.sql is None and draft.clarification, draft.sql
    labels = [o["label"] for o in draft.clarification["options"]]
    assert labels[:2] == ["a “offline” event in the last hour", "the latest event of each device"]
    for option in draft.clarification["options"][:2]:
        assert _plan(fleet, option["question"]).sql, option


@pytest.mark.parametrize(
    "question",
    [
        "how many devices went offline",  # what happened: the events
        "how many devices are offline in the last hour",  # a window: events in it
        "whats the avg humidity per site rn",  # a figure of readings, not things in a state
        "how many alarms are critical",  # rows of the stream, not the things it refers to
    ],
)
def test_events_and_figures_are_answered(fleet, question):
    assert _plan(fleet, question).sql


@pytest.mark.parametrize(
    "question", ["number of devices that went offline in the past hour", "how many devices went offline in the past hour"]
)
def test_things_counted_through_their_events_are_counted_once_each(fleet, question):
    sql = _plan(fleet, question).sql
    assert sql and "COUNT(DISTINCT device_id)" in sql and "JOIN" not in sql, sql


@pytest.mark.parametrize(
    "question", ["how many customers paid by klarna", "number of customers with a declined payment, every 10 minutes"]
)
def test_things_counted_through_a_topic_on_the_way_are_counted_once_each(demo, question):
    sql = _plan(demo, question).sql
    assert sql and "COUNT(DISTINCT o.customer_id)" in sql and "JOIN customers" not in sql, sql
