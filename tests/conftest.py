"""Shared fixtures. `stack` brings up the real local stack (Kafka, Flink, SQL Gateway, demo data)
unless it already answers, and stops at the end only what it started itself."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = DEMO_CATALOG_DIR

# Tests that save jobs or sync write into the catalog: give the whole session (and the commands it
# starts) its own copy, so nothing leaks into ~/.flink-copilot/catalog or between test runs. The stack's
# state and artifacts stay under FLINK_COPILOT_HOME, shared, so the running stack is still found.
_SESSION_CATALOG = Path(tempfile.mkdtemp(prefix="flink-copilot-test-catalog-"))
shutil.copytree(DEMO_CATALOG_DIR, _SESSION_CATALOG, dirs_exist_ok=True)
os.environ["FLINK_COPILOT_CATALOG_DIR"] = str(_SESSION_CATALOG)
atexit.register(shutil.rmtree, _SESSION_CATALOG, True)


@pytest.fixture(scope="session")
def stack():
    from copilot.stack.launcher import Launcher

    launcher = Launcher()
    before = {row["component"] for row in launcher.status() if row["managed"]}
    rows = launcher.up(with_datagen=True, progress=lambda msg: sys.stderr.write(f"[stack] {msg}\n"))
    started = {row["component"] for row in rows if row["managed"]} - before
    yield launcher
    if started and not os.environ.get("FLINK_COPILOT_KEEP_STACK"):
        for name in ("datagen", "sql-gateway", "taskmanager", "jobmanager", "schema-registry", "kafka"):
            if name in started:
                launcher.table.stop(name)


@pytest.fixture(scope="session")
def catalog_topics():
    from copilot.catalog.store import YamlCatalogStore

    return YamlCatalogStore(CATALOG_DIR).load().topics


# ---- fast mode: `make test-fast` sets COPILOT_FAST_TESTS=1 -------------------------------------------------
# Property and fuzz tests keep their full example counts for `make test`; in fast mode each runs at most
# FAST_MAX_EXAMPLES (COPILOT_FAST_MAX_EXAMPLES), so the pure suite stays under a minute on a busy machine.
FAST = os.environ.get("COPILOT_FAST_TESTS", "").strip().lower() in ("1", "true", "yes")
FAST_MAX_EXAMPLES = int(os.environ.get("COPILOT_FAST_MAX_EXAMPLES", "25"))


def pytest_collection_modifyitems(config, items):
    if not FAST:
        return
    from hypothesis import settings as hypothesis_settings

    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)  # what @settings(...) gave the test
        if chosen is not None and chosen.max_examples > FAST_MAX_EXAMPLES:
            test._hypothesis_internal_use_settings = hypothesis_settings(chosen, max_examples=FAST_MAX_EXAMPLES)
