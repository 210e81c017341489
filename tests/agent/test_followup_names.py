"""A follow-up that swaps the value a figure was named by renames the figure ("alarms per site" then "what about
reboots": reboot_count, not alarm_count over reboots); a follow-up read as no change at all is asked about."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest, Turn
from copilot.agent.builtin import BuiltinPlanner


def _conversation(topics, *questions):
    planner, history, drafts = BuiltinPlanner(), [], []
    for q in questions:
        draft = planner.plan(PlanRequest(q, topics, [], list(history)))
        history.append(Turn(q, draft.sql, draft.state, draft.planner))
        drafts.append(draft)
    return drafts


@pytest.mark.parametrize(
    ("first", "then", "was", "now"),
    [
        ("alarms per site every hour", "what about reboots", "alarm_count", "reboot_count"),
        ("avg temperature per site", "humidity instead", "avg_temperature", "avg_humidity"),
        ("sites with more than 5 alarms per hour", "reboots instead", "alarm_count", "reboot_count"),
    ],
)
def test_a_figure_named_by_a_swapped_value_is_renamed(fleet, first, then, was, now):
    before, after = _conversation(fleet, first, then)
    assert was in before.sql
    assert now in after.sql and was not in after.sql


def test_a_follow_up_that_changes_nothing_is_asked_about(demo):
    before, after = _conversation(demo, "revenue per country every 5 minutes", "what about orders instead")
    assert before.sql and after.sql is None and after.clarification is not None


def test_a_follow_up_sent_again_is_answered_again(demo):
    first, again = _conversation(demo, "revenue per country every 5 minutes", "only web", "only web")[1:]
    assert first.sql and again.sql == first.sql
