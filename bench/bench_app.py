"""Browser-side figures of the app, measured in headless Chromium against the live stack.

1. Enter → SQL visible, and Enter → first row visible (a continuous aggregate and a 5-second windowed
   question), with the same SQL through LiveQuery directly in the same run as the baseline (ratio).
2. Changelog rows per second the chat page keeps up with: the bench produces records to its own Kafka
   topic at rising rates; the page shows a GROUP BY over it (every record after the first per key is a
   -U/+U pair). At each rate it compares the changes the page shows with the changes the records imply.

Run: .venv/bin/python bench/bench_app.py   (writes bench/results/app.json)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "app")]

from apptest_helpers import AppServer, chromium_path  # noqa: E402  (the browser tests' server and chromium)
from browser_steps import ask, metric_value, rows_shown, sql_locator  # noqa: E402
from live_helpers import wait_for  # noqa: E402

from copilot import settings  # noqa: E402
from copilot.catalog.ddl import table_statements  # noqa: E402
from copilot.catalog.store import YamlCatalogStore  # noqa: E402
from copilot.flink.gateway import GatewayClient  # noqa: E402
from copilot.flink.live import LiveQuery  # noqa: E402
from copilot.validate import check  # noqa: E402

TOPIC = "bench_app_changes"
KEYS = 200
RATES = (250, 500, 1000, 2000)  # input records/s; the changelog carries about twice as many rows
STEP_S = 20.0
LATENCY_QUESTIONS = [
    ("continuous", "number of orders per channel", "GROUP BY channel"),
    ("windowed 5 s", "revenue per country every 5 seconds", "TUMBLE(TABLE orders"),
]
REPEATS = 3


def bench_catalog() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="bench-app-catalog-"))
    for path in (DEMO_CATALOG_DIR).glob("*.yaml"):
        if not path.name.startswith("job_"):
            shutil.copy(path, directory)
    (directory / f"{TOPIC}.yaml").write_text(f"""topic: {TOPIC}
description: Bench load for the app (written by bench/bench_app.py).
format: json
changelog: append
key: k
fields:
  - name: k
    type: STRING
    description: One of {KEYS} keys.
  - name: v
    type: INT
    description: A counter.
""")
    return directory


class Load:
    """Produces records at a set rate to the bench topic, counting what it sent."""

    def __init__(self):
        from confluent_kafka import Producer

        from copilot.kafka.admin import ensure_topic

        ensure_topic(TOPIC, partitions=1)
        self.producer = Producer({"bootstrap.servers": settings.get("KAFKA_BOOTSTRAP"), "linger.ms": 5})
        self.rate = 0
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        tick = 0.01
        owed = 0.0
        while not self._stop.is_set():
            owed += self.rate * tick
            while owed >= 1:
                n = self.sent
                self.producer.produce(TOPIC, key=f"k{n % KEYS}", value=json.dumps({"k": f"k{n % KEYS}", "v": n}))
                self.sent += 1
                owed -= 1
            self.producer.poll(0)
            time.sleep(tick)
        self.producer.flush(5)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def updates_shown(page) -> int:
    value = metric_value(page, "Updates") or "0"
    return int(value.replace(",", ""))


def baseline_first_row(sql: str, tables: list[str]) -> float:
    topics = YamlCatalogStore(settings.catalog_dir()).load().topics
    gateway = GatewayClient()
    try:
        ddls = table_statements(tables, topics)
        gateway.register_tables(ddls)  # as warm as the app's session, which registered them while validating
        started = time.monotonic()
        query = LiveQuery(gateway, check(sql, catalog=topics), ddls, max_rows=1, timeout=120)
        for _ in query.batches():
            break
        return time.monotonic() - started
    finally:
        gateway.close()


def measure_latency(page) -> dict:
    results = {}
    for label, question, marker in LATENCY_QUESTIONS:
        sql_s, row_s, base_s = [], [], []
        for _ in range(REPEATS):
            page.get_by_role("button", name="New conversation").click()
            page.wait_for_timeout(1000)
            started = time.monotonic()
            ask(page, question)
            code = sql_locator(page, marker)
            code.wait_for(timeout=60_000)
            sql_s.append(time.monotonic() - started)
            wait_for(lambda: rows_shown(page) > 0, timeout=90, interval=0.05)
            row_s.append(time.monotonic() - started)
            sql = code.inner_text()
            page.get_by_role("button", name="Stop").click()
            base_s.append(baseline_first_row(sql, ["orders"]))
        results[label] = {
            "question": question,
            "enter_to_sql_s": round(statistics.median(sql_s), 3),
            "enter_to_first_row_s": round(statistics.median(row_s), 3),
            "livequery_first_row_s": round(statistics.median(base_s), 3),
            "first_row_ratio_vs_livequery": round(statistics.median(row_s) / statistics.median(base_s), 2),
            "runs": REPEATS,
        }
        print(
            f"{label:>14}: Enter→SQL {results[label]['enter_to_sql_s']:.2f} s, Enter→first row "
            f"{results[label]['enter_to_first_row_s']:.2f} s (LiveQuery alone {results[label]['livequery_first_row_s']:.2f} s, "
            f"ratio {results[label]['first_row_ratio_vs_livequery']:.2f})"
        )
    return results


def measure_throughput(page) -> dict:
    load = Load()
    steps = []
    try:
        page.get_by_role("button", name="New conversation").click()
        page.wait_for_timeout(1000)
        ask(page, f"SELECT k, COUNT(*) AS n FROM {TOPIC} GROUP BY k")
        sql_locator(page, TOPIC).wait_for(timeout=60_000)
        load.rate = 50
        wait_for(
            lambda: rows_shown(page) >= KEYS, timeout=90, interval=0.1
        )  # every key seen once: from here each record is -U/+U
        for rate in RATES:
            load.rate = rate
            time.sleep(5)  # settle at the new rate
            sent0, shown0, t0 = load.sent, updates_shown(page), time.monotonic()
            time.sleep(STEP_S)
            sent1, shown1, t1 = load.sent, updates_shown(page), time.monotonic()
            expected = 2 * (sent1 - sent0) / (t1 - t0)
            shown = (shown1 - shown0) / (t1 - t0)
            lag = 2 * sent1 - shown1 - 2 * KEYS  # changes implied by the records but not yet on the page
            steps.append(
                {
                    "input_records_per_s": rate,
                    "changes_expected_per_s": round(expected),
                    "changes_shown_per_s": round(shown),
                    "kept_up": shown >= 0.9 * expected,
                    "lag_changes_at_end": lag,
                    "rows_on_page": rows_shown(page),
                }
            )
            print(
                f"  input {rate:>5}/s → changelog {expected:>7.0f}/s expected, page shows {shown:>7.0f}/s "
                f"({'keeps up' if shown >= 0.9 * expected else 'falls behind'}; lag {lag:,} changes)"
            )
        page.get_by_role("button", name="Stop").click()
    finally:
        load.stop()
    kept = [s["changes_expected_per_s"] for s in steps if s["kept_up"]]
    return {
        "steps": steps,
        "max_changes_per_s_kept_up": max(kept) if kept else 0,
        "keys": KEYS,
        "table_rows_bound": settings.get_int("COPILOT_APP_MAX_ROWS"),
        "goal_changes_per_s": 1000,
    }


def main() -> int:
    from playwright.sync_api import sync_playwright

    catalog = bench_catalog()
    os.environ["FLINK_COPILOT_CATALOG_DIR"] = str(catalog)
    server = AppServer({"FLINK_COPILOT_CATALOG_DIR": str(catalog)})
    try:
        server.wait_ready()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(server.url)
            page.get_by_test_id("stChatInput").wait_for()
            print("latency (median of", REPEATS, "runs):")
            latency = measure_latency(page)
            print("throughput:")
            throughput = measure_throughput(page)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(catalog, ignore_errors=True)
        try:
            from copilot.kafka.admin import delete_topic

            delete_topic(TOPIC)
        except Exception:
            pass
    result = {"latency": latency, "throughput": throughput, "machine_cores": os.cpu_count()}
    out = ROOT / "bench" / "results" / "app.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"max changelog rows/s the page keeps up with: {throughput['max_changes_per_s_kept_up']:,} "
        f"(goal ≥ 1,000/s, table bounded to {throughput['table_rows_bound']:,} rows) → {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
