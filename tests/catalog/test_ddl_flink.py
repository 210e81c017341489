"""The generated CREATE TABLEs and every catalog example, checked by Flink's planner through the SQL Gateway,
and a live read proving the JSON/ISO-8601 options parse the generator's records."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.catalog.ddl import create_table_sql
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR
from copilot.sql.statement import TrustedStatement
from copilot.validate import check

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
TOPICS = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
EXAMPLES = [(name, ex) for name, schema in sorted(TOPICS.items()) for ex in schema.examples]


@pytest.fixture(scope="module")
def gateway(stack):
    from copilot.flink.gateway import GatewayClient

    client = GatewayClient()
    yield client
    client.close()


def ddls(**kwargs) -> dict[str, TrustedStatement]:
    return {
        name: TrustedStatement.create_table(name, create_table_sql(schema, temporary=True, **kwargs))
        for name, schema in TOPICS.items()
    }


@pytest.mark.parametrize("topic, example", EXAMPLES, ids=[f"{n}: {e.question[:40]}" for n, e in EXAMPLES])
def test_example_sql_passes_flink_planner(gateway, topic, example):
    plan = gateway.explain(check(example.sql), ddls())
    assert topic in plan or "TableSourceScan" in plan


def test_live_read_parses_timestamps_and_decimals(gateway):
    sql = check("SELECT order_id, amount, order_time FROM orders LIMIT 5")  # bounded by the table, not a hint
    columns, rows = gateway.run(
        sql, ddls(startup_mode="earliest-offset", sink_options={"scan.bounded.mode": "latest-offset"}), timeout=120
    )
    assert len(rows) == 5
    for order_id, amount, order_time in rows:
        assert order_id and amount is not None and order_time is not None  # nulls would mean the JSON options do not fit
