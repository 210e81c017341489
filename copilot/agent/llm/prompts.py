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


def topic_context(schema: TopicSchema) -> str:
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
        if f.synonyms:
            line += f" (also called: {', '.join(f.synonyms)})"
        if f.values:
            line += " known values: " + ", ".join(f"{code} = {label}" if label != code else str(code) for code, label in f.values.items())
        lines.append(line)
    for rel in schema.relationships:
        lines.append(f"  relationship: {schema.topic}.{rel.field} references {rel.references}")
    return "\n".join(lines)


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
    examples = [e for t in topics for e in t.examples if _safe_example(e.sql, request.topics)][:MAX_EXAMPLES]
    for e in examples:
        messages.append(HumanMessage(f"Question: {e.question}"))
        messages.append(AIMessage(json.dumps({"sql": e.sql.strip(), "explanation": ""})))
    for turn in request.history[-6:]:
        messages.append(HumanMessage(f"Question: {turn.question}"))
        messages.append(AIMessage(json.dumps({"sql": turn.sql or "", "explanation": ""}) if turn.sql else "CANNOT_ANSWER: earlier question"))
    messages.append(HumanMessage(template("question").format(context=context, question=request.question)))
    return messages


def repair_message(request: PlanRequest, errors: list[dict]) -> HumanMessage:
    shown = [{k: e.get(k) for k in ("stage", "message", "line", "column", "hint") if e.get(k) is not None} for e in errors]
    return HumanMessage(template("repair").format(errors=defuse(json.dumps(shown, indent=2)), question=request.question))
