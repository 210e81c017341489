"""Schema Registry client over real HTTP: a local server answering with Confluent-shaped responses."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from copilot.catalog.registry import SchemaRegistry
from copilot.errors import ServiceUnavailable

AVRO = {"type": "record", "name": "Reading", "doc": "Meter readings.", "fields": [
    {"name": "meter_id", "type": "string", "doc": "Meter."},
    {"name": "kwh", "type": "double"},
    {"name": "read_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
]}
JSON_SCHEMA = {"type": "object", "description": "Tickets.", "properties": {
    "id": {"type": "string"}, "opened": {"type": "string", "format": "date-time"}, "tags": {"type": "array", "items": {"type": "string"}}}}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        bodies = {
            "/subjects/readings-value/versions/latest": {"subject": "readings-value", "version": 3, "id": 7, "schema": json.dumps(AVRO)},
            "/subjects/tickets-value/versions/latest": {"subject": "tickets-value", "version": 1, "id": 8, "schemaType": "JSON", "schema": json.dumps(JSON_SCHEMA)},
        }
        body = bodies.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.end_headers()
        self.wfile.write(json.dumps(body or {"error_code": 40401, "message": "Subject not found."}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_url():
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_avro_subject_becomes_catalog_entry(registry_url):
    inferred = SchemaRegistry(registry_url).topic_schema("readings")
    s = inferred.schema
    assert s.format == "avro-confluent" and s.description == "Meter readings." and s.event_time == "read_at"
    assert [(f.name, f.type) for f in s.fields] == [("meter_id", "STRING"), ("kwh", "DOUBLE"), ("read_at", "TIMESTAMP_LTZ(3)")]


def test_json_schema_subject(registry_url):
    s = SchemaRegistry(registry_url).topic_schema("tickets").schema
    assert s.format == "json" and [(f.name, f.type) for f in s.fields] == [("id", "STRING"), ("opened", "TIMESTAMP_LTZ(3)"), ("tags", "ARRAY<STRING>")]


def test_unregistered_subject_falls_back_to_sampling(registry_url):
    assert SchemaRegistry(registry_url).topic_schema("orders") is None


def test_unreachable_registry_is_service_unavailable():
    with pytest.raises(ServiceUnavailable) as info:
        SchemaRegistry("http://127.0.0.1:1", timeout=2).topic_schema("x")
    assert info.value.exit_code == 3 and "Schema Registry" in info.value.message
