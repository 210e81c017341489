"""Asking back in the app (AppTest): the options are buttons, and a click asks the option's question
in the same conversation, which is then answered with SQL."""

from __future__ import annotations

import pytest
from apptest_helpers import app, stop_live, texts

pytestmark = pytest.mark.stack


@pytest.fixture(autouse=True)
def builtin_planner(monkeypatch):
    monkeypatch.delenv("COPILOT_LLM", raising=False)
    monkeypatch.delenv("COPILOT_APP_PASSWORD", raising=False)


def test_clarification_options_are_buttons_that_answer_in_the_same_conversation(stack):
    at = app()
    at.chat_input[0].set_value("only Germany").run()
    assert not at.exception, texts(at.exception)
    options = [b for b in at.button if (b.key or "").startswith("clarify_0_")]
    assert 2 <= len(options) <= 4, [b.key for b in at.button]
    assert not at.code  # no SQL for a question that needs a choice
    conversation = at.session_state["conversation_id"]
    orders = next(b for b in options if b.label == "orders")
    orders.click().run()
    try:
        assert not at.exception, texts(at.exception)
        assert len(at.chat_message) == 4
        assert at.session_state["conversation_id"] == conversation
        assert any("'DE'" in c for c in texts(at.code)), texts(at.code)
        history = at.session_state["history"]
        assert len(history) == 2 and history[-1]["valid"] and "orders" in history[-1]["sql"]
    finally:
        stop_live(at)
