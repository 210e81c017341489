"""Audit trail (read back from Kafka on the live stack) and the `ask` / `audit tail` commands."""

from __future__ import annotations

import json
import uuid

import pytest

from copilot.agent.audit import KafkaAuditSink, MemoryAuditSink, read_events, scrub
from copilot.agent.copilot import Copilot
from copilot.cli import main
from copilot.errors import RequestError


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, out


def test_scrub_removes_credentials():
    event = {
        "question": "q",
        "api_key": "sk-abcdefghijklmnop",
        "config": {"OPENAI_API_KEY": "x", "model": "m"},
        "note": "used key sk-abcdefghijklmnopqrst here",
    }
    clean = scrub(event)
    assert "api_key" not in clean and "OPENAI_API_KEY" not in clean["config"] and clean["config"]["model"] == "m"
    assert "sk-" not in json.dumps(clean)


def test_every_step_is_an_event_with_time_conversation_question_sql_verdict_planner(topics):
    audit = MemoryAuditSink()
    Copilot(topics, audit=audit).ask("revenue by country every 5 minutes", conversation_id="conv-1")
    kinds = [e["type"] for e in audit.events]
    assert kinds == ["question", "retrieved", "draft", "verdict", "answer"]
    assert all(e["conversation_id"] == "conv-1" and e["time"] > 0 and e["question"] for e in audit.events)
    answer = audit.events[-1]
    assert answer["sql"] and answer["verdict"] == "valid" and answer["planner"] == "builtin" and answer["plan"]


def test_a_live_query_is_audited_when_started_and_when_submitting_it_fails(topics):
    from copilot.errors import ServiceUnavailable
    from copilot.flink.gateway import GatewayClient

    audit = MemoryAuditSink()
    copilot = Copilot(topics, audit=audit, gateway=GatewayClient("http://127.0.0.1:9"))
    answer = copilot.ask("How many orders per minute?", conversation_id="conv-2")
    live = copilot.live(answer)  # not started: the app starts it later, in its own thread
    assert [e["type"] for e in audit.events][-1] == "answer"
    with pytest.raises(ServiceUnavailable):
        live.start()
    submitted, failed = audit.events[-2:]
    assert submitted["type"] == "submission" and submitted["sql"] == answer.sql and submitted["verdict"] == "valid"
    assert failed["type"] == "submission_failed" and "127.0.0.1:9" in failed["reason"]
    answer.tables = ["no_such_topic"]
    with pytest.raises(RequestError, match="no_such_topic"):
        copilot.live(answer)


def test_usage_errors_exit_2(capsys):
    assert main(["ask"]) == 2
    assert main(["ask", "q", "--sql", "SELECT 1"]) == 2


def test_unreachable_gateway_without_run_answers_unchecked(capsys, monkeypatch):
    monkeypatch.setenv("FLINK_SQL_GATEWAY", "http://127.0.0.1:9")
    code, out = run_cli(capsys, "ask", "How many orders per minute?", "--json", "--no-audit")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True and data["engine_checked"] is False
    assert any("unreachable" in n for n in data["notices"])
    for key in ("sql", "tables", "explanation", "valid", "errors", "planner"):
        assert key in data
    assert data["planner"] == "builtin" and data["tables"] == ["orders"]


def test_unreachable_gateway_with_run_exits_3(capsys, monkeypatch):
    monkeypatch.setenv("FLINK_SQL_GATEWAY", "http://127.0.0.1:9")
    code, out = run_cli(capsys, "ask", "How many orders per minute?", "--json", "--run", "--no-audit")
    assert code == 3 and "127.0.0.1:9" in json.loads(out)["message"]


def test_unanswerable_question_exits_1_with_suggestions(capsys):
    code, out = run_cli(capsys, "ask", "What is the weather in Berlin?", "--json", "--no-audit", "--no-engine")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and data["sql"] is None and data["suggestions"]


def test_sql_flag_still_goes_through_validation(capsys):
    code, out = run_cli(capsys, "ask", "--sql", "DROP TABLE orders", "--json", "--no-audit", "--no-engine")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and data["stage"] == "policy"
    code, out = run_cli(
        capsys,
        "ask",
        "--sql",
        "SELECT country, COUNT(*) AS n FROM orders GROUP BY country",
        "--json",
        "--no-audit",
        "--no-engine",
    )
    data = json.loads(out)
    assert code == 0 and data["valid"] and "orders" in data["explanation"]


@pytest.mark.stack
def test_audit_events_are_read_back_from_kafka(stack, topics):
    topic = f"copilot.audit.test-{uuid.uuid4().hex[:8]}"
    sink = KafkaAuditSink(topic=topic)
    copilot = Copilot(topics, audit=sink)
    cid = f"conv-{uuid.uuid4().hex[:8]}"
    copilot.ask("top 3 countries by revenue every 5 minutes", conversation_id=cid)
    copilot.ask("now only mobile", conversation_id=cid)
    sink.flush()
    events = read_events(50, topic=topic, conversation_id=cid)
    assert [e["type"] for e in events] == ["question", "retrieved", "draft", "verdict", "answer"] * 2
    assert events[-1]["verdict"] == "valid" and "mobile" in events[-1]["sql"]
    assert sink.disabled_reason is None and sink.sent == 10
    from copilot.kafka.admin import delete_topic

    delete_topic(topic)


@pytest.mark.stack
def test_cli_follow_up_across_invocations_and_audit_tail(stack, capsys, monkeypatch):
    monkeypatch.setenv("COPILOT_AUDIT_TOPIC", f"copilot.audit.cli-{uuid.uuid4().hex[:8]}")
    code, out = run_cli(capsys, "ask", "revenue by country every 5 minutes", "--json")
    first = json.loads(out)
    assert code == 0 and first["engine_checked"] is True
    code, out = run_cli(capsys, "ask", "now only Germany", "--json", "--conversation", first["conversation_id"])
    second = json.loads(out)
    assert code == 0 and second["valid"] and "country = 'DE'" in second["sql"] and "GROUP BY" in second["sql"]
    code, out = run_cli(capsys, "audit", "tail", "-n", "4", "--json")
    events = json.loads(out)["events"]
    assert code == 0 and len(events) == 4 and events[-1]["type"] == "answer"


@pytest.mark.stack
def test_ask_run_returns_live_rows(stack, capsys):
    code, out = run_cli(
        capsys,
        "ask",
        "Show declined Klarna payments as they happen.",
        "--run",
        "--json",
        "--max-rows",
        "2",
        "--timeout",
        "90",
        "--no-audit",
    )
    data = json.loads(out)
    assert code == 0 and data["valid"] and data["columns"][:2] == ["payment_id", "order_id"]
    assert len(data["rows"]) >= 1 and data["run"]["stopped"] in ("max_rows", "timeout")
    assert all(row[2] == "klarna" and row[5] == "declined" for row in data["rows"])
