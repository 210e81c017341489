"""The background runner behind the chat's live result, against the live stack."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
from apptest_helpers import flink_job_state

from copilot.agent.live import LiveSession, reap_idle
from copilot.catalog.ddl import create_table_statement
from copilot.flink.gateway import GatewayClient
from copilot.flink.live import LiveQuery
from copilot.validate import check

pytestmark = pytest.mark.stack

UPDATING = "SELECT channel, COUNT(*) AS orders FROM orders GROUP BY channel"


def _wait(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.5)
    return predicate()


@pytest.fixture
def gateway(stack):
    client = GatewayClient()
    yield client
    client.close()


def _runner(gateway, catalog_topics, sql=UPDATING, **kwargs) -> LiveSession:
    ddls = {"orders": create_table_statement(catalog_topics["orders"])}
    return LiveSession(LiveQuery(gateway, check(sql), ddls, max_rows=1001, timeout=300, capacity=1000), label="test", **kwargs)


def test_snapshots_follow_the_changelog_and_stop_cancels_the_job(gateway, catalog_topics):
    runner = _runner(gateway, catalog_topics).start_background()
    try:
        assert runner.snapshot().status == "starting"
        assert _wait(lambda: runner.snapshot().updates > 0), runner.snapshot()
        snap = runner.snapshot()
        assert snap.status == "running"
        assert [c for c, _t in snap.columns] == ["channel", "orders"]
        # updates replace rows: one row per channel however many orders arrived
        assert sorted(r[0] for r in snap.rows) == sorted({r[0] for r in snap.rows})
        assert {r[0] for r in snap.rows} <= {"web", "mobile", "store"}
        assert snap.changes == snap.inserts + snap.updates + snap.retractions and snap.version >= 1 and snap.batches >= 1
        job_id = runner.source.job_id
        assert job_id
    finally:
        runner.stop("stopped by test")
    snap = runner.snapshot()
    assert snap.status == "stopped" and snap.stopped_reason == "stopped by test"
    assert not runner.running
    assert _wait(lambda: flink_job_state(job_id) in ("CANCELED", "FINISHED", None), 30), flink_job_state(job_id)


def test_display_is_bounded_while_the_view_keeps_counting(gateway, catalog_topics):
    sql = "SELECT order_id, amount FROM orders"
    runner = _runner(gateway, catalog_topics, sql, display_rows=5).start_background()
    try:
        assert _wait(lambda: runner.snapshot().total_rows > 5)
        snap = runner.snapshot()
        assert len(snap.rows) == 5 and snap.total_rows > 5
    finally:
        runner.stop()


def test_a_runner_nobody_reads_is_cancelled(gateway, catalog_topics):
    runner = _runner(gateway, catalog_topics, idle_cancel_after=0.5).start_background()
    assert _wait(lambda: runner.source is not None and runner.source.job_id is not None)
    job_id = runner.source.job_id
    time.sleep(1.0)  # nobody calls snapshot(): the page is gone
    reap_idle()  # the reaper's own thread sweeps every few seconds; this sweeps now (it may have already)
    assert not runner.running
    assert runner.snapshot().stopped_reason == "page closed"
    assert _wait(lambda: flink_job_state(job_id) in ("CANCELED", "FINISHED", None), 30)


def test_flink_errors_become_a_message_and_hint(gateway, catalog_topics):
    runner = _runner(gateway, catalog_topics, "SELECT no_such_column FROM orders").start_background()
    assert _wait(lambda: runner.snapshot().status == "error", 60)
    snap = runner.snapshot()
    assert "no_such_column" in snap.error and snap.hint
    assert "Exception" not in snap.error and "\tat " not in snap.error


def _running_jobs_named(marker: str) -> list[str]:
    import httpx

    from copilot import settings

    jobs = httpx.get(f"{settings.get('FLINK_REST')}/jobs/overview", timeout=5.0).json()["jobs"]
    return [j["jid"] for j in jobs if marker in j["name"] and j["state"] in ("RUNNING", "CREATED", "INITIALIZING")]


@pytest.mark.parametrize("stop_after", [0.0, 0.15, 0.3, 0.6, 1.0])
def test_stop_right_after_start_leaves_no_job(gateway, catalog_topics, stop_after):
    """Stopped while the statement is being registered, planned, submitted or deployed: the job must
    not survive, and the TaskManager must (Flink 2.2 shuts it down when a collect sink is cancelled
    before it opened, FLINK-39330)."""
    taskmanager_pid = _taskmanager_pid()
    marker = f"m{uuid.uuid4().hex[:8]}"
    runner = _runner(
        gateway, catalog_topics, f"SELECT channel, COUNT(*) AS {marker} FROM orders GROUP BY channel"
    ).start_background()
    time.sleep(stop_after)
    runner.stop("changed my mind")
    time.sleep(3)
    assert _wait(lambda: not _running_jobs_named(marker), 30), _running_jobs_named(marker)
    assert _taskmanager_pid() == taskmanager_pid, "the TaskManager went down"


def _taskmanager_pid() -> int | None:
    from copilot.stack.launcher import Launcher

    row = next(r for r in Launcher().status() if r["component"] == "taskmanager")
    return row.get("pid") if row.get("running") else None


def test_process_exit_cancels_live_queries(stack, tmp_path):
    """The app's process ending (server stopped, test session over) must not orphan Flink jobs."""
    marker = f"m{uuid.uuid4().hex[:8]}"
    script = tmp_path / "exit_while_live.py"
    script.write_text(f"""
import subprocess
import sys
import time
import uuid
from copilot import settings
from copilot.catalog.ddl import create_table_statement
from copilot.catalog.store import YamlCatalogStore
from copilot.flink.gateway import GatewayClient
from copilot.flink.live import LiveQuery
from copilot.agent.live import LiveSession
from copilot.validate import check

orders = YamlCatalogStore(settings.catalog_dir()).load().topics["orders"]
ddls = {{"orders": create_table_statement(orders)}}
sql = "SELECT channel, COUNT(*) AS {marker} FROM orders GROUP BY channel"
runner = LiveSession(LiveQuery(GatewayClient(), check(sql), ddls, max_rows=100, timeout=300)).start_background()
deadline = time.monotonic() + 60
while runner.snapshot().batches == 0 and time.monotonic() < deadline:
    time.sleep(0.2)
print("live", runner.source.job_id, flush=True)
""")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("live "), result.stderr[-2000:]
    job_id = result.stdout.split()[1]
    assert _wait(lambda: flink_job_state(job_id) in ("CANCELED", "FINISHED", None), 30), flink_job_state(job_id)
    assert not _running_jobs_named(marker)
