"""The latest records of a Kafka topic, read straight from its partitions' ends (no consumer group)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from copilot import settings
from copilot.errors import RequestError, ServiceUnavailable


def latest_records(topic: str, n: int = 10, *, timeout: float = 5.0, key: str | None = None,
                   bootstrap: str | None = None) -> list[dict[str, Any]]:
    """Up to `n` newest records of `topic`, newest first: {partition, offset, timestamp, key, value}.
    Values that are JSON are decoded. With `key`, only records with that key (reads further back)."""
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

    servers = bootstrap or settings.get("KAFKA_BOOTSTRAP")
    consumer = Consumer({"bootstrap.servers": servers, "group.id": f"copilot-ui-sample-{uuid.uuid4().hex[:8]}",
                         "enable.auto.commit": False, "socket.timeout.ms": int(timeout * 1000),
                         "enable.partition.eof": True, "session.timeout.ms": 6000})
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=timeout)
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", servers, str(exc)) from None
        partitions = metadata.topics.get(topic)
        if partitions is None or partitions.error is not None or not partitions.partitions:
            raise RequestError(f"topic {topic!r} does not exist in Kafka at {servers}",
                               hint="the demo generator creates the demo topics; run `flink-copilot up`")
        per_partition = n if key is None else max(n * 50, 500)
        assignment, remaining = [], set()
        for p in partitions.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
            if high > low:
                assignment.append(TopicPartition(topic, p, max(low, high - per_partition)))
                remaining.add(p)
        if not assignment:
            return []
        consumer.assign(assignment)
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while remaining and time.monotonic() < deadline:
            for msg in consumer.consume(500, timeout=0.2):
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        remaining.discard(msg.partition())
                    continue
                record_key = msg.key().decode("utf-8", "replace") if msg.key() is not None else None
                if key is not None and record_key != key:
                    continue
                records.append({"partition": msg.partition(), "offset": msg.offset(),
                                "timestamp": msg.timestamp()[1] / 1000 if msg.timestamp()[1] > 0 else None,
                                "key": record_key, "value": _decode(msg.value())})
        records.sort(key=lambda r: (r["timestamp"] or 0, r["offset"]), reverse=True)
        return records[:n]
    finally:
        consumer.close()


def _decode(raw: bytes | None) -> Any:
    if raw is None:
        return None  # a tombstone
    if raw[:1] == b"\x00" and len(raw) > 5:  # Confluent wire format: magic byte 0, schema id, Avro body
        record = _decode_confluent_avro(raw)
        if record is not None:
            return record
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


_WRITER_SCHEMAS: dict[tuple[str, int], Any] = {}


def _decode_confluent_avro(raw: bytes) -> dict[str, Any] | None:
    """A Confluent-framed Avro record as a dict (decimals and timestamps as text), read with the writer's
    schema from the Schema Registry; None when there is no registry or the bytes are not such a record."""
    import io
    from datetime import datetime
    from decimal import Decimal

    from fastavro import parse_schema, schemaless_reader

    from copilot.catalog.registry import SchemaRegistry

    url = settings.schema_registry_url()
    if not url:
        return None
    schema_id = int.from_bytes(raw[1:5], "big")
    parsed = _WRITER_SCHEMAS.get((url, schema_id))
    try:
        if parsed is None:
            schema = SchemaRegistry(url, timeout=3.0).schema_by_id(schema_id)
            if schema is None:
                return None
            parsed = _WRITER_SCHEMAS[(url, schema_id)] = parse_schema(schema)
        record = schemaless_reader(io.BytesIO(raw[5:]), parsed)
    except Exception:  # noqa: BLE001 - not Avro after all, or the registry is away: shown as text
        return None
    if not isinstance(record, dict):
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v)
            for k, v in record.items()}


def flatten(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per record for a table: JSON object fields become columns."""
    rows = []
    for r in records:
        row = {"time": r["timestamp"], "key": r["key"]}
        if isinstance(r["value"], dict):
            row.update({k: (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in r["value"].items()})
        else:
            row["value"] = r["value"]
        rows.append(row)
    return rows
