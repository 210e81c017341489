"""Prompt assembly from the template files in `prompts/`: persona and Flink rules, the schema context
of the retrieved topics (clearly delimited as data), few-shot pairs from catalog examples, history."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from copilot.agent.base import PlanRequest
from copilot.catalog.model import TopicSchema

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
MAX_TOPICS = 4
MAX_EXAMPLES = 4


@lru_cache(maxsize=None)
def template(name: str, directory: str = str(PROMPTS_DIR)) -> str:
    return (Path(directory) / f"{name}.md").read_text(encoding="utf-8")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_MARKER = re.compile(r"<{3,}|>{3,}")


def defuse(data: str) -> str:
    """Data text (catalog, records, validator findings) cannot close or open a delimited block."""
    return _MARKER.sub(lambda m: m.group(0)[0] * 2, data)


def _safe_example(sql: str, topics) -> bool:
    """Only catalog examples that are valid read-only queries become few-shot turns: a planted
    `DROP TABLE` example would otherwise be shown to the model as its own earlier answer."""
    from copilot.validate import validate

    try:
        return validate(sql, catalog=topics).valid
    except Exception:
        return False


def topic_context(schema: TopicSchema, semantic: bool = True) -> str:
    kind = "upsert (latest row per key; join it with FOR SYSTEM_TIME AS OF)" if schema.is_upsert else "append-only event stream"
    lines = [f"TABLE {schema.topic} -- {kind}", f"  description: {_one_line(schema.description)}"]
    if schema.primary_key:
        lines.append(f"  primary key: {', '.join(schema.primary_key)}")
    if schema.event_time:
        lines.append(f"  event time: {schema.event_time} (watermark {schema.watermark_delay})")
    lines.append("  columns:")
    for f in schema.fields:
        line = f"    {f.name} {f.type}"
        if f.description:
            line += f" -- {_one_line(f.description)}"
        if f.synonyms and semantic:
            line += f" (also called: {', '.join(f.synonyms)})"
        if f.unit and semantic:
            line += f" [unit: {f.unit}]"
        if f.currency_field and semantic:
            line += f" [currency in {f.currency_field}" + ("; sum per currency]" if f.sum_per_currency else "]")
        if f.values:
            line += " known values: " + ", ".join(_value_words(f, code, label, semantic) for code, label in f.values.items())
        lines.append(line)
    for rel in schema.relationships:
        lines.append(f"  relationship: {schema.topic}.{rel.field} references {rel.references}")
    if semantic and schema.metrics:
        lines.append("  metrics:")
        for m in schema.metrics:
            line = f"    {m.name} = {m.expression}" + (f" counting only rows where {m.filter}" if m.filter else "")
            if m.synonyms:
                line += f" (also called: {', '.join(m.synonyms)})"
            if m.description:
                line += f" -- {_one_line(m.description)}"
            lines.append(line)
    return "\n".join(lines)


def _value_words(f, code: str, label: str, semantic: bool) -> str:
    text = f"{code} = {label}" if label != code else str(code)
    words = f.value_words.get(code) if semantic else None
    return text + (f" (also: {', '.join(words)})" if words else "")


def verified_queries(topics: list[TopicSchema], request_topics, limit: int = MAX_EXAMPLES) -> list:
    """Verified queries of the chosen topics that still pass validation, best first (kept by people)."""
    out = [q for t in topics for q in t.verified_queries if _safe_example(q.sql, request_topics)]
    return out[:limit]


def chosen_topics(request: PlanRequest) -> list[TopicSchema]:
    chosen = request.retrieved_topics()[:MAX_TOPICS] or list(request.topics.values())[:MAX_TOPICS]
    names = {t.topic for t in chosen}
    for t in list(chosen):  # tables the chosen ones can join to
        for rel in t.relationships:
            if rel.target_topic in request.topics and rel.target_topic not in names:
                chosen.append(request.topics[rel.target_topic])
                names.add(rel.target_topic)
    return chosen


def build_messages(request: PlanRequest) -> list[BaseMessage]:
    topics = chosen_topics(request)
    schema = defuse("\n\n".join(topic_context(t) for t in topics))
    context = template("schema_context").format(schema=schema)
    messages: list[BaseMessage] = [SystemMessage(template("system"))]
    examples = verified_queries(topics, request.topics)
    examples += [e for t in topics for e in t.examples if _safe_example(e.sql, request.topics)][: MAX_EXAMPLES - len(examples)]
    for e in examples:
        messages.append(HumanMessage(f"Question: {e.question}"))
        messages.append(AIMessage(json.dumps({"sql": e.sql.strip(), "explanation": ""})))
    for turn in request.history[-6:]:
        messages.append(HumanMessage(f"Question: {turn.question}"))
        messages.append(
            AIMessage(json.dumps({"sql": turn.sql or "", "explanation": ""}) if turn.sql else "CANNOT_ANSWER: earlier question")
        )
    messages.append(HumanMessage(template("question").format(context=context, question=request.question)))
    return messages


def repair_message(request: PlanRequest, errors: list[dict]) -> HumanMessage:
    shown = [{k: e.get(k) for k in ("stage", "message", "line", "column", "hint") if e.get(k) is not None} for e in errors]
    return HumanMessage(template("repair").format(errors=defuse(json.dumps(shown, indent=2)), question=request.question))


def build_plan_messages(request: PlanRequest, topics: list[TopicSchema], semantic: bool = True) -> list[BaseMessage]:
    """Messages for the structured (plan) reply: rules, the catalog data with its semantic layer and
    the verified queries of these topics as examples, the conversation so far, the question."""
    schema = defuse("\n\n".join(topic_context(t, semantic) for t in topics))
    data = schema
    verified = verified_queries(topics, request.topics) if semantic else []
    if verified:
        shown = "\n".join(f"- {_one_line(q.question)}\n  {_one_line(q.sql)}" for q in verified)
        data += "\n\n" + template("verified_queries").format(queries=defuse(shown))
    messages: list[BaseMessage] = [SystemMessage(template("plan_system"))]
    for turn in request.history[-6:]:
        messages.append(HumanMessage(f"Question: {turn.question}"))
        messages.append(AIMessage(f"Answered with: {turn.sql}" if turn.sql else "Not answered."))
    messages.append(
        HumanMessage(
            template("question").format(context=template("schema_context").format(schema=data), question=request.question)
        )
    )
    return messages


def plan_repair_message(request: PlanRequest, errors: list) -> HumanMessage:
    return HumanMessage(
        template("plan_repair").format(errors=defuse(json.dumps(errors, indent=2, default=str)), question=request.question)
    )
