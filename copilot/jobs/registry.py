"""The registry of saved jobs: a compacted Kafka topic keyed by job name, so every machine running
the product sees the same jobs (no local-only state)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from copilot import settings
from copilot.errors import ServiceUnavailable
from copilot.kafka import admin as kadmin, clients
from copilot.kafka.clients import KafkaException, TopicPartition


@dataclass
class SavedJob:
    name: str
    sql: str
    output_topic: str
    changelog: str = "append"  # of the output topic
    primary_key: list[str] = field(default_factory=list)
    flink_job_id: str | None = None
    desired_state: str = "running"  # running | stopped
    savepoint: str | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    kind: str = "job"  # job | watch
    delivery: str = "exactly-once"  # of the sink: exactly-once (transactions) | at-least-once (an upsert sink)
    meta: dict = field(default_factory=dict)  # what made it: a watch's question, condition, question id, worker id

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "SavedJob":
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class JobRegistry:
    def __init__(self, topic: str | None = None, servers: str | None = None):
        self.topic = topic or settings.get("COPILOT_JOBS_TOPIC") or "copilot.jobs"
        self.servers = servers or kadmin.bootstrap()
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            kadmin.ensure_topic(self.topic, partitions=1, compacted=True, servers=self.servers)
            self._ready = True

    def put(self, job: SavedJob) -> None:
        self._write(job.name, job.to_json().encode())

    def delete(self, name: str) -> None:
        self._write(name, None)

    def _write(self, key: str, value: bytes | None) -> None:
        self._ensure()
        producer = clients.producer(
            {"acks": "all", "enable.idempotence": True, "message.timeout.ms": 10000}, servers=self.servers
        )
        errors: list[str] = []
        producer.produce(
            self.topic, key=key.encode(), value=value, on_delivery=lambda err, _msg: errors.append(str(err)) if err else None
        )
        if producer.flush(12) > 0 or errors:
            raise ServiceUnavailable(
                "Kafka", self.servers, f"could not record job {key!r} in {self.topic}: {errors or 'timeout'}"
            )

    def all(self) -> dict[str, SavedJob]:
        """Read the registry from the beginning up to its current end."""
        self._ensure()
        consumer = clients.consumer(
            clients.unique_group("copilot-registry"),
            {
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "session.timeout.ms": 6000,
            },
            servers=self.servers,
        )
        jobs: dict[str, SavedJob] = {}
        try:
            low, high = consumer.get_watermark_offsets(TopicPartition(self.topic, 0), timeout=kadmin.TIMEOUT_S)
            if high <= low:
                return jobs
            consumer.assign([TopicPartition(self.topic, 0, low)])
            deadline = time.monotonic() + kadmin.TIMEOUT_S
            position = low
            while position < high and time.monotonic() < deadline:
                msg = consumer.poll(0.5)
                if msg is None or msg.error() or msg.offset() is None:
                    continue
                position = (msg.offset() or 0) + 1
                key, value = msg.key(), msg.value()
                if key is None:
                    continue  # not a job record
                name = key.decode()
                if value is None:
                    jobs.pop(name, None)
                else:
                    try:
                        jobs[name] = SavedJob.from_json(value)
                    except (ValueError, TypeError):
                        continue
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", self.servers, str(exc)) from None
        finally:
            consumer.close()
        return jobs

    def get(self, name: str) -> SavedJob | None:
        return self.all().get(name)
