"""Helpers the live-stack tests share: reading a topic as a read_committed consumer, waiting for a condition."""

from __future__ import annotations

import json
import time
import uuid

from confluent_kafka import Consumer, TopicPartition


def read_committed(bootstrap: str, topic: str, partition: int = 0, timeout: float = 20.0) -> list[dict]:
    """Every committed JSON record of one partition, from the start to the current end."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        _low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        consumer.assign([TopicPartition(topic, partition, 0)])
        records, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                if consumer.position([TopicPartition(topic, partition)])[0].offset >= high:
                    break
                continue
            if not msg.error() and msg.value():
                records.append(json.loads(msg.value()))
        return records
    finally:
        consumer.close()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.5):
    """The first truthy value of `predicate()` within `timeout` seconds, else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
