"""The built-in planner on the gold questions: same components as the gold query; accepted by
Flink's planner on the live stack; declines what the catalog cannot answer."""

from __future__ import annotations

import pytest
from gold import CASES, UNANSWERABLE
from gold_runner import differences, plan_all
from live_helpers import in_gateway_sessions

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.components import analyse

IDS = [f"{i:02d}-{q[:40]}" for i, (q, _) in enumerate(CASES)]


@pytest.fixture(scope="module")
def planned(topics):
    return plan_all(topics)


def test_the_gold_set_is_large_and_has_follow_ups():
    assert len(CASES) >= 60
    assert sum(q.startswith("+ ") for q, _ in CASES) >= 8


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_question_matches_gold_by_components(planned, index):
    question, draft, gold = planned[index]
    assert draft.confident, f"{question!r}: {draft.reason}"
    assert differences(draft.sql, gold) == {}, f"{question!r} planned as:\n{draft.sql}"


def test_gold_queries_cover_every_construct(topics):
    parts = [analyse(g) for _, g in CASES]
    kinds = {p.window[0] for p in parts if p.window}
    assert kinds == {"tumble", "hop", "cumulate", "session"}
    assert any(p.top_n for p in parts) and any(p.having for p in parts)
    assert any(temporal for p in parts for _, temporal in p.joins)
    assert any(p.filters for p in parts) and any(not p.window for p in parts)


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_questions_are_declined_with_suggestions(topics, question):
    draft = BuiltinPlanner().plan(PlanRequest(question, topics, [("orders", 1.0)], []))
    assert not draft.confident and draft.sql is None
    assert draft.reason and draft.suggestions
    assert all(s.endswith("?") or s.endswith(".") for s in draft.suggestions)


def test_explanations_state_each_clause_of_the_plan(planned):
    """The explanation is rendered from the plan: every topic, filter value, window and ranking is in it."""
    for question, draft, _ in planned:
        text = draft.explanation
        plan = draft.state
        for table in draft.tables:
            assert table.replace("_", " ") in text or table in text, (question, text)
        for f in plan.get("filters", []):
            for v in f.get("values", []):
                assert str(v) in text, (question, v, text)
        if plan.get("window"):
            assert any(w in text.lower() for w in ("second", "minute", "hour", "day", "session")), (question, text)
        if plan.get("ranking"):
            assert str(plan["ranking"]["n"]) in text or "top" in text.lower() or "largest" in text.lower(), (question, text)


def test_follow_up_keeps_structured_state(topics):
    planner = BuiltinPlanner()
    first = planner.plan(PlanRequest("top 3 countries by revenue every 5 minutes", topics, [], []))
    from copilot.agent.base import Turn

    history = [Turn("top 3 countries by revenue every 5 minutes", first.sql, first.state, "builtin")]
    chart = planner.plan(PlanRequest("as a chart by channel", topics, [], history))
    assert chart.state["ranking"]["n"] == 3
    assert [d["field"] for d in chart.state["dimensions"]] == [{"topic": "orders", "field": "channel"}]
    assert chart.chart == {"type": "line", "x": "window_end", "y": "revenue", "series": "channel"}


def test_a_new_question_in_a_conversation_starts_afresh(topics):
    from copilot.agent.base import Turn

    planner = BuiltinPlanner()
    first = planner.plan(PlanRequest("revenue by country every 5 minutes", topics, [], []))
    history = [Turn("revenue by country every 5 minutes", first.sql, first.state, "builtin")]
    second = planner.plan(PlanRequest("How many payments per method per minute?", topics, [], history))
    assert analyse(second.sql).tables == ["payments"] and "country" not in second.sql


@pytest.mark.stack
def test_every_planned_gold_query_is_accepted_by_flink(stack, planned, topics):
    from copilot.catalog.ddl import table_statements
    from copilot.flink.base import FlinkSqlError
    from copilot.validate import check

    def refusal(item, gateway):
        question, draft, _ = item
        try:
            gateway.explain(check(draft.sql, catalog=topics), table_statements(draft.tables, topics))
        except FlinkSqlError as exc:
            return (question, exc.message)
        return None

    refused = [r for r in in_gateway_sessions(list(planned), refusal) if r]
    assert refused == []


def test_copilot_remembers_conversations_by_id(topics):
    from copilot.agent.copilot import Copilot

    copilot = Copilot(topics)
    copilot.ask("revenue by country every 5 minutes", conversation_id="a")
    copilot.ask("How many payments per method per minute?", conversation_id="b")
    refined = copilot.ask("now only Germany", conversation_id="a")
    assert refined.valid and "country = 'DE'" in refined.sql.replace("`", "") and "orders" in refined.tables
    other = copilot.ask("now only paypal", conversation_id="b")
    assert other.valid and "'paypal'" in other.sql and other.tables == ["payments"]
    # an explicit history (as the app passes it) wins over what the copilot remembers
    fresh = copilot.ask("now only France", conversation_id="a", history=[])
    assert not fresh.valid and fresh.sql is None and fresh.stage == "clarify"
    assert 2 <= len(fresh.clarification["options"]) <= 4
