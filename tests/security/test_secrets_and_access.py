"""Secrets never appear in logs, audit events, answers or error messages; every submitted statement,
refused or run, is in the audit topic; read-only deployments cannot save jobs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from copilot.agent.audit import MemoryAuditSink, scrub
from copilot.agent.copilot import Copilot
from copilot.agent.llm import LlmPlanner
from copilot.security.redact import MASK, install_log_redaction, redact

OPENAI_KEY = "sk-proj-" + "Z9" * 20  # shaped like a real key
PLAIN_KEY = "plainsecret-" + uuid.uuid4().hex  # no recognisable shape: only known because it is in the environment


class LeakyModel(FakeListChatModel):
    """A provider whose errors quote the key, as real SDKs do for a rejected key."""

    def invoke(self, *args, **kwargs):
        raise PermissionError(f"Incorrect API key provided: {OPENAI_KEY}. Header Authorization: Bearer {PLAIN_KEY}")


def cli(*args, env_extra=None, timeout=180):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "copilot", *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_redact_masks_env_values_and_key_shapes(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("MY_SERVICE_TOKEN", PLAIN_KEY)
    text = f"key {OPENAI_KEY} and {PLAIN_KEY} and sk-ant-abcdefghijkl and AKIAABCDEFGHIJKLMNOP"
    clean = redact(text)
    for secret in (OPENAI_KEY, PLAIN_KEY, "sk-ant-abcdefghijkl", "AKIAABCDEFGHIJKLMNOP"):
        assert secret not in clean
    assert clean.count(MASK) == 4
    assert redact("SELECT country FROM orders") == "SELECT country FROM orders"


def test_provider_error_quoting_the_key_reaches_no_one(monkeypatch, catalog_topics, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("PROVIDER_TOKEN", PLAIN_KEY)
    audit = MemoryAuditSink()
    copilot = Copilot(catalog_topics, planner=LlmPlanner(LeakyModel(responses=["x"])), audit=audit)
    with caplog.at_level(logging.DEBUG):
        answer = copilot.ask("How many orders per minute?")
    assert answer.valid and answer.planner == "builtin"  # the fallback still answers
    assert any("planner failed" in n for n in answer.notices)
    for text in (json.dumps(answer.to_dict(), default=str), json.dumps(audit.events, default=str), caplog.text):
        assert OPENAI_KEY not in text and PLAIN_KEY not in text


def test_audit_scrub_drops_credential_keys_and_masks_values(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", PLAIN_KEY)
    event = {"question": f"my key is {PLAIN_KEY}", "headers": {"Authorization": "Bearer x"}, "sql": f"SELECT '{OPENAI_KEY}'"}
    clean = json.dumps(scrub(event))
    assert PLAIN_KEY not in clean and OPENAI_KEY not in clean and "Authorization" not in clean


def test_log_redaction_filter(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    import io

    stream = io.StringIO()
    logger = logging.getLogger(f"t{uuid.uuid4().hex}")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    install_log_redaction(logger)
    logger.warning("calling the model with %s", OPENAI_KEY)
    assert OPENAI_KEY not in stream.getvalue() and MASK in stream.getvalue()


@pytest.mark.parametrize("llm", [OPENAI_KEY, f"openai:{OPENAI_KEY}", f"{PLAIN_KEY}"])
def test_key_pasted_into_copilot_llm_is_not_echoed(llm):
    """A user pastes the key into COPILOT_LLM by mistake: the error must not print it back."""
    result = cli(
        "ask",
        "How many orders per minute?",
        "--json",
        "--no-audit",
        "--no-engine",
        "-v",
        env_extra={"COPILOT_LLM": llm, "OPENAI_API_KEY": OPENAI_KEY, "COPILOT_LLM_API_KEY": PLAIN_KEY},
    )
    for stream in (result.stdout, result.stderr):
        assert OPENAI_KEY not in stream and PLAIN_KEY not in stream, stream[-2000:]
    assert "Traceback" not in result.stderr


def test_cli_logs_and_errors_never_show_env_secrets():
    secrets = {"OPENAI_API_KEY": OPENAI_KEY, "COPILOT_APP_PASSWORD": PLAIN_KEY}
    for args in (
        ("ask", "How many orders per minute?", "--json", "--no-audit", "--no-engine", "-v"),
        ("ask", "How many orders per minute?", "--json", "--no-engine", "-v"),  # audit on: Kafka may be absent
        ("validate", "SELECT * FROM nowhere", "--json", "-v"),
    ):
        result = cli(*args, env_extra=secrets)
        for stream in (result.stdout, result.stderr):
            assert OPENAI_KEY not in stream and PLAIN_KEY not in stream, (args, stream[-1500:])


# ---- audit on the live stack: refused and run statements, with every field ------------------------

REQUIRED = ("time", "conversation_id", "question", "sql", "verdict", "planner")


@pytest.mark.stack
def test_every_submitted_statement_is_audited(stack, monkeypatch):
    topic = f"copilot.audit.sec-{uuid.uuid4().hex[:8]}"
    env = {"COPILOT_AUDIT_TOPIC": topic, "OPENAI_API_KEY": OPENAI_KEY}
    refused = cli("ask", "--sql", "DROP TABLE orders", "--json", env_extra=env)
    assert refused.returncode == 1
    smuggled = cli("ask", "Show orders; DROP TABLE orders", "--json", env_extra=env)
    ran = cli(
        "ask",
        "Show declined Klarna payments as they happen.",
        "--run",
        "--json",
        "--max-rows",
        "1",
        "--timeout",
        "60",
        env_extra=env,
        timeout=240,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    run_doc = json.loads(ran.stdout)
    tail = cli("audit", "tail", "-n", "100", "--json", env_extra=env)
    assert tail.returncode == 0, tail.stderr
    events = json.loads(tail.stdout)["events"]
    assert OPENAI_KEY not in tail.stdout
    verdicts = [e for e in events if e["type"] == "verdict"]
    for event in verdicts + [e for e in events if e["type"] in ("answer", "submission")]:
        for key in REQUIRED:
            assert key in event, (key, event)
        assert event["time"] > 0 and event["conversation_id"]
    drop = [e for e in verdicts if e["sql"] == "DROP TABLE orders"]
    assert drop and drop[0]["verdict"] == "invalid" and drop[0]["planner"] == "user"
    # a smuggled write is declined by the planner or refused by validation: either way its answer is audited
    smuggled_id = json.loads(smuggled.stdout)["conversation_id"]
    assert any(e["conversation_id"] == smuggled_id and e["type"] in ("verdict", "answer") for e in events)
    submissions = [e for e in events if e["type"] == "submission"]
    assert [e["sql"] for e in submissions] == [run_doc["sql"]] and submissions[0]["verdict"] == "valid"
    results = [e for e in events if e["type"] == "result"]
    assert results and results[0]["job_id"] == run_doc["run"]["job_id"] and results[0]["sql"] == run_doc["sql"]
    from copilot.kafka.admin import delete_topic

    delete_topic(topic)


# ---- read-only deployments ------------------------------------------------------------------------


def test_read_only_refuses_saving_and_resuming_jobs_in_the_cli():
    for args in (("jobs", "save", "--name", "ro_test", "--sql", "SELECT order_id FROM orders"), ("jobs", "resume", "ro_test")):
        result = cli(*args, "--json", env_extra={"COPILOT_READ_ONLY": "true"})
        assert result.returncode == 1, (args, result.stderr)
        assert "COPILOT_READ_ONLY" in json.loads(result.stdout)["message"]


def test_read_only_hides_job_saving_in_the_app(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from copilot.ui import answer_view

    source = answer_view.__file__
    assert "COPILOT_READ_ONLY" in open(source).read()
    monkeypatch.setenv("COPILOT_READ_ONLY", "true")

    def page():
        from copilot.agent.answer import Answer
        from copilot.ui import answer_view as view

        view.save_as_job(0, Answer(question="q", conversation_id="c", planner="builtin", sql="SELECT 1", valid=True))

    at = AppTest.from_function(page).run(timeout=60)
    assert not at.exception, at.exception
    assert not at.expander and not at.button, "read-only deployment shows job saving"
