"""The demo data generator: `python -m copilot.stack.datagen`.

Writes the six demo topics of CONTRACT.md section 4 (and, with a Schema Registry, their Avro twins
payments_avro and shipments_avro: copilot/stack/datagen_avro.py) to KAFKA_BOOTSTRAP at the DATAGEN_* rates until
SIGTERM/SIGINT, then flushes and exits 0. Kafka going away is survived: it logs, keeps retrying and
resumes; topics that disappeared (a wiped broker) are recreated and the master data re-seeded.
Logs go to stderr; the line `datagen ready` marks topics created and the seed written.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import random
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass

from copilot import settings
from copilot.errors import CopilotError, UsageError
from copilot.kafka import config as kafka_config
from copilot.kafka.clients import KafkaError, KafkaException, Producer
from copilot.security.redact import install_log_redaction
from copilot.stack import datagen_kafka
from copilot.stack.datagen_avro import AvroTwins
from copilot.stack.datagen_domain import Event, Shop, encode
from copilot.stack.datagen_kafka import TOPIC_NAMES, admin_client, ensure_topics

log = logging.getLogger("copilot.datagen")

TICK_SECONDS = 0.05
STATS_EVERY_SECONDS = 300.0
# After a stall (Kafka down, machine suspended) resume at the configured rate instead of bursting
# out everything that "should" have happened meanwhile.
MAX_CATCH_UP_SECONDS = 1.0
_TOPIC_GONE = {KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC}
_KAFKA_DOWN = {KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._RESOLVE}


@dataclass(frozen=True)
class DatagenConfig:
    bootstrap: str
    orders_per_sec: float
    page_views_per_sec: float
    customer_updates_per_sec: float
    product_updates_per_sec: float
    late_fraction: float
    customers: int
    products: int
    registry_url: str | None = None  # the Avro twins are written only with a registry

    @classmethod
    def from_settings(cls) -> "DatagenConfig":
        return cls(
            bootstrap=kafka_config.bootstrap(),
            orders_per_sec=_rate("DATAGEN_ORDERS_PER_SEC"),
            page_views_per_sec=_rate("DATAGEN_PAGE_VIEWS_PER_SEC"),
            customer_updates_per_sec=_rate("DATAGEN_CUSTOMER_UPDATES_PER_SEC"),
            product_updates_per_sec=_rate("DATAGEN_PRODUCT_UPDATES_PER_SEC"),
            late_fraction=_rate("DATAGEN_LATE_FRACTION", upper=1.0),
            customers=_count("DATAGEN_CUSTOMERS"),
            products=_count("DATAGEN_PRODUCTS"),
            registry_url=settings.schema_registry_url(),
        )


def _rate(name: str, upper: float = 100_000.0) -> float:
    raw = settings.get(name)
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = -1.0
    if not 0.0 <= value <= upper:
        raise UsageError(f"setting {name}={raw!r} is not a number between 0 and {upper:g}", hint=f"set {name} to e.g. 0.5")
    return value


def _count(name: str) -> int:
    value = settings.get_int(name)
    if value < 1:
        raise UsageError(f"setting {name}={value} must be at least 1", hint=f"set {name} to a positive whole number")
    return value


class _Stream:
    """A Poisson-free steady rate: carries the fractional remainder from tick to tick."""

    def __init__(self, per_second: float, make):
        self.per_second = per_second
        self.make = make
        self.owed = 0.0

    def due(self, elapsed: float) -> int:
        self.owed += self.per_second * elapsed
        count = int(self.owed)
        self.owed -= count
        return count


class Generator:
    def __init__(
        self, config: DatagenConfig, *, producer: Producer | None = None, clock=time.time, rng: random.Random | None = None
    ):
        self.config = config
        self.clock = clock
        self.stop_requested = threading.Event()
        self.shop = Shop(
            customers=config.customers,
            products=config.products,
            late_fraction=config.late_fraction,
            rng=rng or random.Random(),
            run_id=uuid.uuid4().hex[:6],
        )
        self.producer = producer or datagen_kafka.producer(
            config.bootstrap, error_cb=self._on_kafka_error, logger=logging.getLogger("copilot.datagen.librdkafka")
        )
        self.admin = admin_client(config.bootstrap)
        self.avro = AvroTwins(config.registry_url, clock=clock) if config.registry_url else None
        self.pending: list[tuple[float, int, Event]] = []  # heap by produce_at
        self._order = itertools.count()
        self.produced = dict.fromkeys(TOPIC_NAMES, 0)
        self.delivered = dict.fromkeys(TOPIC_NAMES, 0)
        self.failed = 0
        self.kafka_down_since: float | None = None
        self.topics_gone = False
        self._last_down_log = 0.0

    # ---- Kafka callbacks (run inside producer.poll on this thread) ---------------------------
    def _on_kafka_error(self, err: KafkaError) -> None:
        if err.code() in _KAFKA_DOWN:
            now = self.clock()
            if self.kafka_down_since is None:
                self.kafka_down_since = now
            if now - self._last_down_log >= 10.0:
                self._last_down_log = now
                log.warning("Kafka unreachable at %s (%s); buffering and retrying", self.config.bootstrap, err.str())
        else:
            log.warning("Kafka error: %s", err.str())

    def _on_delivery(self, err: KafkaError | None, msg) -> None:
        if err is None:
            self.delivered[msg.topic()] += 1
            if self.kafka_down_since is not None:
                log.info("Kafka reachable again after %.0f s; resuming", self.clock() - self.kafka_down_since)
                self.kafka_down_since = None
            return
        self.failed += 1
        if err.code() in _TOPIC_GONE:
            self.topics_gone = True
        if self.failed == 1 or self.failed % 1000 == 0:
            log.warning("record for %s not delivered (%s); %d lost so far", msg.topic(), err.str(), self.failed)

    # ---- writing ------------------------------------------------------------------------------
    def _produce(self, event: Event) -> None:
        value = encode(event.value)
        while True:
            try:
                self.producer.produce(event.topic, value=value, key=event.key.encode(), on_delivery=self._on_delivery)
                self.produced[event.topic] += 1
                twin = self.avro.twin(event.topic, event.value) if self.avro is not None else None
                if twin is not None:
                    self.producer.produce(twin[0], value=twin[1], key=event.key.encode(), on_delivery=self._on_delivery)
                    self.produced[twin[0]] += 1
                return
            except BufferError:  # local queue full: Kafka has been away for a while
                if self.stop_requested.is_set():
                    return
                self.producer.poll(0.5)
            except KafkaException as exc:
                self.failed += 1
                if exc.args[0].code() in _TOPIC_GONE:
                    self.topics_gone = True  # the loop recreates the topics; this record is lost
                elif self.failed == 1 or self.failed % 1000 == 0:
                    log.warning("cannot produce to %s (%s); %d lost so far", event.topic, exc.args[0].str(), self.failed)
                return

    def _emit(self, events, now: float) -> None:
        for event in events:
            if event.produce_at <= now:
                self._produce(event)
            else:
                heapq.heappush(self.pending, (event.produce_at, next(self._order), event))

    def _release_due(self, now: float) -> None:
        while self.pending and self.pending[0][0] <= now:
            self._produce(heapq.heappop(self.pending)[2])

    # ---- lifecycle ----------------------------------------------------------------------------
    def _prepare_topics(self) -> bool:
        """Creates the topics (retrying while Kafka is away) and writes the master data. False if stopped."""
        delay = 1.0
        while not self.stop_requested.is_set():
            try:
                created = ensure_topics(self.admin)
                if created:
                    log.info("created topics: %s", ", ".join(created))
                break
            except KafkaException as exc:
                log.warning(
                    "cannot create topics on Kafka at %s (%s); retrying in %.0f s",
                    self.config.bootstrap,
                    exc.args[0].str() if exc.args else exc,
                    delay,
                )
                self.stop_requested.wait(delay)
                delay = min(delay * 2, 10.0)
        else:
            return False
        if not self._await_producer_metadata():
            return False
        if self.avro is not None and not self._register_avro_schemas():
            return False
        for event in self.shop.seed_events(self.clock()):
            self._produce(event)
        while self.producer.flush(5.0) > 0:
            if self.stop_requested.is_set():
                return False
            log.warning("waiting for Kafka at %s to accept the seed data", self.config.bootstrap)
        self.topics_gone = False
        return True

    def _register_avro_schemas(self) -> bool:
        """Registers the Avro twins' schemas (retrying while the registry is away). False if stopped."""
        if self.avro is None:
            return True
        delay = 1.0
        while not self.stop_requested.is_set():
            try:
                self.avro.register_initial()
                return True
            except Exception as exc:  # httpx.HTTPError, or the registry refusing: both are retried
                log.warning("cannot register the Avro schemas at %s (%s); retrying in %.0f s", self.avro.url, exc, delay)
                self.stop_requested.wait(delay)
                delay = min(delay * 2, 10.0)
        return False

    def _await_producer_metadata(self) -> bool:
        """The producer caches "topic does not exist" after a wipe; wait until it sees the new topics."""
        while not self.stop_requested.is_set():
            try:
                missing = [
                    name for name in TOPIC_NAMES if not self.producer.list_topics(name, timeout=5.0).topics[name].partitions
                ]
            except KafkaException as exc:
                missing = [str(exc)]
            if not missing:
                return True
            log.info("waiting for Kafka metadata of %s", ", ".join(missing))
            self.stop_requested.wait(1.0)
        return False

    def run(self) -> int:
        cfg = self.config
        streams = [
            _Stream(cfg.orders_per_sec, self.shop.order),
            _Stream(cfg.page_views_per_sec, lambda t: [self.shop.page_view(t)]),
            _Stream(cfg.customer_updates_per_sec, lambda t: [self.shop.customer_update(t)]),
            _Stream(cfg.product_updates_per_sec, lambda t: [self.shop.product_update(t)]),
        ]
        log.info(
            "datagen starting: Kafka %s, %g orders/s, %g page views/s, %d customers, %d products",
            cfg.bootstrap,
            cfg.orders_per_sec,
            cfg.page_views_per_sec,
            cfg.customers,
            cfg.products,
        )
        if not self._prepare_topics():
            return self._shutdown()
        log.info(
            "datagen ready: topics %s exist, %d customers and %d products written",
            ", ".join(TOPIC_NAMES),
            cfg.customers,
            cfg.products,
        )
        last = self.clock()
        next_stats = last + STATS_EVERY_SECONDS
        rng = self.shop.rng
        while not self.stop_requested.is_set():
            now = self.clock()
            elapsed = min(now - last, MAX_CATCH_UP_SECONDS)
            last = now
            for stream in streams:
                for _ in range(stream.due(elapsed)):
                    self._emit(stream.make(now - rng.random() * elapsed), now)
            self._release_due(now)
            self.producer.poll(0)
            if self.topics_gone:
                log.warning("demo topics vanished from Kafka (wiped?); recreating them and re-seeding")
                if not self._prepare_topics():
                    break
                log.info("datagen ready again: topics recreated and master data re-seeded")
            if now >= next_stats:
                next_stats = now + STATS_EVERY_SECONDS
                self._log_stats()
            self.stop_requested.wait(max(0.0, TICK_SECONDS - (self.clock() - now)))
        return self._shutdown()

    def _log_stats(self) -> None:
        counts = " ".join(f"{t}={self.delivered[t]}/{self.produced[t]}" for t in TOPIC_NAMES)
        log.info(
            "delivered/produced %s; %d late by design, %d scheduled, %d lost",
            counts,
            self.shop.late_events,
            len(self.pending),
            self.failed,
        )

    def _shutdown(self) -> int:
        undelivered = self.producer.flush(10.0)
        self._log_stats()
        log.info(
            "datagen stopped%s; %d scheduled follow-up events dropped",
            f", {undelivered} records not delivered" if undelivered else "",
            len(self.pending),
        )
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m copilot.stack.datagen",
        description="Write the demo shop's topics to Kafka until stopped (SIGTERM/SIGINT).",
        epilog=settings.help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("copilot.datagen.librdkafka").setLevel(logging.CRITICAL)  # our own lines say it once
    install_log_redaction()  # a secured Kafka's password never reaches the generator's log
    try:
        generator = Generator(DatagenConfig.from_settings())
    except CopilotError as exc:
        print(f"datagen: {exc}", file=sys.stderr)
        return exc.exit_code

    def request_stop(signum, _frame):
        log.info("received %s, stopping", signal.Signals(signum).name)
        generator.stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        return generator.run()
    except CopilotError as exc:  # a setting that does not fit the cluster (COPILOT_KAFKA_REPLICATION_FACTOR)
        print(f"datagen: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
