"""What runs is exactly what was checked (issue 12), on the live stack.

Every example of the issue is refused through each path that can submit SQL: `validate`, `ask --sql
... --run`, `jobs save`, the Python API and the app. What does run is the canonical text: the statement
the gateway received, the audited text and the SQL shown are one text, and the running job's plan
(`/jobs/<id>/plan`) scans exactly the tables of that text, without OPTIONS, writing nothing but the
collect sink (a live query) or the job's own table (a saved job)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from copilot.agent.audit import MemoryAuditSink
from copilot.agent.copilot import Copilot
from copilot.flink.gateway import GatewayClient
from copilot.flink.plan_check import job_plan_text, read_plan

pytestmark = pytest.mark.stack
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
from test_differential_flink import ISSUE_EXAMPLES  # noqa: E402

# one of each trick for the slower paths (a CLI process each)
PATH_EXAMPLES = [
    "/* /* */ INSERT INTO orders SELECT * FROM orders -- */ SELECT order_id FROM orders",
    "SELECT order_id FROM orders /* /* */ /*+ OPTIONS('topic'='copilot.audit') */ -- */",
    "SELECT order_id FROM orders // x\n/*+ OPTIONS('topic'='copilot.audit') */",
    "WITH secret AS (SELECT 1 AS a) SELECT * FROM default_catalog.default_database.secret",
    "EXECUTE INSERT INTO orders SELECT * FROM orders",
]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copilot", *args], capture_output=True, text=True, timeout=180, env={**os.environ}
    )


def _jobs(stack) -> set[str]:
    return {j["jid"] for j in httpx.get(f"{stack.ep.rest_url}/jobs/overview").json()["jobs"]}


@pytest.fixture()
def gateway(stack):
    client = GatewayClient(stack.ep.gateway_url, rest_url=stack.ep.rest_url)
    yield client
    client.close()


@pytest.mark.parametrize("sql", PATH_EXAMPLES)
def test_ask_sql_run_refuses_and_starts_nothing(stack, sql):
    before = _jobs(stack)
    result = cli("ask", "--sql", sql, "--run", "--json", "--timeout", "20")
    assert result.returncode == 1, result.stderr
    answer = json.loads(result.stdout)
    assert answer["valid"] is False and "rows" not in answer, answer
    assert answer["errors"][0].get("reason"), answer["errors"]
    started = _jobs(stack) - before
    for jid in started:  # other tests may start jobs meanwhile: none of them runs this text
        plan = job_plan_text(httpx.get(f"{stack.ep.rest_url}/jobs/{jid}/plan").json().get("plan", {}))
        assert "copilot.audit" not in plan


@pytest.mark.parametrize("sql", PATH_EXAMPLES)
def test_jobs_save_refuses(stack, tmp_path, sql):
    import shutil

    from copilot.settings import DEMO_CATALOG_DIR

    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG_DIR, catalog)
    name = f"t_h12_{uuid.uuid4().hex[:6]}"
    result = cli("jobs", "save", "--name", name, "--sql", sql, "--catalog-dir", str(catalog), "--json")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert not (catalog / f"job_{name}.yaml").exists()


@pytest.mark.parametrize("sql", ISSUE_EXAMPLES)
def test_python_api_refuses_and_never_submits(stack, catalog_topics, gateway, sql):
    audit = MemoryAuditSink()
    copilot = Copilot(catalog_topics, engine=gateway, gateway=gateway, audit=audit)
    answer = copilot.check_sql(sql, run=True, timeout=20)
    assert not answer.valid and answer.run is None and answer.statement is None
    assert not [e for e in audit.events if e["type"] == "submission"]


def test_live_query_runs_the_canonical_text_and_its_job_reads_exactly_its_tables(stack, catalog_topics, gateway):
    sql = (
        "SELECT /*+ BROADCAST(c) */ o.order_id, c.name -- who ordered\n"
        "FROM orders o /* the orders */ JOIN customers c ON o.customer_id = c.customer_id"
    )
    audit = MemoryAuditSink()
    copilot = Copilot(catalog_topics, engine=gateway, gateway=gateway, audit=audit)
    answer = copilot.check_sql(sql)
    assert answer.valid, answer.errors
    canonical = answer.statement.sql
    assert answer.sql == canonical and "--" not in canonical and "/* " not in canonical
    assert answer.statement.hints == ("BROADCAST",)
    assert "joinHints=[[[BROADCAST" in copilot.engine.explain(answer.statement, copilot.table_ddls(answer.tables))
    live = copilot.live(answer, max_rows=1, timeout=60)
    try:
        batches = live.batches()
        next(batches)
        assert live.source.plan_checked
        assert live.source.operation.statement == canonical  # what the gateway received
        plan = read_plan(job_plan_text(gateway.job_plan(live.job_id)))
    finally:
        live.cancel()
    assert sorted(s[2] for s in plan.scans) == sorted(answer.statement.tables) == ["customers", "orders"]
    assert all(s[:2] == ("default_catalog", "default_database") for s in plan.scans)
    assert plan.collect_sink and not plan.sinks and not plan.options
    submitted = [e for e in audit.events if e["type"] == "submission"]
    assert [e["sql"] for e in submitted] == [canonical]  # the audited text is the text Flink ran


def test_saved_job_runs_the_canonical_text_and_writes_only_its_own_table(stack, tmp_path):
    import shutil

    from copilot.catalog.store import YamlCatalogStore
    from copilot.jobs.registry import JobRegistry
    from copilot.jobs.service import JobService
    from copilot.settings import DEMO_CATALOG_DIR

    catalog = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG_DIR, catalog)
    audit = MemoryAuditSink()
    registry = JobRegistry(servers=stack.ep.bootstrap)
    gateway = GatewayClient(stack.ep.gateway_url, rest_url=stack.ep.rest_url)
    service = JobService(gateway, YamlCatalogStore(catalog), registry, rest_url=stack.ep.rest_url, audit=audit)
    name = f"t_canon_{uuid.uuid4().hex[:6]}"
    try:
        job = service.save(name, "SELECT channel, COUNT(*) AS n -- per channel\nFROM orders /* all */ GROUP BY channel")
        assert job.sql == "SELECT channel, COUNT(*) AS n FROM orders GROUP BY channel"
        plan = read_plan(job_plan_text(gateway.job_plan(job.flink_job_id)))
        assert [s[2] for s in plan.scans] == ["orders"] and not plan.options and not plan.collect_sink
        assert plan.sinks == [job.output_topic]
        saved = [e for e in audit.events if e["type"] == "job_save"]
        assert saved[-1]["sql"] == f"INSERT INTO `{job.output_topic}`\n{job.sql}"
    finally:
        try:
            service.delete(name)
        finally:
            gateway.close()


def test_app_refuses_the_issue_examples(stack, monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
    from apptest_helpers import app, texts

    monkeypatch.delenv("COPILOT_LLM", raising=False)
    monkeypatch.delenv("COPILOT_APP_PASSWORD", raising=False)
    at = app()
    for sql in PATH_EXAMPLES[:3]:
        at.chat_input[0].set_value(sql).run()
        assert not at.exception
        assert any("Not valid" in c for c in texts(at.caption)), texts(at.caption)
    assert not any("Traceback" in e for e in texts(at.error))
