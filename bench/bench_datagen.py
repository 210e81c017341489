"""Demo generator figures (issue 3): achieved rate per topic versus configured, and its CPU use.

Runs the generator as `flink-copilot up` does (`python -m copilot.stack.datagen`) against a scratch
Kafka of its own (so the shared stack's topics are untouched), once at the default rates and once at
5x. Per topic it reads end offsets before and after a 30 s window; the configured rate of the
follow-up topics (payments, shipments) is what the shop model produces in that same window.

Run: .venv/bin/python bench/bench_datagen.py
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write  # noqa: E402

from copilot import settings  # noqa: E402
from copilot.stack.datagen_domain import Shop  # noqa: E402
from copilot.stack.datagen_kafka import TOPIC_NAMES  # noqa: E402
from copilot.stack.datagen_scratch_kafka import ScratchKafka  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WARMUP_S = 15.0
WINDOW_S = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
RATE_SETTINGS = {
    "orders": "DATAGEN_ORDERS_PER_SEC",
    "page_views": "DATAGEN_PAGE_VIEWS_PER_SEC",
    "customers": "DATAGEN_CUSTOMER_UPDATES_PER_SEC",
    "products": "DATAGEN_PRODUCT_UPDATES_PER_SEC",
}


def end_total(consumer: Consumer, topic: str) -> int:
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    return sum(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def follow_up_rates(orders_per_sec: float) -> dict[str, float]:
    """Payments and shipments per second the shop model puts into [warm-up, warm-up + window]."""
    shop = Shop(
        customers=2000, products=500, late_fraction=settings_float("DATAGEN_LATE_FRACTION"), rng=random.Random(1), run_id="bench0"
    )
    counts = {"payments": 0, "shipments": 0}
    n = int(orders_per_sec * (WARMUP_S + WINDOW_S))
    for i in range(n):
        for event in shop.order(i / orders_per_sec):
            if event.topic in counts and WARMUP_S <= event.produce_at < WARMUP_S + WINDOW_S:
                counts[event.topic] += 1
    return {topic: count / WINDOW_S for topic, count in counts.items()}


def settings_float(name: str) -> float:
    return float(settings.get(name))


def run_profile(kafka: ScratchKafka, factor: float, workdir: Path) -> dict:
    configured = {topic: settings_float(name) * factor for topic, name in RATE_SETTINGS.items()}
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP": kafka.bootstrap,
        **{name: str(configured[topic]) for topic, name in RATE_SETTINGS.items()},
    }
    log_path = workdir / f"datagen-{factor:g}x.log"
    with open(log_path, "wb") as log:
        started = time.monotonic()
        generator = subprocess.Popen([sys.executable, "-m", "copilot.stack.datagen"], stderr=log, env=env, cwd=ROOT)
    consumer = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": "bench", "log_level": 0})
    try:
        while "datagen ready" not in log_path.read_text():
            if generator.poll() is not None or time.monotonic() - started > 120:
                raise RuntimeError(f"generator did not get ready:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        ready_s = time.monotonic() - started
        time.sleep(WARMUP_S)
        before = {t: end_total(consumer, t) for t in TOPIC_NAMES}
        cpu_before, t0 = cpu_seconds(generator.pid), time.monotonic()
        time.sleep(WINDOW_S)
        after = {t: end_total(consumer, t) for t in TOPIC_NAMES}
        cpu_after, t1 = cpu_seconds(generator.pid), time.monotonic()
        rss = rss_mb(generator.pid)
        stop_started = time.monotonic()
        generator.send_signal(signal.SIGTERM)
        exit_code = generator.wait(60)
        stop_s = time.monotonic() - stop_started
    finally:
        consumer.close()
        if generator.poll() is None:
            generator.kill()
            generator.wait(10)
    elapsed = t1 - t0
    configured.update({t: r * factor for t, r in follow_up_rates(settings_float("DATAGEN_ORDERS_PER_SEC")).items()})
    topics = {}
    for topic in TOPIC_NAMES:
        achieved = (after[topic] - before[topic]) / elapsed
        topics[topic] = {
            "configured_per_s": round(configured[topic], 2),
            "achieved_per_s": round(achieved, 2),
            "ratio": round(achieved / configured[topic], 3) if configured[topic] else None,
        }
    total = sum(after[t] - before[t] for t in TOPIC_NAMES) / elapsed
    return {
        "rate_factor": factor,
        "window_s": round(elapsed, 1),
        "topics": topics,
        "records_per_s": round(total, 1),
        "cpu_percent_of_one_core": round(100 * (cpu_after - cpu_before) / elapsed, 2),
        "rss_mb": round(rss, 1),
        "seconds_to_ready": round(ready_s, 2),
        "seconds_to_stop_on_sigterm": round(stop_s, 2),
        "exit_code_on_sigterm": exit_code,
    }


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-datagen-"))
    kafka = ScratchKafka(workdir)
    try:
        kafka.start()
        profiles = [run_profile(kafka, factor, workdir) for factor in (1.0, 5.0)]
    finally:
        kafka.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for p in profiles:
        print(
            f"\n{p['rate_factor']:g}x rates: {p['records_per_s']} records/s, CPU {p['cpu_percent_of_one_core']}% of one core, "
            f"RSS {p['rss_mb']} MB, ready in {p['seconds_to_ready']} s, SIGTERM -> exit {p['exit_code_on_sigterm']} "
            f"in {p['seconds_to_stop_on_sigterm']} s"
        )
        for topic, row in p["topics"].items():
            print(
                f"  {topic:<11} configured {row['configured_per_s']:>8}/s  achieved {row['achieved_per_s']:>8}/s  ratio {row['ratio']}"
            )
    write("datagen", {"command": ".venv/bin/python bench/bench_datagen.py", "warmup_s": WARMUP_S, "profiles": profiles})


if __name__ == "__main__":
    main()
