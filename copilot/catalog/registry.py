"""Read registered schemas from a Confluent-compatible Schema Registry (REST) and turn them into catalog entries."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from copilot.catalog.inference import Inferred, choose_event_time
from copilot.catalog.model import Field, RegistrySchemaRef, TopicSchema
from copilot.errors import ServiceUnavailable
from copilot.sql.quoting import quote_name

log = logging.getLogger(__name__)

_AVRO_PRIMITIVES = {
    "string": "STRING",
    "int": "INT",
    "long": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "bytes": "BYTES",
    "null": "STRING",
}
_JSON_PRIMITIVES = {"string": "STRING", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN"}


def avro_to_flink(schema: Any) -> str:
    """The Flink type for an Avro schema (parsed JSON)."""
    if isinstance(schema, str):
        return _AVRO_PRIMITIVES.get(schema, "STRING")
    if isinstance(schema, list):  # union: ["null", X] is a nullable X
        branches = [s for s in schema if s != "null"]
        return avro_to_flink(branches[0]) if len(branches) == 1 else "STRING"
    kind = schema.get("type")
    logical = schema.get("logicalType")
    if logical in ("timestamp-millis", "local-timestamp-millis"):
        return "TIMESTAMP_LTZ(3)" if logical == "timestamp-millis" else "TIMESTAMP(3)"
    if logical in ("timestamp-micros",):
        return "TIMESTAMP_LTZ(6)"
    if logical == "date":
        return "DATE"
    if logical == "decimal":
        return f"DECIMAL({schema.get('precision', 10)}, {schema.get('scale', 0)})"
    if kind == "record":
        inner = ", ".join(f"{quote_name(f['name'])} {avro_to_flink(f['type'])}" for f in schema.get("fields", []))
        return f"ROW<{inner}>"
    if kind == "array":
        return f"ARRAY<{avro_to_flink(schema.get('items', 'string'))}>"
    if kind == "map":
        return f"MAP<STRING, {avro_to_flink(schema.get('values', 'string'))}>"
    if kind in ("enum", "fixed"):
        return "STRING" if kind == "enum" else "BYTES"
    return avro_to_flink(kind) if isinstance(kind, (str, list, dict)) else "STRING"


def json_schema_to_flink(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else "string"
    if kind == "string" and schema.get("format") == "date-time":
        return "TIMESTAMP_LTZ(3)"
    if kind == "string" and schema.get("format") == "date":
        return "DATE"
    if kind == "object":
        props = schema.get("properties", {})
        return "ROW<" + ", ".join(f"{quote_name(k)} {json_schema_to_flink(v)}" for k, v in props.items()) + ">"
    if kind == "array":
        return f"ARRAY<{json_schema_to_flink(schema.get('items', {'type': 'string'}))}>"
    return _JSON_PRIMITIVES.get(kind or "string", "STRING")


def schema_from_registered(topic: str, schema_type: str, text: str) -> Inferred:
    parsed = json.loads(text)
    fields: list[Field] = []
    if schema_type == "AVRO":
        if not isinstance(parsed, dict) or parsed.get("type") != "record":
            return Inferred(None, "registered Avro schema is not a record")
        for f in parsed.get("fields", []):
            fields.append(Field(name=f["name"], type=avro_to_flink(f["type"]), description=f.get("doc", ""), added_by_sync=True))
        fmt = "avro-confluent"
        description = parsed.get("doc", "")
    elif schema_type == "JSON":
        for name, prop in (parsed.get("properties") or {}).items():
            fields.append(
                Field(name=name, type=json_schema_to_flink(prop), description=prop.get("description", ""), added_by_sync=True)
            )
        fmt = "json"
        description = parsed.get("description", "")
    else:
        return Inferred(None, f"registered schema type {schema_type} is not supported (Avro and JSON Schema are)")
    if not fields:
        return Inferred(None, "registered schema has no fields")
    schema = TopicSchema(topic=topic, description=description, format=fmt, fields=fields)
    schema.event_time = choose_event_time(fields)
    return Inferred(schema, notes=[f"from the Schema Registry ({schema_type})"])


def value_subject(topic: str) -> str:
    """The subject of a topic's record values (Confluent's default TopicNameStrategy)."""
    return f"{topic}-value"


class SchemaRegistry:
    """A Confluent-compatible Schema Registry (Confluent's own, Apicurio's /apis/ccompat/v7, Karapace ...):
    subjects `<topic>-value`, latest version."""

    def __init__(self, url: str, timeout: float = 5.0):
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=timeout)

    def _get(self, path: str) -> httpx.Response | None:
        """The response, None for 404; ServiceUnavailable (exit 3, naming the address) otherwise."""
        try:
            response = self.client.get(path)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Schema Registry", self.url, str(exc) or type(exc).__name__) from None
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ServiceUnavailable("Schema Registry", self.url, f"HTTP {response.status_code}: {response.text[:200]}")
        return response

    def subjects(self) -> list[str]:
        response = self._get("/subjects")
        try:
            subjects = response.json() if response is not None else None
        except ValueError:
            subjects = None
        if not isinstance(subjects, list):
            raise ServiceUnavailable(
                "Schema Registry",
                self.url,
                "GET /subjects did not answer with a list of subjects (is this the registry's Confluent-compatible API?)",
            )
        return [str(s) for s in subjects]

    def latest(self, subject: str) -> dict | None:
        """{subject, id, version, schema, schemaType?} of the subject's latest version, or None."""
        response = self._get(f"/subjects/{subject}/versions/latest")
        return response.json() if response is not None else None

    def schema_by_id(self, schema_id: int) -> dict | None:
        """The parsed schema registered under `schema_id` (the id a Confluent-framed record carries), or None."""
        response = self._get(f"/schemas/ids/{int(schema_id)}")
        return json.loads(response.json()["schema"]) if response is not None else None

    def topic_schema(self, topic: str) -> Inferred | None:
        body = self.latest(value_subject(topic))
        if body is None:
            return None
        inferred = schema_from_registered(topic, body.get("schemaType", "AVRO"), body["schema"])
        if inferred.schema is not None:
            inferred.schema.registry = RegistrySchemaRef(
                body.get("subject", value_subject(topic)), int(body["id"]), int(body["version"])
            )
            inferred.notes = [
                f"from the Schema Registry ({body.get('schemaType', 'AVRO')}, subject "
                f"{inferred.schema.registry.subject} version {inferred.schema.registry.version}, "
                f"id {inferred.schema.registry.schema_id})"
            ]
        return inferred
