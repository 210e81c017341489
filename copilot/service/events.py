"""The question and answer events, the service's topics and how to reach them."""

from __future__ import annotations

import time
import zlib
from typing import Any

from copilot import settings
from copilot.agent.answer import Answer
from copilot.capabilities.events import Question as Question
from copilot.kafka import admin as kadmin


def questions_topic() -> str:
    return settings.get("COPILOT_QUESTIONS_TOPIC") or "copilot.questions"


def answers_topic() -> str:
    return settings.get("COPILOT_ANSWERS_TOPIC") or "copilot.answers"


def alerts_topic() -> str:
    return settings.get("COPILOT_ALERTS_TOPIC") or "copilot.alerts"


def group_id() -> str:
    return settings.get("COPILOT_SERVICE_GROUP") or "copilot-workers"


def service_mode() -> bool:
    return (settings.get("COPILOT_SERVICE") or "").strip().lower() == "kafka"


def ensure_topics(servers: str | None = None) -> None:
    """Questions and answers have the same number of partitions; an answer goes to the partition its
    conversation's questions use, so one partition holds a conversation's whole history."""
    partitions = settings.get_int("COPILOT_SERVICE_PARTITIONS")
    kadmin.ensure_topic(questions_topic(), partitions=partitions, servers=servers)
    kadmin.ensure_topic(answers_topic(), partitions=partitions, servers=servers)


def partition_for(conversation_id: str, partitions: int) -> int:
    """The partition of a conversation, the same for its questions and its answers."""
    return zlib.crc32(conversation_id.encode()) % max(1, partitions)


def answer_event(answer: Answer, question: Question, worker_id: str, timings: dict[str, float]) -> dict[str, Any]:
    """The `ask --json` document plus question id, worker id, timings and the plan (for follow-ups)."""
    return {
        **answer.to_dict(),
        "plan": answer.plan,
        "question_id": question.question_id,
        "worker_id": worker_id,
        "user": question.user,
        "options": question.options,
        "timings": timings,
        "answered_at": time.time(),
    }


def error_event(question_id: str, conversation_id: str, worker_id: str, message: str) -> dict[str, Any]:
    """The answer to a question event that could not be read: the client learns why instead of waiting."""
    return {
        "sql": None,
        "tables": [],
        "explanation": "",
        "valid": False,
        "planner": "none",
        "stage": "request",
        "errors": [
            {
                "stage": "request",
                "message": message,
                "line": None,
                "column": None,
                "hint": "publish {question_id, conversation_id, question | sql} as JSON",
            }
        ],
        "question": "",
        "conversation_id": conversation_id,
        "question_id": question_id,
        "worker_id": worker_id,
        "notices": [],
        "suggestions": [],
        "timings": {},
        "answered_at": time.time(),
    }


def answer_from_event(event: dict) -> Answer:
    """An Answer from an answer event (the client runs it with `--run`, the app shows it)."""
    fields = Answer.__dataclass_fields__
    answer = Answer(
        question=event.get("question") or "",
        conversation_id=event.get("conversation_id") or "",
        planner=event.get("planner") or "builtin",
    )
    for key, value in event.items():
        if key in fields and key not in ("question", "conversation_id", "planner") and value is not None:
            setattr(answer, key, value)
    answer.columns = answer.rows = answer.run = None  # rows never travel over Kafka
    return answer
