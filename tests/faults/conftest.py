"""An ISOLATED stack for fault tests: own ports, own state directory, own catalog copy. The shared
stack on the default ports (used by everyone else's tests) is never touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from copilot.settings import DEMO_CATALOG_DIR
from copilot.stack.processes import ProcessTable

# 19092, 29092 and 39092 belong to other tests and benchmarks.
PORTS = {
    "KAFKA_BOOTSTRAP": "localhost:49092",
    "FLINK_REST": "http://localhost:48081",
    "FLINK_SQL_GATEWAY": "http://localhost:48083",
    "FLINK_COPILOT_REGISTRY_PORT": "48085",
}
DEMO_TOPICS = ("orders", "payments", "shipments", "page_views", "customers", "products")


@dataclass
class IsolatedStack:
    env: dict[str, str]
    state: Path
    catalog: Path
    timings: dict = field(default_factory=dict)

    @property
    def table(self) -> ProcessTable:
        return ProcessTable(self.state)

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "copilot", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "copilot", *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def up(self) -> None:
        result = self.cli("up", timeout=400)
        assert result.returncode == 0, result.stderr[-3000:]

    def our_processes(self) -> list[int]:
        """Every live process whose command line names our state directory (recorded or not)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:  # the JVMs name it on their command line; datagen inherits it in its environment
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                environ = (entry / "environ").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(self.state) in cmdline or f"FLINK_COPILOT_STATE_DIR={self.state}\0" in environ:
                pids.append(int(entry.name))
        return pids


@pytest.fixture(scope="module")
def iso(tmp_path_factory):
    state = tmp_path_factory.mktemp("fault-state")
    catalog = tmp_path_factory.mktemp("fault-catalog")
    for topic in DEMO_TOPICS:
        shutil.copy(DEMO_CATALOG_DIR / f"{topic}.yaml", catalog / f"{topic}.yaml")
    env = {
        **os.environ,
        **PORTS,
        "FLINK_COPILOT_STATE_DIR": str(state),
        "FLINK_COPILOT_CATALOG_DIR": str(catalog),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("COPILOT_LLM", None)
    stack = IsolatedStack(env, state, catalog)
    # this process talks to the isolated stack too (gateway clients, catalog DDL's bootstrap servers)
    patch = pytest.MonkeyPatch()
    for key, value in {**PORTS, "FLINK_COPILOT_STATE_DIR": str(state), "FLINK_COPILOT_CATALOG_DIR": str(catalog)}.items():
        patch.setenv(key, value)
    try:
        stack.up()
        yield stack
    finally:
        stack.cli("down", timeout=300)
        patch.undo()
        deadline = time.monotonic() + 30
        while stack.our_processes() and time.monotonic() < deadline:
            time.sleep(1)
        leftovers = stack.our_processes()
        out = os.environ.get("FAULT_TIMINGS_FILE")
        if out:
            Path(out).write_text(json.dumps(stack.timings, indent=2))
        assert not leftovers, f"processes of the isolated stack survived `down`: {leftovers}"
