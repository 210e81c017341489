"""Topic administration shared by jobs, audit, the service and sync: bounded waits, clear errors."""

from __future__ import annotations

from copilot import settings
from copilot.errors import ServiceUnavailable, UsageError
from copilot.kafka import clients
from copilot.kafka.clients import AdminClient, ClusterMetadata, KafkaException, NewTopic
from copilot.kafka.config import bootstrap

__all__ = [
    "REPLICATION_SETTING",
    "TIMEOUT_S",
    "admin",
    "bootstrap",
    "delete_topic",
    "ensure_topic",
    "replication_factor",
    "topic_names",
]

TIMEOUT_S = 10.0
REPLICATION_SETTING = "COPILOT_KAFKA_REPLICATION_FACTOR"
# "auto" replicates to at most this many brokers (Kafka's usual production factor)
AUTO_REPLICATION_MAX = 3


def admin(servers: str | None = None) -> AdminClient:
    return clients.admin({"socket.timeout.ms": 5000}, servers=servers)


def replication_factor(brokers: int, servers: str | None = None) -> int:
    """The replication factor of a topic the product creates on a cluster that reports `brokers` brokers:
    COPILOT_KAFKA_REPLICATION_FACTOR, "auto" meaning min(3, brokers). UsageError (naming the setting) for a
    value that is not a positive whole number or that is larger than the broker count. Every topic the
    product creates gets its factor here."""
    value = (settings.get(REPLICATION_SETTING) or "auto").strip().lower()
    where = servers or bootstrap()
    if value == "auto":
        return max(1, min(AUTO_REPLICATION_MAX, brokers))
    try:
        factor = int(value)
    except ValueError:
        factor = 0
    if factor < 1:
        raise UsageError(
            f"setting {REPLICATION_SETTING}={value!r} is neither auto nor a positive whole number",
            hint=f"set {REPLICATION_SETTING} to auto or to a number of brokers such as 1 or 3",
        )
    if factor > brokers:
        raise UsageError(
            f"setting {REPLICATION_SETTING}={factor} asks for more replicas than the Kafka cluster at {where} "
            f"has brokers ({brokers})",
            hint=f"set {REPLICATION_SETTING} to auto or to at most {brokers}",
        )
    return factor


def _metadata(client: AdminClient, servers: str | None) -> ClusterMetadata:
    try:
        return client.list_topics(timeout=TIMEOUT_S)
    except KafkaException as exc:
        raise ServiceUnavailable("Kafka", servers or bootstrap(), str(exc.args[0]) if exc.args else "") from None


def topic_names(client: AdminClient | None = None, servers: str | None = None) -> set[str]:
    return set(_metadata(client or admin(servers), servers).topics)


def ensure_topic(name: str, *, partitions: int = 1, compacted: bool = False, servers: str | None = None) -> bool:
    """Create the topic unless it exists. True if it was created."""
    client = admin(servers)
    metadata = _metadata(client, servers)
    if name in metadata.topics:
        return False
    factor = replication_factor(len(metadata.brokers), servers)
    config = {"cleanup.policy": "compact"} if compacted else {}
    futures = client.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=factor, config=config)])
    try:
        futures[name].result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        if "TOPIC_ALREADY_EXISTS" in str(exc):
            return False
        raise ServiceUnavailable("Kafka", servers or bootstrap(), f"creating topic {name}: {exc}") from None
    return True


def delete_topic(name: str, servers: str | None = None) -> None:
    """Delete `name`; a topic that does not exist is not an error."""
    client = admin(servers)  # held until the result arrives: a collected client cancels the request
    futures = client.delete_topics([name])
    try:
        futures[name].result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        if "UNKNOWN_TOPIC" not in str(exc):
            raise ServiceUnavailable("Kafka", servers or bootstrap(), f"deleting topic {name}: {exc}") from None
