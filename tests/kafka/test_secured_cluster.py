"""A secured Kafka (SASL/SSL settings in the environment): every client gets the security settings, the
Flink tables get them as `properties.*`, and the SASL password is never shown — not in `catalog ddl`, the
MCP server's DDL, a statement's repr, the audit trail or the logs — while the statement Flink receives
carries it (checked against the real SQL Gateway: Flink's own SHOW CREATE TABLE returns it)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid

import pytest

from copilot.agent.audit import MemoryAuditSink
from copilot.catalog.ddl import create_table_sql, create_table_statement, replay_table_statement
from copilot.catalog.store import YamlCatalogStore
from copilot.kafka import config as kafka_config
from copilot.security.redact import RedactingFilter
from copilot.settings import DEMO_CATALOG_DIR
from copilot.sql.statement import SECRET_MASK, TrustedStatement

TOPICS = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
PASSWORD = "pw-" + uuid.uuid4().hex[:12] + "'q\"b\\s"  # a quote, a double quote and a backslash: all escaped
JAAS_PASSWORD = PASSWORD.replace("\\", "\\\\").replace('"', '\\"')  # as the JAAS line writes it
SECURED = {
    "COPILOT_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "COPILOT_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "COPILOT_KAFKA_SASL_USERNAME": "copilot-user",
    "COPILOT_KAFKA_SASL_PASSWORD": PASSWORD,
    "COPILOT_KAFKA_SSL_CA_LOCATION": "/etc/ssl/kafka-ca.pem",
}


@pytest.fixture
def secured(monkeypatch):
    for name, value in SECURED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KAFKA_BOOTSTRAP", raising=False)
    return SECURED


def leaks(text: str) -> bool:
    return PASSWORD in text or JAAS_PASSWORD in text or PASSWORD[:15] in text


def test_clients_of_the_configured_cluster_get_the_security_settings(secured):
    config = kafka_config.client_config(None, {"group.id": "g"})
    assert config["bootstrap.servers"] == "localhost:9092" and config["group.id"] == "g"
    assert config["security.protocol"] == "SASL_SSL" and config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert config["sasl.username"] == "copilot-user" and config["sasl.password"] == PASSWORD
    assert config["ssl.ca.location"] == "/etc/ssl/kafka-ca.pem"
    # a client of another address (a scratch broker) is plaintext
    assert "security.protocol" not in kafka_config.client_config("localhost:19092")


def test_plaintext_when_unset(monkeypatch):
    for name in SECURED:
        monkeypatch.delenv(name, raising=False)
    assert kafka_config.security_config() == {} and kafka_config.flink_properties() == {}
    assert "properties.security" not in create_table_sql(TOPICS["orders"])


def test_a_bad_protocol_is_a_usage_error(secured, monkeypatch):
    from copilot.errors import UsageError

    monkeypatch.setenv("COPILOT_KAFKA_SECURITY_PROTOCOL", "SASL_TLS")
    with pytest.raises(UsageError, match="SASL_TLS"):
        kafka_config.client_config()


def test_printed_ddl_masks_the_jaas_config(secured):
    for name in ("orders", "customers"):  # kafka and upsert-kafka
        ddl = create_table_sql(TOPICS[name])
        assert not leaks(ddl)
        assert f"'properties.sasl.jaas.config' = '{SECRET_MASK}'" in ddl
        assert "'properties.security.protocol' = 'SASL_SSL'" in ddl
        assert "'properties.sasl.mechanism' = 'SCRAM-SHA-512'" in ddl
        assert "'properties.ssl.truststore.location' = '/etc/ssl/kafka-ca.pem'" in ddl


def test_statement_shows_the_mask_and_submits_the_secret(secured):
    statement = create_table_statement(TOPICS["orders"], temporary=True)
    for shown in (statement.sql, str(statement), repr(statement)):
        assert not leaks(shown) and "'properties.sasl.mechanism' = 'SCRAM-SHA-512'" in shown
    submitted = statement.text
    assert SECRET_MASK not in submitted
    jaas = (
        "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="copilot-user" password="{JAAS_PASSWORD}";'
    )
    assert f"'properties.sasl.jaas.config' = '{jaas.replace(chr(39), chr(39) * 2)}'" in submitted
    replay = replay_table_statement(TOPICS["orders"], start_offsets={0: 1}, end_offsets={0: 5})
    assert not leaks(replay.sql) and JAAS_PASSWORD.replace("'", "''") in replay.text


def test_a_secret_must_stand_masked_once_in_the_ddl(secured):
    ddl = create_table_sql(TOPICS["orders"])
    with pytest.raises(ValueError, match="secret option"):
        TrustedStatement.create_table("orders", ddl, {"properties.ssl.keystore.password": "x"})
    doubled = ddl.replace(
        "'properties.sasl.mechanism' = 'SCRAM-SHA-512'",
        f"'properties.sasl.mechanism' = 'SCRAM-SHA-512',\n  'properties.sasl.jaas.config' = '{SECRET_MASK}'",
    )
    with pytest.raises(ValueError, match="secret option"):
        TrustedStatement.create_table("orders", doubled, {"properties.sasl.jaas.config": "x"})


def test_audit_and_logs_redact_the_submitted_text(secured, caplog):
    statement = create_table_statement(TOPICS["orders"])
    audit = MemoryAuditSink()
    audit.record(
        {
            "type": "statement",
            "sql": statement.text,
            "properties.sasl.jaas.config": statement.text,
            "COPILOT_KAFKA_SASL_PASSWORD": PASSWORD,
            "detail": {"error": f"login failed for {PASSWORD}"},
        }
    )
    event = json.dumps(audit.events)
    assert not leaks(event) and "copilot-user" in event
    assert "properties.sasl.jaas.config" not in audit.events[0]  # credential-like keys are dropped
    logger = logging.getLogger("copilot.test.secured")
    with caplog.at_level(logging.INFO, logger="copilot.test.secured"):
        caplog.handler.addFilter(RedactingFilter())
        logger.info("submitting %s", statement.text)
    assert caplog.records and not leaks(caplog.text) and "copilot-user" in caplog.text


def test_catalog_ddl_command_never_prints_the_password():
    env = {**os.environ, **SECURED}
    env.pop("KAFKA_BOOTSTRAP", None)
    for args in (["catalog", "ddl", "orders"], ["catalog", "ddl", "customers", "--json"]):
        done = subprocess.run([sys.executable, "-m", "copilot", *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert not leaks(done.stdout + done.stderr)
        assert SECRET_MASK in done.stdout and "SASL_SSL" in done.stdout


@pytest.mark.stack
def test_flink_receives_the_secret_that_is_never_shown(stack, secured):
    """The real SQL Gateway: the table is created from the statement's text, and Flink's own SHOW CREATE
    TABLE returns the JAAS config with the password (nothing connects to Kafka at CREATE time)."""
    from copilot.flink.gateway import GatewayClient, Operation

    name = f"secured_orders_{uuid.uuid4().hex[:6]}"
    statement = create_table_statement(TOPICS["orders"], temporary=True, table_name=name)
    client = GatewayClient()
    try:
        client.register_tables({name: statement})
        session = client.session()
        handle = client._request(
            "POST", f"/{client.api}/sessions/{session}/statements", json={"statement": f"SHOW CREATE TABLE `{name}`"}
        )["operationHandle"]
        _columns, rows = Operation(client, session, handle, "SHOW CREATE TABLE").all_rows(60)
        created = "\n".join(str(cell) for row in rows for cell in row)
        # SHOW CREATE TABLE writes the option as a SQL literal: the single quote doubled
        assert "ScramLoginModule" in created and JAAS_PASSWORD.replace("'", "''") in created
        assert not leaks(statement.sql)
    finally:
        client.close()
