"""Watches: a question kept running as a saved Flink job (same registry, savepoints and audit as jobs)
that writes an alert event to the compacted alerts topic for each window whose condition held."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from copilot.capabilities.jobs import Jobs
from copilot.errors import RequestError, ServiceUnavailable
from copilot.kafka import admin as kadmin, clients
from copilot.kafka.clients import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from copilot.service import events
from copilot.service.condition import Condition, alert_schema, watch_query

if TYPE_CHECKING:
    from copilot.wiring import Services

log = logging.getLogger(__name__)


def answer_question(question: str, services: Services, *, builtin: bool = False) -> dict:
    """The answer event to a watch's question: from a worker in service mode, else from the copilot in
    process (audited like a worker's answer, with this process as the worker)."""
    if events.service_mode():
        return services.bus.ask(events.Question(question=question, user="watch"))
    import os
    import socket

    from copilot.service.worker import QuestionAuditSink, build_copilot

    q = events.Question(question=question, user="watch")
    audit = QuestionAuditSink(services.audit, f"{socket.gethostname()}-{os.getpid()}-cli")
    audit.question_id = q.question_id
    copilot = build_copilot(services, audit)
    if builtin:
        copilot.planner = copilot.builtin
    started = time.perf_counter()
    answer = copilot.ask(question, conversation_id=q.conversation_id)
    audit.flush(5)
    return events.answer_event(answer, q, audit.worker_id, {"answer_ms": round((time.perf_counter() - started) * 1000, 2)})


class WatchService:
    def __init__(self, jobs: Jobs, alerts_topic: str | None = None):
        self.jobs = jobs
        self.alerts_topic = alerts_topic or events.alerts_topic()

    def create(self, name: str, when: "str | Condition", answer: dict, *, replace: bool = False) -> dict:
        condition = when if isinstance(when, Condition) else Condition.parse(when)
        if not answer.get("valid") or not answer.get("sql"):
            reasons = "; ".join(e.get("message", "") for e in answer.get("errors") or []) or "no valid query"
            raise RequestError(
                f"the question has no valid answer to watch: {reasons}",
                hint="ask it with `flink-copilot ask` until it gives a windowed aggregate",
            )
        sql, measure = watch_query(
            name, answer["sql"], condition, plan=answer.get("plan"), topics=self.jobs.catalog.load().topics
        )
        meta = {
            "watch": name,
            "question": answer.get("question"),
            "condition": f"{measure} {condition.op} {condition.value:g}",
            "answer_sql": answer["sql"],
            "question_id": answer.get("question_id"),
            "worker_id": answer.get("worker_id"),
            "conversation_id": answer.get("conversation_id"),
        }
        job = self.jobs.save_into(
            name, sql, alert_schema(self.alerts_topic), kind="watch", delivery="at-least-once", meta=meta, replace=replace
        )
        return {"name": job.name, "flink_job_id": job.flink_job_id, "alerts_topic": job.output_topic, **meta, "sql": job.sql}

    def _watch(self, name: str):
        job = self.jobs.registry.get(name)
        if job is None or job.kind != "watch":
            known = sorted(n for n, j in self.jobs.registry.all().items() if j.kind == "watch")
            raise RequestError(f"no watch named {name!r}", hint=f"watches: {', '.join(known) or 'none'}")
        return job

    def list(self) -> list[dict]:
        registry = self.jobs.registry.all()
        rows = []
        for row in self.jobs.list():
            job = registry.get(row["name"])
            if job is not None and job.kind == "watch":
                rows.append(
                    {
                        **row,
                        "question": job.meta.get("question"),
                        "condition": job.meta.get("condition"),
                        "question_id": job.meta.get("question_id"),
                        "worker_id": job.meta.get("worker_id"),
                    }
                )
        return rows

    def stop(self, name: str, *, savepoint: bool = True) -> dict:
        self._watch(name)
        job = self.jobs.stop(name, savepoint=savepoint)
        return {"name": job.name, "savepoint": job.savepoint}

    def resume(self, name: str) -> dict:
        self._watch(name)
        job = self.jobs.resume(name)
        return {"name": job.name, "flink_job_id": job.flink_job_id}

    def delete(self, name: str) -> dict:
        self._watch(name)
        job = self.jobs.delete(name, keep_topic=True)  # the alerts topic is shared by every watch
        return {"name": job.name}


def read_alerts(
    topic: str | None = None, *, watch: str | None = None, limit: int = 200, servers: str | None = None, timeout: float = 10.0
) -> list[dict]:
    """The alerts topic's current rows (the newest per key; deleted keys dropped), newest window first."""
    topic = topic or events.alerts_topic()
    servers = servers or kadmin.bootstrap()
    consumer = clients.consumer(
        clients.unique_group("copilot-alerts"),
        {"enable.auto.commit": False, "isolation.level": "read_committed", "fetch.wait.max.ms": 10},
        servers=servers,
    )
    latest: dict[bytes | None, dict | None] = {}
    try:
        meta = consumer.list_topics(timeout=timeout)
        if topic not in meta.topics:
            return []
        for p in meta.topics[topic].partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
            if high <= low:
                continue
            consumer.assign([TopicPartition(topic, p, max(low, high - 50_000))])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msgs = consumer.consume(1000, 0.2)
                for msg in msgs:
                    if msg.error():
                        continue
                    raw = msg.value()
                    latest[msg.key()] = json.loads(raw) if raw else None
                if consumer.position([TopicPartition(topic, p)])[0].offset >= high:
                    break
    except KafkaException as exc:
        raise ServiceUnavailable("Kafka", servers, f"reading {topic}: {exc}") from None
    finally:
        consumer.close()
    rows = [v for v in latest.values() if v and (watch is None or v.get("watch") == watch)]
    rows.sort(key=lambda v: (str(v.get("window_end")), str(v.get("watch"))), reverse=True)
    return rows[:limit]


class AlertFeed:
    """The alerts topic followed incrementally (the app's live panel): the newest row per key, refreshed
    by `poll()` from where the last call stopped. Thread-safe; never raises (a down Kafka is a status)."""

    def __init__(self, topic: str | None = None, servers: str | None = None):
        import threading

        self.topic = topic or events.alerts_topic()
        self.servers = servers or kadmin.bootstrap()
        self._lock = threading.Lock()
        self._consumer: Consumer | None = None
        self._latest: dict[bytes | None, dict] = {}
        self.error: str | None = None

    def _assign(self) -> bool:
        if self._consumer is not None:
            return True
        consumer = clients.consumer(
            clients.unique_group("copilot-alert-feed"),
            {"enable.auto.commit": False, "auto.offset.reset": "earliest", "fetch.wait.max.ms": 10},
            servers=self.servers,
        )
        meta = consumer.list_topics(timeout=3.0)
        if self.topic not in meta.topics:
            consumer.close()
            return False
        consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in meta.topics[self.topic].partitions])
        self._consumer = consumer
        return True

    def poll(self, budget_s: float = 0.5) -> list[dict]:
        """Current alerts, newest window first."""
        with self._lock:
            try:
                if self._assign():
                    deadline = time.monotonic() + budget_s
                    consumer = self._consumer
                    assert consumer is not None  # assigned above
                    while time.monotonic() < deadline:
                        msgs = consumer.consume(1000, 0.05)
                        if not msgs:
                            break
                        for msg in msgs:
                            if msg.error():
                                continue
                            raw = msg.value()
                            if raw:
                                self._latest[msg.key()] = json.loads(raw)
                            else:
                                self._latest.pop(msg.key(), None)
                self.error = None
            except (KafkaException, ValueError) as exc:
                self.error = f"alerts unavailable from {self.topic} at {self.servers}: {exc}"
            rows = list(self._latest.values())
        rows.sort(key=lambda v: (str(v.get("window_end")), str(v.get("watch"))), reverse=True)
        return rows
