"""Helpers the live-stack tests share: reading a topic as a read_committed consumer, waiting for a condition,
checking many statements through several gateway sessions."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

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


def in_gateway_sessions(items: list, check, sessions: int = 4) -> list:
    """`check(item, gateway)` for every item, the items shared among `sessions` gateway sessions (the gateway
    plans statements in parallel; one session spends most of its time waiting on each reply). Results in order."""
    from copilot.flink.gateway import GatewayClient

    gateways = [GatewayClient() for _ in range(sessions)]

    def run_share(k: int) -> list:
        return [(i, check(items[i], gateways[k])) for i in range(k, len(items), sessions)]

    try:
        with ThreadPoolExecutor(sessions) as pool:
            done = dict(pair for share in pool.map(run_share, range(sessions)) for pair in share)
    finally:
        for gateway in gateways:
            gateway.close()
    return [done[i] for i in range(len(items))]
