"""Helpers for driving the app with streamlit.testing.v1.AppTest."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import httpx
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "copilot" / "app" / "streamlit_app.py"
ARTIFACTS = ROOT / "tests" / "artifacts"


def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun_until(at: AppTest, condition: Callable[[AppTest], bool], timeout: float = 90.0, every: float = 2.0) -> bool:
    """Rerun the script (as the page's timer would) until `condition` holds; False when it never did."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if condition(at):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(every)


def metric(at: AppTest, label: str) -> str | None:
    values = [m.value for m in at.metric if m.label == label]
    return values[-1] if values else None


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def stop_live(at: AppTest) -> None:
    runner = at.session_state["runner"] if "runner" in at.session_state else None
    if runner is not None:
        runner.stop("test finished")


def flink_job_state(job_id: str) -> str | None:
    import httpx

    from copilot import settings

    response = httpx.get(f"{settings.get('FLINK_REST')}/jobs/{job_id}", timeout=5.0)
    return response.json().get("state") if response.status_code == 200 else None


def audited(conversation_id: str, kind: str, timeout: float = 15.0) -> list[dict]:
    """The audit trail's events of one kind for one conversation, waiting for them to arrive."""
    from live_helpers import wait_for

    from copilot.agent.audit import read_events

    found: list[dict] = []

    def arrived() -> bool:
        found[:] = [e for e in read_events(500, conversation_id=conversation_id) if e["type"] == kind]
        return bool(found)

    wait_for(arrived, timeout=timeout, interval=0.5)
    return found


def remove_job(name: str) -> None:
    """Stop a job a test saved and forget it: registry entry and output topic."""
    from copilot.kafka.admin import delete_topic
    from copilot.ui.services import CatalogService, JobsService
    from copilot.wiring import Config, build

    jobs = JobsService(CatalogService(build(Config.from_settings())))
    try:
        jobs.service.stop(name, savepoint=False, quiet=True)
    except Exception:
        pass
    jobs.service.registry.delete(name)
    delete_topic(f"job_{name}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Debian's chromium is not installed: run `make setup` (scripts/install-system.sh)")
    return path


class AppServer:
    def __init__(self, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / f"app-{self.port}.log"
        env = {**os.environ, "COPILOT_LLM": "", **(extra_env or {})}
        env.pop("COPILOT_APP_PASSWORD", None) if "COPILOT_APP_PASSWORD" not in (extra_env or {}) else None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "copilot", "app", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.url}/_stcore/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the app did not answer at {self.url} within {timeout:.0f}s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()
