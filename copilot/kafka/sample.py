"""The one sampling function: the newest records of a topic, read straight from its partitions' ends
with an assign-only consumer (no committed offsets, no consumer group membership). The catalog samples
records to infer schemas with it, the app shows a topic's latest records with it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from copilot.errors import RequestError, ServiceUnavailable
from copilot.kafka.config import bootstrap


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    timestamp_ms: int  # Kafka record time; <= 0 when the record has none
    partition: int
    offset: int

    def to_dict(self, *, position: bool = True) -> dict[str, Any]:
        """{key, value, timestamp_ms[, partition, offset]} with key and value decoded (decode_value)."""
        out = {"key": decode_value(self.key), "value": decode_value(self.value), "timestamp_ms": self.timestamp_ms}
        if position:
            out.update(partition=self.partition, offset=self.offset)
        return out


def decode_value(raw: bytes | None) -> Any:
    """A record's key or value for people: the JSON it holds, else its text; None (a tombstone) stays None."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def latest_records(
    topic: str,
    count: int,
    *,
    servers: str | None = None,
    timeout: float = 5.0,
    connect_timeout: float | None = None,
    per_partition: int | None = None,
    key: bytes | None = None,
    group_prefix: str = "copilot.sample",
    missing_hint: str | None = None,
) -> list[Record]:
    """Up to `count` of the newest records of `topic`, newest first (by record time, then offset).

    Each partition is read from `per_partition` (default `count`) records before its end up to its end,
    for at most `timeout` seconds. With `key`, only records with that key are kept (pass a larger
    `per_partition` to look further back). `connect_timeout` bounds the metadata and watermark requests
    (default `timeout`). ServiceUnavailable when Kafka does not answer; RequestError when the topic is
    not there."""
    from copilot.kafka import clients  # confluent_kafka loads on first use: commands that never sample start faster

    address = servers or bootstrap()
    connect_timeout = timeout if connect_timeout is None else connect_timeout
    reach = {
        "socket.connection.setup.timeout.ms": int(min(connect_timeout, 5.0) * 1000),
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    }
    consumer = clients.consumer(clients.unique_group(group_prefix), reach, servers=servers, quiet=True)
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=connect_timeout)
        except clients.KafkaException as exc:
            raise ServiceUnavailable("Kafka", address, clients.error_text(exc)) from None
        info = metadata.topics.get(topic)
        if info is None or info.error is not None or not info.partitions:
            raise RequestError(f"topic {topic!r} does not exist in Kafka at {address}", hint=missing_hint)
        if count <= 0:
            return []
        depth = count if per_partition is None else per_partition
        assignment = []
        for p in sorted(info.partitions):
            low, high = consumer.get_watermark_offsets(clients.TopicPartition(topic, p), timeout=connect_timeout)
            if high > low:
                assignment.append(clients.TopicPartition(topic, p, max(low, high - depth)))
        if not assignment:
            return []
        consumer.assign(assignment)
        pending = {tp.partition for tp in assignment}
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=500, timeout=0.2):
                error, partition, offset = msg.error(), msg.partition(), msg.offset()
                if error is not None:
                    if error.code() == clients.PARTITION_EOF and partition is not None:
                        pending.discard(partition)
                    continue
                if partition is None or offset is None or (key is not None and msg.key() != key):
                    continue
                records.append(Record(msg.key(), msg.value(), msg.timestamp()[1], partition, offset))
        records.sort(key=lambda r: (max(r.timestamp_ms, 0), r.offset), reverse=True)
        return records[:count]
    finally:
        consumer.close()
