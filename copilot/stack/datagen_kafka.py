"""Kafka side of the demo generator: the topics' layout (six JSON topics, two Avro twins) and an idempotent way to create them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from copilot.kafka import clients
from copilot.kafka.admin import replication_factor
from copilot.kafka.clients import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, KafkaException, NewTopic, Producer

log = logging.getLogger("copilot.datagen")

_DAY_MS = 24 * 3600 * 1000
# Append topics keep a day of history, capped per partition so a forgotten demo cannot fill the disk.
_APPEND_CONFIG = {"cleanup.policy": "delete", "retention.ms": str(_DAY_MS), "retention.bytes": str(512 * 1024 * 1024)}
# Upsert topics are compacted; small segments and a low dirty ratio let compaction actually run
# during a demo instead of after the first 1 GiB segment rolls.
_COMPACT_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": str(10 * 60 * 1000),
    "min.cleanable.dirty.ratio": "0.1",
    "delete.retention.ms": str(3600 * 1000),
}


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    changelog: str  # "append" or "upsert"
    partitions: int = 3
    config: dict = field(default_factory=dict)


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec("orders", "order_id", "append", config=_APPEND_CONFIG),
    TopicSpec("payments", "payment_id", "append", config=_APPEND_CONFIG),
    TopicSpec("shipments", "shipment_id", "append", config=_APPEND_CONFIG),
    TopicSpec("page_views", "view_id", "append", config=_APPEND_CONFIG),
    TopicSpec("customers", "customer_id", "upsert", config=_COMPACT_CONFIG),
    TopicSpec("products", "product_id", "upsert", config=_COMPACT_CONFIG),
    # Confluent-framed Avro twins of payments and shipments (copilot/stack/datagen_avro.py)
    TopicSpec("payments_avro", "payment_id", "append", config=_APPEND_CONFIG),
    TopicSpec("shipments_avro", "shipment_id", "append", config=_APPEND_CONFIG),
)
TOPIC_NAMES = tuple(t.name for t in TOPICS)


def admin_client(bootstrap: str) -> AdminClient:
    # librdkafka would print every failed connect to stderr; the generator logs outages itself.
    return clients.admin({"socket.timeout.ms": 5000, "log_level": 0}, servers=bootstrap)


def ensure_topics(admin: AdminClient, timeout: float = 10.0, topics: tuple[TopicSpec, ...] = TOPICS) -> list[str]:
    """Creates missing topics (replicated as COPILOT_KAFKA_REPLICATION_FACTOR says) and repairs the cleanup
    policy of existing ones. Returns the names created.

    Raises KafkaException (or TimeoutError-like KafkaException) when Kafka does not answer; callers retry.
    UsageError when the replication factor setting does not fit the cluster.
    """
    metadata = admin.list_topics(timeout=timeout)
    existing = metadata.topics
    missing = [t for t in topics if t.name not in existing]
    created = []
    if missing:
        factor = replication_factor(len(metadata.brokers))
        futures = admin.create_topics(
            [NewTopic(t.name, num_partitions=t.partitions, replication_factor=factor, config=dict(t.config)) for t in missing],
            operation_timeout=timeout,
            request_timeout=timeout,
        )
        for name, future in futures.items():
            try:
                future.result()
                created.append(name)
            except KafkaException as exc:
                if exc.args[0].name() != "TOPIC_ALREADY_EXISTS":  # another generator won the race
                    raise
    present = [t for t in topics if t.name in existing]
    if present:
        _repair_cleanup_policy(admin, present, timeout)
    return created


def _repair_cleanup_policy(admin: AdminClient, specs: list[TopicSpec], timeout: float) -> None:
    """A topic auto-created by someone else gets our cleanup policy; compaction matters for upserts."""
    resources = [ConfigResource(ConfigResource.Type.TOPIC, t.name) for t in specs]
    described = admin.describe_configs(resources, request_timeout=timeout)
    wanted = {t.name: t.config["cleanup.policy"] for t in specs}
    for resource, future in described.items():
        actual = future.result()["cleanup.policy"].value
        if actual != wanted[resource.name]:
            log.warning("topic %s has cleanup.policy=%s, setting %s", resource.name, actual, wanted[resource.name])
            fix = ConfigResource(
                ConfigResource.Type.TOPIC,
                resource.name,
                incremental_configs=[
                    ConfigEntry("cleanup.policy", wanted[resource.name], incremental_operation=AlterConfigOpType.SET)
                ],
            )
            for f in admin.incremental_alter_configs([fix], request_timeout=timeout).values():
                f.result()


def producer(bootstrap: str, **callbacks) -> Producer:
    """The generator's producer (`callbacks`: error_cb, logger)."""
    return clients.producer(PRODUCER_SETTINGS, servers=bootstrap, **callbacks)


PRODUCER_SETTINGS = {
    "client.id": "flink-copilot-datagen",
    # Batching: ~250 small records/s become a handful of requests/s.
    "linger.ms": 100,
    "batch.num.messages": 10000,
    "compression.type": "lz4",
    "acks": "all",
    # Same partition per key as Java producers (murmur2), so any other writer of these keys agrees.
    "partitioner": "murmur2_random",
    # Topics are created (with the right policy) by us only; after a Kafka wipe we must notice.
    "allow.auto.create.topics": False,
    # Keep retrying through a short Kafka restart; give up on a record only after 2 minutes.
    "message.timeout.ms": 120_000,
    "reconnect.backoff.max.ms": 2000,
    "queue.buffering.max.messages": 200_000,
}
