"""Asking back and declining: the contract's `clarify` answer (CLI JSON, exit 1), options that are
complete follow-up questions, corrections that are shown, and declines that name what is missing."""

from __future__ import annotations

import json

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.copilot import Copilot
from copilot.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_ask_json_returns_the_clarification_and_exits_1(capsys):
    code, out = run_cli(capsys, "ask", "now only France", "--json", "--no-audit", "--no-engine")
    data = json.loads(out)
    assert code == 1
    assert data["stage"] == "clarify" and data["sql"] is None and data["valid"] is False
    ask = data["clarification"]
    assert ask["question"].endswith("?")
    assert 2 <= len(ask["options"]) <= 4
    for option in ask["options"]:
        assert option["label"] and option["question"]


def test_ask_prints_the_options(capsys):
    code, out = run_cli(capsys, "ask", "now only France", "--no-audit", "--no-engine")
    assert code == 1
    assert "1. " in out and "2. " in out and "--conversation" in out


def test_each_option_is_a_complete_question_answered_in_the_same_conversation(topics):
    copilot = Copilot(topics)
    first = copilot.ask("now only France", conversation_id="c")
    assert first.stage == "clarify"
    answered = 0
    for option in first.clarification["options"]:
        follow = copilot.ask(option["question"], conversation_id="c")
        assert follow.valid and follow.sql and "'FR'" in follow.sql, (option, follow.errors)
        answered += 1
    assert answered >= 2


def _plan(topics, question, history=None):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], history or []))


def test_a_misspelling_is_read_as_the_catalog_word_and_said_so(topics):
    draft = _plan(topics, "revenue per chanel per minute")
    assert draft.sql and "channel" in draft.sql
    assert any("chanel" in n and "channel" in n for n in draft.notices)


@pytest.mark.parametrize(
    "question, missing",
    [
        ("profit by country", "profit"),
        ("stock level per product", "stock"),
        ("staff per warehouse", "staff"),
        ("sales forecast for tomorrow", "forecast"),
    ],
)
def test_what_the_catalog_does_not_hold_is_declined_naming_it(topics, question, missing):
    draft = _plan(topics, question)
    assert draft.sql is None and not draft.confident and draft.clarification is None
    assert missing in draft.reason and draft.suggestions


def test_a_known_word_the_plan_does_not_use_asks_back(topics):
    draft = _plan(topics, "revenue by")
    assert draft.sql is None and draft.clarification
    assert all(o["question"] for o in draft.clarification["options"])


def test_a_value_in_several_topics_without_a_subject_asks_which(topics):
    draft = _plan(topics, "only Germany")
    assert draft.clarification and len(draft.clarification["options"]) >= 2
    labels = {o["label"] for o in draft.clarification["options"]}
    assert {"orders", "customers"} <= labels


def test_since_midnight_is_cumulated_in_the_session_time_zone_and_says_so(topics):
    draft = _plan(topics, "revenue since midnight by channel")
    assert "CUMULATE" in draft.sql and "INTERVAL '1' DAY" in draft.sql and draft.state["time_zone"] == "UTC"
    assert "UTC" in draft.explanation
