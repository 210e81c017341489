"""Producer, consumer and admin factories: every Kafka client of the product is built here, from
copilot.kafka.config. The confluent_kafka types the rest of the product names (TopicPartition,
KafkaException, ...) are re-exported from this module, so nothing outside copilot/kafka imports
confluent_kafka (tests/kafka/test_one_adapter.py checks it)."""

from __future__ import annotations

import uuid
from typing import Any

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ClusterMetadata, ConfigEntry, ConfigResource, NewTopic

from copilot.kafka.config import client_config

__all__ = [
    "AdminClient",
    "AlterConfigOpType",
    "ClusterMetadata",
    "ConfigEntry",
    "ConfigResource",
    "Consumer",
    "ConsumerGroupTopicPartitions",
    "KafkaError",
    "KafkaException",
    "Message",
    "NewTopic",
    "OFFSET_BEGINNING",
    "PARTITION_EOF",
    "Producer",
    "TopicPartition",
    "admin",
    "consumer",
    "error_text",
    "producer",
    "unique_group",
]

PARTITION_EOF = KafkaError._PARTITION_EOF
OFFSET_BEGINNING = -2


def producer(
    extra: dict[str, Any] | None = None, *, servers: str | None = None, quiet: bool = False, **callbacks: Any
) -> Producer:
    """A producer of the cluster at `servers` (None: KAFKA_BOOTSTRAP). `callbacks`: error_cb and the like."""
    return Producer(client_config(servers, extra, quiet=quiet), **callbacks)


def consumer(
    group_id: str, extra: dict[str, Any] | None = None, *, servers: str | None = None, quiet: bool = False, **callbacks: Any
) -> Consumer:
    """A consumer in group `group_id` (use unique_group() for one that only reads assigned partitions)."""
    return Consumer(client_config(servers, {"group.id": group_id, **(extra or {})}, quiet=quiet), **callbacks)


def admin(extra: dict[str, Any] | None = None, *, servers: str | None = None, quiet: bool = False) -> AdminClient:
    return AdminClient(client_config(servers, extra, quiet=quiet))


def unique_group(prefix: str) -> str:
    """A consumer group id of its own (librdkafka wants one even for assign-only readers)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_text(exc: BaseException) -> str:
    """The message of a KafkaException (its KafkaError's text), else str(exc)."""
    args = getattr(exc, "args", ())
    return str(args[0]) if args else str(exc)
