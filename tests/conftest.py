"""Shared fixtures. `stack` brings up the real local stack (Kafka, Flink, SQL Gateway, demo data)
unless it already answers, and stops at the end only what it started itself."""

from __future__ import annotations

from copilot.settings import DEMO_CATALOG_DIR
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

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
