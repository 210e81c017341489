"""`up`, `down`, `status` through the real CLI, on a second stack with its own ports and state
directory so the shared stack of the other tests is left alone."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from copilot.stack.processes import ProcessRecord

pytestmark = pytest.mark.stack

PORTS = {
    "KAFKA_BOOTSTRAP": "localhost:29092",
    "FLINK_REST": "http://localhost:28081",
    "FLINK_SQL_GATEWAY": "http://localhost:28083",
    "FLINK_COPILOT_REGISTRY_PORT": "28085",
}


@pytest.fixture(scope="module")
def isolated_env(tmp_path_factory):
    state = tmp_path_factory.mktemp("stack-state")
    env = {**os.environ, **PORTS, "FLINK_COPILOT_STATE_DIR": str(state)}
    yield env, state
    subprocess.run([sys.executable, "-m", "copilot", "down"], env=env, capture_output=True, timeout=120)


def cli(env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "copilot", *args], env=env, capture_output=True, text=True, timeout=timeout)


def recorded_pids(state: Path) -> list[ProcessRecord]:
    records = []
    for pid_file in (state / "pids").glob("*.pid"):
        data = json.loads(pid_file.read_text())
        records.append(ProcessRecord(pid_file.stem, data["pid"], data["start_ticks"], data["cmd"]))
    return records


def test_up_status_down_cycle(isolated_env):
    env, state = isolated_env
    first = cli(env, "up", "--no-datagen")
    assert first.returncode == 0, first.stderr
    status = cli(env, "status", "--json")
    assert status.returncode == 0, status.stderr
    components = {c["component"]: c for c in json.loads(status.stdout)["components"]}
    for name in ("kafka", "schema-registry", "jobmanager", "taskmanager", "sql-gateway"):
        assert components[name]["running"], components[name]
        assert components[name]["managed"]
    assert components["jobmanager"]["version"] == "2.2.0"
    assert components["sql-gateway"]["address"] == "http://localhost:28083"
    pids_before = {r.name: r.pid for r in recorded_pids(state)}
    registry = f"http://localhost:{PORTS['FLINK_COPILOT_REGISTRY_PORT']}/apis/ccompat/v7"
    schema = {"type": "record", "name": "Kept", "fields": [{"name": "id", "type": "string"}]}
    registered = httpx.post(
        f"{registry}/subjects/kept-value/versions",
        json={"schema": json.dumps(schema)},
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        timeout=10,
    )
    assert registered.status_code == 200, registered.text

    again = cli(env, "up", "--no-datagen")  # idempotent: running parts are left alone
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stderr
    assert {r.name: r.pid for r in recorded_pids(state)} == pids_before

    records = recorded_pids(state)
    down = cli(env, "down")
    assert down.returncode == 0, down.stderr
    assert not any(r.alive() for r in records), "a process of ours survived `down`"
    assert cli(env, "down").returncode == 0  # idempotent

    status = cli(env, "status", "--json")
    assert status.returncode == 3
    assert not any(c["running"] for c in json.loads(status.stdout)["components"])

    restarted = cli(env, "up", "--no-datagen")  # a second `up` after `down` works
    assert restarted.returncode == 0, restarted.stderr
    kept = httpx.get(f"{registry}/subjects/kept-value/versions/latest", timeout=10)  # the registry's storage persists
    assert kept.status_code == 200 and kept.json()["id"] == registered.json()["id"], kept.text
    assert cli(env, "down").returncode == 0


def test_port_conflict_exits_3_and_names_the_port(isolated_env):
    env, _state = isolated_env
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("localhost", 29092))
    blocker.listen()
    try:
        result = cli(env, "up", "--no-datagen")
    finally:
        blocker.close()
    assert result.returncode == 3
    assert "port 29092" in result.stderr
    assert "already taken" in result.stderr
