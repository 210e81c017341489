"""The Schema Registry path against the real registry the stack runs (Apicurio Registry's Confluent-compatible
API, started by `flink-copilot up`): Avro subjects become catalog entries, an evolved schema is picked up by
the next sync, and Flink reads the Confluent-framed Avro topics the generator writes, alone and joined with a
JSON topic. The pure type-mapping tests at the top need no service."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from fastavro import parse_schema
from live_helpers import wait_for

from copilot import settings
from copilot.catalog.ddl import create_table_sql, create_table_statement
from copilot.catalog.registry import SchemaRegistry, avro_to_flink, schema_from_registered
from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.sync import CatalogSync
from copilot.errors import ServiceUnavailable
from copilot.stack.datagen_avro import PAYMENT_V1, frame, register

READINGS_V1 = {
    "type": "record",
    "name": "Reading",
    "doc": "Meter readings.",
    "fields": [
        {"name": "meter_id", "type": "string", "doc": "Meter."},
        {"name": "kwh", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}},
        {"name": "read_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}
READINGS_V2 = {
    **READINGS_V1,
    "fields": READINGS_V1["fields"]
    + [{"name": "voltage", "type": ["null", "double"], "default": None, "doc": "Line voltage, from version 2 on."}],
}


# ------------------------------------------------------------------------------------------- pure


def test_avro_logical_types_map_to_flink_types():
    assert avro_to_flink({"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}) == "DECIMAL(10, 2)"
    assert avro_to_flink({"type": "long", "logicalType": "timestamp-millis"}) == "TIMESTAMP_LTZ(3)"
    assert avro_to_flink({"type": "long", "logicalType": "local-timestamp-millis"}) == "TIMESTAMP(3)"
    assert avro_to_flink({"type": "int", "logicalType": "date"}) == "DATE"
    assert avro_to_flink(["null", "double"]) == "DOUBLE"
    assert avro_to_flink({"type": "array", "items": "string"}) == "ARRAY<STRING>"


def test_avro_record_becomes_an_avro_confluent_entry():
    inferred = schema_from_registered("payments_avro", "AVRO", json.dumps(PAYMENT_V1))
    s = inferred.schema
    assert s.format == "avro-confluent" and s.event_time == "payment_time"
    assert s.field("amount").type == "DECIMAL(10, 2)" and s.field("payment_time").type == "TIMESTAMP_LTZ(3)"
    assert s.field("method").description == "Payment method the customer chose."


def test_avro_confluent_ddl_names_the_registry_and_reads_timestamps_as_flink_does(monkeypatch):
    monkeypatch.setenv("SCHEMA_REGISTRY_URL", "http://registry.example:8081")
    s = schema_from_registered("payments_avro", "AVRO", json.dumps(PAYMENT_V1)).schema
    ddl = create_table_sql(s)
    assert "'format' = 'avro-confluent'" in ddl and "'avro-confluent.url' = 'http://registry.example:8081'" in ddl
    assert "`payment_time` TIMESTAMP(3)" in ddl and "`amount` DECIMAL(10, 2)" in ddl  # Flink 2.2's avro-confluent mapping
    assert "json." not in ddl


def test_unreachable_registry_is_service_unavailable():
    with pytest.raises(ServiceUnavailable) as info:
        SchemaRegistry("http://127.0.0.1:1", timeout=2).subjects()
    assert info.value.exit_code == 3 and "Schema Registry" in info.value.message and "127.0.0.1:1" in info.value.message


# ------------------------------------------------------------------------------------------ stack


@pytest.fixture(scope="module")
def registry_url(stack):
    url = settings.schema_registry_url()
    assert url, "the stack's Schema Registry is not running"
    return url


@pytest.fixture
def catalog_copy(tmp_path):
    directory = tmp_path / "catalog"
    shutil.copytree(settings.DEMO_CATALOG_DIR, directory)
    return YamlCatalogStore(directory)


@pytest.mark.stack
def test_sync_turns_the_demo_avro_subjects_into_catalog_entries(registry_url, tmp_path):
    store = YamlCatalogStore(tmp_path)
    report = CatalogSync(store, topics=["payments_avro", "shipments_avro"]).run()
    assert {c.topic: c.status for c in report.changes} == {"payments_avro": "created", "shipments_avro": "created"}
    topics = store.load().topics
    payments, shipments = topics["payments_avro"], topics["shipments_avro"]
    assert payments.format == shipments.format == "avro-confluent"
    assert [(f.name, f.type) for f in shipments.fields] == [
        ("shipment_id", "STRING"),
        ("order_id", "STRING"),
        ("carrier", "STRING"),
        ("warehouse", "STRING"),
        ("status", "STRING"),
        ("shipment_time", "TIMESTAMP_LTZ(3)"),
    ]
    assert payments.field("amount").type == "DECIMAL(10, 2)" and payments.event_time == "payment_time"
    assert payments.registry.subject == "payments_avro-value" and payments.registry.version >= 1
    latest = httpx.get(f"{registry_url}/subjects/payments_avro-value/versions/latest").json()
    assert (payments.registry.schema_id, payments.registry.version) == (latest["id"], latest["version"])
    assert "schema_registry:" in (tmp_path / "payments_avro.yaml").read_text()


@pytest.mark.stack
def test_sync_keeps_what_people_wrote_on_the_demo_avro_entries(registry_url, catalog_copy):
    before = catalog_copy.load().topics["payments_avro"]
    CatalogSync(catalog_copy, topics=["payments_avro"]).run()
    after = catalog_copy.load().topics["payments_avro"]
    assert after.description == before.description
    assert after.field("method").values == before.field("method").values
    assert after.field("risk_score").synonyms == before.field("risk_score").synonyms
    assert "fraud score" in after.field("risk_score").synonyms
    assert after.registry is not None and after.registry.subject == "payments_avro-value"


@pytest.fixture
def scratch_topic(stack, registry_url):
    """A fresh topic with one Confluent-framed record under version 1 of its own subject; removed afterwards."""
    name = f"test_readings_{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": stack.ep.bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])[name].result(timeout=30)
    client = httpx.Client(base_url=registry_url, timeout=10)
    schema_id = register(client, name, READINGS_V1)
    producer = Producer({"bootstrap.servers": stack.ep.bootstrap})
    producer.produce(
        name,
        frame(schema_id, parse_schema(READINGS_V1), {"meter_id": "M1", "kwh": Decimal("1.250"), "read_at": 1_700_000_000_000}),
    )
    assert producer.flush(10) == 0
    yield name, client
    admin.delete_topics([name])[name].result(timeout=30)
    client.delete(f"/subjects/{name}-value")


@pytest.mark.stack
def test_a_schema_change_is_picked_up_by_the_next_sync(scratch_topic, tmp_path):
    topic, client = scratch_topic
    store = YamlCatalogStore(tmp_path)
    first = CatalogSync(store, topics=[topic]).run().changes[0]
    assert first.status == "created", first
    entry = store.load().topics[topic]
    assert [(f.name, f.type) for f in entry.fields] == [
        ("meter_id", "STRING"),
        ("kwh", "DECIMAL(12, 3)"),
        ("read_at", "TIMESTAMP_LTZ(3)"),
    ]
    assert entry.registry.version == 1
    path = tmp_path / f"{topic}.yaml"  # a person annotates the entry
    path.write_text(path.read_text().replace("description: Meter.", "description: Meter.\n    synonyms: [smart meter]"))

    assert CatalogSync(store, topics=[topic]).run().changes[0].status == "unchanged"
    register(client, topic, READINGS_V2)
    change = CatalogSync(store, topics=[topic]).run().changes[0]
    assert change.status == "updated" and change.added_fields == ["voltage"]
    assert any("version 1 -> 2" in n and "voltage" in n for n in change.notes), change.notes
    evolved = store.load().topics[topic]
    assert evolved.registry.version == 2 and evolved.field("voltage").type == "DOUBLE"
    assert evolved.field("meter_id").synonyms == ["smart meter"]


@pytest.mark.stack
def test_catalog_sync_with_the_registry_down_exits_3_naming_its_address(stack, tmp_path):
    url = "http://127.0.0.1:9/apis/ccompat/v7"  # nothing listens there; the shared registry keeps running
    env = {**os.environ, "SCHEMA_REGISTRY_URL": url, "FLINK_COPILOT_CATALOG_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "copilot", "catalog", "sync"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 3, result.stderr
    assert "Schema Registry" in result.stderr and url in result.stderr


# ------------------------------------------------------------------------------------ Flink reads


def _live_rows(stack, sql: str, tables: list[str], *, want: int, timeout: float) -> tuple[list, list]:
    from copilot.flink.gateway import GatewayClient
    from copilot.flink.live import LiveQuery
    from copilot.validate import check

    topics = YamlCatalogStore(settings.DEMO_CATALOG_DIR).load().topics
    ddl = {t: create_table_statement(topics[t]) for t in tables}
    query = LiveQuery(GatewayClient(stack.ep.gateway_url), check(sql), ddl, max_rows=want, timeout=timeout)
    rows = []
    deadline = time.monotonic() + timeout
    for batch in query.batches():
        rows.extend(fields for kind, fields in batch.changes if kind in ("+I", "+U"))
        if len(rows) >= want or time.monotonic() > deadline:
            break
    return [c.name for c in query.columns], rows


@pytest.mark.stack
def test_a_live_windowed_query_over_an_avro_topic_returns_rows(stack, registry_url):
    sql = (
        "SELECT window_start, status, COUNT(*) AS payments, SUM(amount) AS volume "
        "FROM TABLE(TUMBLE(TABLE payments_avro, DESCRIPTOR(payment_time), INTERVAL '2' SECOND)) "
        "GROUP BY window_start, window_end, status"
    )
    columns, rows = _live_rows(stack, sql, ["payments_avro"], want=2, timeout=90)
    assert columns == ["window_start", "status", "payments", "volume"]
    assert len(rows) >= 2, rows
    assert all(r[1] in ("authorized", "declined", "refunded") and r[2] >= 1 and float(r[3]) > 0 for r in rows), rows


@pytest.mark.stack
def test_an_avro_topic_joins_a_json_topic(stack, registry_url):
    sql = (
        "SELECT p.payment_id, p.amount, p.risk_score, o.country, o.amount AS order_amount "
        "FROM payments_avro AS p JOIN orders AS o ON p.order_id = o.order_id"
    )
    columns, rows = _live_rows(stack, sql, ["payments_avro", "orders"], want=3, timeout=90)
    assert columns[:2] == ["payment_id", "amount"]
    assert len(rows) >= 3, rows
    # the Avro twin carries the same payments as the JSON topic: each joined payment charges its order's amount
    assert all(r[0].startswith("PAY-") and float(r[1]) == float(r[4]) for r in rows), rows


@pytest.mark.stack
def test_the_apps_live_sample_decodes_avro_records_with_the_writers_schema(registry_url):
    from copilot.ui import sample

    records = wait_for(lambda: sample.latest_records("payments_avro", 5, timeout=5.0), timeout=30)
    assert records, "no records in payments_avro"
    rows = sample.flatten(records)
    assert all(r["payment_id"].startswith("PAY-") and float(r["amount"]) > 0 for r in rows), rows
    assert all(r["status"] in ("authorized", "declined", "refunded") for r in rows), rows
