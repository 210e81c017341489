"""Bounded replays on the real stack: the same records every time, results compared by execution."""

from __future__ import annotations

import json
import time

import pytest

from copilot.eval.compare import FinalTable, compare
from copilot.eval.replay import Replayer
from copilot.eval.runner import compare_results
from copilot.eval.slice import Slice
from copilot.wiring import Config, build


def replay_gateway():
    """A replay session from the composition root, as `eval --execute` and the previews get theirs."""
    return build(Config.from_settings(audit=False)).replay_gateway()


pytestmark = pytest.mark.stack

O1 = "TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))"
TOP_COUNTRY = (
    "SELECT window_start, window_end, country, n{rn} FROM (SELECT window_start, window_end, country, n, "
    "ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY n DESC, country) AS rn FROM ("
    "SELECT window_start, window_end, {keys}, COUNT(*) AS n FROM " + O1 + " GROUP BY window_start, window_end, {keys})) "
    "WHERE rn <= 1"
)


@pytest.fixture(scope="module")
def slice_(stack, catalog_topics):
    """Two minutes of recorded data that ended ten seconds ago (records after it exist: pinned by time)."""
    time.sleep(0)  # the generator has been writing since the stack came up
    return Slice.last("2m", now_ms=int(time.time() * 1000) - 10_000)


@pytest.fixture(scope="module")
def replayer(catalog_topics, slice_):
    with Replayer(catalog_topics, slice_, gateway=replay_gateway(), purpose="test") as r:
        yield r


def equal(replayer, a: str, b: str):
    left, right = replayer.run_together([a, b], timeout=90)
    assert left.ok, left.error
    assert right.ok, right.error
    return compare_results(left.table, right.table, a, b)


def test_replay_reads_the_same_records_twice(replayer, slice_, catalog_topics):
    first, second = replayer.run_together(["SELECT order_id FROM orders", "SELECT order_id FROM orders"], timeout=90)
    assert first.ok and second.ok, (first.error, second.error)
    pinned = slice_.pin(catalog_topics["orders"])
    assert pinned.records > 100  # ~20 orders/s
    assert len(first.table) == len(second.table) == pinned.records  # every offset of the slice, once
    assert first.table.rows == second.table.rows
    # a new slice over the same record time pins the same offsets
    again = Slice(slice_.start_ms, slice_.end_ms).pin(catalog_topics["orders"])
    assert (again.start, again.end) == (pinned.start, pinned.end)


def test_equivalent_queries_compare_equal(replayer):
    gold = (
        f"SELECT window_start, window_end, country, SUM(amount) AS revenue FROM {O1} "
        "WHERE channel = 'mobile' GROUP BY window_start, window_end, country"
    )
    other = (
        "SELECT SUM(o.amount) AS total, o.country AS c, o.window_end, o.window_start "
        "FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '60' SECOND)) AS o "
        "WHERE o.channel IN ('mobile') GROUP BY o.window_start, o.window_end, o.country"
    )
    result = equal(replayer, gold, other)
    assert result.equal, result.reason
    assert result.rows[0] > 0
    ranked = TOP_COUNTRY.format(rn=", rn", part="window_start, window_end", keys="country")
    unranked = TOP_COUNTRY.format(rn="", part="window_end, window_start", keys="country")
    result = equal(replayer, ranked, unranked)
    assert result.equal and result.dropped == ["rn"], result.reason


@pytest.mark.parametrize(
    "a,b",
    [
        (
            f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE channel = 'mobile' GROUP BY window_start, window_end",
            f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE channel = 'web' GROUP BY window_start, window_end",
        ),
        (
            f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} GROUP BY window_start, window_end",
            "SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), "
            "INTERVAL '30' SECOND)) GROUP BY window_start, window_end",
        ),
        (
            TOP_COUNTRY.format(rn="", part="window_start, window_end", keys="country"),
            TOP_COUNTRY.format(rn="", part="window_start, window_end, channel", keys="country, channel"),
        ),
    ],
    ids=["filter", "window-size", "partition-by"],
)
def test_different_queries_compare_different(replayer, a, b):
    result = equal(replayer, a, b)
    assert not result.equal
    assert result.only_left or result.only_right or "only the" in result.reason


def test_upsert_topic_replays_to_its_state_at_the_slice_end(replayer, slice_, catalog_topics):
    from confluent_kafka import Consumer, TopicPartition

    pinned = slice_.pin(catalog_topics["customers"])
    replayed = replayer.run("SELECT customer_id, segment, country FROM customers", timeout=90)
    assert replayed.ok, replayed.error
    consumer = Consumer(
        {
            "bootstrap.servers": slice_.bootstrap,
            "group.id": "copilot-test-upsert",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    latest: dict[bytes, dict | None] = {}
    todo = {p for p in pinned.end if pinned.end[p] > pinned.earliest[p]}
    consumer.assign([TopicPartition("customers", p, pinned.earliest[p]) for p in todo])
    deadline = time.monotonic() + 60
    while todo and time.monotonic() < deadline:
        for msg in consumer.consume(1000, 1.0):
            p = msg.partition()
            if msg.error() or p not in todo or msg.offset() >= pinned.end[p]:
                todo.discard(p) if msg.error() or (p in todo and msg.offset() >= pinned.end[p]) else None
                continue
            latest[msg.key()] = json.loads(msg.value()) if msg.value() else None
            if msg.offset() + 1 >= pinned.end[p]:
                todo.discard(p)
    consumer.close()
    assert not todo
    expected = FinalTable(["customer_id", "segment", "country"])
    for value in latest.values():
        if value is not None:
            expected.apply("+I", [value["customer_id"], value["segment"], value["country"]])
    assert len(expected) >= 100
    result = compare(replayed.table, expected)
    assert result.equal, result.reason


def test_a_comparison_run_twice_agrees(catalog_topics, slice_):
    a = f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {O1} GROUP BY window_start, window_end, channel"
    b = f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {O1} WHERE amount > 100 GROUP BY window_start, window_end, channel"
    verdicts = []
    for _ in range(2):
        with Replayer(catalog_topics, slice_, gateway=replay_gateway(), purpose="test") as r:
            same, diff = (equal(r, a, a), equal(r, a, b))
        verdicts.append((same.to_dict(), diff.to_dict()))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0]["equal"] and not verdicts[0][1]["equal"]


def test_every_replayed_statement_is_audited_with_the_text_flink_ran(catalog_topics, slice_):
    class Sink:
        def __init__(self):
            self.events = []

        def record(self, event):
            self.events.append(event)

    sink = Sink()
    with Replayer(catalog_topics, slice_, gateway=replay_gateway(), audit=sink, purpose="test") as r:
        ok, refused = r.run_together(["SELECT COUNT(*) AS n FROM orders", "SELECT amount FROM orderz"], timeout=90)
    assert ok.ok and not refused.ok and "orderz" in refused.error
    submitted = [e for e in sink.events if e["type"] == "submission"]
    assert [e["sql"] for e in submitted] == ["SELECT COUNT(*) AS n FROM orders"]  # the refused one never reached Flink
    assert submitted[0]["slice"] == {"from": slice_.start_ms, "to": slice_.end_ms}
