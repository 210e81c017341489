"""Audit trail: every agent step as a JSON event on a Kafka topic, keyed by conversation id.

The trail never carries secrets: keys that look like credentials are dropped and values that look
like API keys are masked before an event leaves the process."""

from __future__ import annotations

import json
import logging

from copilot import settings
from copilot.agent.base import AuditSink
from copilot.errors import ServiceUnavailable
from copilot.kafka import config as kafka_config
from copilot.security.redact import scrub

__all__ = ["KafkaAuditSink", "MemoryAuditSink", "read_events", "scrub"]

log = logging.getLogger(__name__)
REACH_TIMEOUT_S = 3.0


class MemoryAuditSink(AuditSink):
    """Keeps events in a list (the app's per-session view; tests of the agent loop)."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def record(self, event: dict) -> None:
        self.events.append(scrub(event))


class KafkaAuditSink(AuditSink):
    """Produces events to `COPILOT_AUDIT_TOPIC` (created if missing). If Kafka cannot be reached the
    sink turns itself off with one warning, so that answering never waits on the audit trail."""

    def __init__(self, topic: str | None = None, servers: str | None = None):
        self.topic = topic or settings.get("COPILOT_AUDIT_TOPIC") or "copilot.audit"
        self.servers = servers or kafka_config.bootstrap()
        self._producer = None
        self.disabled_reason: str | None = None
        self.sent = 0

    def _ensure(self):
        if self._producer is not None or self.disabled_reason:
            return self._producer
        from copilot.kafka import admin as kafka_admin, clients
        from copilot.kafka.clients import KafkaException, NewTopic

        reach = {"socket.connection.setup.timeout.ms": int(REACH_TIMEOUT_S * 1000)}
        try:
            admin = clients.admin(reach, servers=self.servers, quiet=True)
            metadata = admin.list_topics(timeout=REACH_TIMEOUT_S)
            if self.topic not in metadata.topics:
                factor = kafka_admin.replication_factor(len(metadata.brokers), self.servers)
                futures = admin.create_topics([NewTopic(self.topic, num_partitions=1, replication_factor=factor)])
                try:
                    futures[self.topic].result(timeout=REACH_TIMEOUT_S * 3)
                except KafkaException as exc:
                    if "TOPIC_ALREADY_EXISTS" not in str(exc):
                        raise
        except KafkaException as exc:
            self.disabled_reason = f"Kafka is unreachable at {self.servers}: {exc.args[0] if exc.args else exc}"
            log.warning("audit trail off: %s", self.disabled_reason)
            return None
        self._producer = clients.producer(
            {**reach, "linger.ms": 20, "acks": "all", "enable.idempotence": True}, servers=self.servers, quiet=True
        )
        return self._producer

    def require(self) -> None:
        """Reach Kafka now: ServiceUnavailable (exit 3) when the audit trail cannot be written."""
        if self._ensure() is None:
            raise ServiceUnavailable(
                "Kafka",
                self.servers,
                "the audit trail cannot be written",
                hint="start Kafka (`flink-copilot up`), or pass --no-audit to answer without an audit trail",
            )

    def record(self, event: dict) -> None:
        producer = self._ensure()
        if producer is None:
            return
        event = scrub(event)
        key = str(event.get("conversation_id") or "")
        producer.produce(self.topic, key=key.encode(), value=json.dumps(event, default=str).encode())
        producer.poll(0)
        self.sent += 1

    def flush(self, timeout: float = 5.0) -> None:
        if self._producer is not None:
            left = self._producer.flush(timeout)
            if left:
                log.warning("%d audit event(s) not delivered to %s", left, self.topic)


def read_events(
    n: int = 20,
    *,
    topic: str | None = None,
    servers: str | None = None,
    conversation_id: str | None = None,
    timeout: float = 10.0,
) -> list[dict]:
    """The last `n` audit events (oldest first), optionally of one conversation."""
    from copilot.kafka import clients
    from copilot.kafka.clients import KafkaException, TopicPartition

    topic = topic or settings.get("COPILOT_AUDIT_TOPIC") or "copilot.audit"
    consumer = clients.consumer(
        "flink-copilot-audit-tail",
        {"enable.auto.commit": False, "socket.connection.setup.timeout.ms": int(REACH_TIMEOUT_S * 1000)},
        servers=servers,
        quiet=True,
    )
    servers = servers or kafka_config.bootstrap()
    try:
        try:
            meta = consumer.list_topics(timeout=REACH_TIMEOUT_S)
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", servers, str(exc.args[0]) if exc.args else "") from None
        if topic not in meta.topics:
            return []
        events: list[dict] = []
        for p in meta.topics[topic].partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
            if high <= low:
                continue
            # with a conversation filter, look further back: its events are a subset
            start = max(low, high - (n if conversation_id is None else n * 50))
            consumer.assign([TopicPartition(topic, p, start)])
            remaining = high - start
            while remaining > 0:
                msg = consumer.poll(timeout)
                if msg is None:
                    break
                if msg.error():
                    continue
                remaining -= 1
                try:
                    event = json.loads(msg.value() or b"")
                except (TypeError, ValueError):
                    continue
                offset = msg.offset() or 0
                event["_offset"] = offset
                if conversation_id is None or event.get("conversation_id") == conversation_id:
                    events.append(event)
                if offset >= high - 1:
                    break
        events.sort(key=lambda e: (e.get("time") or 0, e.get("_offset", 0)))
        return events[-n:]
    finally:
        consumer.close()
