"""Compared values as columns of one row when asked "side by side" (or "two lines", "in columns"); a metric of one
value compared with other values of its field ("alarms vs reboots") is that figure for each of them."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner


def _sql(topics, question):
    draft = BuiltinPlanner().plan(PlanRequest(question, topics, [], []))
    assert draft.sql, (question, draft.reason)
    return draft.sql


@pytest.mark.parametrize(
    "question, columns, key",
    [
        ("web vs app orders per min side by side", ["channel = 'web'", "channel = 'mobile'"], "channel"),
        ("views of homepage vs checkout per minute, two lines", ["page_type = 'home'", "page_type = 'checkout'"], "page_type"),
        ("guest sessions vs logged-in sessions per minute, side by side", ["IS NULL", "IS NOT NULL"], "customer_id"),
        ("enterprise vs consumer revenue in columns every 10 min", ["segment = 'enterprise'", "segment = 'consumer'"], "segment"),
    ],
)
def test_compared_values_side_by_side_are_columns(demo, question, columns, key):
    sql = _sql(demo, question)
    assert sql.count("CASE WHEN") == 2 and all(c in sql for c in columns), sql
    assert sql.endswith("GROUP BY window_start, window_end") and f"{key}," not in sql.split("FROM")[0], sql
    assert " IN (" not in sql, sql


def test_without_side_by_side_each_value_is_a_group(demo):
    sql = _sql(demo, "web vs app orders per min")
    assert "channel IN ('web', 'mobile')" in sql and sql.endswith("GROUP BY window_start, window_end, channel")


def test_figures_already_side_by_side_stay(demo):
    sql = _sql(demo, "revenue and order count per channel, side by side")
    assert sql == "SELECT channel, SUM(amount) AS revenue, COUNT(*) AS order_count FROM orders GROUP BY channel"


def test_a_metric_compared_with_another_value_of_its_field(demo, fleet):
    sql = _sql(fleet, "alarms vs reboots per site")
    assert "event_type IN ('alarm', 'reboot')" in sql and "GROUP BY d.site_id, de.event_type" in sql
    sql = _sql(fleet, "alarms vs reboots every 10 minutes, side by side")
    assert "CASE WHEN event_type = 'alarm'" in sql and "CASE WHEN event_type = 'reboot'" in sql
    sql = _sql(demo, "refund amount vs authorized amount per method")
    assert "SUM(CASE WHEN status = 'refunded' THEN amount END) AS refund_amount" in sql
    assert "SUM(CASE WHEN status = 'authorized' THEN amount END) AS authorized_amount" in sql
    sql = _sql(demo, "lost parcels vs delivered ones per carrier")
    assert "status IN ('lost', 'delivered')" in sql and sql.endswith("GROUP BY carrier, status")
