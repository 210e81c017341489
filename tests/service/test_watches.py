"""Watches on the real stack: a condition the demo data crosses fires within two windows, a stop with
a savepoint and a resume lose and duplicate no alert, and question → worker → SQL → job → alerts is
one chain of ids over Kafka. The condition language itself is tested without services."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from helpers_service import ROOT, WorkerProcess, drop_topics, isolated_env, read_topic

WINDOW_S = 10
WATERMARK_DELAY_S = 5  # the demo catalog's orders.watermark_delay


def _cli(args: list[str], env: dict[str, str], timeout: float = 180) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "copilot", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _alerts(env: dict[str, str]) -> list[dict]:
    return read_topic(env["COPILOT_ALERTS_TOPIC"]) if _topic_exists(env["COPILOT_ALERTS_TOPIC"]) else []


def _topic_exists(topic: str) -> bool:
    from copilot.kafka import admin as kadmin

    return topic in kadmin.topic_names()


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", ""))


def _wait_alerts(env: dict[str, str], ready, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = _alerts(env)
        if ready(rows):
            return rows
        time.sleep(1)
    raise AssertionError(f"alerts never got there within {timeout}s: {rows[-3:]}")


@pytest.mark.stack
def test_watch_fires_within_two_windows_and_survives_stop_and_resume(stack, monkeypatch):
    env = {**isolated_env("watch"), "COPILOT_SERVICE": "kafka"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    name = f"orders_busy_{uuid.uuid4().hex[:6]}"
    worker = WorkerProcess("watch-worker", env)
    try:
        worker.wait_for("ready")
        question = f"number of orders every {WINDOW_S} seconds"
        from copilot.service.condition import windowed

        measure = windowed(_cli(["ask", question], {**env, "COPILOT_SERVICE": ""})["sql"]).measures[0]  # its name
        created = _cli(["watch", "create", "--name", name, "--question", question, "--when", f"{measure} > 10"], env)
        assert created["worker_id"] == "watch-worker" and created["condition"] == f"{measure} > 10"
        running_at = time.time()
        first = _wait_alerts(env, lambda rows: len(rows) >= 1, timeout=2 * WINDOW_S + WATERMARK_DELAY_S + 15)
        assert time.time() - running_at <= 2 * WINDOW_S + WATERMARK_DELAY_S + 15
        assert first[0]["watch"] == name and first[0]["values"][measure] > 10

        _wait_alerts(env, lambda rows: len(rows) >= 2, timeout=3 * WINDOW_S)
        stopped = _cli(["watch", "stop", name], env)
        assert stopped["savepoint"]
        stopped_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        assert [w["state"] for w in _cli(["watch", "list"], env)["watches"]] == ["STOPPED"]
        time.sleep(WINDOW_S + 2)  # at least one window closes while the watch is stopped
        _cli(["watch", "resume", name], env)
        after = stopped_at + dt.timedelta(seconds=2 * WINDOW_S)
        rows = _wait_alerts(env, lambda rs: any(_ts(r["window_end"]) >= after for r in rs), timeout=6 * WINDOW_S)
    finally:
        worker.stop()
        subprocess.run(
            [sys.executable, "-m", "copilot", "watch", "delete", name],
            env={**os.environ, **env},
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        from copilot import settings
        from copilot.catalog.store import YamlCatalogStore

        store = YamlCatalogStore(settings.catalog_dir())  # the session's catalog: leave it as the other tests know it
        if env["COPILOT_ALERTS_TOPIC"] in store.load().topics:
            store.remove(env["COPILOT_ALERTS_TOPIC"])
    # no window lost (consecutive windows from the first alert on) and none written twice
    keys = collections.Counter((r["watch"], r["window_start"], r["window_end"], r["group_key"]) for r in rows)
    assert set(keys.values()) == {1}, [k for k, n in keys.items() if n > 1]
    starts = sorted(_ts(r["window_start"]) for r in rows)
    gaps = [b - a for a, b in zip(starts, starts[1:]) if b - a != dt.timedelta(seconds=WINDOW_S)]
    assert not gaps, (gaps, starts)
    assert starts[0] <= stopped_at - dt.timedelta(seconds=WINDOW_S) and starts[-1] >= stopped_at + dt.timedelta(seconds=WINDOW_S)

    # question → worker → SQL → job → alerts: one chain of ids on the audit topic
    audit = read_topic(env["COPILOT_AUDIT_TOPIC"])
    saved = [e for e in audit if e.get("type") == "job_save" and e.get("job") == name and e.get("verdict") == "submitted"]
    assert len(saved) == 1 and saved[0]["question_id"] == created["question_id"]
    answered = [e for e in audit if e.get("type") == "answer" and e.get("question_id") == created["question_id"]]
    assert answered and answered[0]["worker_id"] == "watch-worker" and answered[0]["sql"] == created["answer_sql"]
    assert name in saved[0]["sql"] and saved[0]["flink_job_id"]
    drop_topics(env)


# ---- the condition language (no services) -------------------------------------------------------


def test_condition_is_typed_and_never_sql():
    from copilot.errors import RequestError
    from copilot.service.condition import Condition

    assert Condition.parse("declined_share > 5%") == Condition("declined_share", ">", 0.05)
    assert str(Condition.parse("order_count>=200")) == "order_count >= 200"
    assert Condition.parse("x <> 1").op == "!="
    for bad in (
        "order_count > 1; DROP TABLE orders",
        "order_count > (SELECT 1)",
        "1 > order_count",
        "order_count > 'a'",
        "order_count",
        "a.b > 1",
    ):
        with pytest.raises(RequestError):
            Condition.parse(bad)


def test_watch_query_filters_the_windowed_answer_by_the_condition():
    import sqlglot
    from sqlglot import exp

    from copilot.service.condition import Condition, watch_query

    sql = (
        "SELECT window_start, window_end, country, SUM(amount) AS revenue, COUNT(*) AS orders "
        "FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) "
        "GROUP BY window_start, window_end, country"
    )
    text, measure = watch_query("rev", sql, Condition.parse("revenu > 100"))  # a near miss names the measure
    assert measure == "revenue"
    tree = sqlglot.parse_one(text, read="flink")
    assert [p.alias_or_name for p in tree.expressions] == [
        "watch",
        "window_start",
        "window_end",
        "group_key",
        "values",
        "condition",
        "fired_at",
    ]
    where = tree.args["where"].this
    assert isinstance(where, exp.GT) and where.this.name == "revenue" and where.expression.to_py() == 100
    assert isinstance(tree.expressions[4].this, exp.VarMap)


def test_watch_refuses_answers_that_are_not_windowed_aggregates_or_unknown_measures():
    from copilot.errors import RequestError
    from copilot.service.condition import Condition, watch_query

    with pytest.raises(RequestError, match="windowed aggregate"):
        watch_query("w", "SELECT order_id, amount FROM orders", Condition.parse("amount > 1"))
    with pytest.raises(RequestError, match="windowed aggregate"):
        watch_query("w", "SELECT country, COUNT(*) AS n FROM orders GROUP BY country", Condition.parse("n > 1"))
    with pytest.raises(RequestError, match="its measures: n"):
        watch_query(
            "w",
            "SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, "
            "DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
            Condition.parse("revenue > 1"),
        )


def test_with_the_answers_plan_the_condition_is_one_more_having():
    import sqlglot
    from sqlglot import exp

    from copilot import settings
    from copilot.agent.copilot import Copilot
    from copilot.catalog.store import YamlCatalogStore
    from copilot.service.condition import Condition, watch_query

    topics = YamlCatalogStore(settings.catalog_dir()).load().topics
    answer = Copilot(topics).ask("share of declined payments every minute")
    assert answer.valid and answer.plan
    alias = answer.plan["measures"][0]["alias"]
    text, measure = watch_query("declines", answer.sql, Condition.parse(f"{alias} > 5%"), plan=answer.plan, topics=topics)
    assert measure == alias
    tree = sqlglot.parse_one(text, read="flink")
    assert tree.args.get("where") is None  # not filtered outside: the plan's HAVING does it
    inner = tree.find(exp.Subquery).this
    having = inner.args["having"].this
    assert isinstance(having, exp.GT) and float(having.expression.to_py()) == 0.05
    assert measure in [p.alias_or_name for p in inner.expressions]


def test_a_watch_asked_in_words_becomes_a_question_and_a_condition_on_its_measure():
    from copilot import settings
    from copilot.agent.copilot import Copilot
    from copilot.catalog.store import YamlCatalogStore
    from copilot.errors import RequestError
    from copilot.service.condition import Condition, WatchRequest, watch_query

    request = WatchRequest.parse("tell me when declined payments go above 5 % in a minute")
    assert request.question == "share of declined payments every minute"
    assert (request.condition.op, request.condition.value) == (">", 0.05)
    assert WatchRequest.parse("Alert me if the number of orders drops below 100 every 10 seconds").condition == Condition(
        "", "<", 100.0
    )
    assert WatchRequest.parse("revenue per country every minute") is None  # a question, not a request
    with pytest.raises(RequestError, match="time window"):
        WatchRequest.parse("tell me when revenue goes above 5000")
    topics = YamlCatalogStore(settings.catalog_dir()).load().topics
    answer = Copilot(topics).ask(request.question)
    assert answer.valid, answer.errors
    _text, measure = watch_query("declines", answer.sql, request.condition, plan=answer.plan, topics=topics)
    assert measure == answer.plan["measures"][0]["alias"]  # the answer's one measure
