"""Each page through streamlit.testing.v1.AppTest, against the live stack with the built-in planner."""

from __future__ import annotations

import uuid

import pytest
from apptest_helpers import app, audited, flink_job_state, metric, remove_job, rerun_until, stop_live, texts

pytestmark = pytest.mark.stack


@pytest.fixture(autouse=True)
def builtin_planner(monkeypatch):
    monkeypatch.delenv("COPILOT_LLM", raising=False)
    monkeypatch.delenv("COPILOT_APP_PASSWORD", raising=False)


def test_every_page_renders_without_errors(stack):
    at = app()
    for page in ("views/chat.py", "views/catalog.py", "views/jobs.py", "views/audit.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, texts(at.exception))
        assert at.title, page
        sidebar = " ".join(texts(at.sidebar.markdown))
        for component in ("kafka", "jobmanager", "sql-gateway"):
            assert f":green[●] **{component}**" in sidebar, (page, sidebar)
        assert "Built-in planner" in " ".join(texts(at.sidebar.caption))


def test_chat_windowed_question_runs_live_and_stops(stack):
    at = app()
    try:
        at.chat_input[0].set_value("revenue per country every 5 seconds").run()
        assert not at.exception and not at.error, texts(at.error)
        sql = texts(at.code)[-1]
        assert "TUMBLE(TABLE orders" in sql and "SUM(amount)" in sql and "GROUP BY" in sql
        assert any("Valid, checked by Flink" in c for c in texts(at.caption))
        assert any("orders" in m and "window" in m for m in texts(at.markdown))  # the explanation
        assert rerun_until(at, lambda a: int((metric(a, "Rows") or "0").replace(",", "")) > 0)
        first = int(metric(at, "Rows").replace(",", ""))
        assert rerun_until(at, lambda a: int(metric(a, "Rows").replace(",", "")) > first)  # it keeps changing
        switch = at.segmented_control(key="chart_switch_0")
        assert switch.value == "line" and set(switch.options) >= {"Line over time", "Bars", "Table only"}
        frame = at.dataframe[-1].value
        assert list(frame.columns) == ["window_start", "window_end", "country", "revenue"]
        job_id = at.session_state["runner"].source.job_id
        submitted = audited(at.session_state["conversation_id"], "submission")
        assert [e["sql"] for e in submitted] == [sql] and submitted[0]["verdict"] == "valid"
        at.button(key="stop_0").click().run()
        assert any("Stopped" in m for m in texts(at.markdown))
        assert rerun_until(at, lambda a: flink_job_state(job_id) in ("CANCELED", "FINISHED", None), 30)
    finally:
        stop_live(at)


def test_chat_follow_up_refines_and_the_old_query_is_cancelled(stack):
    at = app()
    try:
        at.chat_input[0].set_value("number of orders per channel every 10 seconds").run()
        assert rerun_until(
            at, lambda a: at.session_state["runner"].source is not None and at.session_state["runner"].source.job_id is not None
        )
        first_job = at.session_state["runner"].source.job_id
        at.chat_input[0].set_value("now only Germany").run()
        assert not at.error, texts(at.error)
        sql = texts(at.code)[-1]
        assert "WHERE country = 'DE'" in sql and "channel" in sql and "INTERVAL '10' SECOND" in sql
        assert rerun_until(at, lambda a: flink_job_state(first_job) in ("CANCELED", "FINISHED", None), 30)
        assert len(at.chat_message) == 4  # two questions, two answers
    finally:
        stop_live(at)


def test_single_value_is_a_big_number(stack):
    at = app()
    try:
        at.chat_input[0].set_value("total revenue").run()
        assert rerun_until(at, lambda a: metric(a, "revenue") not in (None, "—"))
        assert at.segmented_control(key="chart_switch_0").value == "number"
    finally:
        stop_live(at)


def test_question_it_cannot_answer_shows_why_and_suggestions(stack):
    at = app()
    at.chat_input[0].set_value("what is the weather in Paris tomorrow").run()
    assert not at.exception
    assert any("cannot answer" in e for e in texts(at.error))
    suggestions = [b for b in at.button if (b.key or "").startswith("suggest_0_")]
    assert suggestions
    suggestions[0].click().run()
    try:
        assert len(at.chat_message) == 4 and texts(at.code)  # the suggestion was asked and answered
        assert len(at.error) == 1  # only the first answer's
    finally:
        stop_live(at)


def test_invalid_sql_shows_the_stage_and_place_never_a_traceback(stack):
    at = app()
    at.chat_input[0].set_value("SELECT amout FROM orders").run()
    assert not at.exception
    errors = texts(at.error)
    assert any("[catalog]" in e and "amout" in e and "line 1" in e for e in errors), errors
    assert not any("Traceback" in e or 'File "' in e for e in errors)
    assert any("Not valid" in c for c in texts(at.caption))


def test_catalog_search_and_topic_detail(stack):
    at = app()
    at.switch_page("views/catalog.py").run()
    assert {b.label for b in at.button} >= {"orders", "customers", "payments", "shipments", "page_views", "products"}
    at.text_input(key="catalog_search").input("parcels delivered by carrier").run()
    topic_buttons = [b.label for b in at.button if (b.key or "").startswith("topic_")]
    assert topic_buttons[0] == "shipments", topic_buttons
    at.button(key="topic_shipments").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert texts(at.header)[-1] == "shipments"
    fields = at.dataframe[0].value
    assert {"field", "type", "description", "known values"} <= set(fields.columns)
    carrier = fields[fields["field"] == "carrier"].iloc[0]
    assert "DHL" in carrier["known values"] and carrier["type"] == "STRING"
    assert any("**Event time** `shipment_time`" in m and "**Changelog** `append`" in m for m in texts(at.markdown))
    ddl = texts(at.code)[-1]
    assert ddl.startswith("CREATE TABLE `shipments`") and "WATERMARK FOR `shipment_time`" in ddl
    assert len(at.get("graphviz_chart")) == 1
    sample = at.dataframe[-1].value
    assert len(sample) > 0 and "carrier" in sample.columns  # the live sample read from Kafka
    at.button(key="rel_shipments_shipments_orders_order_id → order_id").click().run()
    assert texts(at.header)[-1] == "orders"


def test_jobs_save_from_chat_list_stop_resume_and_ask(stack):
    name = f"app_test_{uuid.uuid4().hex[:6]}"
    at = app()
    try:
        at.chat_input[0].set_value("number of orders per channel every 10 seconds").run()
        stop_live(at)
        assert not [t for t in at.text_input if t.key == "job_name_0"], "the save form shows before the preview"
        at.button(key="job_preview_btn_0").click().run()  # the preview comes first: a bounded replay
        assert not at.error, texts(at.error)
        assert any(m.label == "Preview rows" for m in at.metric)
        assert at.session_state["job_preview_0"]["ok"] and at.session_state["job_preview_0"]["data"]["row_count"] > 0
        at.text_input(key="job_name_0").input(name)
        at.button(key="FormSubmitter:save_job_0-Save and start").click().run()
        assert not at.error, texts(at.error)
        saved = at.session_state["saved_jobs"][0]
        assert saved["name"] == name and saved["output_topic"] == f"job_{name}"
        assert any(name in m and "RUNNING" in m for m in texts(at.markdown))
        saves = audited(f"job:{name}", "job_save")
        assert saves and saves[-1]["verdict"] == "submitted" and saves[-1]["sql"].startswith(f"INSERT INTO `job_{name}`")

        at.switch_page("views/jobs.py").run()
        assert any(name in m for m in texts(at.markdown))
        assert any("RUNNING" in m for m in texts(at.markdown))
        at.button(key=f"stop_{name}").click().run()
        assert not at.error, texts(at.error)
        captions = " ".join(texts(at.caption))
        assert "last savepoint: file:" in captions or "last savepoint: /" in captions, captions
        assert at.button(key=f"resume_{name}")
        at.button(key=f"resume_{name}").click().run()
        assert not at.error, texts(at.error)
        assert any("RUNNING" in m for m in texts(at.markdown))
        at.button(key=f"ask_{name}").click().run()
        assert at.session_state["focus_topic"] == f"job_{name}"
        assert any(f"job_{name}" in i for i in texts(at.info))

        at.switch_page("views/jobs.py").run()
        at.button(key=f"delete_{name}").click().run()
        assert not at.error, texts(at.error)
        assert not any(name in m for m in texts(at.markdown)), "a deleted job is still listed"
        assert audited(f"job:{name}", "job_delete")[-1]["output_topic"] == f"job_{name}"
    finally:
        remove_job(name)


def test_password_gate(stack, monkeypatch):
    monkeypatch.setenv("COPILOT_APP_PASSWORD", "open sesame")
    at = app()
    assert not at.chat_input and texts(at.title) == ["Flink Copilot"]
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert any("not right" in e for e in texts(at.error)) and not at.chat_input
    at.text_input[0].input("open sesame")
    at.button[0].click().run()
    assert at.chat_input and not at.exception
