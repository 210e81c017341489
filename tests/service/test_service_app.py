"""The app in service mode (COPILOT_SERVICE=kafka): its chat answers through a worker exactly as in
process, and its alerts panel shows alert events of the alerts topic live."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from helpers_service import WorkerProcess, drop_topics, isolated_env
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.stack
APP = Path(__file__).resolve().parents[2] / "copilot" / "app" / "streamlit_app.py"


@pytest.fixture()
def service_env(stack, monkeypatch):
    env = isolated_env("app")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("COPILOT_LLM", raising=False)
    monkeypatch.delenv("COPILOT_APP_PASSWORD", raising=False)
    yield env
    drop_topics(env)


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_app_chat_in_service_mode_answers_as_in_process(service_env, monkeypatch):
    from copilot.ui.services import CatalogService, ChatService
    from copilot.wiring import Config, build

    question = "share of declined payments every minute"
    local = ChatService(CatalogService(build(Config.from_settings()))).ask(question, uuid.uuid4().hex, [])
    monkeypatch.setenv("COPILOT_SERVICE", "kafka")
    worker = WorkerProcess("app-worker", service_env)
    at = None
    try:
        worker.wait_for("ready")
        at = _app()
        at.chat_input[0].set_value(question).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        served = at.session_state["messages"][-1]["answer"]
        assert served.sql == local.sql and served.valid and served.explanation == local.explanation
        assert served.sql in [c.value for c in at.code]
    finally:
        if at is not None and "runner" in at.session_state and at.session_state["runner"] is not None:
            at.session_state["runner"].stop("test finished")
        worker.stop()


def test_alerts_page_and_chat_show_firing_alerts(service_env):
    fired = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    alert = {
        "watch": "busy_orders",
        "window_start": "2026-12-01T10:00:00",
        "window_end": "2026-12-01T10:00:10",
        "group_key": "",
        "values": {"order_count": 212.0},
        "condition": "order_count > 10",
        "fired_at": fired,
    }
    from copilot.kafka import admin as kadmin

    kadmin.ensure_topic(service_env["COPILOT_ALERTS_TOPIC"], compacted=True)
    producer = Producer({"bootstrap.servers": kadmin.bootstrap()})
    key = {k: alert[k] for k in ("watch", "window_start", "window_end", "group_key")}
    producer.produce(service_env["COPILOT_ALERTS_TOPIC"], key=json.dumps(key).encode(), value=json.dumps(alert).encode())
    assert producer.flush(10) == 0
    from copilot.ui import alerts_view

    alerts_view.alert_feed.clear()  # a feed of this test's alerts topic
    at = _app()
    chat_text = " ".join(m.value for m in at.markdown)
    assert "busy_orders" in chat_text and "order_count = 212" in chat_text
    at.switch_page("views/alerts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    page_text = " ".join(m.value for m in at.markdown)
    assert "busy_orders" in page_text and "order_count > 10" in page_text
