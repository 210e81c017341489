"""The language-model planner fills a QueryPlan through structured output (LangChain's fake chat
model replying with tool calls): enums from the retrieved topics, wrong enums and missing fields fed
back, plans checked against the catalog and compiled, free SQL only as a validated fallback."""

from __future__ import annotations

import itertools
import typing

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage

from copilot.agent.audit import MemoryAuditSink
from copilot.agent.base import PlanRequest
from copilot.agent.copilot import Copilot
from copilot.agent.llm import LlmPlanner
from copilot.agent.llm.planner import FREE_SQL_NOTICE
from copilot.agent.llm.prompts import build_plan_messages, chosen_topics
from copilot.agent.llm.schema import reply_schema
from copilot.catalog.model import VerifiedQuery
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import PROJECT_ROOT

_ids = itertools.count()


class ToolCallingFake(GenericFakeChatModel):
    """LangChain's fake chat model, accepting tools the way a tool-calling model does."""

    def bind_tools(self, tools, **kwargs):
        return self


class Recorder(BaseCallbackHandler):
    def __init__(self):
        self.calls: list[list] = []

    def on_chat_model_start(self, serialized, messages, **kwargs):
        self.calls.append(messages[0])


def answer(**args) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": "Answer", "args": args, "id": f"call_{next(_ids)}"}])


def copilot_with(topics, replies, audit=None):
    recorder = Recorder()
    model = ToolCallingFake(messages=iter(replies), callbacks=[recorder])
    return Copilot(topics, planner=LlmPlanner(model), audit=audit), recorder


NOT_AUTHORIZED_OVER_1000 = {
    "source": "payments",
    "measures": [],
    "filters": [
        {"field": "payments.amount", "op": ">", "values": [1000]},
        {"field": "payments.status", "op": "<>", "values": ["authorized"]},
    ],
    "columns": ["payments.payment_id", "payments.amount", "payments.status"],
}


def test_plan_reply_is_checked_compiled_and_explained(topics):
    copilot, recorder = copilot_with(topics, [answer(plan=NOT_AUTHORIZED_OVER_1000, explanation="x")])
    result = copilot.ask("payments above 1000 that weren't authorized")
    assert result.valid, result.errors
    assert result.planner == "llm" and result.repairs == 0
    assert "'authorized'" in result.sql and "<>" in result.sql and "1000" in result.sql
    assert "status is not 'authorized'" in result.explanation and "amount is above 1000" in result.explanation
    assert result.plan["plan"]["source"] == "payments"
    # the structured path's prompt carries the semantic layer
    prompt = recorder.calls[0][-1].content
    assert "metrics:" in prompt and "decline_share" in prompt and "approved" in prompt


def test_wrong_enum_value_is_fed_back_and_fixed(topics):
    wrong = {**NOT_AUTHORIZED_OVER_1000, "filters": [{"field": "payments.status", "op": "<>", "values": ["approved"]}]}
    copilot, recorder = copilot_with(topics, [answer(plan=wrong), answer(plan=NOT_AUTHORIZED_OVER_1000)])
    result = copilot.ask("payments above 1000 that weren't approved")
    assert result.valid and "'authorized'" in result.sql and "approved" not in result.sql
    feedback = recorder.calls[1][-1]
    assert isinstance(feedback, ToolMessage) and "'approved'" in feedback.content and "'authorized'" in feedback.content


def test_missing_field_and_unknown_field_are_fed_back(topics):
    no_source = {k: v for k, v in NOT_AUTHORIZED_OVER_1000.items() if k != "source"}
    unknown = {**NOT_AUTHORIZED_OVER_1000, "columns": ["payments.revenue_eur"]}
    copilot, recorder = copilot_with(
        topics, [answer(plan=no_source), answer(plan=unknown), answer(plan=NOT_AUTHORIZED_OVER_1000)]
    )
    result = copilot.ask("payments above 1000 that weren't authorized")
    assert result.valid
    assert "plan.source" in recorder.calls[1][-1].content and "required" in recorder.calls[1][-1].content.lower()
    assert "revenue_eur" in recorder.calls[2][-1].content


def test_plan_that_does_not_fit_the_catalog_is_fed_back(topics):
    summed_text = {"source": "orders", "measures": [{"alias": "volume", "func": "sum", "field": "orders.channel"}]}
    good = {
        "source": "orders",
        "measures": [{"alias": "revenue", "metric": "revenue"}],
        "dimensions": [{"field": "orders.channel"}],
        "window": {"kind": "tumble", "size": {"amount": 1, "unit": "MINUTE"}},
    }
    copilot, recorder = copilot_with(topics, [answer(plan=summed_text), answer(plan=good)])
    result = copilot.ask("revenue by channel per minute")
    assert result.valid and "SUM(" in result.sql and "TUMBLE" in result.sql
    assert "sum needs a number" in recorder.calls[1][-1].content


def test_unusable_three_times_falls_back_to_the_builtin_planner(topics):
    bad = {"source": "nowhere"}
    copilot, recorder = copilot_with(topics, [answer(plan=bad)] * 3)
    result = copilot.ask("How many orders per minute?")
    assert result.planner == "builtin" and len(recorder.calls) == 3
    assert any("stayed unusable" in n for n in result.notices)


def test_free_sql_is_a_validated_fallback_and_repaired_from_validator_errors(topics):
    bad_sql = "SELECT COUNT(DISTINCT revenue_eur) AS n FROM orders"
    good = {"source": "orders", "measures": [{"alias": "buyers", "metric": "buyers"}]}
    copilot, recorder = copilot_with(topics, [answer(sql=bad_sql, explanation="Distinct buyers."), answer(plan=good)])
    result = copilot.ask("how many different customers bought something")
    assert result.valid and result.repairs == 1 and "COUNT(DISTINCT" in result.sql
    assert "revenue_eur" in recorder.calls[1][-1].content  # the validator's finding went back
    copilot, _ = copilot_with(topics, [answer(sql="SELECT order_id, amount FROM orders WHERE amount > 10")])
    result = copilot.ask("orders over 10, raw")
    assert result.valid and FREE_SQL_NOTICE in result.notices


def test_cannot_answer_is_reported_with_suggestions(topics):
    copilot, _ = copilot_with(topics, [answer(cannot_answer="no topic holds costs")])
    result = copilot.ask("what is our profit margin")
    assert not result.valid and result.sql is None and "costs" in result.errors[0]["message"] and result.suggestions


def test_schema_enums_come_from_the_retrieved_topics(topics):
    request = PlanRequest("refunds by method", topics, [("payments", 1.0)])
    chosen = chosen_topics(request)
    schema = reply_schema(chosen).model_json_schema()
    text = str(schema)
    assert "payments.method" in text and "orders.amount" in text  # payments and what it joins to
    assert "page_views.device" not in text
    assert "refund_amount" in text and "'authorized'" in text or "authorized" in text
    plan_fields = typing.get_args(
        typing.get_args(reply_schema(chosen).model_fields["plan"].annotation)[0].model_fields["source"].annotation
    )
    assert set(plan_fields) == {t.topic for t in chosen}


def test_verified_queries_are_examples_in_the_prompt(topics):
    payments = topics["payments"]
    verified = VerifiedQuery(
        "Refunded money per currency",
        "SELECT currency, SUM(amount) AS refunded FROM payments WHERE status = 'refunded' GROUP BY currency",
        "ana",
        "2026-12-01",
    )
    with_verified = {**topics, "payments": type(payments)(**{**payments.__dict__, "verified_queries": [verified]})}
    request = PlanRequest("refunds per currency", with_verified, [("payments", 1.0)])
    prompt = build_plan_messages(request, chosen_topics(request))[-1].content
    assert "Refunded money per currency" in prompt and "SUM(amount) AS refunded" in prompt
    bare = build_plan_messages(request, chosen_topics(request), semantic=False)[-1].content
    assert len(bare) < len(prompt) and "metrics:" not in bare


def test_second_catalog_plan(tmp_path):
    fleet = YamlCatalogStore(PROJECT_ROOT / "examples" / "catalogs" / "fleet").load().topics
    source = next(t for t in fleet.values() if t.metrics and not t.is_upsert and t.event_time)
    metric = source.metrics[0].name
    plan = {
        "source": source.topic,
        "measures": [{"alias": "m", "metric": metric}],
        "window": {"kind": "hop", "size": {"amount": 10, "unit": "MINUTE"}, "slide": {"amount": 5, "unit": "MINUTE"}},
    }
    audit = MemoryAuditSink()
    copilot, _ = copilot_with(fleet, [answer(plan=plan)], audit)
    result = copilot.ask(f"{metric.replace('_', ' ')} over the last 10 minutes every 5")
    assert result.valid, result.errors
    assert "HOP(" in result.sql and "Over the last 10 minutes, updated every 5 minutes." in result.explanation
    assert [e["verdict"] for e in audit.events if e["type"] == "verdict"] == ["valid"]


@pytest.mark.parametrize("catalog", ["demo", "second"])
def test_plan_schema_builds_for_every_topic(topics, catalog):
    chosen = topics if catalog == "demo" else YamlCatalogStore(PROJECT_ROOT / "examples" / "catalogs" / "fleet").load().topics
    for name in chosen:
        request = PlanRequest("x", chosen, [(name, 1.0)])
        assert reply_schema(chosen_topics(request)).model_json_schema()["title"] == "Answer"
