"""Fixtures for the browser tests: the app served by `python -m copilot app` on a free port, and
Debian's chromium driven by Playwright through `executable_path` (never Playwright's own download)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apptest_helpers import ARTIFACTS, AppServer, chromium_path

from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def app_server(stack, scratch_catalog_dir):
    server = AppServer({"FLINK_COPILOT_CATALOG_DIR": str(scratch_catalog_dir)})
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
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


@pytest.fixture(scope="session")
def scratch_catalog_dir(tmp_path_factory):
    """Saving a job writes its output topic into the catalog: the app tests use a copy, never catalog/."""
    directory = tmp_path_factory.mktemp("catalog")
    for path in (DEMO_CATALOG_DIR).glob("*.yaml"):
        if not path.name.startswith("job_"):
            shutil.copy(path, directory / path.name)
    return directory


@pytest.fixture(autouse=True)
def scratch_catalog(scratch_catalog_dir, monkeypatch):
    """Per test, so the override never leaks into other test packages."""
    monkeypatch.setenv("FLINK_COPILOT_CATALOG_DIR", str(scratch_catalog_dir))
    return scratch_catalog_dir


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of what the page showed."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{item.name}.png"), full_page=True)
