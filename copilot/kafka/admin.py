"""Topic administration shared by jobs, audit, the service and sync: bounded waits, clear errors."""

from __future__ import annotations

from copilot.errors import ServiceUnavailable
from copilot.kafka import clients
from copilot.kafka.clients import AdminClient, KafkaException, NewTopic
from copilot.kafka.config import bootstrap

__all__ = ["TIMEOUT_S", "admin", "bootstrap", "delete_topic", "ensure_topic", "topic_names"]

TIMEOUT_S = 10.0


def admin(servers: str | None = None) -> AdminClient:
    return clients.admin({"socket.timeout.ms": 5000}, servers=servers)


def topic_names(client: AdminClient | None = None, servers: str | None = None) -> set[str]:
    client = client or admin(servers)
    try:
        return set(client.list_topics(timeout=TIMEOUT_S).topics)
    except KafkaException as exc:
        raise ServiceUnavailable("Kafka", servers or bootstrap(), str(exc.args[0]) if exc.args else "") from None


def ensure_topic(name: str, *, partitions: int = 1, compacted: bool = False, servers: str | None = None) -> bool:
    """Create the topic unless it exists. True if it was created."""
    client = admin(servers)
    if name in topic_names(client, servers):
        return False
    config = {"cleanup.policy": "compact"} if compacted else {}
    futures = client.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1, config=config)])
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
