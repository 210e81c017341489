"""Kafka access for the catalog: list topics with their configs, and read the latest records of a topic."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from copilot.errors import ServiceUnavailable
from copilot.kafka import config as kafka_config, sample

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 8.0


@dataclass
class TopicInfo:
    name: str
    partitions: int
    compacted: bool


Record = sample.Record  # key, value, timestamp_ms, partition, offset


def list_topics(bootstrap: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> list[TopicInfo]:
    """Every topic with its partition count and whether it is compacted; ServiceUnavailable if Kafka does not answer."""
    from copilot.kafka import clients  # confluent_kafka loads on first use

    address = bootstrap or kafka_config.bootstrap()
    admin = clients.admin({"socket.connection.setup.timeout.ms": 5000}, servers=bootstrap, quiet=True)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except clients.KafkaException as exc:
        raise ServiceUnavailable("Kafka", address, clients.error_text(exc)) from None
    names = sorted(metadata.topics)
    compacted: dict[str, bool] = {}
    if names:
        resources = [clients.ConfigResource(clients.ConfigResource.Type.TOPIC, n) for n in names]
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
    return sample.latest_records(
        topic,
        count,
        servers=bootstrap,
        timeout=timeout,
        connect_timeout=CONNECT_TIMEOUT_S,
        group_prefix="copilot.catalog-sample",
        missing_hint="check the name with `flink-copilot catalog sync`",
    )
