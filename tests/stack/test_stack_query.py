"""The shared stack answers real streaming SQL over the demo topics through the SQL Gateway."""

from __future__ import annotations

import time

import httpx
import pytest

from copilot.catalog.ddl import create_table_statement
from copilot.flink.gateway import GatewayClient
from copilot.flink.live import LiveQuery
from copilot.validate import check

pytestmark = pytest.mark.stack


def test_every_component_reports_running(stack):
    rows = {r["component"]: r for r in stack.status()}
    assert set(rows) == {"kafka", "schema-registry", "jobmanager", "taskmanager", "sql-gateway", "datagen"}
    assert all(r["running"] for r in rows.values()), rows
    overview = httpx.get(f"{stack.ep.rest_url}/overview").json()
    assert overview["taskmanagers"] >= 1 and overview["slots-total"] >= 8


def test_count_over_orders_grows(stack, catalog_topics):
    gateway = GatewayClient(stack.ep.gateway_url)
    ddl = {"orders": create_table_statement(catalog_topics["orders"])}
    query = LiveQuery(gateway, check("SELECT COUNT(*) AS n FROM orders"), ddl, max_rows=10, timeout=25)
    counts = []
    for batch in query.batches():
        counts.extend(fields[0] for kind, fields in batch.changes if kind in ("+I", "+U"))
        if len(counts) >= 3 and counts[-1] > counts[0]:
            break
    assert query.columns[0].name == "n"
    assert len(counts) >= 2 and counts[-1] > counts[0], counts
    assert counts == sorted(counts)
    _assert_no_running_job(stack, query.job_id)


def _assert_no_running_job(stack, job_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = httpx.get(f"{stack.ep.rest_url}/jobs/{job_id}").json().get("state")
        if state in ("CANCELED", "FINISHED", "FAILED"):
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} is still {state} after the query stopped")
