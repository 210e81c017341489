"""`flink-copilot mcp` end to end with the official SDK's own client, over stdio and streamable HTTP, against
the live stack: every tool, catalog resources, a hostile INSERT refused and audited with the client's name,
writes only when allowed."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import Implementation

ROOT = Path(__file__).resolve().parents[2]
READ_TOOLS = {"search_topics", "describe_topic", "ask", "validate_sql", "run_query", "list_jobs"}


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_MCP_") and k != "COPILOT_READ_ONLY"}
    env.update(extra)
    return env


def _data(result) -> dict:
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


def _run_in_own_loop(coro):
    """Run a client session on a fresh event loop in its own thread: pytest-playwright's session-wide sync
    API (tests/app/test_browser.py) keeps an event loop marked running on the main thread until the session ends."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _audit_events_of(client_name: str, wanted: int = 1, timeout: float = 20.0) -> list[dict]:
    from copilot.agent.audit import read_events

    deadline = time.monotonic() + timeout
    while True:
        events = [e for e in read_events(2000, timeout=5.0) if (e.get("client") or {}).get("name") == client_name]
        if len(events) >= wanted or time.monotonic() > deadline:
            return events
        time.sleep(1.0)


@pytest.mark.stack
@pytest.mark.timeout(300)
def test_stdio_every_read_tool_resources_and_a_refused_audited_insert(stack, tmp_path):
    name = f"pytest-stdio-{uuid.uuid4().hex[:8]}"
    params = StdioServerParameters(command=sys.executable, args=["-m", "copilot", "mcp"], env=_env(), cwd=str(tmp_path))

    async def session():
        async with Client(params, client_info=Implementation(name=name, version="1.2.3"), read_timeout_seconds=120) as c:
            tools = {t.name for t in (await c.list_tools()).tools}
            assert tools == READ_TOOLS  # read-only by default: no save_job, no stop_job

            found = _data(await c.call_tool("search_topics", {"query": "payment declines by method", "k": 3}))
            assert found["results"][0]["topic"] == "payments"

            orders = _data(await c.call_tool("describe_topic", {"topic": "orders", "sample": 3}))
            assert {f["name"] for f in orders["fields"]} >= {"order_id", "amount", "order_time"}
            assert "CREATE" in orders["ddl"] and orders["sample"], orders.get("sample_error")
            assert "order_id" in orders["sample"][0]["value"]  # a real record, read live from Kafka
            unknown = await c.call_tool("describe_topic", {"topic": "order"})
            assert unknown.is_error and "unknown topic" in unknown.content[0].text

            answer = _data(await c.call_tool("ask", {"question": "revenue per country every minute"}))
            assert answer["valid"] and "orders" in answer["tables"] and answer["engine_checked"], answer
            compact = answer["sql"].replace("`", "").replace(" ", "")
            assert "SUM(amount)" in compact and "country" in compact, answer["sql"]

            checked = _data(await c.call_tool("validate_sql", {"sql": "SELECT order_id, nope FROM orders"}))
            assert not checked["valid"] and checked["errors"]

            ran = _data(
                await c.call_tool(
                    "run_query", {"sql": "SELECT order_id, amount, country FROM orders", "max_rows": 3, "timeout_seconds": 45}
                )
            )
            assert ran["columns"] == ["order_id", "amount", "country"] and len(ran["rows"]) == 3, ran

            hostile = await c.call_tool("run_query", {"sql": "INSERT INTO orders SELECT * FROM orders"})
            assert hostile.is_error and "refused" in hostile.content[0].text

            jobs = _data(await c.call_tool("list_jobs", {}))
            assert isinstance(jobs["jobs"], list)

            resources = {str(r.uri) for r in (await c.list_resources()).resources}
            assert {"catalog://topics", "catalog://topics/orders", "catalog://topics/payments"} <= resources
            entry = await c.read_resource("catalog://topics/payments")
            assert json.loads(entry.contents[0].text)["topic"] == "payments"

    _run_in_own_loop(session())
    events = _audit_events_of(name, wanted=8)
    refused = [e for e in events if "INSERT INTO orders" in (e.get("sql") or "") and e.get("verdict") == "invalid"]
    assert refused, f"the refused INSERT is not on the audit trail with client {name}"
    assert refused[0]["client"] == {"via": "mcp", "name": name, "version": "1.2.3", "transport": "stdio"}
    assert any(e.get("type") == "result" for e in events)  # the run_query that ran is audited too


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def http_server(stack, tmp_path):
    port = _free_port()
    log = open(tmp_path / "mcp-http.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "copilot", "mcp", "--transport", "http", "--port", str(port)],
        cwd=tmp_path,
        env=_env(COPILOT_MCP_ALLOW_WRITES="true"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "mcp-http.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.stack
@pytest.mark.timeout(300)
def test_http_writes_only_when_allowed_and_governed(stack, http_server):
    from copilot import settings
    from copilot.catalog.store import YamlCatalogStore
    from copilot.flink.gateway import GatewayClient
    from copilot.jobs.service import JobService

    name = f"pytest-http-{uuid.uuid4().hex[:8]}"
    job = f"mcp_{uuid.uuid4().hex[:6]}"

    async def session():
        async with Client(http_server, client_info=Implementation(name=name, version="0.1"), read_timeout_seconds=120) as c:
            tools = {t.name for t in (await c.list_tools()).tools}
            assert tools == READ_TOOLS | {"save_job", "stop_job"}
            answer = _data(await c.call_tool("ask", {"question": "number of payments per method"}))
            assert answer["valid"] and answer["tables"] == ["payments"], answer
            hostile = await c.call_tool("save_job", {"name": job + "x", "sql": "DROP TABLE orders"})
            assert hostile.is_error
            saved = _data(
                await c.call_tool(
                    "save_job", {"name": job, "sql": "SELECT currency, COUNT(*) AS n FROM payments GROUP BY currency"}
                )
            )
            assert saved["output_topic"]
            listed = _data(await c.call_tool("list_jobs", {}))
            assert job in {j["name"] for j in listed["jobs"]}
            stopped = _data(await c.call_tool("stop_job", {"name": job}))
            assert stopped["state"] == "STOPPED"

    try:
        _run_in_own_loop(session())
    finally:
        service = JobService(GatewayClient(), YamlCatalogStore(settings.catalog_dir()))
        if service.registry.get(job) is not None:
            service.delete(job)
    events = _audit_events_of(name, wanted=3)
    assert any(e.get("job") == job for e in events), "the saved job's statements are audited with the client"
    assert all(e["client"]["transport"] == "http" for e in events)


def test_read_only_wins_over_allow_writes(monkeypatch):
    """COPILOT_READ_ONLY=true: no write tools even when COPILOT_MCP_ALLOW_WRITES=true (no stack needed)."""
    from copilot.agent.audit import MemoryAuditSink
    from copilot.mcp.server import create_server
    from copilot.mcp.tools import CopilotTools
    from copilot.settings import DEMO_CATALOG_DIR
    from copilot.wiring import Config, build

    async def tool_names() -> set[str]:
        app = create_server(CopilotTools(build(Config.from_settings(catalog_dir=DEMO_CATALOG_DIR)), MemoryAuditSink()), "stdio")
        async with Client(app) as c:
            return {t.name for t in (await c.list_tools()).tools}

    monkeypatch.setenv("COPILOT_MCP_ALLOW_WRITES", "true")
    monkeypatch.setenv("COPILOT_READ_ONLY", "true")
    assert _run_in_own_loop(tool_names()) == READ_TOOLS
    monkeypatch.setenv("COPILOT_READ_ONLY", "false")
    assert _run_in_own_loop(tool_names()) == READ_TOOLS | {"save_job", "stop_job"}
    monkeypatch.delenv("COPILOT_MCP_ALLOW_WRITES")
    assert _run_in_own_loop(tool_names()) == READ_TOOLS


def test_http_transport_is_loopback_only_and_bad_ports_are_usage_errors():
    for argv in (["mcp", "--transport", "http", "--host", "0.0.0.0"], ["mcp", "--port", "70000"]):
        out = subprocess.run([sys.executable, "-m", "copilot", *argv], capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert out.returncode == 2 and "flink-copilot:" in out.stderr and "Traceback" not in out.stderr
