"""Faults on an isolated live stack (tests/faults/conftest.py): a restarted gateway, a killed
TaskManager under a live query, a stopped Kafka, a saved job across `down`/`up` (exactly once,
counted against a reference), and `down` while `up` is still starting. Times are recorded for
bench/bench_hardening.py, never asserted beyond hang guards."""

from __future__ import annotations

import json
import os
import signal
import time

import httpx
import pytest
from confluent_kafka import Producer
from live_helpers import read_committed as read_topic, wait_for

from copilot.agent.copilot import Copilot
from copilot.catalog.store import YamlCatalogStore
from copilot.errors import CopilotError
from copilot.flink.base import FlinkSqlError
from copilot.flink.gateway import GatewayClient

from .conftest import PORTS

pytestmark = pytest.mark.stack

KAFKA = PORTS["KAFKA_BOOTSTRAP"]
REST = PORTS["FLINK_REST"]
GATEWAY = PORTS["FLINK_SQL_GATEWAY"]
TERMINAL = {"CANCELED", "FAILED", "FINISHED"}


def flink_jobs() -> dict[str, str]:
    overview = httpx.get(f"{REST}/jobs/overview", timeout=5).json()
    return {j["jid"]: j["state"] for j in overview.get("jobs", [])}


# ---- the gateway restarts: the next question works without user action --------------------------


def test_gateway_restart_next_question_works(iso):
    topics = YamlCatalogStore(iso.catalog).load().topics
    gateway = GatewayClient(GATEWAY, rest_url=REST)
    copilot = Copilot(topics, engine=gateway, gateway=gateway)
    first = copilot.ask("How many orders per minute?")
    assert first.valid and first.engine_checked, first.errors

    assert iso.table.stop("sql-gateway")
    stopped = time.monotonic()
    iso.up()
    iso.timings["gateway_restart_up_s"] = round(time.monotonic() - stopped, 2)

    started = time.monotonic()
    second = copilot.ask("revenue per country every 5 minutes")  # same client, same (now dead) session
    iso.timings["gateway_first_question_after_restart_s"] = round(time.monotonic() - started, 2)
    assert second.valid and second.engine_checked, second.errors
    gateway.close()


# ---- the TaskManager dies under a live query ---------------------------------------------------------


def test_taskmanager_killed_during_live_query(iso):
    topics = YamlCatalogStore(iso.catalog).load().topics
    copilot = Copilot(topics, gateway=GatewayClient(GATEWAY, rest_url=REST))
    answer = copilot.check_sql("SELECT order_id, country, amount FROM orders")
    assert answer.valid
    live = copilot.live(answer, max_rows=1_000_000, timeout=150)
    batches = live.batches()
    next(batches)  # rows are flowing
    job_id = live.job_id
    assert job_id and flink_jobs().get(job_id) == "RUNNING"

    taskmanager = iso.table.running("taskmanager")
    os.kill(taskmanager.pid, signal.SIGKILL)
    killed = time.monotonic()
    restarter = iso.popen("up")  # the operator's fix: `up` starts what is missing
    outcome, error = None, None
    try:
        for batch in batches:
            if time.monotonic() - killed > 1 and batch.changes:
                outcome = "recovered"
                break
        else:
            outcome = f"ended: {live.stopped_reason}"
    except (CopilotError, FlinkSqlError) as exc:
        outcome, error = "error", exc
    finally:
        live.cancel()
        batches.close()
    iso.timings["taskmanager_kill_outcome"] = outcome
    iso.timings["taskmanager_kill_to_outcome_s"] = round(time.monotonic() - killed, 2)
    assert restarter.wait(timeout=300) == 0, restarter.stderr.read()[-2000:]
    if error is not None:  # a clear error: a message a person can act on, no traceback
        text = str(error)
        assert text.strip() and "Traceback" not in text and len(text) < 4000
    else:
        assert outcome == "recovered", outcome
    # no orphaned job: the query's Flink job ends once the user's query has ended
    assert wait_for(lambda: flink_jobs().get(job_id) in TERMINAL, timeout=60), flink_jobs().get(job_id)
    assert not [j for j, s in flink_jobs().items() if s not in TERMINAL], flink_jobs()


# ---- a saved job survives `down` / `up` exactly once ----------------------------------------------

FAULT_TOPIC = "fault_events"
FAULT_CATALOG = """\
topic: fault_events
description: Numbered test events, ten per second of event time.
format: json
changelog: append
event_time: ts
watermark_delay: 0 s
fields:
  - name: id
    type: BIGINT
    description: Sequence number.
  - name: ts
    type: TIMESTAMP_LTZ(3)
    description: Event time.
"""
JOB_SQL = (
    "SELECT window_start, window_end, COUNT(*) AS n, MIN(id) AS first_id, MAX(id) AS last_id "
    "FROM TABLE(TUMBLE(TABLE fault_events, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end"
)
PER_WINDOW = 10
LEAD_IN_WINDOWS = 3  # the source may join a moment after the first records: these windows are not compared
COMPARED_WINDOWS = range(LEAD_IN_WINDOWS, 60)


def _iso_ms(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms // 1000)) + f".{epoch_ms % 1000:03d}Z"


def produce_events(first: int, last: int, t0_ms: int, rate: float = 40.0) -> None:
    producer = Producer({"bootstrap.servers": KAFKA, "linger.ms": 5})
    for i in range(first, last):
        producer.produce(FAULT_TOPIC, value=json.dumps({"id": i, "ts": _iso_ms(t0_ms + i * 100)}).encode())
        producer.poll(0)
        time.sleep(1 / rate)
    assert producer.flush(15) == 0


def read_committed(topic: str) -> list[dict]:
    return read_topic(KAFKA, topic)


def lost_and_duplicated(records: list[dict], windows: range) -> tuple[int, int, list[str]]:
    """Records lost and duplicated in the output against the reference: window k holds ids 10k..10k+9."""
    by_first: dict[int, list[dict]] = {}
    for r in records:
        by_first.setdefault(int(r["first_id"]), []).append(r)
    lost = duplicated = 0
    problems = []
    for k in windows:
        rows = by_first.get(k * PER_WINDOW, [])
        if not rows:
            lost += PER_WINDOW
            problems.append(f"window {k} missing")
            continue
        if len(rows) > 1:
            duplicated += sum(int(r["n"]) for r in rows[1:])
            problems.append(f"window {k} written {len(rows)} times")
        n = int(rows[0]["n"])
        if n != PER_WINDOW or int(rows[0]["last_id"]) != k * PER_WINDOW + PER_WINDOW - 1:
            lost += max(0, PER_WINDOW - n)
            duplicated += max(0, n - PER_WINDOW)
            problems.append(f"window {k} has {rows[0]}")
    return lost, duplicated, problems


def start_counted_job(iso, name: str) -> tuple[dict, int]:
    """A saved job counting numbered events per 1-second window, with windows 0..29 already produced."""
    from copilot.kafka import admin as kadmin

    kadmin.ensure_topic(FAULT_TOPIC, partitions=1, servers=KAFKA)
    (iso.catalog / f"{FAULT_TOPIC}.yaml").write_text(FAULT_CATALOG)
    saved = iso.cli("jobs", "save", "--name", name, "--sql", JOB_SQL, "--json", timeout=180)
    assert saved.returncode == 0, saved.stderr[-3000:]
    job = json.loads(saved.stdout)
    assert wait_for(lambda: flink_jobs().get(job["flink_job_id"]) == "RUNNING", timeout=60)
    time.sleep(5)  # the Kafka source takes its (latest) offsets once running

    t0_ms = (int(time.time()) + 1) * 1000
    produce_events(0, 300, t0_ms)  # windows 0..29
    assert wait_for(lambda: len(read_committed(job["output_topic"])) >= 10, timeout=90)
    return job, t0_ms


def finish_counted_job(job: dict, t0_ms: int) -> tuple[int, int, list[str]]:
    """Produce windows 30..59 and count what the job's output lost or duplicated across the fault."""
    produce_events(300, 600, t0_ms)
    produce_events(700, 701, t0_ms)  # a later event closes window 59
    assert wait_for(lambda: any(int(r["first_id"]) == 590 for r in read_committed(job["output_topic"])), timeout=120)
    return lost_and_duplicated(read_committed(job["output_topic"]), COMPARED_WINDOWS)


def test_saved_job_survives_down_and_up_exactly_once(iso):
    job, t0_ms = start_counted_job(iso, "fault_windows")

    down_started = time.monotonic()
    down = iso.cli("down", timeout=300)
    assert down.returncode == 0, down.stderr[-3000:]
    assert "suspended with a savepoint: fault_windows" in down.stderr, down.stderr[-2000:]
    iso.timings["down_with_savepoint_s"] = round(time.monotonic() - down_started, 2)
    up_started = time.monotonic()
    iso.up()
    iso.timings["up_and_resume_s"] = round(time.monotonic() - up_started, 2)
    listed = {j["name"]: j for j in json.loads(iso.cli("jobs", "list", "--json").stdout)["jobs"]}
    assert listed["fault_windows"]["state"] == "RUNNING" and listed["fault_windows"]["savepoint"]

    lost, duplicated, problems = finish_counted_job(job, t0_ms)
    iso.timings["stop_resume_records_compared"] = len(COMPARED_WINDOWS) * PER_WINDOW
    iso.timings["stop_resume_records_lost"] = lost
    iso.timings["stop_resume_records_duplicated"] = duplicated
    assert (lost, duplicated) == (0, 0), problems
    stop = iso.cli("jobs", "stop", "fault_windows")
    assert stop.returncode == 0, stop.stderr


# ---- the TaskManager dies under a saved job: `up` brings it back, the job recovers exactly once -------


def restarted_and_running(job_id: str) -> bool:
    """The job failed over (its exception history has the lost TaskManager) and every task runs again."""
    history = httpx.get(f"{REST}/jobs/{job_id}/exceptions", timeout=5).json().get("exceptionHistory") or {}
    detail = httpx.get(f"{REST}/jobs/{job_id}", timeout=5).json()
    return (
        bool(history.get("entries"))
        and detail.get("state") == "RUNNING"
        and all(v.get("status") == "RUNNING" for v in detail.get("vertices", []))
    )


def test_saved_job_recovers_from_a_killed_taskmanager_exactly_once(iso):
    job, t0_ms = start_counted_job(iso, "fault_crash")
    os.kill(iso.table.running("taskmanager").pid, signal.SIGKILL)
    killed = time.monotonic()
    iso.up()  # the operator's fix: `up` starts what is missing, and leaves the restarting job alone
    assert wait_for(lambda: restarted_and_running(job["flink_job_id"]), timeout=240), flink_jobs()
    iso.timings["taskmanager_kill_saved_job_running_again_s"] = round(time.monotonic() - killed, 2)
    listed = {j["name"]: j for j in json.loads(iso.cli("jobs", "list", "--json").stdout)["jobs"]}
    assert listed["fault_crash"]["flink_job_id"] == job["flink_job_id"], "the job was submitted a second time"
    assert not [j for j, state in flink_jobs().items() if state == "RUNNING" and j != job["flink_job_id"]]

    lost, duplicated, problems = finish_counted_job(job, t0_ms)
    iso.timings["taskmanager_kill_records_lost"] = lost
    iso.timings["taskmanager_kill_records_duplicated"] = duplicated
    assert (lost, duplicated) == (0, 0), problems
    deleted = iso.cli("jobs", "delete", "fault_crash")
    assert deleted.returncode == 0, deleted.stderr


# ---- Kafka stops: commands exit 3 naming its address, within a bounded time -------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "How many orders per minute?", "--json"),
        ("ask", "How many orders per minute?", "--run", "--json", "--timeout", "60"),
        ("catalog", "sync", "--json"),
        ("jobs", "list", "--json"),
    ],
)
def test_kafka_down_commands_exit_3_naming_it(iso, args):
    if iso.table.running("kafka"):
        iso.table.stop("kafka")
    started = time.monotonic()
    result = iso.cli(*args, timeout=120)  # the hang guard
    elapsed = round(time.monotonic() - started, 2)
    iso.timings.setdefault("kafka_down_exit_s", {})[" ".join(a for a in args if a != "--json")] = elapsed
    assert result.returncode == 3, (result.returncode, result.stdout[-1000:], result.stderr[-2000:])
    assert KAFKA in result.stderr, result.stderr[-2000:]
    assert "Kafka" in result.stderr and "Traceback" not in result.stderr
    if "--json" in args:
        doc = json.loads(result.stdout)
        assert doc.get("service") == "Kafka" and doc.get("address") == KAFKA, doc


def test_kafka_comes_back(iso):
    iso.up()
    assert iso.cli("jobs", "list", "--json").returncode == 0


# ---- `down` while `up` is still starting ------------------------------------------------------------


def test_down_during_up_leaves_nothing_behind(iso):
    assert iso.cli("down", timeout=300).returncode == 0
    assert wait_for(lambda: not iso.our_processes(), timeout=30), iso.our_processes()
    starting = iso.popen("up")
    # wait until `up` has started a first component, then pull the rug
    assert wait_for(lambda: iso.table.running("kafka") or iso.table.running("jobmanager"), timeout=60)
    down = iso.cli("down", timeout=300)
    assert down.returncode == 0, down.stderr[-2000:]
    up_code = starting.wait(timeout=300)
    up_err = starting.stderr.read()
    assert "Traceback" not in up_err, up_err[-3000:]
    if up_code != 0:
        assert "flink-copilot:" in up_err  # one clear line, e.g. a component exited during start-up
    # whatever `up` started after `down` ran is recorded, so `status` sees it and `down` stops it
    status = json.loads(iso.cli("status", "--json").stdout)
    for component in status["components"]:
        if component["running"]:
            assert component["managed"], component
    assert iso.cli("down", timeout=300).returncode == 0
    assert wait_for(lambda: not iso.our_processes(), timeout=30), f"orphans: {iso.our_processes()}"
    # and the stack starts cleanly again afterwards
    iso.up()
