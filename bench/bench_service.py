"""The copilot as a service: questions/s with 1, 2 and 4 workers, the service's own overhead per
question against the in-process call, and the time from a window crossing a watch's threshold to its
alert event. Needs the stack (`flink-copilot up`); uses its own topics and group, and cleans up.

On a 2-core machine more workers share the same two cores (and Flink, Kafka and the gateway): the
figures show contention, not scale-out. The per-worker figure says what one worker does."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import write  # noqa: E402

QUESTIONS = [
    "number of orders every 10 seconds",
    "revenue per country every minute",
    "share of declined payments every minute",
    "page views per device every 30 seconds",
    "average order amount per channel every minute",
]
BURST = 60  # questions published at once per worker count
SEQUENTIAL = 30  # one at a time, for the overhead


RUNS: list[dict[str, str]] = []


def isolate(tag: str) -> None:
    run = f"bench{tag}{uuid.uuid4().hex[:6]}"
    RUNS.append(
        {
            "COPILOT_QUESTIONS_TOPIC": f"bench.{run}.questions",
            "COPILOT_ANSWERS_TOPIC": f"bench.{run}.answers",
            "COPILOT_SERVICE_GROUP": f"bench-{run}",
            "COPILOT_AUDIT_TOPIC": f"bench.{run}.audit",
            "COPILOT_ALERTS_TOPIC": f"bench.{run}.alerts",
            "COPILOT_JOBS_TOPIC": f"bench.{run}.jobs",
            "COPILOT_SERVICE_PARTITIONS": "4",
        }
    )
    os.environ.update(RUNS[-1])


def start_workers(n: int) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        p = subprocess.Popen(
            [sys.executable, "-m", "copilot.service.worker", "--worker-id", f"bench-{i}"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(p)
    for p in procs:
        for line in p.stderr:
            if "ready" in line:
                break
        threading.Thread(target=lambda s=p.stderr: [None for _ in s], daemon=True).start()
    from copilot.service.members import workers

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = workers()
        if len(state["members"]) == n and state["state"] == "STABLE" and sum(len(m["partitions"]) for m in state["members"]) == 4:
            break
        time.sleep(0.3)
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


def throughput(n: int) -> dict:
    from copilot.service.client import ServiceClient
    from copilot.service.events import Question

    isolate(f"t{n}")
    procs = start_workers(n)
    try:
        client = ServiceClient(timeout=300)
        warm = [Question(question=q) for q in QUESTIONS * n]  # every worker indexes its catalog first
        for q in warm:
            client.publish(q)
        for q in warm:
            client.wait(q.question_id)
        asked = [Question(question=QUESTIONS[i % len(QUESTIONS)]) for i in range(BURST)]
        started = time.perf_counter()
        for q in asked:
            client.publish(q)
        answers = [client.wait(q.question_id) for q in asked]
        seconds = time.perf_counter() - started
        client.close()
    finally:
        stop_workers(procs)
    per_worker = {}
    for a in answers:
        per_worker[a["worker_id"]] = per_worker.get(a["worker_id"], 0) + 1
    rate = BURST / seconds
    return {
        "workers": n,
        "questions": BURST,
        "seconds": round(seconds, 2),
        "questions_per_s": round(rate, 2),
        "per_worker_questions_per_s": round(rate / n, 2),
        "answered_by": per_worker,
        "answer_ms_p50": round(statistics.median(a["timings"]["answer_ms"] for a in answers), 1),
    }


def overhead() -> dict:
    from copilot.service.client import ServiceClient
    from copilot.service.events import Question
    from copilot.service.worker import build_copilot
    from copilot.wiring import Config, build

    isolate("o")
    local = build_copilot(build(Config.from_settings(audit=False)), None)  # the same copilot a worker builds, here
    in_process = []
    for i in range(SEQUENTIAL):
        t = time.perf_counter()
        local.ask(QUESTIONS[i % len(QUESTIONS)])
        in_process.append((time.perf_counter() - t) * 1000)
    procs = start_workers(1)
    try:
        client = ServiceClient(timeout=60)
        for q in QUESTIONS:  # warm-up
            client.ask(Question(question=q))
        round_trip, own = [], []
        for i in range(SEQUENTIAL):
            q = Question(question=QUESTIONS[i % len(QUESTIONS)])
            t = time.perf_counter()
            event = client.ask(q)
            total = (time.perf_counter() - t) * 1000
            round_trip.append(total)
            own.append(total - event["timings"]["answer_ms"])  # publish, poll, history, commit, fetch
        client.close()
    finally:
        stop_workers(procs)
    return {
        "questions": SEQUENTIAL,
        "in_process_ms_p50": round(statistics.median(in_process), 1),
        "service_round_trip_ms_p50": round(statistics.median(round_trip), 1),
        "service_overhead_ms_p50": round(statistics.median(own), 1),
        "service_overhead_ms_p90": round(sorted(own)[int(0.9 * len(own)) - 1], 1),
        "goal_overhead_ms_p50": 20,
    }


def alert_latency(windows: int = 4) -> dict:
    """Watch `order_count > 10` on 10 s windows: the alert's arrival minus its window's end. A window can
    only fire once it closes, when the watermark (event time - 5 s, the catalog's delay) passes its end."""
    from confluent_kafka import Consumer, TopicPartition

    from copilot.kafka import admin as kadmin
    from copilot.service.watches import WatchService, answer_question
    from copilot.wiring import Config, build

    isolate("a")
    name = f"bench_alert_{uuid.uuid4().hex[:6]}"
    services = build(Config.from_settings())
    service = WatchService(services.jobs())
    topic = os.environ["COPILOT_ALERTS_TOPIC"]
    kadmin.ensure_topic(topic, compacted=True)
    consumer = Consumer(
        {
            "bootstrap.servers": kadmin.bootstrap(),
            "group.id": f"bench-{name}",
            "fetch.wait.max.ms": 5,
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, 0, -2)])
    from copilot.service.condition import windowed

    answer = answer_question("number of orders every 10 seconds", services)
    service.create(name, f"{windowed(answer['sql']).measures[0]} > 10", answer)
    latencies, close_latencies = [], []
    try:
        deadline = time.monotonic() + windows * 10 + 40
        while len(latencies) < windows and time.monotonic() < deadline:
            msg = consumer.poll(0.05)
            if msg is None or msg.error() or not msg.value():
                continue
            arrived = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            row = json.loads(msg.value())
            end = dt.datetime.fromisoformat(row["window_end"])
            latencies.append((arrived - end).total_seconds())
            close_latencies.append((arrived - end).total_seconds() - 5.0)  # after the watermark passed the end
    finally:
        consumer.close()
        service.delete(name)
        service.jobs.audit.flush()
        service.jobs.catalog.remove(topic)  # the bench's own alerts topic leaves the catalog with it
        kadmin.delete_topic(topic)
    return {
        "window_s": 10,
        "watermark_delay_s": 5,
        "alerts": len(latencies),
        "window_end_to_alert_s_p50": round(statistics.median(latencies), 2) if latencies else None,
        "window_close_to_alert_s_p50": round(statistics.median(close_latencies), 2) if close_latencies else None,
        "window_close_to_alert_s_max": round(max(close_latencies), 2) if close_latencies else None,
        "goal": "window close + <= 2 s",
    }


def main() -> None:
    results = {
        "cores": os.cpu_count(),
        "note": "2 cores shared with Kafka, Flink and the gateway: more workers show "
        "contention, not scale-out; partitions (4) bound the parallelism",
    }
    results["throughput"] = [throughput(n) for n in (1, 2, 4)]
    results["overhead"] = overhead()
    results["alert_latency"] = alert_latency()
    write("service", results)
    from copilot.kafka import admin as kadmin

    existing = kadmin.topic_names()
    for run in RUNS:  # the bench's own topics
        for key, topic in run.items():
            if key.endswith("_TOPIC") and topic in existing:
                kadmin.delete_topic(topic)


if __name__ == "__main__":
    main()
