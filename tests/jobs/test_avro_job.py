"""A saved job over a Confluent-framed Avro topic keeps running while records under two schema versions
arrive: version 1 records read with the new optional field as NULL, version 2 records with its value."""

from __future__ import annotations

import shutil
import time
import uuid
from decimal import Decimal

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from fastavro import parse_schema
from live_helpers import read_committed as read_topic

from copilot import settings
from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.sync import CatalogSync
from copilot.flink.gateway import GatewayClient
from copilot.jobs.registry import JobRegistry
from copilot.jobs.service import JobService
from copilot.stack.datagen_avro import frame, register

pytestmark = pytest.mark.stack

V1 = {
    "type": "record",
    "name": "Reading",
    "fields": [
        {"name": "meter_id", "type": "string"},
        {"name": "kwh", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}},
        {"name": "read_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}
V2 = {**V1, "fields": V1["fields"] + [{"name": "voltage", "type": ["null", "double"], "default": None}]}


def test_a_saved_job_reads_an_avro_topic_across_a_schema_evolution(stack, tmp_path):
    registry_url = settings.schema_registry_url()
    assert registry_url, "the stack's Schema Registry is not running"
    topic = f"test_meter_{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": stack.ep.bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(timeout=30)
    client = httpx.Client(base_url=registry_url, timeout=10)
    catalog = tmp_path / "catalog"
    shutil.copytree(settings.DEMO_CATALOG_DIR, catalog)
    jobs = JobRegistry(servers=stack.ep.bootstrap)
    service = JobService(
        GatewayClient(stack.ep.gateway_url, rest_url=stack.ep.rest_url),
        YamlCatalogStore(catalog),
        jobs,
        rest_url=stack.ep.rest_url,
    )
    name = f"t_avro_{uuid.uuid4().hex[:6]}"
    try:
        v1_id = register(client, topic, V1)
        v2_id = register(client, topic, V2)
        assert CatalogSync(YamlCatalogStore(catalog), topics=[topic]).run().changes[0].status == "created"
        job = service.save(name, f"SELECT meter_id, kwh, voltage FROM {topic}")
        producer = Producer({"bootstrap.servers": stack.ep.bootstrap})
        v1, v2 = parse_schema(V1), parse_schema(V2)
        rows: list[dict] = []
        deadline = time.monotonic() + 90
        n = 0
        while time.monotonic() < deadline:
            now_ms = int(time.time() * 1000)
            producer.produce(topic, frame(v1_id, v1, {"meter_id": f"old-{n}", "kwh": Decimal("1.500"), "read_at": now_ms}))
            producer.produce(
                topic, frame(v2_id, v2, {"meter_id": f"new-{n}", "kwh": Decimal("2.250"), "read_at": now_ms, "voltage": 229.5})
            )
            producer.flush(10)
            n += 1
            rows = read_topic(stack.ep.bootstrap, job.output_topic, timeout=5)
            if any(r["meter_id"].startswith("old-") for r in rows) and any(r["meter_id"].startswith("new-") for r in rows):
                break
            time.sleep(1.0)
        old = [r for r in rows if r["meter_id"].startswith("old-")]
        new = [r for r in rows if r["meter_id"].startswith("new-")]
        assert old and new, rows
        assert all(r["voltage"] is None and float(r["kwh"]) == 1.5 for r in old), old
        assert all(r["voltage"] == 229.5 and float(r["kwh"]) == 2.25 for r in new), new
        state = httpx.get(f"{stack.ep.rest_url}/jobs/{job.flink_job_id}").json().get("state")
        assert state == "RUNNING", state  # still running after records of both versions
    finally:
        try:
            service.delete(name)
        except Exception:  # noqa: BLE001 - cleanup of a job that may not have been saved
            jobs.delete(name)
        admin.delete_topics([topic])[topic].result(timeout=30)
        client.delete(f"/subjects/{topic}-value")
