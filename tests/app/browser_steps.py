"""What a person does in the app, as Playwright steps (shared by the browser tests and bench/bench_app.py)."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def ask(page, question: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")


def sql_locator(page, contains: str):
    return page.get_by_test_id("stCode").filter(has_text=contains).last


def metric_value(page, label: str) -> str | None:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").filter(has_text=label))
    if metric.count() == 0:
        return None
    return metric.last.get_by_test_id("stMetricValue").inner_text().strip()


def rows_shown(page) -> int:
    value = metric_value(page, "Rows")
    try:
        return int((value or "0").replace(",", ""))
    except ValueError:
        return 0


def open_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
