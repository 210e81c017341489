"""docker-compose.yml offers the same stack as `flink-copilot up`: same ports, same variable names,
same versions. No Docker engine runs here, so the file itself is checked against the settings table
and the versions the local stack downloads."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from ruamel.yaml import YAML

from copilot import settings
from copilot.stack import artifacts

ROOT = Path(__file__).resolve().parent.parent
FLINK_SERVICES = ("jobmanager", "taskmanager", "sql-gateway")


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


DEFAULTS = {s.name: s.default for s in settings.SETTINGS}


def default_port(name: str) -> int:
    value = DEFAULTS[name]
    return urlparse(value if "://" in value else f"//{value}").port


def flink_properties(service: dict) -> dict[str, str]:
    lines = service["environment"]["FLINK_PROPERTIES"].strip().splitlines()
    return dict(line.split(": ", 1) for line in lines)


def test_has_the_stack_services(services):
    assert set(services) == {"kafka", *FLINK_SERVICES, "schema-registry", "datagen"}


def test_uses_official_images_at_the_local_stack_versions(services):
    assert services["kafka"]["image"] == f"apache/kafka:{artifacts.KAFKA_VERSION}"
    dockerfile = (ROOT / services["jobmanager"]["build"]["context"] / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/flink:\$\{FLINK_VERSION\}-", dockerfile, re.M)
    assert "flink-sql-connector-kafka-${KAFKA_CONNECTOR_VERSION}.jar" in dockerfile
    assert "/opt/flink/lib/" in dockerfile
    for name in FLINK_SERVICES:
        build_args = services[name]["build"]["args"]
        assert build_args == {
            "FLINK_VERSION": artifacts.FLINK_VERSION,
            "KAFKA_CONNECTOR_VERSION": artifacts.KAFKA_CONNECTOR_VERSION,
        }, name
        assert services[name]["image"] == services["jobmanager"]["image"]


def test_publishes_the_default_ports_of_the_settings(services):
    published = {tuple(int(p) for p in str(mapping).split(":")) for mapping in services["kafka"]["ports"]}
    for name in ("KAFKA_BOOTSTRAP", "FLINK_REST", "FLINK_SQL_GATEWAY", "FLINK_COPILOT_REGISTRY_PORT"):
        port = int(DEFAULTS[name]) if name.endswith("_PORT") else default_port(name)
        assert (port, port) in published, f"{name} port {port} is not published as {port}:{port}"
    for name in ("jobmanager", "taskmanager", "sql-gateway", "schema-registry", "datagen"):
        # One network namespace: localhost means the same thing in every container and on the host.
        assert services[name]["network_mode"] == "service:kafka", name
        assert "ports" not in services[name]


def test_kafka_listens_where_kafka_bootstrap_points(services):
    env = services["kafka"]["environment"]
    bootstrap = DEFAULTS["KAFKA_BOOTSTRAP"]
    assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{bootstrap}"
    assert f":{default_port('KAFKA_BOOTSTRAP')}" in env["KAFKA_LISTENERS"]
    assert "broker" in env["KAFKA_PROCESS_ROLES"] and "controller" in env["KAFKA_PROCESS_ROLES"]  # KRaft, one node
    assert str(env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]).lower() == "false"  # the generator creates its topics


def test_flink_addresses_match_the_settings(services):
    props = {name: flink_properties(services[name]) for name in FLINK_SERVICES}
    assert props["jobmanager"] == props["taskmanager"] == props["sql-gateway"]
    p = props["jobmanager"]
    rest = urlparse(DEFAULTS["FLINK_REST"])
    gateway = urlparse(DEFAULTS["FLINK_SQL_GATEWAY"])
    assert (p["rest.address"], int(p["rest.port"])) == (rest.hostname, rest.port)
    assert (p["sql-gateway.endpoint.rest.address"], int(p["sql-gateway.endpoint.rest.port"])) == (gateway.hostname, gateway.port)
    assert int(p["taskmanager.numberOfTaskSlots"]) >= 8  # several live queries and saved jobs at once
    assert p["state.savepoints.dir"].startswith("file://")  # stop with savepoint, resume
    assert services["jobmanager"]["command"] == "jobmanager"
    assert services["taskmanager"]["command"] == "taskmanager"
    assert services["sql-gateway"]["command"] == "bin/sql-gateway.sh start-foreground"


def test_generator_runs_the_project_with_the_settings_names_and_defaults(services):
    datagen = services["datagen"]
    assert datagen["image"].startswith("python:3.")
    script = " ".join(datagen["command"]) if isinstance(datagen["command"], list) else datagen["command"]
    assert "pip install" in script and script.rstrip().endswith("python -m copilot.stack.datagen")
    assert any(v.endswith(":/project:ro") and v.startswith("./") for v in datagen["volumes"])
    env = datagen["environment"]
    known = {s.name for s in settings.SETTINGS}
    assert set(env) <= known, f"unknown variables {set(env) - known}"
    datagen_settings = {s.name for s in settings.SETTINGS if s.name.startswith("DATAGEN_")}
    assert datagen_settings <= set(env), f"rates not configurable here: {datagen_settings - set(env)}"
    for name, value in env.items():
        assert str(value) == DEFAULTS[name], f"{name}={value} differs from the settings default"


def test_every_variable_is_a_setting_or_belongs_to_an_image(services):
    image_variables = re.compile(
        r"^(KAFKA_[A-Z_]+|FLINK_PROPERTIES|JOB_MANAGER_RPC_ADDRESS|HTTP_PORT|QUARKUS_[A-Z_]+|REGISTRY_[A-Z_]+)$"
    )
    known = {s.name for s in settings.SETTINGS}
    for name, service in services.items():
        for variable in service.get("environment", {}):
            assert variable in known or image_variables.match(variable), f"{name}: {variable}"
    # The ones the CLI reads must not be shadowed by an image variable of another meaning.
    assert "KAFKA_BOOTSTRAP" not in services["kafka"]["environment"]


def test_schema_registry_is_the_local_stacks_version_on_its_port_with_persistent_storage(services, compose):
    registry = services["schema-registry"]
    assert registry["image"] == f"apicurio/apicurio-registry-mem:{artifacts.REGISTRY_VERSION}.Final"
    env = registry["environment"]
    assert str(env["HTTP_PORT"]) == DEFAULTS["FLINK_COPILOT_REGISTRY_PORT"]
    assert env["REGISTRY_DATASOURCE_URL"].startswith("jdbc:h2:file:/registry-data/")  # not in memory
    assert "registry-data:/registry-data" in registry["volumes"] and "registry-data" in compose["volumes"]
    assert services["datagen"]["depends_on"]["schema-registry"]["condition"] == "service_healthy"
    dockerfile = (ROOT / services["jobmanager"]["build"]["context"] / "Dockerfile").read_text()
    assert "flink-sql-avro-confluent-registry-${FLINK_VERSION}.jar" in dockerfile
