"""A client of the agent workers: publish a question event, wait for the answer event with its id."""

from __future__ import annotations

import json
import threading
import time

from copilot import settings
from copilot.capabilities.events import QuestionBus
from copilot.errors import ServiceUnavailable
from copilot.kafka import admin as kadmin, clients
from copilot.kafka.clients import KafkaException, TopicPartition
from copilot.service import events


class NoAnswer(ServiceUnavailable):
    """No worker answered in time: exit 3, naming the topic the question waits on."""


class ServiceClient(QuestionBus):
    """One consumer on the answers topic, positioned at its end before any question is published, so no
    answer can slip past; answers for other questions are kept until asked for (thread-safe)."""

    def __init__(self, servers: str | None = None, timeout: float | None = None):
        self.servers = servers or kadmin.bootstrap()
        self.timeout = timeout if timeout is not None else float(settings.get("COPILOT_SERVICE_TIMEOUT") or 30)
        self.questions, self.answers = events.questions_topic(), events.answers_topic()
        events.ensure_topics(self.servers)
        self._producer = clients.producer({"acks": "all", "enable.idempotence": True, "linger.ms": 0}, servers=self.servers)
        self._consumer = clients.consumer(
            "copilot-service-client",
            {
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "fetch.wait.max.ms": 5,
                "fetch.error.backoff.ms": 5,
            },
            servers=self.servers,
        )
        self._lock = threading.Lock()
        self._arrived: dict[str, dict] = {}
        try:
            meta = self._consumer.list_topics(timeout=kadmin.TIMEOUT_S)
            self.partitions = len(meta.topics[self.questions].partitions)
            self._consumer.assign([TopicPartition(self.answers, p, self._end(p)) for p in meta.topics[self.answers].partitions])
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", self.servers, str(exc.args[0]) if exc.args else "") from None

    def _end(self, partition: int) -> int:
        """The partition's end offset; a topic created a moment ago may not have its leader yet."""
        deadline = time.monotonic() + kadmin.TIMEOUT_S
        while True:
            try:
                return self._consumer.get_watermark_offsets(TopicPartition(self.answers, partition), timeout=kadmin.TIMEOUT_S)[1]
            except KafkaException as exc:
                error = exc.args[0] if exc.args else None
                if time.monotonic() > deadline or not (
                    getattr(error, "retriable", lambda: False)() or "LEADER" in str(error) or "UNKNOWN_TOPIC" in str(error)
                ):
                    raise
                time.sleep(0.2)

    def publish(self, question: events.Question) -> None:
        errors: list = []
        self._producer.produce(
            self.questions,
            key=question.conversation_id.encode(),
            value=question.to_bytes(),
            partition=events.partition_for(question.conversation_id, self.partitions),
            on_delivery=lambda err, _m: errors.append(err) if err else None,
        )
        if self._producer.flush(kadmin.TIMEOUT_S) or errors:
            raise ServiceUnavailable("Kafka", self.servers, f"could not publish to {self.questions}: {errors or 'timeout'}")

    def wait(self, question_id: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            with self._lock:
                if question_id in self._arrived:
                    return self._arrived.pop(question_id)
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                for msg in self._consumer.consume(100, min(left, 0.05)):
                    if msg.error():
                        continue
                    try:
                        event = json.loads(msg.value() or b"")
                    except (TypeError, ValueError):
                        continue
                    if isinstance(event, dict) and event.get("question_id"):
                        self._arrived[event["question_id"]] = event
                while len(self._arrived) > 10_000:  # answers nobody here waits for
                    self._arrived.pop(next(iter(self._arrived)))
        raise NoAnswer(
            "copilot workers",
            f"topic {self.questions} on {self.servers}",
            f"no worker answered question {question_id} within {self.timeout if timeout is None else timeout:.0f}s",
            hint=f"start workers with `flink-copilot serve` (consumer group {events.group_id()}), "
            "or unset COPILOT_SERVICE to answer in process",
        )

    def ask(self, question: events.Question, timeout: float | None = None) -> dict:
        self.publish(question)
        return self.wait(question.question_id, timeout)

    def close(self) -> None:
        self._consumer.close()
        self._producer.flush(1)
