"""COPILOT_KAFKA_REPLICATION_FACTOR: the one setting (resolved by copilot.kafka.admin.replication_factor) that
gives every topic the product creates its replication factor. "auto" is the broker count, at most 3; an explicit
number larger than the cluster's broker count is a usage error naming the setting, and nothing is created.
Checked against the real local broker (a single-broker cluster)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from copilot.errors import UsageError
from copilot.kafka import admin as kadmin
from copilot.stack.datagen_kafka import TOPIC_NAMES, TopicSpec, admin_client, ensure_topics
from copilot.stack.datagen_scratch_kafka import ScratchKafka

SETTING = "COPILOT_KAFKA_REPLICATION_FACTOR"


@pytest.fixture
def topic_name():
    name = f"test-replication-{uuid.uuid4().hex[:10]}"
    yield name
    kadmin.delete_topic(name)


def brokers() -> int:
    return len(kadmin.admin().list_topics(timeout=10).brokers)


def replicas(name: str) -> list[int]:
    """Replica counts of each partition of `name`, as the cluster reports them."""
    metadata = kadmin.admin().list_topics(topic=name, timeout=10)
    return [len(p.replicas) for p in metadata.topics[name].partitions.values()]


@pytest.mark.parametrize(
    ("value", "cluster", "expected"),
    [(None, 1, 1), ("auto", 2, 2), ("AUTO", 3, 3), ("auto", 7, 3), ("2", 5, 2), (" 3 ", 3, 3)],
)
def test_resolution(monkeypatch, value, cluster, expected):
    if value is None:
        monkeypatch.delenv(SETTING, raising=False)
    else:
        monkeypatch.setenv(SETTING, value)
    assert kadmin.replication_factor(cluster) == expected


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_value_that_is_not_a_positive_number_names_the_setting(monkeypatch, value):
    monkeypatch.setenv(SETTING, value)
    with pytest.raises(UsageError) as raised:
        kadmin.replication_factor(3)
    assert SETTING in raised.value.message and value.strip().lower() in raised.value.message


@pytest.mark.stack
@pytest.mark.parametrize("value", [None, "auto", "1"])
def test_single_broker_topics_get_factor_1(stack, monkeypatch, topic_name, value):
    if value is None:
        monkeypatch.delenv(SETTING, raising=False)
    else:
        monkeypatch.setenv(SETTING, value)
    assert brokers() == 1, "the local stack runs one broker"
    assert kadmin.ensure_topic(topic_name, partitions=2, compacted=True)
    assert replicas(topic_name) == [1, 1]


@pytest.mark.stack
def test_more_replicas_than_brokers_is_a_clear_error(stack, monkeypatch, topic_name):
    monkeypatch.setenv(SETTING, "2")
    with pytest.raises(UsageError) as raised:
        kadmin.ensure_topic(topic_name)
    message = str(raised.value)
    assert f"{SETTING}=2" in message and "(1)" in message and "kafka" in message.lower()
    assert topic_name not in kadmin.topic_names()


@pytest.mark.stack
def test_an_existing_topic_needs_no_factor(stack, monkeypatch, topic_name):
    assert kadmin.ensure_topic(topic_name)
    monkeypatch.setenv(SETTING, "5")  # wrong for this cluster, but nothing is created
    assert kadmin.ensure_topic(topic_name) is False


@pytest.mark.stack
def test_the_demo_generator_uses_the_setting(stack, monkeypatch, topic_name):
    spec = (TopicSpec(topic_name, "id", "append", partitions=3, config={"cleanup.policy": "delete"}),)
    client = admin_client(stack.ep.bootstrap)
    monkeypatch.setenv(SETTING, "3")
    with pytest.raises(UsageError, match=SETTING):
        ensure_topics(client, topics=spec)
    assert topic_name not in kadmin.topic_names()
    monkeypatch.setenv(SETTING, "auto")
    assert ensure_topics(client, topics=spec) == [topic_name]
    assert replicas(topic_name) == [1, 1, 1]


@pytest.mark.stack
def test_the_generator_on_a_fresh_cluster_stops_with_the_error_then_creates_with_auto(tmp_path):
    """A fresh single-broker cluster (a scratch broker of our own, not the shared stack): the generator process
    with a factor of 2 exits 2 naming the setting and creates nothing; with auto it creates every topic with 1."""
    kafka = ScratchKafka(tmp_path)
    kafka.start()
    env = {**os.environ, "KAFKA_BOOTSTRAP": kafka.bootstrap, "DATAGEN_CUSTOMERS": "50", "DATAGEN_PRODUCTS": "10"}
    generator = None
    try:
        failed = subprocess.run(
            [sys.executable, "-m", "copilot.stack.datagen"],
            env={**env, SETTING: "2"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert failed.returncode == 2, failed.stderr[-2000:]
        assert f"datagen: setting {SETTING}=2 asks for more replicas than the Kafka cluster at {kafka.bootstrap}" in failed.stderr
        assert "Traceback" not in failed.stderr
        admin = admin_client(kafka.bootstrap)
        assert not set(TOPIC_NAMES) & set(admin.list_topics(timeout=10).topics)
        log_path = tmp_path / "datagen.log"
        with open(log_path, "wb") as log:
            generator = subprocess.Popen(
                [sys.executable, "-m", "copilot.stack.datagen"], stderr=log, env={**env, SETTING: "auto"}
            )
        deadline = time.monotonic() + 90
        while "datagen ready" not in log_path.read_text():
            assert generator.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.5)
        metadata = admin.list_topics(timeout=10)
        for name in TOPIC_NAMES:
            assert {len(p.replicas) for p in metadata.topics[name].partitions.values()} == {1}, name
    finally:
        if generator is not None and generator.poll() is None:
            generator.terminate()  # our own generator, by its handle
            generator.wait(30)
        kafka.stop()


@pytest.mark.stack
def test_the_audit_trail_topic_gets_the_factor_too(stack, monkeypatch, topic_name):
    from copilot.agent.audit import KafkaAuditSink

    monkeypatch.setenv(SETTING, "auto")
    sink = KafkaAuditSink(topic=topic_name)
    assert sink._ensure() is not None and sink.disabled_reason is None
    assert replicas(topic_name) == [brokers()]
    monkeypatch.setenv(SETTING, str(brokers() + 1))
    other = f"{topic_name}-x"
    try:
        with pytest.raises(UsageError) as raised:
            KafkaAuditSink(topic=other)._ensure()
        assert SETTING in raised.value.message
        assert other not in kadmin.admin().list_topics(timeout=10).topics
    finally:
        kadmin.delete_topic(other)
