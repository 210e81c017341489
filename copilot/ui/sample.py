"""The latest records of a Kafka topic, read straight from its partitions' ends (no consumer group)."""

from __future__ import annotations

import json
from typing import Any

from copilot import settings
from copilot.kafka import sample


def latest_records(
    topic: str, n: int = 10, *, timeout: float = 5.0, key: str | None = None, bootstrap: str | None = None
) -> list[dict[str, Any]]:
    """Up to `n` newest records of `topic`, newest first: {partition, offset, timestamp, key, value}.
    Values that are JSON are decoded. With `key`, only records with that key (reads further back)."""
    records = sample.latest_records(
        topic,
        n,
        servers=bootstrap,
        timeout=timeout,
        group_prefix="copilot-ui-sample",
        per_partition=n if key is None else max(n * 50, 500),
        key=None if key is None else key.encode("utf-8"),
        missing_hint="the demo generator creates the demo topics; run `flink-copilot up`",
    )
    return [
        {
            "partition": r.partition,
            "offset": r.offset,
            "timestamp": r.timestamp_ms / 1000 if r.timestamp_ms > 0 else None,
            "key": r.key.decode("utf-8", "replace") if r.key is not None else None,
            "value": _decode(r.value),
        }
        for r in records
    ]


def _decode(raw: bytes | None) -> Any:
    if raw is not None and raw[:1] == b"\x00" and len(raw) > 5:  # Confluent wire format: magic byte 0, schema id, Avro body
        record = _decode_confluent_avro(raw)
        if record is not None:
            return record
    return sample.decode_value(raw)  # JSON, else text; a tombstone is None


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
    return {k: (v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v) for k, v in record.items()}


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
