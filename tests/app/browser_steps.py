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


def page_text(page) -> str:
    try:
        return page.get_by_test_id("stAppViewContainer").inner_text(timeout=5_000)
    except Exception as exc:  # the page itself may be gone
        return f"<page text unavailable: {exc}>"


def wait_for_text(page, text: str, timeout_ms: int = 60_000) -> None:
    """Waits for `text` on the page; on timeout the failure shows what the page showed instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    except PlaywrightTimeout:
        shown = " | ".join(line.strip() for line in page_text(page).splitlines() if line.strip())
        raise AssertionError(
            f"{text!r} did not appear within {timeout_ms / 1000:.0f}s; the page showed: {shown[-1500:]}"
        ) from None
