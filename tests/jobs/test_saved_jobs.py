"""Saved jobs on the live stack: save, list, output records, stop with savepoint, resume."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from live_helpers import read_committed as read_topic, wait_for

from copilot.catalog.store import YamlCatalogStore
from copilot.flink.gateway import GatewayClient
from copilot.jobs.registry import JobRegistry
from copilot.jobs.service import JobService
from copilot.settings import DEMO_CATALOG_DIR

pytestmark = pytest.mark.stack

WINDOWED = (
    "SELECT window_start, window_end, COUNT(*) AS orders, SUM(amount) AS revenue FROM TABLE(TUMBLE(TABLE orders, "
    "DESCRIPTOR(order_time), INTERVAL '2' SECOND)) GROUP BY window_start, window_end"
)


@pytest.fixture()
def catalog_copy(tmp_path):
    target = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG_DIR, target)
    return target


@pytest.fixture()
def service(stack, catalog_copy):
    registry = JobRegistry(servers=stack.ep.bootstrap)
    svc = JobService(
        GatewayClient(stack.ep.gateway_url, rest_url=stack.ep.rest_url),
        YamlCatalogStore(catalog_copy),
        registry,
        rest_url=stack.ep.rest_url,
    )
    created = []
    yield svc, created
    for name in created:
        try:
            svc.stop(name)
        finally:
            registry.delete(name)


def test_windowed_job_survives_stop_with_savepoint_and_resume_exactly_once(stack, service, catalog_copy):
    svc, created = service
    name = f"t_windows_{uuid.uuid4().hex[:6]}"
    created.append(name)
    saved_at = datetime.utcnow()
    job = svc.save(name, WINDOWED)
    assert job.changelog == "append" and job.output_topic == f"job_{name}"
    assert (catalog_copy / f"job_{name}.yaml").exists()  # the output can be asked about
    listed = {r["name"]: r for r in svc.list()}
    assert listed[name]["state"] == "RUNNING"

    assert wait_for(lambda: len(read_topic(stack.ep.bootstrap, job.output_topic)) >= 3, timeout=60)
    stopped = svc.stop(name, savepoint=True)
    assert stopped.savepoint and stopped.savepoint.startswith("file:")
    assert {r["name"]: r for r in svc.list()}[name]["state"] == "STOPPED"
    time.sleep(6)  # windows keep closing in the source while the job is stopped
    resumed = svc.resume(name)
    assert resumed.flink_job_id != job.flink_job_id
    before = len(read_topic(stack.ep.bootstrap, job.output_topic))
    assert wait_for(lambda: len(read_topic(stack.ep.bootstrap, job.output_topic)) >= before + 5, timeout=60)

    records = read_topic(stack.ep.bootstrap, job.output_topic)
    all_starts = sorted(datetime.fromisoformat(r["window_start"].replace("Z", "")) for r in records)
    assert len(all_starts) == len(set(all_starts)), "a window was written twice"
    # Windows that began before the job read its first record only hold the few late events of
    # the source, so they may be sparse; from the first full window on, none may be missing.
    starts = [s for s in all_starts if s >= saved_at.replace(microsecond=0) + timedelta(seconds=4)]
    assert starts and starts[-1] > datetime.utcnow() - timedelta(seconds=30)
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:])]
    assert all(g == 2.0 for g in gaps), f"windows missing across stop/resume: gaps {gaps}"
    assert all(r["orders"] > 0 for r in records)


def test_stop_with_savepoint_right_after_saving_waits_for_the_tasks(stack, service):
    """A job reports RUNNING before its tasks are deployed, and Flink refuses a savepoint until they
    are: a person who saves a job and at once stops it still gets a savepoint, not that refusal."""
    svc, created = service
    name = f"t_quick_stop_{uuid.uuid4().hex[:6]}"
    created.append(name)
    svc.save(name, WINDOWED)
    stopped = svc.stop(name, savepoint=True)
    assert stopped.savepoint and stopped.savepoint.startswith("file:")


def test_updating_job_writes_upsert_topic_keyed_by_group(stack, service):
    svc, created = service
    name = f"t_by_country_{uuid.uuid4().hex[:6]}"
    created.append(name)
    job = svc.save(name, "SELECT country, COUNT(*) AS orders FROM orders GROUP BY country")
    assert job.changelog == "upsert" and job.primary_key == ["country"]
    records = wait_for(lambda: read_topic(stack.ep.bootstrap, job.output_topic), timeout=60)
    assert records and {"country", "orders"} <= set(records[0])


def test_names_are_validated_and_duplicates_refused(stack, service):
    from copilot.errors import RequestError

    svc, created = service
    with pytest.raises(RequestError, match="not allowed"):
        svc.save("Bad Name!", WINDOWED)
    name = f"t_dup_{uuid.uuid4().hex[:6]}"
    created.append(name)
    svc.save(name, WINDOWED)
    with pytest.raises(RequestError, match="exists already"):
        svc.save(name, WINDOWED)
    svc.save(name, WINDOWED, replace=True)


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "copilot", *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def test_cli_refuses_writing_sql_with_exit_1(stack, catalog_copy):
    result = cli("jobs", "save", "--name", "t_evil", "--sql", "DROP TABLE orders", "--catalog-dir", str(catalog_copy), "--json")
    assert result.returncode == 1, result.stderr
    assert "not valid" in json.loads(result.stdout)["message"]


def test_cli_unknown_column_gives_flink_root_cause(stack, catalog_copy):
    result = cli(
        "jobs", "save", "--name", "t_typo", "--sql", "SELECT amount_typo FROM orders", "--catalog-dir", str(catalog_copy)
    )
    assert result.returncode == 1
    assert "amount_typo" in result.stderr


def test_cli_flink_down_exits_3_naming_address(stack):
    result = cli("jobs", "list", env={"FLINK_REST": "http://localhost:2"})
    assert result.returncode == 3
    assert "localhost:2" in result.stderr


def test_cli_stop_unknown_job_exit_1(stack):
    result = cli("jobs", "stop", "no_such_job_here")
    assert result.returncode == 1 and "no saved job" in result.stderr


def test_refused_and_submitted_job_statements_are_audited(stack, catalog_copy):
    from copilot.agent.audit import read_events

    name = f"t_audit_{uuid.uuid4().hex[:6]}"
    refused = cli("jobs", "save", "--name", name, "--sql", "DELETE FROM orders", "--catalog-dir", str(catalog_copy))
    assert refused.returncode == 1
    events = read_events(20, conversation_id=f"job:{name}")
    assert events and events[-1]["verdict"] == "refused" and events[-1]["sql"] == "DELETE FROM orders"
    assert events[-1]["type"] == "job_save" and "time" in events[-1]


def test_a_saved_jobs_output_can_be_asked_about(stack, service, catalog_copy):
    from copilot.agent.copilot import Copilot
    from copilot.catalog.index import HybridTopicIndex

    svc, created = service
    name = f"t_rev_{uuid.uuid4().hex[:6]}"
    created.append(name)
    job = svc.save(name, "SELECT country, SUM(amount) AS revenue FROM orders GROUP BY country")
    copilot = Copilot(
        YamlCatalogStore(catalog_copy),
        index=HybridTopicIndex(catalog_copy / ".chroma", embedder="static"),
        engine=svc.gateway,
        gateway=svc.gateway,
    )
    answer = copilot.ask(f"revenue per country from {job.output_topic}")
    assert answer.valid, answer.errors
    assert answer.tables == [job.output_topic]
    # the output is an upsert topic keyed by country: its current rows are the answer, no aggregate needed
    assert answer.sql.startswith("SELECT country, revenue") and "GROUP BY" not in answer.sql, answer.sql
    live = copilot.live(answer, max_rows=1, timeout=60)
    result = live.run()
    assert result["rows"] and live.columns[0].name == "country"


def test_cli_delete_stops_the_job_and_removes_registry_entry_catalog_entry_and_topic(stack, catalog_copy):
    from copilot.kafka.admin import admin

    name = f"t_delete_{uuid.uuid4().hex[:6]}"
    topic = f"job_{name}"
    saved = cli("jobs", "save", "--name", name, "--sql", WINDOWED, "--catalog-dir", str(catalog_copy), "--json")
    assert saved.returncode == 0, saved.stderr
    job_id = json.loads(saved.stdout)["flink_job_id"]
    assert (catalog_copy / f"{topic}.yaml").exists()

    deleted = cli("jobs", "delete", name, "--catalog-dir", str(catalog_copy), "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"name": name, "output_topic": topic, "topic_deleted": True}
    assert JobRegistry(servers=stack.ep.bootstrap).get(name) is None
    assert not (catalog_copy / f"{topic}.yaml").exists()
    assert wait_for(lambda: topic not in admin().list_topics(timeout=10).topics, timeout=30)
    # the overview, not /jobs/{id}: Flink's REST serves a job's details from a cache refreshed every
    # web.refresh-interval (3 s), so right after a cancel they can still say RUNNING
    overview = httpx.get(f"{stack.ep.rest_url}/jobs/overview", timeout=5).json()["jobs"]
    state = next(j["state"] for j in overview if j["jid"] == job_id)
    assert state in ("CANCELED", "CANCELLING")
    again = cli("jobs", "delete", name, "--catalog-dir", str(catalog_copy))
    assert again.returncode == 1 and "no saved job" in again.stderr


def test_delete_can_keep_the_output_topic_to_ask_about(stack, service, catalog_copy):
    from copilot.kafka.admin import admin

    svc, created = service
    name = f"t_keep_{uuid.uuid4().hex[:6]}"
    job = svc.save(name, WINDOWED)
    svc.delete(name, keep_topic=True)
    assert svc.registry.get(name) is None and name not in {r["name"] for r in svc.list()}
    assert job.output_topic in admin().list_topics(timeout=10).topics
    assert job.output_topic in svc.catalog.load().topics  # still in the catalog, so it can be asked about
    from copilot.kafka.admin import delete_topic

    delete_topic(job.output_topic)
