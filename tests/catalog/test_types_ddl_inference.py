"""Flink type grammar, CREATE TABLE generation and schema inference from JSON samples (no services)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.catalog.ddl import create_table_sql, watermark_interval
from copilot.catalog.inference import infer_schema, infer_type
from copilot.catalog.registry import avro_to_flink, schema_from_registered
from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.sync import is_internal, merge
from copilot.catalog.types import check_flink_type
from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "t",
    [
        "STRING",
        "INT",
        "BIGINT",
        "DECIMAL(10, 2)",
        "TIMESTAMP_LTZ(3)",
        "TIMESTAMP(3) WITH LOCAL TIME ZONE",
        "ARRAY<STRING>",
        "MAP<STRING, BIGINT>",
        "ROW<a INT, `b c` ARRAY<ROW<x DOUBLE>>>",
        "INT NOT NULL",
        "DOUBLE PRECISION",
        "VARCHAR(20)",
        "BOOLEAN",
        "BYTES",
    ],
)
def test_valid_types(t):
    assert check_flink_type(t) is None


@pytest.mark.parametrize(
    "t", ["STRNG", "VARCHAR(", "DECIMAL(50, 2)", "ARRAY<>", "MAP<STRING>", "ROW<a>", "TIMESTAMP(12)", "INT INT", ""]
)
def test_invalid_types(t):
    assert check_flink_type(t)


def test_append_ddl_uses_kafka_connector_watermark_and_iso_timestamps():
    orders = YamlCatalogStore(DEMO_CATALOG_DIR).get("orders")
    sql = create_table_sql(orders, bootstrap="kafka:9092", startup_mode="earliest-offset", table_name="o2")
    assert sql.startswith("CREATE TABLE `o2` (")
    assert "`amount` DECIMAL(10, 2)" in sql
    assert "WATERMARK FOR `order_time` AS `order_time` - INTERVAL '5' SECOND" in sql
    for option in (
        "'connector' = 'kafka'",
        "'topic' = 'orders'",
        "'properties.bootstrap.servers' = 'kafka:9092'",
        "'scan.startup.mode' = 'earliest-offset'",
        "'json.ignore-parse-errors' = 'true'",
        "'json.timestamp-format.standard' = 'ISO-8601'",
    ):
        assert option in sql
    assert "PRIMARY KEY" not in sql


def test_upsert_ddl_has_primary_key_and_upsert_connector():
    customers = YamlCatalogStore(DEMO_CATALOG_DIR).get("customers")
    sql = create_table_sql(customers, temporary=True)
    assert sql.startswith("CREATE TEMPORARY TABLE `customers`")
    assert "PRIMARY KEY (`customer_id`) NOT ENFORCED" in sql
    assert "'connector' = 'upsert-kafka'" in sql and "'key.format' = 'raw'" in sql and "'value.format' = 'json'" in sql
    assert "scan.startup.mode" not in sql


def test_watermark_interval_units():
    assert watermark_interval("5 s") == "INTERVAL '5' SECOND"
    assert watermark_interval("500 ms") == "INTERVAL '0.5' SECOND"
    assert watermark_interval("2 min") == "INTERVAL '2' MINUTE"


def test_infer_types():
    assert infer_type(["a", None]) == "STRING"
    assert infer_type([1, 2]) == "INT"
    assert infer_type([1, 2**40]) == "BIGINT"
    assert infer_type([True, False]) == "BOOLEAN"
    assert infer_type(["2026-11-25T09:30:00.123Z"]) == "TIMESTAMP_LTZ(3)"
    assert infer_type([1795599272115], "created_at") == "TIMESTAMP_LTZ(3)"
    assert infer_type([1795599272115], "counter") == "BIGINT"
    assert infer_type([{"lat": 1, "tags": ["x"]}]) == "ROW<lat INT, tags ARRAY<STRING>>"
    assert infer_type([[1, 2], []]) == "ARRAY<INT>"
    assert infer_type([1, "x"]) == "STRING"


def test_infer_schema_compacted_json_key_and_event_time():
    records = [
        (f"K{i}".encode(), json.dumps({"id": f"K{i}", "price": 10.5 + i, "at": "2026-11-25T09:30:00.123Z"}).encode())
        for i in range(5)
    ]
    result = infer_schema("things", records, compacted=True)
    s = result.schema
    assert s.changelog == "upsert" and s.primary_key == ["id"] and s.key == "id" and s.key_format == "raw"
    assert s.event_time == "at"
    assert s.field("price").type == "DECIMAL(10, 2)"
    assert all(f.added_by_sync for f in s.fields)


def test_infer_schema_rejects_non_json():
    result = infer_schema("logs", [(None, b"plain text line"), (None, b"\x00\x01binary")], compacted=False)
    assert result.schema is None and "not JSON" in result.reason
    assert infer_schema("empty", [], compacted=False).reason.startswith("no records")


def test_merge_keeps_human_text_and_adds_new_fields():
    human = YamlCatalogStore(DEMO_CATALOG_DIR).get("orders")
    records = [(b"o1", json.dumps({"order_id": "o1", "amount": 1.25, "coupon": "X"}).encode())]
    inferred = infer_schema("orders", records, compacted=False).schema
    merged, added, notes = merge(human, inferred)
    assert added == ["coupon"]
    assert merged.description.startswith("One event per order")
    assert merged.field("amount").synonyms and merged.examples
    assert any("not seen" in n for n in notes)


def test_internal_topics():
    assert is_internal("__consumer_offsets") and is_internal("_schemas") and is_internal("copilot.jobs")
    assert not is_internal("orders")


def test_registry_avro_mapping():
    avro = {
        "type": "record",
        "name": "T",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "n", "type": ["null", "long"]},
            {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
        ],
    }
    assert (
        avro_to_flink(avro) == "ROW<`id` STRING, `n` BIGINT, `ts` TIMESTAMP_LTZ(3), `price` DECIMAL(9, 2), `tags` ARRAY<STRING>>"
    )
    inferred = schema_from_registered("t", "AVRO", json.dumps(avro))
    assert inferred.schema.format == "avro-confluent" and inferred.schema.event_time == "ts"
    for f in inferred.schema.fields:
        assert check_flink_type(f.type) is None
