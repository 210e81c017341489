"""The options of a question back are complete questions built from the question as asked: its time words stay
("per hour"), and no marker of the reader's own ("timegap") shows."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner


@pytest.mark.parametrize(
    ("question", "tail"),
    [("refunds per method per hour in euros", "per hour in euros"), ("Refunds by currency every 10 minutes", "every 10 minutes")],
)
def test_options_keep_the_time_words_as_asked(demo, question, tail):
    planner = BuiltinPlanner()
    draft = planner.plan(PlanRequest(question, demo, [], []))
    assert draft.sql is None and draft.clarification is not None
    options = draft.clarification["options"]
    assert len(options) >= 2
    for option in options:
        assert "timegap" not in option["question"]
        assert option["question"].endswith(tail)
        answer = planner.plan(PlanRequest(option["question"], demo, [], []))
        assert answer.sql and "window_start" in answer.sql
