"""The workers as Kafka sees them: members of the consumer group, their partitions, and the lag."""

from __future__ import annotations

from typing import Any

from copilot.kafka import admin as kadmin, clients
from copilot.kafka.clients import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from copilot.service import events


def workers(servers: str | None = None, timeout: float = 5.0) -> dict:
    """{group, state, members: [{worker_id, host, partitions}], lag, partitions: [{partition, committed, end, lag}]}."""
    servers = servers or kadmin.bootstrap()
    group, topic = events.group_id(), events.questions_topic()
    client = clients.admin({"socket.timeout.ms": int(timeout * 1000)}, servers=servers)
    out: dict[str, Any] = {"group": group, "topic": topic, "state": "unknown", "members": [], "lag": None, "partitions": []}
    try:
        described = client.describe_consumer_groups([group], request_timeout=timeout)[group].result()
        out["state"] = str(described.state).rsplit(".", 1)[-1]
        for m in described.members:
            parts = sorted(tp.partition for tp in (m.assignment.topic_partitions if m.assignment else []) if tp.topic == topic)
            out["members"].append({"worker_id": m.client_id, "host": m.host, "partitions": parts})
        meta = client.list_topics(topic, timeout=timeout)
        if topic not in meta.topics or meta.topics[topic].error is not None:
            return out
        offsets = client.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=timeout)[
            group
        ].result()
        committed = {tp.partition: tp.offset for tp in offsets.topic_partitions if tp.topic == topic}
        probe = clients.consumer(f"{group}-status-probe", {"enable.auto.commit": False}, servers=servers)
        try:
            total = 0
            for p in sorted(meta.topics[topic].partitions):
                _low, end = probe.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
                done = max(committed.get(p, 0), 0)
                out["partitions"].append({"partition": p, "committed": done, "end": end, "lag": max(0, end - done)})
                total += max(0, end - done)
            out["lag"] = total
        finally:
            probe.close()
    except KafkaException as exc:
        out["error"] = str(exc.args[0]) if exc.args else str(exc)
    return out


def format_workers(state: dict) -> str:
    lines = [
        f"workers (group {state['group']}, {state['state']}): {len(state['members'])} member(s), "
        f"lag {state['lag'] if state['lag'] is not None else '?'} question(s) on {state['topic']}"
    ]
    lines += [f"  {m['worker_id']:<36} {m['host']:<20} partitions {m['partitions']}" for m in state["members"]]
    if state.get("error"):
        lines.append(f"  error: {state['error']}")
    return "\n".join(lines)
