"""Schema Registry figures (issue 19): what the registry adds to `up` (start time, resident memory), the
records/s the demo generator achieves writing Confluent-framed Avro versus JSON, and the time `catalog sync`
takes for 1,000 registered subjects.

Everything runs on scratch services of its own (a second registry on a free port with its own H2 file, a
scratch Kafka broker), so the shared stack's registry, topics and catalog are untouched.

Run: .venv/bin/python bench/bench_registry.py
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write  # noqa: E402

from copilot.catalog.registry import SchemaRegistry  # noqa: E402
from copilot.catalog.store import YamlCatalogStore  # noqa: E402
from copilot.catalog.sync import CatalogSync  # noqa: E402
from copilot.stack import artifacts as art  # noqa: E402
from copilot.stack.datagen_avro import AvroTwins, register  # noqa: E402
from copilot.stack.datagen_domain import Shop, encode  # noqa: E402
from copilot.stack.datagen_scratch_kafka import ScratchKafka  # noqa: E402
from copilot.stack.launcher import Launcher  # noqa: E402

STARTS = 3
SUBJECTS = 1000
RECORDS = 20_000


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class ScratchRegistry:
    """The registry exactly as `up` starts it (same command), on a free port with its own database file."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.url = f"http://127.0.0.1:{self.port}/apis/ccompat/v7"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> float:
        os.environ["FLINK_COPILOT_REGISTRY_PORT"] = str(self.port)
        launcher = Launcher(self.directory)
        env = {**os.environ, **launcher.registry_env()}
        started = time.perf_counter()
        self.proc = subprocess.Popen(launcher.registry_cmd(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = started + timeout
        while time.perf_counter() < deadline:
            try:
                if httpx.get(f"{self.url}/subjects", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"scratch registry did not answer on {self.url} within {timeout:g} s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(30)


def start_figures(work: Path) -> dict:
    starts, memory = [], []
    for _ in range(STARTS):  # the first start creates the database, later ones open it
        registry = ScratchRegistry(work / "registry")
        try:
            starts.append(registry.start())
            time.sleep(2.0)
            memory.append(rss_mb(registry.proc.pid))
        finally:
            registry.stop()
    return {
        "start_s_runs": [round(s, 2) for s in starts],
        "start_s_median": round(statistics.median(starts), 2),
        "resident_mb_after_start": [round(m) for m in memory],
    }


def generator_figures(registry_url: str, bootstrap: str) -> dict:
    """Payments and shipments records per second: JSON encoding vs Avro twin encoding, and each produced to Kafka."""
    import random

    shop = Shop(customers=200, products=50, late_fraction=0.0, rng=random.Random(7), run_id="bench")
    events = []
    t = time.time()
    while len(events) < RECORDS:
        events += [e for e in shop.order(t) if e.topic in ("payments", "shipments")]
        t += 0.05
    events = events[:RECORDS]
    twins = AvroTwins(registry_url, evolve_after=0.0)
    twins.register_initial()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics(
        [
            NewTopic(n, num_partitions=3, replication_factor=1)
            for n in ("payments", "shipments", "payments_avro", "shipments_avro")
        ]
    ).values():
        f.result(30)

    def run(kind: str) -> dict:
        started = time.perf_counter()
        encoded = [(e.topic, encode(e.value)) if kind == "json" else twins.twin(e.topic, e.value) for e in events]
        encode_s = time.perf_counter() - started
        producer = Producer(
            {"bootstrap.servers": bootstrap, "linger.ms": 100, "compression.type": "lz4", "acks": "all", "log_level": 0}
        )
        started = time.perf_counter()
        for (topic, value), event in zip(encoded, events):
            producer.produce(topic, value=value, key=event.key.encode())
            producer.poll(0)
        producer.flush(60)
        produce_s = time.perf_counter() - started
        size = sum(len(v) for _, v in encoded) / len(encoded)
        return {
            "encode_records_per_s": round(len(events) / encode_s),
            "encode_and_produce_records_per_s": round(len(events) / (encode_s + produce_s)),
            "mean_value_bytes": round(size, 1),
        }

    return {"records": len(events), "json": run("json"), "avro": run("avro")}


def sync_figures(registry_url: str, bootstrap: str, work: Path) -> dict:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [f"bench_subject_{i:04d}" for i in range(SUBJECTS)]
    for start in range(0, len(names), 200):
        futures = admin.create_topics([NewTopic(n, num_partitions=1, replication_factor=1) for n in names[start : start + 200]])
        for f in futures.values():
            f.result(60)
    deadline = time.monotonic() + 120  # the broker's metadata lags behind topic creation
    while time.monotonic() < deadline and not set(names) <= set(admin.list_topics(timeout=10).topics):
        time.sleep(1.0)
    say(f"{SUBJECTS} topics created")
    client = httpx.Client(base_url=registry_url, timeout=10)
    started = time.perf_counter()
    for i, name in enumerate(names):
        register(
            client,
            name,
            {
                "type": "record",
                "name": f"Event{i}",
                "namespace": "bench",
                "fields": [
                    {"name": "id", "type": "string"},
                    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
                    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                    {"name": f"value_{i}", "type": ["null", "double"], "default": None},
                ],
            },
        )
    register_s = time.perf_counter() - started
    say(f"{SUBJECTS} subjects registered in {register_s:.1f} s")
    timings = []
    for run in range(2):  # first: every entry created; second: every entry unchanged
        store = YamlCatalogStore(work / "catalog")
        started = time.perf_counter()
        report = CatalogSync(store, bootstrap=bootstrap, registry=SchemaRegistry(registry_url), topics=names).run()
        timings.append(time.perf_counter() - started)
        say(f"sync {run + 1}: {timings[-1]:.1f} s")
        statuses = {c.status for c in report.changes}
        assert len(report.changes) == SUBJECTS, len(report.changes)
        assert statuses == ({"created"} if run == 0 else {"unchanged"}), statuses
    return {
        "subjects": SUBJECTS,
        "register_s": round(register_s, 1),
        "sync_s_first": round(timings[0], 1),
        "sync_s_again_unchanged": round(timings[1], 1),
    }


def main() -> None:
    art.ensure_artifacts()
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        work = Path(tmp)
        results = {"registry": f"Apicurio Registry {art.REGISTRY_VERSION} (H2 file storage)", **start_figures(work)}
        say(f"start: {results}")
        registry = ScratchRegistry(work / "registry")
        (work / "kafka").mkdir()
        kafka = ScratchKafka(work / "kafka")
        try:
            registry.start()
            kafka.start()
            results["generator"] = generator_figures(registry.url, kafka.bootstrap)
            say(f"generator: {results['generator']}")
            results["sync"] = sync_figures(registry.url, kafka.bootstrap, work)
            results["resident_mb_after_1000_subjects"] = round(rss_mb(registry.proc.pid))
        finally:
            registry.stop()
            kafka.stop()
    write("registry", results)


if __name__ == "__main__":
    main()
