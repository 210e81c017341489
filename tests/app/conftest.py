"""Fixtures for the browser tests: the app served by `python -m copilot app` on a free port, and
Debian's chromium driven by Playwright through `executable_path` (never Playwright's own download)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


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
        self.process = subprocess.Popen([sys.executable, "-m", "copilot", "app", "--port", str(self.port)], cwd=ROOT,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

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


@pytest.fixture(scope="session")
def app_server(stack):
    server = AppServer()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_server.url)
    page.get_by_test_id("stChatInput").wait_for()
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def scratch_catalog(tmp_path_factory):
    """Saving a job writes its output topic into the catalog: the app tests use a copy, never catalog/."""
    directory = tmp_path_factory.mktemp("catalog")
    for path in (ROOT / "catalog").glob("*.yaml"):
        if not path.name.startswith("job_"):
            shutil.copy(path, directory / path.name)
    previous = os.environ.get("FLINK_COPILOT_CATALOG_DIR")
    os.environ["FLINK_COPILOT_CATALOG_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("FLINK_COPILOT_CATALOG_DIR", None)
    else:
        os.environ["FLINK_COPILOT_CATALOG_DIR"] = previous



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of what the page showed."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{item.name}.png"), full_page=True)
