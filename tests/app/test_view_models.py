"""The app's view-model helpers, without Streamlit: chart choice, formatting, errors, state, graph."""

from __future__ import annotations

import logging

import pytest

from copilot.agent.answer import Answer
from copilot.catalog.model import Relationship, TopicSchema
from copilot.errors import ServiceUnavailable
from copilot.flink.base import FlinkSqlError
from copilot.ui import chart, format as fmt, graph, state
from copilot.ui.services import suggested_job_name

WINDOWED = [
    ("window_start", "TIMESTAMP_WITHOUT_TIME_ZONE(3)"),
    ("window_end", "TIMESTAMP_WITHOUT_TIME_ZONE(3)"),
    ("country", "VARCHAR"),
    ("revenue", "DECIMAL(38, 2)"),
]
CATEGORY = [("channel", "VARCHAR"), ("orders", "BIGINT")]
ONE_VALUE = [("revenue", "DECIMAL(38, 2)")]
ROWS_ONLY = [("order_id", "VARCHAR"), ("country", "VARCHAR")]


@pytest.mark.parametrize(
    "columns, kind, x, y, color",
    [
        (WINDOWED, "line", "window_start", "revenue", "country"),
        (WINDOWED[:2] + WINDOWED[3:], "line", "window_start", "revenue", None),
        (CATEGORY, "bar", "channel", "orders", None),
        (ONE_VALUE, "number", None, "revenue", None),
        (ROWS_ONLY, "table", None, None, None),
    ],
)
def test_chart_follows_the_result_shape(columns, kind, x, y, color):
    choice = chart.choose_chart(columns)
    assert (choice.kind, choice.x, choice.y, choice.color) == (kind, x, y, color)


def test_user_can_switch_only_to_charts_the_shape_allows():
    assert chart.available_charts(WINDOWED) == ["line", "bar", "table"]
    assert chart.choose_chart(WINDOWED, "bar").kind == "bar"
    assert chart.choose_chart(WINDOWED, "bar").x == "country"
    assert chart.choose_chart(CATEGORY, "line").kind == "bar"  # no time axis: the preference is ignored
    assert chart.available_charts(ONE_VALUE) == ["number", "table"]
    assert chart.available_charts(ROWS_ONLY) == ["table"]


def test_rank_column_of_a_top_n_is_not_the_measure():
    columns = [("window_start", "TIMESTAMP(3)"), ("country", "VARCHAR"), ("revenue", "DECIMAL(10, 2)"), ("rownum", "BIGINT")]
    assert chart.choose_chart(columns).y == "revenue"


def test_line_frame_has_one_point_per_window_and_series_sorted_by_time():
    rows = [
        ["2026-11-25T09:00:10", "2026-11-25T09:00:20", "DE", "5.50"],
        ["2026-11-25T09:00:00", "2026-11-25T09:00:10", "DE", 1.25],
        ["2026-11-25T09:00:00", "2026-11-25T09:00:10", "FR", 2],
    ]
    frame = chart.chart_frame(chart.choose_chart(WINDOWED), WINDOWED, rows)
    assert list(frame.columns) == ["window_start", "country", "revenue"]
    assert frame["window_start"].is_monotonic_increasing
    assert frame["revenue"].tolist() == [1.25, 2.0, 5.5]


def test_bars_of_a_windowed_result_show_the_latest_window():
    rows = [
        ["2026-11-25T09:00:00", "2026-11-25T09:00:10", "DE", 1],
        ["2026-11-25T09:00:10", "2026-11-25T09:00:20", "FR", 7],
        ["2026-11-25T09:00:10", "2026-11-25T09:00:20", "DE", 3],
    ]
    frame = chart.chart_frame(chart.choose_chart(WINDOWED, "bar"), WINDOWED, rows)
    assert frame.to_dict("records") == [{"country": "FR", "revenue": 7}, {"country": "DE", "revenue": 3}]


def test_big_number_with_change_against_previous_window():
    columns = [("window_start", "TIMESTAMP(3)"), ("orders", "BIGINT")]
    rows = [["2026-11-25T09:00:00", 10], ["2026-11-25T09:00:10", 14]]
    assert chart.big_number(chart.choose_chart(columns, "number"), columns, rows) == (14.0, 4.0)
    assert chart.big_number(chart.choose_chart(ONE_VALUE), ONE_VALUE, [["12.5"]]) == (12.5, None)
    assert chart.big_number(chart.choose_chart(ONE_VALUE), ONE_VALUE, []) == (None, None)


def test_table_frame_types_numbers_and_times():
    frame = chart.table_frame(WINDOWED, [["2026-11-25T09:00:00", "2026-11-25T09:00:10", "DE", "3.10"]])
    assert str(frame["revenue"].dtype) == "float64"
    assert str(frame["window_start"].dtype).startswith("datetime64")


def test_product_errors_show_message_and_hint():
    shown = fmt.shown_error(ServiceUnavailable("Kafka", "localhost:9092", "timed out"))
    assert shown.expected and "localhost:9092" in shown.message and "flink-copilot up" in shown.hint
    shown = fmt.shown_error(FlinkSqlError("Object 'x' not found", 1, 15, detail="java.lang.Exception\n\tat org.apache"))
    assert "Object 'x' not found" in shown.message and "java" not in shown.message


def test_unexpected_errors_are_logged_and_shown_generically(caplog):
    try:
        {}["secret_internal_key"]
    except KeyError as exc:
        with caplog.at_level(logging.ERROR, logger="copilot.ui"):
            shown = fmt.shown_error(exc)
    assert not shown.expected
    assert shown.message == fmt.GENERIC_ERROR and "secret_internal_key" not in shown.message
    assert "secret_internal_key" in caplog.text  # the log has what the browser must not


def test_issue_line_points_at_the_place():
    line = fmt.issue_line(
        {"stage": "catalog", "message": "unknown column 'x'", "line": 1, "column": 8, "hint": "did you mean amount?"}
    )
    assert line == "[catalog] unknown column 'x' (line 1, column 8) — did you mean amount?"


def test_known_values_and_times():
    assert fmt.known_values({"DE": "Germany", "web": "web"}) == "DE = Germany, web"
    assert fmt.known_values({str(i): str(i) for i in range(15)}, limit=3) == "0, 1, 2, … (+12)"
    assert fmt.flink_time(-1) == "—" and fmt.flink_time(None) == "—"
    assert fmt.ago(100.0, now=100.5) == "just now" and fmt.ago(100.0, now=160.0) == "60 s ago"
    assert fmt.live_status("ended", "timeout").endswith("time limit reached")
    assert fmt.job_state("RUNNING") == ":green[●] RUNNING"


def test_session_state_guards_keep_existing_values():
    ss = {"messages": ["kept"]}
    state.ensure(ss)
    assert ss["messages"] == ["kept"] and ss["runner"] is None and len(ss["conversation_id"]) == 32
    first = ss["conversation_id"]
    state.new_conversation(ss)
    assert ss["messages"] == [] and ss["conversation_id"] != first


def test_password_check():
    assert state.password_ok(None, None)
    assert state.password_ok("s3cret", "s3cret")
    assert not state.password_ok("wrong", "s3cret") and not state.password_ok(None, "s3cret")


def test_relationship_graph_has_both_directions():
    topics = {
        "orders": TopicSchema("orders", relationships=[Relationship("customer_id", "customers.customer_id")]),
        "customers": TopicSchema("customers"),
        "payments": TopicSchema("payments", relationships=[Relationship("order_id", "orders.order_id")]),
    }
    edges = graph.relationship_edges("orders", topics)
    assert ("orders", "customers", "customer_id → customer_id") in edges
    assert ("payments", "orders", "order_id → order_id") in edges
    dot = graph.neighbourhood_dot("orders", topics)
    assert dot.startswith("digraph {") and '"payments" -> "orders"' in dot and dot.rstrip().endswith("}")
    assert graph.relationship_edges("customers", {"customers": topics["customers"]}) == []


def test_an_answer_keeps_its_chart_kind_and_plan_for_follow_ups():
    ans = Answer(
        question="orders by channel as bars",
        conversation_id="c1",
        planner="builtin",
        sql="SELECT 1",
        valid=True,
        chart={"type": "bar", "x": "channel", "y": "orders"},
        plan={"source": "orders"},
    )
    assert ans.chart_kind == "bar"
    assert ans.turn() == {
        "question": "orders by channel as bars",
        "sql": "SELECT 1",
        "plan": {"source": "orders"},
        "planner": "builtin",
        "valid": True,
    }
    assert Answer(question="q", conversation_id="c1", planner="builtin").chart_kind is None


def test_suggested_job_names_are_valid_job_names():
    import re

    for question in ["Revenue per country every 5 minutes", "5 biggest orders", "?", "how many are there"]:
        name = suggested_job_name(question)
        assert re.match(r"^[a-z][a-z0-9_]{2,48}$", name), name


def test_table_frame_shows_newest_rows_first():
    rows = [
        ["2026-11-25T09:00:00", "2026-11-25T09:00:10", "DE", "3.10"],
        ["2026-11-25T09:00:10", "2026-11-25T09:00:20", "DE", "4.20"],
    ]
    frame = chart.table_frame(WINDOWED, rows)
    assert str(frame.iloc[0, 0]).startswith("2026-11-25 09:00:10")
