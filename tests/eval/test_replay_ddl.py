"""Replay tables are declared by the catalog layer: bounded scan options, never hints in user SQL."""

from __future__ import annotations

from copilot.catalog.ddl import replay_table_sql, replay_table_statement


def test_append_topic_reads_from_start_to_end_offsets(catalog_topics):
    sql = replay_table_sql(
        catalog_topics["orders"],
        start_offsets={0: 10, 1: 20},
        end_offsets={0: 15, 1: 40},
        watermark_delay="11000 ms",
        bootstrap="localhost:9092",
    )
    assert sql.startswith("CREATE TEMPORARY TABLE `orders` (")
    assert "'scan.startup.mode' = 'specific-offsets'" in sql
    assert "'scan.startup.specific-offsets' = 'partition:0,offset:10;partition:1,offset:20'" in sql
    assert "'scan.bounded.mode' = 'specific-offsets'" in sql
    assert "'scan.bounded.specific-offsets' = 'partition:0,offset:15;partition:1,offset:40'" in sql
    assert "WATERMARK FOR `order_time` AS `order_time` - INTERVAL '11' SECOND" in sql
    assert "latest-offset" not in sql


def test_upsert_topic_reads_from_its_beginning_to_the_end_offsets(catalog_topics):
    statement = replay_table_statement(catalog_topics["customers"], start_offsets={0: 0}, end_offsets={0: 7, 1: 9, 2: 0})
    assert statement.kind == "create_table" and statement.name == "customers"
    assert "'connector' = 'upsert-kafka'" in statement.sql
    assert "'scan.bounded.specific-offsets' = 'partition:0,offset:7;partition:1,offset:9;partition:2,offset:0'" in statement.sql
    assert "scan.startup" not in statement.sql  # upsert-kafka has no start position: it reads every key
    assert "PRIMARY KEY (`customer_id`) NOT ENFORCED" in statement.sql
