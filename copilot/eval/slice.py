"""A slice of recorded data: a span of Kafka record time, pinned to per-partition offsets.

`--from T --to T` or `--last 5m` names the span; `Slice.pin(topic)` turns it into offsets with
Kafka's time index (`offsets_for_times`), once per topic, so every replay of the slice — and a rerun
of a comparison — reads exactly the same records. Append topics are read from the span's start
offsets to its end offsets; upsert topics from their beginning to the end offsets (a table needs
every key's latest row). `lateness_ms` is the largest observed lateness of the event-time field
within the span (per partition, the newest event time seen so far minus a record's event time): a
replay's watermark delay is at least that, so no record of the slice is dropped as late by chance."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError, ServiceUnavailable, UsageError
from copilot.eval.instants import epoch_millis, parse_iso
from copilot.kafka import config as kafka_config
from copilot.sql.types import duration_seconds

log = logging.getLogger(__name__)

KAFKA_TIMEOUT_S = 10.0
LATENESS_READ_S = 20.0  # longest time spent reading a topic's slice to measure its lateness


def parse_duration(text: str) -> float:
    """'5m' -> 300.0, '90s', '1h', '2 min', '500ms' (seconds)."""
    seconds = duration_seconds(text)
    if seconds is None:
        raise UsageError(f"{text!r} is not a duration", hint="write it like 5m, 90s, 1h or 500ms")
    if seconds <= 0:
        raise UsageError(f"duration {text!r} must be positive")
    return seconds


def parse_instant(text: str) -> int:
    """An ISO-8601 time (UTC unless it names a zone) or epoch milliseconds -> epoch milliseconds."""
    raw = (text or "").strip()
    if raw.isdigit():
        return int(raw)
    moment = parse_iso(raw)
    if moment is None:
        raise UsageError(f"{text!r} is not a time", hint="write it like 2026-12-01T06:00:00Z or in epoch milliseconds")
    return epoch_millis(moment)


def event_millis(value) -> int | None:
    """Epoch milliseconds of an event-time value as the demo topics write it (ISO-8601 or a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        moment = parse_iso(value)
        return None if moment is None else epoch_millis(moment)
    return None


@dataclass
class TopicRange:
    topic: str
    upsert: bool
    start: dict[int, int]  # partition -> first offset of the span (upsert topics are read from `earliest` instead)
    end: dict[int, int]  # partition -> first offset after the span (exclusive)
    earliest: dict[int, int] = field(default_factory=dict)
    lateness_ms: int = 0
    records: int = 0  # records in the span (end - start, summed)

    @property
    def read_from(self) -> dict[int, int]:
        return self.earliest if self.upsert else self.start

    def to_dict(self) -> dict:
        return {
            "topic": self.topic,
            "upsert": self.upsert,
            "start": self.start,
            "end": self.end,
            "lateness_ms": self.lateness_ms,
            "records": self.records,
        }


class Slice:
    """[start_ms, end_ms) of Kafka record time; topics are pinned to offsets on first use."""

    def __init__(self, start_ms: int, end_ms: int, *, bootstrap: str | None = None):
        if end_ms <= start_ms:
            raise UsageError("the slice ends before it starts", hint="--to must be later than --from")
        self.start_ms, self.end_ms = int(start_ms), int(end_ms)
        self.bootstrap = bootstrap or kafka_config.bootstrap()
        self.ranges: dict[str, TopicRange] = {}

    @classmethod
    def last(cls, duration: str | float, *, bootstrap: str | None = None, now_ms: int | None = None) -> "Slice":
        seconds = parse_duration(duration) if isinstance(duration, str) else float(duration)
        end = now_ms if now_ms is not None else int(time.time() * 1000)
        return cls(end - int(seconds * 1000), end, bootstrap=bootstrap)

    @classmethod
    def between(cls, start: str, end: str, *, bootstrap: str | None = None) -> "Slice":
        return cls(parse_instant(start), parse_instant(end), bootstrap=bootstrap)

    @property
    def seconds(self) -> float:
        return (self.end_ms - self.start_ms) / 1000

    def describe(self) -> dict:
        return {
            "from": _iso(self.start_ms),
            "to": _iso(self.end_ms),
            "seconds": self.seconds,
            "topics": {t: r.to_dict() for t, r in sorted(self.ranges.items())},
        }

    # ---- pinning --------------------------------------------------------------------------
    def _consumer(self):
        from copilot.kafka import clients

        return clients.consumer(
            clients.unique_group("copilot-slice"),
            {
                "enable.auto.commit": False,
                "enable.partition.eof": True,
                "auto.offset.reset": "earliest",
                "socket.connection.setup.timeout.ms": 5000,
            },
            servers=self.bootstrap,
            quiet=True,
        )

    def pin(self, schema: TopicSchema) -> TopicRange:
        """The topic's offsets for this span (computed once, then reused)."""
        if schema.topic in self.ranges:
            return self.ranges[schema.topic]
        from copilot.kafka.clients import KafkaException, TopicPartition

        consumer = self._consumer()
        try:
            meta = consumer.list_topics(schema.topic, timeout=KAFKA_TIMEOUT_S).topics.get(schema.topic)
            if meta is None or meta.error is not None or not meta.partitions:
                raise RequestError(
                    f"topic {schema.topic!r} is not in Kafka at {self.bootstrap}: nothing recorded to replay",
                    hint="check the catalog against `flink-copilot catalog sync`",
                )
            partitions = sorted(meta.partitions)
            marks = {
                p: consumer.get_watermark_offsets(TopicPartition(schema.topic, p), timeout=KAFKA_TIMEOUT_S) for p in partitions
            }
            start = self._offsets_at(consumer, schema.topic, partitions, self.start_ms, marks)
            end = self._offsets_at(consumer, schema.topic, partitions, self.end_ms, marks)
            start = {p: min(start[p], end[p]) for p in partitions}
            rng = TopicRange(schema.topic, schema.is_upsert, start, end, earliest={p: marks[p][0] for p in partitions})
            rng.records = sum(end[p] - start[p] for p in partitions)
            if schema.event_time:
                rng.lateness_ms = self._lateness(consumer, schema, rng)
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", self.bootstrap, str(exc.args[0] if exc.args else exc)) from None
        finally:
            consumer.close()
        self.ranges[schema.topic] = rng
        return rng

    @staticmethod
    def _offsets_at(consumer, topic: str, partitions: list[int], ms: int, marks: dict) -> dict[int, int]:
        from copilot.kafka.clients import TopicPartition

        found = consumer.offsets_for_times([TopicPartition(topic, p, ms) for p in partitions], timeout=KAFKA_TIMEOUT_S)
        out = {}
        for tp in found:
            low, high = marks[tp.partition]
            # -1: no record at or after `ms` yet, so the span ends at the partition's current end
            out[tp.partition] = high if tp.offset < 0 else max(low, min(tp.offset, high))
        return out

    def _lateness(self, consumer, schema: TopicSchema, rng: TopicRange) -> int:
        """Largest (newest event time so far - event time) over the span, per partition."""
        from copilot.kafka.clients import PARTITION_EOF, TopicPartition

        todo = {p for p in rng.end if rng.end[p] > rng.start[p]}
        if not todo:
            return 0
        consumer.assign([TopicPartition(schema.topic, p, rng.start[p]) for p in sorted(todo)])
        newest: dict[int, int] = {}
        worst = 0
        deadline = time.monotonic() + LATENESS_READ_S
        field_name = schema.event_time
        while todo and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=5000, timeout=1.0):
                p = msg.partition()
                if msg.error():
                    if msg.error().code() == PARTITION_EOF:
                        todo.discard(p)
                    continue
                if p not in todo:
                    continue
                if msg.offset() >= rng.end[p]:
                    todo.discard(p)
                    continue
                if msg.offset() + 1 >= rng.end[p]:
                    todo.discard(p)
                try:
                    t = event_millis(json.loads(msg.value() or b"null").get(field_name))
                except (ValueError, AttributeError):
                    continue
                if t is None:
                    continue
                if t > newest.get(p, t - 1):
                    newest[p] = t
                else:
                    worst = max(worst, newest[p] - t)
        if todo:
            log.warning("lateness of %s measured on part of the slice only (%.0f s reading)", schema.topic, LATENESS_READ_S)
        return worst


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
