"""Issue 6 figures, in one run against the running stack (`flink-copilot up` first):
- submission → first row through GatewayClient/LiveQuery vs a bare REST loop with the same SQL (ratio, goal ≤ 1.1)
- changelog rows per second the fetch loop + materialised view sustain (goal ≥ 1,000/s), and the view alone
- `jobs save` → RUNNING, stop-with-savepoint, resume

Run: .venv/bin/python bench/bench_gateway.py
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from confluent_kafka import Producer

from copilot.settings import DEMO_CATALOG_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, write  # noqa: E402

from copilot import settings  # noqa: E402
from copilot.catalog.ddl import create_table_sql  # noqa: E402
from copilot.catalog.model import Field, TopicSchema  # noqa: E402
from copilot.catalog.store import YamlCatalogStore  # noqa: E402
from copilot.flink.gateway import GatewayClient  # noqa: E402
from copilot.flink.live import LiveQuery, MaterializedView  # noqa: E402
from copilot.jobs.registry import JobRegistry  # noqa: E402
from copilot.jobs.service import JobService  # noqa: E402
from copilot.kafka.admin import delete_topic, ensure_topic  # noqa: E402
from copilot.sql.statement import TrustedStatement  # noqa: E402
from copilot.validate import check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SQL = "SELECT order_id, country, amount FROM orders"
RUNS = 5


def bare_rest_first_row(base: str, ddl: str) -> float:
    http = httpx.Client(base_url=base, timeout=30)
    session = http.post("/v4/sessions", json={}).json()["sessionHandle"]
    op = http.post(f"/v4/sessions/{session}/statements", json={"statement": ddl}).json()["operationHandle"]
    uri = f"/v4/sessions/{session}/operations/{op}/result/0?rowFormat=JSON"
    while uri:
        data = http.get(uri).json()
        if data.get("resultType") == "EOS":
            break
        uri = data.get("nextResultUri")
    start = time.perf_counter()
    op = http.post(f"/v4/sessions/{session}/statements", json={"statement": SQL}).json()["operationHandle"]
    uri = f"/v4/sessions/{session}/operations/{op}/result/0?rowFormat=JSON"
    elapsed = None
    while uri:
        data = http.get(uri).json()
        if data.get("results", {}).get("data"):
            elapsed = time.perf_counter() - start
            break
        uri = data.get("nextResultUri")
        if data.get("resultType") == "NOT_READY":
            time.sleep(0.01)
    job = data.get("jobID")
    http.post(f"/v4/sessions/{session}/operations/{op}/cancel")
    if job:
        httpx.patch(f"{settings.get('FLINK_REST')}/jobs/{job}", params={"mode": "cancel"})
    http.delete(f"/v4/sessions/{session}")
    return elapsed


def client_first_row(ddl: str) -> float:
    gateway = GatewayClient()
    table = {"orders": TrustedStatement.create_table("orders", ddl)}
    gateway.register_tables(table)
    query = LiveQuery(gateway, check(SQL), table, max_rows=1, timeout=60)
    query.run()
    gateway.close()
    return query.first_row_at - query.submitted_at


def changelog_throughput() -> dict:
    topic = f"bench_changelog_{uuid.uuid4().hex[:6]}"
    ensure_topic(topic, partitions=1)
    try:
        producer = Producer({"bootstrap.servers": settings.get("KAFKA_BOOTSTRAP"), "linger.ms": 50})
        rng = random.Random(1)
        records = 60_000
        for i in range(records):
            producer.produce(topic, value=json.dumps({"k": f"key{rng.randint(0, 499)}", "v": rng.randint(1, 100)}))
            if i % 10_000 == 0:
                producer.flush()
        producer.flush(30)
        schema = TopicSchema(topic=topic, fields=[Field("k", "STRING"), Field("v", "INT")])
        ddl = create_table_sql(schema, startup_mode="earliest-offset", sink_options={"scan.bounded.mode": "latest-offset"})
        gateway = GatewayClient()
        query = LiveQuery(
            gateway,
            check(f"SELECT k, COUNT(*) AS n, SUM(v) AS s FROM `{topic}` GROUP BY k"),
            {topic: TrustedStatement.create_table(topic, ddl)},
            max_rows=10_000,
            timeout=300,
        )
        changes = 0
        for batch in query.batches():
            changes += len(batch.changes)
        seconds = time.monotonic() - query.first_row_at
        gateway.close()
    finally:
        delete_topic(topic)
    # the view alone, on the same shape of changelog
    view = MaterializedView()
    counts: dict[str, int] = {}
    log = []
    for i in range(200_000):
        k = f"key{i % 500}"
        if k in counts:
            log.append(("-U", [k, counts[k]]))
            counts[k] += 1
            log.append(("+U", [k, counts[k]]))
        else:
            counts[k] = 1
            log.append(("+I", [k, 1]))
    start = time.perf_counter()
    view.apply_batch(log)
    view_rate = len(log) / (time.perf_counter() - start)
    return {
        "changelog_rows": changes,
        "end_to_end_rows_per_s": round(changes / seconds),
        "view_only_rows_per_s": round(view_rate),
    }


def job_timings() -> dict:
    catalog = Path(tempfile.mkdtemp()) / "catalog"
    shutil.copytree(DEMO_CATALOG_DIR, catalog)
    svc = JobService(GatewayClient(), YamlCatalogStore(catalog), JobRegistry())
    name = f"bench_job_{uuid.uuid4().hex[:6]}"
    sql = (
        "SELECT window_start, window_end, COUNT(*) AS orders FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), "
        "INTERVAL '2' SECOND)) GROUP BY window_start, window_end"
    )
    try:
        start = time.perf_counter()
        svc.save(name, sql)
        while {r["name"]: r for r in svc.list()}[name]["state"] != "RUNNING":
            time.sleep(0.1)
        save_s = time.perf_counter() - start
        time.sleep(5)
        start = time.perf_counter()
        svc.stop(name, savepoint=True)
        stop_s = time.perf_counter() - start
        start = time.perf_counter()
        svc.resume(name)
        while {r["name"]: r for r in svc.list()}[name]["state"] != "RUNNING":
            time.sleep(0.1)
        resume_s = time.perf_counter() - start
    finally:
        svc.stop(name)
        svc.registry.delete(name)
        delete_topic(f"job_{name}")
    return {
        "save_to_running_s": round(save_s, 2),
        "stop_with_savepoint_s": round(stop_s, 2),
        "resume_to_running_s": round(resume_s, 2),
    }


def main() -> None:
    ddl = create_table_sql(YamlCatalogStore(DEMO_CATALOG_DIR).load().topics["orders"])
    client, bare = [], []
    for _ in range(RUNS):  # alternate to share the machine's noise
        bare.append(bare_rest_first_row(settings.get("FLINK_SQL_GATEWAY"), ddl))
        client.append(client_first_row(ddl))
    results = {
        "first_row_client_s": [round(x, 3) for x in client],
        "first_row_bare_rest_s": [round(x, 3) for x in bare],
        "first_row_ratio_client_over_bare": round(median(client) / median(bare), 3),
        "changelog": changelog_throughput(),
        "jobs": job_timings(),
    }
    write("gateway", results)


if __name__ == "__main__":
    main()
