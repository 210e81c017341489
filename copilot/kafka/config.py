"""The one Kafka client configuration: bootstrap servers from the settings table, and the security
settings of a real cluster (SASL/SSL, `COPILOT_KAFKA_*`) for both librdkafka clients and Flink's Kafka
connector. Infrastructure layer: imports only copilot.settings and copilot.errors.

The security settings belong to the `KAFKA_BOOTSTRAP` cluster: a client of another address (a scratch
broker of the tests, the local stack's own broker on another port) is a plaintext client."""

from __future__ import annotations

import logging
from typing import Any

from copilot import settings
from copilot.errors import UsageError

DEFAULT_BOOTSTRAP = "localhost:9092"
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
# Flink's SQL Kafka connector relocates the Kafka client classes (flink-sql-connector-kafka)
_SHADED = "org.apache.flink.kafka.shaded."
_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}
# Flink table options whose values hold secrets: printed as MASK, given to Flink only in the request body
SECRET_FLINK_OPTIONS = ("properties.sasl.jaas.config",)
MASK = "****"


def bootstrap() -> str:
    return settings.get("KAFKA_BOOTSTRAP") or DEFAULT_BOOTSTRAP


def _secured(servers: str | None) -> bool:
    return servers is None or servers == bootstrap()


def _security() -> dict[str, str]:
    """The security settings as Kafka's own (librdkafka and Java) property names; {} when unset."""
    protocol = (settings.get("COPILOT_KAFKA_SECURITY_PROTOCOL") or "").strip().upper()
    if not protocol or protocol == "PLAINTEXT":
        return {}
    if protocol not in PROTOCOLS:
        raise UsageError(
            f"COPILOT_KAFKA_SECURITY_PROTOCOL={protocol!r} is not a Kafka security protocol",
            hint=f"use one of {', '.join(PROTOCOLS)}",
        )
    out = {"security.protocol": protocol}
    if protocol.startswith("SASL_"):
        mechanism = (settings.get("COPILOT_KAFKA_SASL_MECHANISM") or "PLAIN").strip().upper()
        if mechanism not in MECHANISMS:
            raise UsageError(
                f"COPILOT_KAFKA_SASL_MECHANISM={mechanism!r} is not supported", hint=f"use one of {', '.join(MECHANISMS)}"
            )
        out["sasl.mechanism"] = mechanism
        out["sasl.username"] = settings.get("COPILOT_KAFKA_SASL_USERNAME") or ""
        out["sasl.password"] = settings.get("COPILOT_KAFKA_SASL_PASSWORD") or ""
    ca = settings.get("COPILOT_KAFKA_SSL_CA_LOCATION")
    if ca and protocol.endswith("SSL"):
        out["ssl.ca.location"] = ca
    return out


def security_config(servers: str | None = None) -> dict[str, str]:
    """librdkafka properties for the cluster at `servers` (None: KAFKA_BOOTSTRAP)."""
    return _security() if _secured(servers) else {}


def client_config(servers: str | None = None, extra: dict[str, Any] | None = None, *, quiet: bool = False) -> dict[str, Any]:
    """The configuration every librdkafka client starts from: bootstrap, security, then `extra`.
    `quiet`: librdkafka's own log goes to the "librdkafka" logger at no level (it would otherwise print
    every failed connection attempt to stderr; callers report outages themselves)."""
    config: dict[str, Any] = {"bootstrap.servers": servers or bootstrap(), **security_config(servers)}
    if quiet:
        config.update({"log_level": 0, "logger": logging.getLogger("librdkafka")})
    config.update(extra or {})
    return config


def _jaas_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flink_properties(servers: str | None = None) -> dict[str, str]:
    """Flink Kafka connector options (`properties.*`) for the cluster at `servers`: the same security
    as the product's own clients, the SASL login as a JAAS config of the connector's shaded classes.
    The values of SECRET_FLINK_OPTIONS are secrets (see copilot.catalog.ddl)."""
    security = security_config(servers)
    if not security:
        return {}
    out = {"properties.security.protocol": security["security.protocol"]}
    if "sasl.mechanism" in security:
        mechanism = security["sasl.mechanism"]
        out["properties.sasl.mechanism"] = mechanism
        out["properties.sasl.jaas.config"] = (
            f"{_SHADED}{_LOGIN_MODULES[mechanism]} required username={_jaas_quote(security['sasl.username'])} "
            f"password={_jaas_quote(security['sasl.password'])};"
        )
    if "ssl.ca.location" in security:
        out["properties.ssl.truststore.type"] = "PEM"
        out["properties.ssl.truststore.location"] = security["ssl.ca.location"]
    return out
