"""Helpers of the service tests: isolated topics and consumer group per test run, worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer, TopicPartition

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def isolated_env(prefix: str = "svc") -> dict[str, str]:
    """Settings that give this run its own questions/answers/audit topics and worker group."""
    run = f"{prefix}{uuid.uuid4().hex[:8]}"
    return {
        "COPILOT_QUESTIONS_TOPIC": f"test.{run}.questions",
        "COPILOT_ANSWERS_TOPIC": f"test.{run}.answers",
        "COPILOT_SERVICE_GROUP": f"test-{run}-workers",
        "COPILOT_AUDIT_TOPIC": f"test.{run}.audit",
        "COPILOT_ALERTS_TOPIC": f"test.{run}.alerts",
        "COPILOT_JOBS_TOPIC": f"test.{run}.jobs",
        "COPILOT_SERVICE_PARTITIONS": "4",
    }


class WorkerProcess:
    """`python -m copilot.service.worker` with its stderr collected line by line."""

    def __init__(self, worker_id: str, env: dict[str, str], *extra: str):
        self.worker_id = worker_id
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "copilot.service.worker", "--worker-id", worker_id, *extra],
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.worker_id} exited {self.proc.returncode}:\n" + "\n".join(self.lines[-30:]))
            time.sleep(0.05)
        raise AssertionError(f"worker {self.worker_id} never said {text!r}:\n" + "\n".join(self.lines[-30:]))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def read_topic(topic: str, *, committed: bool = True, servers: str = "localhost:9092") -> list[dict]:
    """Every record of `topic` (all partitions), as read by a read_committed (or read_uncommitted) consumer."""
    consumer = Consumer(
        {
            "bootstrap.servers": servers,
            "group.id": f"test-read-{uuid.uuid4().hex[:6]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed" if committed else "read_uncommitted",
        }
    )
    out: list[dict] = []
    try:
        meta = consumer.list_topics(topic, timeout=10)
        for p in meta.topics[topic].partitions:
            tp = TopicPartition(topic, p)
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            if high <= low:
                continue
            consumer.assign([TopicPartition(topic, p, low)])
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                for msg in consumer.consume(500, 0.3):
                    if not msg.error() and msg.value():
                        out.append(json.loads(msg.value()))
                if consumer.position([tp])[0].offset >= high:
                    break
    finally:
        consumer.close()
    return out


def wait_for_members(count: int, timeout: float = 60.0) -> dict:
    """The workers' group once `count` members hold every partition between them."""
    from copilot.service.members import workers

    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = workers()
        assigned = sum(len(m["partitions"]) for m in state["members"])
        if len(state["members"]) == count and state["state"] == "STABLE" and assigned == len(state["partitions"]) > 0:
            return state
        time.sleep(0.3)
    raise AssertionError(f"the workers' group never had {count} members holding every partition: {state}")


def drop_topics(env: dict[str, str]) -> None:
    """Delete the run's own topics (those that were created)."""
    from copilot.kafka import admin as kadmin

    existing = kadmin.topic_names()
    for key, topic in env.items():
        if key.endswith("_TOPIC") and topic in existing:
            kadmin.delete_topic(topic)
