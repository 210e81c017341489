"""The model loop with LangChain's fake chat models and scripted replies (no network, no mocks of
Kafka/Flink): repair from structured errors, prose-wrapped SQL, policy refusals, fallback."""

from __future__ import annotations

import json

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from copilot.agent.audit import MemoryAuditSink
from copilot.agent.copilot import Copilot
from copilot.agent.llm import LlmPlanner, load_chat_model
from copilot.agent.llm.parse import parse_reply
from copilot.errors import UsageError

GOOD = (
    "SELECT window_start, window_end, country, SUM(amount) AS revenue "
    "FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '5' MINUTE)) "
    "GROUP BY window_start, window_end, country"
)
BAD_COLUMN = GOOD.replace("SUM(amount)", "SUM(revenue_eur)")


class Recorder(BaseCallbackHandler):
    """Keeps the messages each model call received."""

    def __init__(self):
        self.calls: list[list] = []

    def on_chat_model_start(self, serialized, messages, **kwargs):
        self.calls.append(messages[0])


def copilot_with(topics, replies, audit=None):
    recorder = Recorder()
    model = FakeListChatModel(responses=replies, callbacks=[recorder])
    return Copilot(topics, planner=LlmPlanner(model), audit=audit), recorder


def test_failing_first_draft_is_repaired_from_the_structured_errors(topics):
    audit = MemoryAuditSink()
    copilot, recorder = copilot_with(
        topics,
        [
            json.dumps({"sql": BAD_COLUMN, "explanation": "Revenue per country."}),
            json.dumps({"sql": GOOD, "explanation": "Revenue per country every 5 minutes from orders."}),
        ],
        audit,
    )
    answer = copilot.ask("revenue per country every 5 minutes")
    assert answer.valid, answer.errors
    assert answer.planner == "llm" and answer.repairs == 1 and answer.sql == GOOD
    assert answer.explanation == "Revenue per country every 5 minutes from orders."
    repair_prompt = recorder.calls[1][-1].content
    assert "revenue_eur" in repair_prompt and "VALIDATION ERRORS" in repair_prompt
    # the repair conversation keeps the rejected draft as the model's own previous turn
    assert any(isinstance(m, AIMessage) and "revenue_eur" in m.content for m in recorder.calls[1])
    kinds = [e["type"] for e in audit.events]
    assert kinds.count("draft") == 2 and kinds.count("verdict") == 2
    assert [e["verdict"] for e in audit.events if e["type"] == "verdict"] == ["invalid", "valid"]


def test_at_most_two_repairs_then_invalid_with_reasons(topics):
    copilot, recorder = copilot_with(topics, [json.dumps({"sql": BAD_COLUMN})] * 5)
    answer = copilot.ask("revenue per country every 5 minutes")
    assert not answer.valid and answer.repairs == 2 and len(recorder.calls) == 3
    assert answer.errors and any("revenue_eur" in e["message"] for e in answer.errors)


def test_prose_around_sql_is_parsed(topics):
    reply = f"Sure! Here is the query you asked for:\n\n```sql\n{GOOD};\n```\n\nIt sums the order amounts per country."
    copilot, _ = copilot_with(topics, [reply])
    answer = copilot.ask("revenue per country every 5 minutes")
    assert answer.valid and answer.sql == GOOD and answer.tables == ["orders"]
    assert "sums the order amounts" in answer.explanation


@pytest.mark.parametrize(
    "bad",
    [
        "CREATE TABLE leak (x STRING) WITH ('connector' = 'filesystem', 'path' = '/tmp/x')",
        "SELECT * FROM orders /*+ OPTIONS('scan.startup.mode'='earliest-offset') */",
        "DROP TABLE orders",
    ],
)
def test_ddl_or_connector_options_are_refused_by_policy(topics, bad):
    copilot, _ = copilot_with(topics, [json.dumps({"sql": bad, "explanation": "x"})] * 3)
    answer = copilot.ask("revenue per country every 5 minutes")
    assert not answer.valid
    assert answer.stage == "policy" and answer.errors and answer.errors[0]["message"]
    assert answer.planner == "llm"  # refused, not silently replaced by another planner's query


def test_model_failure_falls_back_to_the_builtin_planner(topics):
    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise ConnectionError("model endpoint unreachable")

    copilot = Copilot(topics, planner=LlmPlanner(Broken(responses=["unused"])))
    answer = copilot.ask("revenue per country every 5 minutes")
    assert answer.valid and answer.planner == "builtin"
    assert any("unreachable" in n for n in answer.notices)


def test_model_reply_without_sql_falls_back(topics):
    copilot, _ = copilot_with(topics, ["I am not sure what you mean."])
    answer = copilot.ask("How many orders per minute?")
    assert answer.valid and answer.planner == "builtin"


def test_model_declining_is_reported_with_suggestions(topics):
    copilot, _ = copilot_with(topics, ["CANNOT_ANSWER: there is no weather data in the catalog"])
    answer = copilot.ask("What is the weather in Berlin?")
    assert not answer.valid and answer.sql is None
    assert "weather" in answer.errors[0]["message"] and answer.suggestions


def test_follow_up_sends_the_conversation_to_the_model(topics):
    refined = GOOD.replace("GROUP BY", "WHERE channel = 'mobile' GROUP BY")
    copilot, recorder = copilot_with(topics, [json.dumps({"sql": GOOD}), json.dumps({"sql": refined})])
    first = copilot.ask("revenue per country every 5 minutes", conversation_id="c1")
    second = copilot.ask("now only mobile", conversation_id="c1")
    assert first.valid and second.valid and "mobile" in second.sql
    texts = [m.content for m in recorder.calls[1]]
    assert any("revenue per country every 5 minutes" in t for t in texts)
    assert any(GOOD in t for t in texts)


def test_prompt_has_delimited_catalog_data_values_and_rules(topics):
    copilot, recorder = copilot_with(topics, [json.dumps({"sql": GOOD})])
    copilot.ask("revenue from Germany per minute")
    system, *rest = recorder.calls[0]
    assert "DATA" in system.content and "FOR SYSTEM_TIME AS OF" in system.content and "TUMBLE" in system.content
    last = rest[-1].content
    assert "<<<CATALOG DATA" in last and "CATALOG DATA END>>>" in last
    assert "DE = Germany" in last and "order_time" in last
    # few-shot examples from the catalog come as earlier turns
    assert any("How many orders per minute?" in m.content for m in rest[:-1])


@pytest.mark.parametrize(
    "reply,expected",
    [
        ('{"sql": "SELECT 1 FROM orders", "explanation": "e"}', "SELECT 1 FROM orders"),
        ('```json\n{"sql": "SELECT 1 FROM orders;"}\n```', "SELECT 1 FROM orders"),
        ("SELECT order_id FROM orders", "SELECT order_id FROM orders"),
        ("Here you go:\nSELECT order_id\nFROM orders;\nThis lists orders.", "SELECT order_id\nFROM orders"),
        ("```\nSELECT order_id FROM orders\n```", "SELECT order_id FROM orders"),
    ],
)
def test_reply_parsing(reply, expected):
    assert parse_reply(reply).sql == expected


def test_structured_tool_call_reply():
    message = AIMessage(
        content="", tool_calls=[{"name": "answer", "args": {"sql": "SELECT 1 FROM orders", "explanation": "x"}, "id": "1"}]
    )
    assert parse_reply(message).sql == "SELECT 1 FROM orders"


def test_generic_fake_model_streaming_reply_is_parsed(topics):
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"```sql\n{GOOD}\n```")]))
    answer = Copilot(topics, planner=LlmPlanner(model)).ask("revenue per country every 5 minutes")
    assert answer.valid and answer.planner == "llm"


def test_model_settings_errors_are_clear(monkeypatch):
    assert load_chat_model("") is None
    with pytest.raises(UsageError, match="provider:model"):
        load_chat_model("gpt-4o")
    with pytest.raises(UsageError, match="unknown model provider"):
        load_chat_model("nosuch:model")
    with pytest.raises(UsageError) as err:
        load_chat_model("openai:gpt-4o-mini")
    assert "pip install 'flink-copilot[openai]'" in err.value.hint
