""" "Today" and "since midnight" mean the session time zone (COPILOT_TIMEZONE): the plan carries it, the
explanation names it, and the gateway session is opened with it as table.local-time-zone."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.catalog.store import YamlCatalogStore
from copilot.errors import UsageError
from copilot.settings import DEMO_CATALOG_DIR

TOPICS = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics


@pytest.mark.parametrize("question", ["orders since midnight", "how many orders today", "orders per day"])
def test_midnight_is_in_the_session_time_zone(monkeypatch, question):
    monkeypatch.setenv("COPILOT_TIMEZONE", "Europe/Berlin")
    draft = BuiltinPlanner().plan(PlanRequest(question, TOPICS, []))
    assert draft.sql, draft.reason
    assert draft.state["time_zone"] == "Europe/Berlin"
    assert "Europe/Berlin" in draft.explanation


def test_default_zone_is_utc_and_shown(monkeypatch):
    monkeypatch.delenv("COPILOT_TIMEZONE", raising=False)
    draft = BuiltinPlanner().plan(PlanRequest("orders since midnight", TOPICS, []))
    assert "UTC" in draft.explanation


def test_a_window_without_days_has_no_zone(monkeypatch):
    monkeypatch.setenv("COPILOT_TIMEZONE", "Europe/Berlin")
    draft = BuiltinPlanner().plan(PlanRequest("orders per minute", TOPICS, []))
    assert "time_zone" not in draft.state and "Europe/Berlin" not in draft.explanation


def test_an_unknown_zone_is_a_usage_error(monkeypatch):
    from copilot import settings

    monkeypatch.setenv("COPILOT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(UsageError):
        settings.time_zone()


def test_the_gateway_session_uses_the_zone(monkeypatch):
    from copilot.flink.gateway import GatewayClient

    monkeypatch.setenv("COPILOT_TIMEZONE", "Asia/Tokyo")
    client = GatewayClient("http://127.0.0.1:9")
    try:
        assert client.session_properties["table.local-time-zone"] == "Asia/Tokyo"
    finally:
        client.close()
