"""Agent workers on real Kafka: exactly one answer per question across workers, across a worker killed
between producing its answer and committing its input, and the CLI in service mode answering as in process."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import uuid

import pytest
from helpers_service import ROOT, WorkerProcess, drop_topics, isolated_env, read_topic, wait_for_members

pytestmark = pytest.mark.stack

QUESTIONS = [
    "number of orders every 10 seconds",
    "revenue per country every minute",
    "share of declined payments every minute",
    "page views per device every 30 seconds",
    "average order amount per channel every minute",
]


@pytest.fixture()
def service_env(stack, monkeypatch):
    env = isolated_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
    drop_topics(env)


def _conversations_covering_every_partition(partitions: int = 4, per_partition: int = 1) -> list[str]:
    from copilot.service.events import partition_for

    found: dict[int, list[str]] = collections.defaultdict(list)
    while any(len(found[p]) < per_partition for p in range(partitions)):
        cid = uuid.uuid4().hex
        if len(found[partition_for(cid, partitions)]) < per_partition:
            found[partition_for(cid, partitions)].append(cid)
    return [c for p in range(partitions) for c in found[p]]


def test_two_workers_answer_100_concurrent_questions_each_exactly_once(service_env):
    from copilot.service.client import ServiceClient
    from copilot.service.events import Question

    workers = [WorkerProcess(f"w{i}", service_env) for i in (1, 2)]
    try:
        for w in workers:
            w.wait_for("ready")
        wait_for_members(2)
        client = ServiceClient(timeout=120)
        asked = [Question(question=QUESTIONS[i % len(QUESTIONS)]) for i in range(100)]
        for q in asked:  # all published before any answer is awaited
            client.publish(q)
        answers = {q.question_id: client.wait(q.question_id) for q in asked}
        client.close()
    finally:
        for w in workers:
            w.stop()
    assert all(a["valid"] and a["sql"] for a in answers.values()), [a["errors"] for a in answers.values() if not a["valid"]][:3]
    assert {a["worker_id"] for a in answers.values()} == {"w1", "w2"}  # both shared the work
    committed = read_topic(service_env["COPILOT_ANSWERS_TOPIC"])
    counts = collections.Counter(e["question_id"] for e in committed)
    assert set(counts) == set(answers) and set(counts.values()) == {1}, counts.most_common(3)
    by_question = {q.question_id: q.question for q in asked}
    for qid, event in answers.items():  # each answer is the answer to its own question
        assert event["question"] == by_question[qid]


def test_a_worker_killed_between_answer_and_commit_loses_and_duplicates_nothing(service_env):
    from copilot.service.client import ServiceClient
    from copilot.service.events import Question

    doomed = WorkerProcess("doomed", service_env, "--pause-before-commit", "30")
    survivor = WorkerProcess("survivor", service_env)
    try:
        doomed.wait_for("ready"), survivor.wait_for("ready")
        wait_for_members(2)
        client = ServiceClient(timeout=90)
        asked = [
            Question(question=QUESTIONS[i % len(QUESTIONS)], conversation_id=cid)
            for i, cid in enumerate(_conversations_covering_every_partition(4, 2))
        ]
        for q in asked:
            client.publish(q)
        line = doomed.wait_for("produced, committing", timeout=60)
        in_flight = line.split("answer to ")[1].split(" ")[0]
        doomed.kill()  # SIGKILL: the answer is on the broker, its transaction open, the offset not committed
        answers = {q.question_id: client.wait(q.question_id) for q in asked}
        client.close()
    finally:
        doomed.kill()
        survivor.stop()
    assert answers[in_flight]["worker_id"] == "survivor"
    assert {a["worker_id"] for a in answers.values()} == {"survivor"}
    committed = read_topic(service_env["COPILOT_ANSWERS_TOPIC"])
    counts = collections.Counter(e["question_id"] for e in committed)
    assert set(counts) == {q.question_id for q in asked} and set(counts.values()) == {1}, counts
    # the killed worker's answer did reach Kafka, and only its aborted transaction holds it
    everything = read_topic(service_env["COPILOT_ANSWERS_TOPIC"], committed=False)
    assert [e["worker_id"] for e in everything if e["question_id"] == in_flight].count("doomed") == 1


def _cli(args: list[str], env: dict[str, str]) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "copilot", *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env}, cwd=ROOT
    )
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {"stderr": proc.stderr}


def test_cli_in_service_mode_answers_as_in_process(service_env):
    worker = WorkerProcess("cli-worker", service_env)
    try:
        worker.wait_for("ready")
        for question in ("revenue per country every minute", "share of declined payments every minute"):
            code_local, local = _cli(["ask", question, "--json"], {"COPILOT_SERVICE": ""})
            code_served, served = _cli(["ask", question, "--json"], {"COPILOT_SERVICE": "kafka"})
            assert code_local == code_served == 0, (local, served)
            for key in ("sql", "tables", "explanation", "valid", "errors", "planner", "engine_checked", "statement_kind"):
                assert served[key] == local[key], key
            assert served["worker_id"] == "cli-worker" and served["question_id"]
        # a follow-up continues the conversation on whichever worker: its history comes from the answers topic
        code, first = _cli(["ask", "revenue per country every minute", "--json"], {"COPILOT_SERVICE": "kafka"})
        code, follow = _cli(
            ["ask", "only web", "--json", "--conversation", first["conversation_id"]], {"COPILOT_SERVICE": "kafka"}
        )
        code_l, follow_local = _cli(
            ["ask", "only web", "--json", "--conversation", first["conversation_id"]], {"COPILOT_SERVICE": ""}
        )
        assert follow["sql"] == follow_local["sql"] and "web" in (follow["sql"] or "")
    finally:
        worker.stop()


def test_no_worker_means_exit_3_naming_the_topic(service_env):
    code, out = _cli(
        ["ask", "number of orders every 10 seconds", "--json"], {"COPILOT_SERVICE": "kafka", "COPILOT_SERVICE_TIMEOUT": "2"}
    )
    assert code == 3
    assert service_env["COPILOT_QUESTIONS_TOPIC"] in out["message"] and "no worker answered" in out["message"]


def test_serve_runs_worker_processes_and_restarts_a_killed_one(service_env):
    import signal

    from copilot.service.client import ServiceClient
    from copilot.service.events import Question

    serve = subprocess.Popen(
        [sys.executable, "-m", "copilot", "serve", "--workers", "2"],
        cwd=ROOT,
        env={**os.environ, **service_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        state = wait_for_members(2)
        ids = sorted(m["worker_id"] for m in state["members"])
        children = subprocess.run(["pgrep", "-P", str(serve.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
        os.kill(int(children[0]), signal.SIGKILL)
        client = ServiceClient(timeout=60)
        answer = client.ask(Question(question="number of orders every 10 seconds"))
        client.close()
        assert answer["valid"] and answer["worker_id"] in ids
        state = wait_for_members(2)  # the killed worker is back, under its own id
        assert sorted(m["worker_id"] for m in state["members"]) == ids
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
    assert serve.returncode == 0
