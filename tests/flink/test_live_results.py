"""The gateway client and live results against the real stack."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from decimal import Decimal

import httpx
import pytest
from confluent_kafka import Producer

from copilot.catalog.ddl import create_table_sql, create_table_statement
from copilot.catalog.model import Field, TopicSchema
from copilot.flink.base import FlinkSqlError
from copilot.flink.gateway import GatewayClient
from copilot.flink.live import LiveQuery
from copilot.kafka.admin import delete_topic, ensure_topic
from copilot.sql.statement import TrustedStatement
from copilot.validate import check

pytestmark = pytest.mark.stack


def job_state(stack, job_id):
    return httpx.get(f"{stack.ep.rest_url}/jobs/{job_id}").json().get("state")


def wait_job_gone(stack, job_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if job_state(stack, job_id) in ("CANCELED", "FINISHED", "FAILED"):
            return True
        time.sleep(0.3)
    return False


@pytest.fixture(scope="module")
def gateway(stack):
    client = GatewayClient(stack.ep.gateway_url, rest_url=stack.ep.rest_url)
    yield client
    client.close()


def test_windowed_count_over_orders_arrives_within_window_plus_watermark(stack, gateway, catalog_topics):
    sql = (
        "SELECT window_start, window_end, COUNT(*) AS orders FROM TABLE(TUMBLE(TABLE orders, "
        "DESCRIPTOR(order_time), INTERVAL '5' SECOND)) GROUP BY window_start, window_end"
    )
    query = LiveQuery(gateway, check(sql), {"orders": create_table_statement(catalog_topics["orders"])}, max_rows=2, timeout=60)
    rows = query.run()
    assert query.stopped_reason == "max_rows", query.stopped_reason
    assert [c.name for c in query.columns] == ["window_start", "window_end", "orders"]
    assert all(r[2] > 0 for r in rows.rows())
    # a 5 s window closes once the watermark (5 s delay) passes its end: the first row comes within
    # window + delay + job start-up, not after an unbounded wait
    assert query.first_row_at - query.submitted_at < 5 + 5 + 20
    assert query.view.counts.updates == 0 and query.view.counts.retractions == 0  # windows are append-only
    assert wait_job_gone(stack, query.job_id)


def test_max_rows_holds_even_when_one_page_carries_more(stack, gateway, catalog_topics):
    # orders has a backlog: the first page of a plain scan carries many rows
    query = LiveQuery(
        gateway,
        check("SELECT order_id, amount FROM orders"),
        {"orders": create_table_statement(catalog_topics["orders"])},
        max_rows=3,
        timeout=60,
    )
    rows = query.run()
    assert query.stopped_reason == "max_rows", query.stopped_reason
    assert len(rows.rows()) == 3
    assert wait_job_gone(stack, query.job_id)


def test_updating_aggregate_view_matches_batch_recount(stack, gateway):
    topic = f"test_live_{uuid.uuid4().hex[:8]}"
    ensure_topic(topic, partitions=2)
    try:
        countries = ["DE", "FR", "NL", "US", "GB"]
        producer = Producer({"bootstrap.servers": stack.ep.bootstrap})
        expected_count, expected_sum = Counter(), Counter()
        rng = random.Random(7)
        for i in range(3000):
            country = rng.choice(countries)
            amount = Decimal(rng.randint(100, 99999)) / 100
            expected_count[country] += 1
            expected_sum[country] += amount
            producer.produce(topic, key=str(i), value=json.dumps({"id": str(i), "country": country, "amount": float(amount)}))
        producer.flush(10)
        schema = TopicSchema(
            topic=topic, fields=[Field("id", "STRING"), Field("country", "STRING"), Field("amount", "DECIMAL(10, 2)")]
        )
        ddl = create_table_sql(schema, startup_mode="earliest-offset", sink_options={"scan.bounded.mode": "latest-offset"})
        sql = f"SELECT country, COUNT(*) AS n, SUM(amount) AS total FROM `{topic}` GROUP BY country"
        query = LiveQuery(gateway, check(sql), {topic: TrustedStatement.create_table(topic, ddl)}, max_rows=100, timeout=60)
        view = query.run()
        assert query.stopped_reason == "end"
        final = {row[0]: (row[1], Decimal(str(row[2]))) for row in view.rows()}
        assert final == {c: (expected_count[c], expected_sum[c]) for c in countries}
        assert view.counts.updates > 0 and view.counts.retractions == view.counts.updates
    finally:
        delete_topic(topic)


def test_stopping_the_consumer_cancels_the_flink_job(stack, gateway, catalog_topics):
    query = LiveQuery(
        gateway,
        check("SELECT order_id, amount FROM orders"),
        {"orders": create_table_statement(catalog_topics["orders"])},
        max_rows=10_000,
        timeout=60,
    )
    batches = query.batches()
    first = next(batches)
    assert first.changes
    job_id = query.job_id
    assert job_state(stack, job_id) == "RUNNING"
    batches.close()  # the consumer goes away
    assert wait_job_gone(stack, job_id)
    assert query.stopped_reason == "cancelled"


def test_flink_root_cause_without_java_stack(gateway, catalog_topics):
    with pytest.raises(FlinkSqlError) as err:
        gateway.explain(check("SELECT amountt FROM orders"), {"orders": create_table_statement(catalog_topics["orders"])})
    assert "amountt" in err.value.message
    assert "\tat " not in err.value.message and "Exception" not in err.value.message
    assert (err.value.line, err.value.column) == (1, 8)


def test_lost_session_is_recreated(gateway):
    gateway.run(check("SELECT 1"))
    gateway._request("DELETE", f"/{gateway.api}/sessions/{gateway.session()}")  # as if the gateway restarted
    cols, rows = gateway.run(check("SELECT 41 + 1 AS answer"))
    assert rows == [[42]] and cols[0].name == "answer"


def test_live_query_refuses_writing_statements_whatever_the_path(gateway):
    from copilot.errors import RequestError

    with pytest.raises(RequestError, match="refused to run"):
        LiveQuery(gateway, "INSERT INTO orders SELECT * FROM orders").start()
    with pytest.raises(RequestError, match="refused to run"):
        LiveQuery(gateway, "SELECT 1; DROP TABLE orders").start()
