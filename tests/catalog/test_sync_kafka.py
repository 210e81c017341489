"""`catalog sync` and `catalog show --sample` against the real Kafka of the local stack."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from copilot import settings
from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.sync import CatalogSync
from copilot.settings import DEMO_CATALOG_DIR

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kafka_topics(stack):
    """Three topics made for this test (compacted, non-JSON, nested JSON), deleted afterwards."""
    bootstrap = settings.get("KAFKA_BOOTSTRAP")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    suffix = uuid.uuid4().hex[:6]
    names = {"compacted": f"test_accounts_{suffix}", "text": f"test_logs_{suffix}", "nested": f"test_devices_{suffix}"}
    new = [
        NewTopic(names["compacted"], 1, 1, config={"cleanup.policy": "compact"}),
        NewTopic(names["text"], 1, 1),
        NewTopic(names["nested"], 2, 1),
    ]
    for future in admin.create_topics(new).values():
        future.result(timeout=15)
    producer = Producer({"bootstrap.servers": bootstrap})
    for i in range(20):
        producer.produce(
            names["compacted"],
            key=f"A{i % 5}",
            value=json.dumps(
                {
                    "account_id": f"A{i % 5}",
                    "balance": round(100 + i * 1.25, 2),
                    "active": i % 2 == 0,
                    "updated_at": "2026-11-25T09:30:00.123Z",
                }
            ),
        )
        producer.produce(names["text"], value=f"2026-11-25 09:30:{i:02d} INFO service started worker {i}".encode())
        producer.produce(
            names["nested"],
            key=f"D{i}",
            value=json.dumps(
                {
                    "device_id": f"D{i}",
                    "reading": {"temp_c": 20.5 + i, "humidity": 40 + i},
                    "tags": ["lab", "floor2"],
                    "ts": 1795599272115 + i,
                }
            ),
        )
    producer.flush(15)
    yield names
    for future in admin.delete_topics(list(names.values())).values():
        try:
            future.result(timeout=15)
        except Exception:
            pass


def test_sync_creates_expected_entries_and_merges(tmp_path, kafka_topics):
    store = YamlCatalogStore(tmp_path)
    report = CatalogSync(store, topics=list(kafka_topics.values()), sample_seconds=5).run()
    by_topic = {c.topic: c for c in report.changes}

    assert by_topic[kafka_topics["text"]].status == "skipped"
    assert "not JSON" in by_topic[kafka_topics["text"]].reason

    accounts = store.get(kafka_topics["compacted"])
    assert by_topic[accounts.topic].status == "created"
    assert accounts.changelog == "upsert" and accounts.primary_key == ["account_id"] and accounts.key == "account_id"
    assert [(f.name, f.type) for f in accounts.fields] == [
        ("account_id", "STRING"),
        ("balance", "DECIMAL(10, 2)"),
        ("active", "BOOLEAN"),
        ("updated_at", "TIMESTAMP_LTZ(3)"),
    ]
    assert accounts.event_time == "updated_at"

    devices = store.get(kafka_topics["nested"])
    assert devices.changelog == "append"
    assert devices.field("reading").type == "ROW<temp_c DECIMAL(10, 2), humidity INT>"
    assert devices.field("tags").type == "ARRAY<STRING>"
    assert devices.field("ts").type == "TIMESTAMP_LTZ(3)" and devices.event_time == "ts"
    assert all(f.added_by_sync for f in devices.fields)

    # A human describes the topic and drops a field; a second sync keeps the text and brings the field back.
    path = Path(devices.source_file)
    text = path.read_text().replace("description: ''", "description: Sensor readings from the lab.  # written by hand")
    text = text.replace("  - name: tags\n    type: ARRAY<STRING>\n    added_by_sync: true\n", "")
    path.write_text(text)
    again = CatalogSync(YamlCatalogStore(tmp_path), topics=[devices.topic], sample_seconds=5).run()
    [change] = again.changes
    assert change.status == "updated" and change.added_fields == ["tags"]
    merged = YamlCatalogStore(tmp_path).get(devices.topic)
    assert merged.description == "Sensor readings from the lab."
    assert "# written by hand" in path.read_text()
    assert [f.name for f in merged.fields] == ["device_id", "reading", "ts", "tags"]

    third = CatalogSync(YamlCatalogStore(tmp_path), topics=[devices.topic], sample_seconds=5).run()
    assert third.changes[0].status == "unchanged"


def test_sync_skips_internal_topics_and_keeps_demo_catalog(tmp_path, stack):
    import shutil

    shutil.copytree(DEMO_CATALOG_DIR, tmp_path / "c")
    before = {p.name: p.read_text() for p in (tmp_path / "c").iterdir()}
    report = CatalogSync(
        YamlCatalogStore(tmp_path / "c"), topics=["orders", "customers", "__consumer_offsets"], sample_seconds=5
    ).run()
    assert "__consumer_offsets" in report.internal_skipped
    statuses = {c.topic: c.status for c in report.changes}
    assert statuses == {"orders": "unchanged", "customers": "unchanged"}
    assert {p.name: p.read_text() for p in (tmp_path / "c").iterdir()} == before


def test_cli_show_sample_reads_live_records(stack):
    out = subprocess.run(
        [sys.executable, "-m", "copilot", "catalog", "show", "orders", "--sample", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["sample"]) == 3 and {"order_id", "amount", "order_time"} <= set(data["sample"][0]["value"])
    assert {"direction": "outgoing", "topic": "orders", "field": "customer_id", "references": "customers.customer_id"} in data[
        "relationships"
    ]


def test_cli_sync_json_report(tmp_path, kafka_topics):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot",
            "catalog",
            "sync",
            "--json",
            "--catalog-dir",
            str(tmp_path),
            "--topic",
            kafka_topics["compacted"],
            "--topic",
            kafka_topics["text"],
            "--sample-seconds",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    statuses = {t["topic"]: t["status"] for t in data["topics"]}
    assert statuses == {kafka_topics["compacted"]: "created", kafka_topics["text"]: "skipped"}
    assert data["summary"] == {"created": 1, "skipped": 1}
    assert (tmp_path / f"{kafka_topics['compacted']}.yaml").exists()
    assert not (tmp_path / f"{kafka_topics['text']}.yaml").exists()
