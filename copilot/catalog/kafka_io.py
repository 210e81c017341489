"""Kafka access for the catalog: list topics with their configs, and read the latest records of a topic."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from copilot import settings
from copilot.errors import RequestError, ServiceUnavailable

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 8.0


@dataclass
class TopicInfo:
    name: str
    partitions: int
    compacted: bool


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    timestamp_ms: int
    partition: int
    offset: int


def _bootstrap(bootstrap: str | None) -> str:
    return bootstrap or settings.get("KAFKA_BOOTSTRAP") or "localhost:9092"


def _quiet_config(bootstrap: str) -> dict:
    # Fail fast and quietly: librdkafka would otherwise retry and log connection errors forever.
    return {"bootstrap.servers": bootstrap, "socket.connection.setup.timeout.ms": 5000, "log_level": 0, "logger": logging.getLogger("librdkafka")}


def list_topics(bootstrap: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> list[TopicInfo]:
    """Every topic with its partition count and whether it is compacted; ServiceUnavailable if Kafka does not answer."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, ConfigResource

    address = _bootstrap(bootstrap)
    admin = AdminClient(_quiet_config(address))
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise ServiceUnavailable("Kafka", address, str(exc.args[0] if exc.args else exc)) from None
    names = sorted(metadata.topics)
    compacted: dict[str, bool] = {}
    if names:
        resources = [ConfigResource(ConfigResource.Type.TOPIC, n) for n in names]
        futures = admin.describe_configs(resources, request_timeout=timeout)
        for resource, future in futures.items():
            try:
                config = future.result(timeout=timeout)
                policy = config.get("cleanup.policy")
                compacted[resource.name] = bool(policy and "compact" in (policy.value or ""))
            except Exception as exc:  # a topic deleted meanwhile, or no permission: treat as not compacted
                log.info("cannot read config of %s: %s", resource.name, exc)
                compacted[resource.name] = False
    return [TopicInfo(n, len(metadata.topics[n].partitions), compacted.get(n, False)) for n in names]


def latest_records(topic: str, count: int, *, bootstrap: str | None = None, timeout: float = 5.0) -> list[Record]:
    """Up to `count` of the newest records of `topic` (newest first), reading for at most `timeout` seconds."""
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

    address = _bootstrap(bootstrap)
    config = _quiet_config(address) | {
        "group.id": f"copilot.catalog-sample-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    }
    consumer = Consumer(config)
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=CONNECT_TIMEOUT_S)
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", address, str(exc.args[0] if exc.args else exc)) from None
        info = metadata.topics.get(topic)
        if info is None or info.error is not None or not info.partitions:
            raise RequestError(f"Kafka has no topic {topic!r}", hint="check the name with `flink-copilot catalog sync`")
        assignments = []
        for p in info.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=CONNECT_TIMEOUT_S)
            if high > low:
                assignments.append(TopicPartition(topic, p, max(low, high - count)))
        if not assignments or count <= 0:
            return []
        consumer.assign(assignments)
        pending = {tp.partition for tp in assignments}
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=500, timeout=0.2):
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        pending.discard(msg.partition())
                    continue
                records.append(Record(msg.key(), msg.value(), msg.timestamp()[1], msg.partition(), msg.offset()))
        records.sort(key=lambda r: (r.timestamp_ms, r.offset), reverse=True)
        return records[:count]
    finally:
        consumer.close()
