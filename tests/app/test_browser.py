"""End to end in headless Chromium: the app as a person uses it. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import uuid

import pytest
from apptest_helpers import remove_job
from browser_steps import ask, open_page, rows_shown, shot, sql_locator, wait_for_text
from live_helpers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_windowed_question_updates_table_and_chart_then_stops(page):
    shot(page, "01-chat-empty")
    ask(page, "revenue per country every 5 seconds")
    sql_locator(page, "TUMBLE(TABLE orders").wait_for()
    assert "SUM(amount)" in sql_locator(page, "TUMBLE(TABLE orders").inner_text()
    page.get_by_text("Valid, checked by Flink").first.wait_for()
    shot(page, "02-chat-answer")

    chart = page.get_by_test_id("stVegaLiteChart").last
    images, counts = [], []
    for step in range(3):  # the first rows, then two more updates
        previous = counts[-1] if counts else 0
        assert wait_for(lambda previous=previous: rows_shown(page) > previous, timeout=60, interval=0.1), (
            f"no new rows after {previous}"
        )
        chart.wait_for()
        page.wait_for_timeout(1500)  # let the chart draw the new points
        counts.append(rows_shown(page))
        images.append(chart.screenshot())
        shot(page, f"03-chat-live-{step + 1}")
    assert counts[0] < counts[1] < counts[2]
    assert images[0] != images[1] != images[2], "the chart did not change with the data"
    assert page.get_by_test_id("stDataFrame").count() >= 1

    page.get_by_text("Bars", exact=True).click()  # the user switches the chart
    page.wait_for_timeout(1500)
    shot(page, "04-chat-bars")

    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped").first.wait_for()
    stopped_at = rows_shown(page)
    page.wait_for_timeout(6000)  # a window closes in that time: a running query would add rows
    assert rows_shown(page) == stopped_at
    shot(page, "05-chat-stopped")


def test_catalog_and_a_topic(page):
    open_page(page, "Catalog")
    page.get_by_role("button", name="orders", exact=True).click()
    page.get_by_role("heading", name="orders").first.wait_for()
    page.get_by_text("CREATE TABLE `orders`").wait_for()
    page.get_by_text("Latest records").wait_for()
    page.get_by_test_id("stGraphVizChart").first.wait_for()
    page.get_by_text("order_time").first.wait_for()
    page.wait_for_timeout(1500)
    shot(page, "06-catalog-orders")
    page.get_by_test_id("stTextInput").locator("input").fill("revenue by customer segment")
    page.keyboard.press("Enter")
    page.get_by_text("score").first.wait_for()
    shot(page, "07-catalog-search")


def test_save_a_job_and_stop_it(page):
    name = f"browser_{uuid.uuid4().hex[:6]}"
    ask(page, "number of orders per channel every 10 seconds")
    sql_locator(page, "TUMBLE(TABLE").wait_for()  # canonical SQL may quote `orders`
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Save as job").click()
    # the preview comes before the save: no save button until the replay of recorded data is shown
    preview = page.get_by_role("button", name="Preview on the last 5 minutes")
    preview.wait_for()
    assert page.get_by_role("button", name="Save and start").count() == 0
    preview.dispatch_event("click")
    page.get_by_text("Preview rows").wait_for(timeout=60_000)
    page.get_by_text("State estimate:").wait_for()
    page.get_by_role("button", name="Save and start").wait_for()  # only now, below the preview
    page.locator("[class*='st-key-preview_']").get_by_test_id("stVegaLiteChart").wait_for()  # the preview's chart
    page.wait_for_timeout(1000)
    shot(page, "08-job-preview")
    page.get_by_label("Job name").fill(name)
    # the sticky chat input can cover the button while the page re-renders: click it as an event
    page.get_by_role("button", name="Save and start").dispatch_event("click")
    wait_for_text(page, f"job_{name}", timeout_ms=90_000)
    wait_for_text(page, "RUNNING")
    shot(page, "08-job-saved")
    try:
        open_page(page, "Jobs")
        card = page.locator(f".st-key-job_{name}")
        card.wait_for()
        card.get_by_text("RUNNING").wait_for()
        shot(page, "09-jobs-running")
        card.get_by_role("button", name="Stop with savepoint").click()
        card.get_by_text("last savepoint: file:").wait_for(timeout=120_000)
        card.get_by_role("button", name="Resume").wait_for()
        card.get_by_text("STOPPED").wait_for()
        shot(page, "10-jobs-stopped")
    finally:
        remove_job(name)
