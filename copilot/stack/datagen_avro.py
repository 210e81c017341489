"""Avro twins of two demo topics: `payments_avro` and `shipments_avro` carry the same records as `payments`
and `shipments`, as Confluent-framed Avro (magic byte 0, the 4-byte schema id, the Avro binary body) with
their schemas registered in the Schema Registry under `<topic>-value`.

A schema evolution is part of the demo: `EVOLVE_AFTER_SECONDS` into a run, `payments_avro` moves to
version 2, which adds the optional field `risk_score` (null in version 1 records), so a job that keeps
running sees records under two schema versions.
"""

from __future__ import annotations

import io
import json
import logging
import struct
import time
import zlib
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
from fastavro import parse_schema, schemaless_writer

log = logging.getLogger("copilot.datagen")

EVOLVE_AFTER_SECONDS = 60.0
TWINS = {"payments": "payments_avro", "shipments": "shipments_avro"}
AVRO_TOPIC_NAMES = tuple(TWINS.values())

_MONEY = {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}
_TIME = {"type": "long", "logicalType": "timestamp-millis"}

PAYMENT_V1: dict[str, Any] = {
    "type": "record",
    "name": "Payment",
    "namespace": "shop.demo",
    "doc": "One payment attempt for an order (Avro twin of the payments topic).",
    "fields": [
        {"name": "payment_id", "type": "string", "doc": "Unique id of the payment attempt."},
        {"name": "order_id", "type": "string", "doc": "The order being paid."},
        {"name": "method", "type": "string", "doc": "Payment method the customer chose."},
        {"name": "amount", "type": _MONEY, "doc": "Amount charged (or refunded) in the payment's currency."},
        {"name": "currency", "type": "string", "doc": "Currency of the payment."},
        {"name": "status", "type": "string", "doc": "Outcome: authorized, declined or refunded."},
        {"name": "payment_time", "type": _TIME, "doc": "When the payment attempt happened."},
    ],
}
# Version 2: one optional field more; version 1 records read as risk_score = NULL.
PAYMENT_V2 = {
    **PAYMENT_V1,
    "fields": PAYMENT_V1["fields"]
    + [
        {
            "name": "risk_score",
            "type": ["null", "double"],
            "default": None,
            "doc": "Fraud risk score from 0 (safe) to 1 reported by the payment provider; absent before schema version 2.",
        },
    ],
}
SHIPMENT_V1: dict[str, Any] = {
    "type": "record",
    "name": "Shipment",
    "namespace": "shop.demo",
    "doc": "One status change of a parcel (Avro twin of the shipments topic).",
    "fields": [
        {"name": "shipment_id", "type": "string", "doc": "Unique id of the parcel."},
        {"name": "order_id", "type": "string", "doc": "The order the parcel belongs to."},
        {"name": "carrier", "type": "string", "doc": "Delivery company."},
        {"name": "warehouse", "type": "string", "doc": "Warehouse the parcel ships from."},
        {"name": "status", "type": "string", "doc": "created, in_transit, delivered or lost."},
        {"name": "shipment_time", "type": _TIME, "doc": "When the status changed."},
    ],
}


def subject(topic: str) -> str:
    return f"{topic}-value"


def register(client: httpx.Client, topic: str, schema: dict) -> int:
    """Register `schema` under `<topic>-value` (idempotent: a known schema returns its id)."""
    response = client.post(
        f"/subjects/{subject(topic)}/versions",
        json={"schema": json.dumps(schema)},
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
    )
    if response.status_code >= 400:
        raise RuntimeError(f"registering {subject(topic)} failed: HTTP {response.status_code} {response.text[:300]}")
    return int(response.json()["id"])


def frame(schema_id: int, parsed_schema, record: dict) -> bytes:
    """Confluent wire format: magic byte 0, big-endian schema id, then the Avro binary encoding."""
    buffer = io.BytesIO()
    buffer.write(struct.pack(">bI", 0, schema_id))
    schemaless_writer(buffer, parsed_schema, record)
    return buffer.getvalue()


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


class AvroTwins:
    """Registers the twins' schemas and turns a JSON-topic record into its Avro twin's bytes."""

    def __init__(self, registry_url: str, *, clock=time.time, evolve_after: float = EVOLVE_AFTER_SECONDS, timeout: float = 10.0):
        self.url = registry_url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=timeout)
        self.clock = clock
        self.evolve_at: float | None = None
        self.evolve_after = evolve_after
        self.evolved = False
        self.schemas: dict[str, tuple[int, Any]] = {}

    def register_initial(self) -> None:
        """Version 1 of both subjects (raises httpx.HTTPError / RuntimeError while the registry is away)."""
        for topic, schema in (("payments_avro", PAYMENT_V1), ("shipments_avro", SHIPMENT_V1)):
            self.schemas[topic] = (register(self.client, topic, schema), parse_schema(schema))
        self.evolve_at = self.clock() + self.evolve_after
        self.evolved = False

    def _maybe_evolve(self) -> None:
        if self.evolved or self.evolve_at is None or self.clock() < self.evolve_at:
            return
        self.evolved = True  # once per run, also when the registry refuses (then version 1 goes on)
        try:
            self.schemas["payments_avro"] = (register(self.client, "payments_avro", PAYMENT_V2), parse_schema(PAYMENT_V2))
            log.info("payments_avro: schema evolved to version 2 (new optional field risk_score)")
        except (httpx.HTTPError, RuntimeError) as exc:
            log.warning("payments_avro: could not register schema version 2 (%s); staying on version 1", exc)

    def twin(self, topic: str, record: dict) -> tuple[str, bytes] | None:
        """(twin topic, Confluent-framed Avro value) for a record of `payments` or `shipments`, else None."""
        twin_topic = TWINS.get(topic)
        if twin_topic is None or twin_topic not in self.schemas:
            return None
        self._maybe_evolve()
        schema_id, parsed = self.schemas[twin_topic]
        if twin_topic == "payments_avro":
            value = {**record, "amount": _money(record["amount"]), "payment_time": _instant(record["payment_time"])}
            if self.evolved and len(parsed["fields"]) > len(PAYMENT_V1["fields"]):
                value["risk_score"] = _risk_score(record)
        else:
            value = {**record, "shipment_time": _instant(record["shipment_time"])}
        return twin_topic, frame(schema_id, parsed, value)


def _risk_score(record: dict) -> float:
    """A deterministic score per payment: declined payments score higher."""
    base = (zlib.crc32(record["payment_id"].encode()) % 1000) / 1000.0
    return round(min(1.0, base * 0.5 + (0.5 if record["status"] == "declined" else 0.0)), 3)
