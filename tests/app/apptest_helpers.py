"""Helpers for driving the app with streamlit.testing.v1.AppTest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"


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


def remove_job(name: str) -> None:
    """Stop a job a test saved and forget it: registry entry and output topic."""
    from copilot import settings
    from copilot.kafka.admin import delete_topic
    from copilot.ui.services import CatalogService, JobsService

    jobs = JobsService(CatalogService(settings.catalog_dir()))
    try:
        jobs.service.stop(name, savepoint=False, quiet=True)
    except Exception:
        pass
    jobs.service.registry.delete(name)
    delete_topic(f"job_{name}")
