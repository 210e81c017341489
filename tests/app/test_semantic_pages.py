"""The app shows the semantic layer on the catalog page, and a 👍 on an answer keeps its query as a
verified query that answers the same question next time (live stack, built-in planner)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from apptest_helpers import app, stop_live, texts

pytestmark = pytest.mark.stack


@pytest.fixture(autouse=True)
def builtin_planner(monkeypatch):
    monkeypatch.delenv("COPILOT_LLM", raising=False)
    monkeypatch.delenv("COPILOT_APP_PASSWORD", raising=False)


def test_catalog_page_shows_metrics_and_value_words(stack):
    at = app()
    at.switch_page("views/catalog.py").run()
    at.button(key="topic_payments").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert {"Metrics", "Words for values"} <= set(texts(at.subheader))
    frames = [d.value for d in at.dataframe]
    metrics = next(f for f in frames if "metric" in f.columns)
    assert "decline_share" in set(metrics["metric"]) and any("decline rate" in s for s in metrics["also called"])
    words = next(f for f in frames if "value" in f.columns and "also called" in f.columns and "label" in f.columns)
    assert "approved" in words[words["value"] == "authorized"].iloc[0]["also called"]


def test_thumbs_up_keeps_a_verified_query_that_answers_the_same_question(stack):
    catalog = Path(os.environ["FLINK_COPILOT_CATALOG_DIR"])
    before = (catalog / "orders.yaml").read_text()
    question = "How many orders per minute?"
    try:
        at = app()
        at.chat_input[0].set_value(question).run()
        assert not at.exception
        stop_live(at)
        at.button(key="verify_0").click().run()
        assert not at.exception and not at.error, texts(at.error)
        assert any("verified query of orders" in s for s in texts(at.success))
        assert "verified_queries:" in (catalog / "orders.yaml").read_text()
        again = app()
        again.chat_input[0].set_value("how many orders per minute").run()
        assert any("verified" in s for s in texts(again.info)), texts(again.info)
        stop_live(again)
    finally:
        (catalog / "orders.yaml").write_text(before)
