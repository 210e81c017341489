"""A comparison whose subject points back at the question's own figure ("…, only where it is at least 30", "when
the count is above 30", "only if it is over 1000") compares each group's figure (HAVING), not single rows; a
comparison with a subject of its own ("orders over 30 per channel") keeps comparing rows."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


@pytest.mark.parametrize(
    "question, having",
    [
        ("orders per channel per minute, only where it is above 30", "HAVING COUNT(*) > 30"),
        ("orders per channel per minute, only when the count is at least 30", "HAVING COUNT(*) >= 30"),
        ("revenue per country each hour, only if it is over 1000", "HAVING SUM(amount) > 1000"),
    ],
)
def test_a_comparison_of_the_questions_own_figure_is_per_group(demo, question, having):
    draft = _plan(demo, question)
    assert draft.sql and having in draft.sql and "WHERE amount" not in draft.sql, draft.reason or draft.sql


def test_a_comparison_with_a_subject_of_its_own_compares_rows(demo):
    draft = _plan(demo, "orders over 30 per channel")
    assert draft.sql and "WHERE amount > 30" in draft.sql and "HAVING" not in draft.sql
