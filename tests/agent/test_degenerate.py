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
