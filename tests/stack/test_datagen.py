"""The demo data generator against CONTRACT.md section 4.

Pure tests drive the shop model directly; `stack` tests read what the running generator wrote to the
real Kafka (and through Flink), and one test restarts a scratch Kafka under a running generator.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from copilot.errors import UsageError
from copilot.stack.datagen import DatagenConfig
from copilot.stack.datagen_domain import Cents, Shop, encode, iso_millis
from copilot.stack.datagen_scratch_kafka import ScratchKafka

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# CONTRACT.md section 4 as data, and a checker that says what is wrong with one record
# ---------------------------------------------------------------------------------------------
COUNTRIES = {"DE", "FR", "NL", "BE", "ES", "IT", "GB", "US", "CA", "PL", "SE", "AT"}
TS = "TIMESTAMP_LTZ(3)"
DEC = "DECIMAL(10, 2)"

FIELDS: dict[str, dict[str, str]] = {
    "orders": {
        "order_id": "STRING",
        "customer_id": "STRING",
        "product_id": "STRING",
        "quantity": "INT",
        "unit_price": DEC,
        "amount": DEC,
        "currency": "STRING",
        "channel": "STRING",
        "country": "STRING",
        "order_time": TS,
    },
    "payments": {
        "payment_id": "STRING",
        "order_id": "STRING",
        "method": "STRING",
        "amount": DEC,
        "currency": "STRING",
        "status": "STRING",
        "payment_time": TS,
    },
    "shipments": {
        "shipment_id": "STRING",
        "order_id": "STRING",
        "carrier": "STRING",
        "warehouse": "STRING",
        "status": "STRING",
        "shipment_time": TS,
    },
    "page_views": {
        "view_id": "STRING",
        "session_id": "STRING",
        "customer_id": "STRING",
        "url": "STRING",
        "page_type": "STRING",
        "product_id": "STRING",
        "referrer": "STRING",
        "device": "STRING",
        "country": "STRING",
        "view_time": TS,
    },
    "customers": {
        "customer_id": "STRING",
        "name": "STRING",
        "email": "STRING",
        "country": "STRING",
        "segment": "STRING",
        "signup_time": TS,
        "updated_at": TS,
    },
    "products": {
        "product_id": "STRING",
        "name": "STRING",
        "category": "STRING",
        "brand": "STRING",
        "list_price": DEC,
        "updated_at": TS,
    },
}
KEYS = {
    "orders": "order_id",
    "payments": "payment_id",
    "shipments": "shipment_id",
    "page_views": "view_id",
    "customers": "customer_id",
    "products": "product_id",
}
EVENT_TIME = {
    "orders": "order_time",
    "payments": "payment_time",
    "shipments": "shipment_time",
    "page_views": "view_time",
    "customers": "updated_at",
    "products": "updated_at",
}
ENUMS = {
    ("orders", "currency"): {"EUR", "USD", "GBP"},
    ("orders", "channel"): {"web", "mobile", "store"},
    ("orders", "country"): COUNTRIES,
    ("payments", "method"): {"card", "paypal", "klarna", "bank_transfer"},
    ("payments", "currency"): {"EUR", "USD", "GBP"},
    ("payments", "status"): {"authorized", "declined", "refunded"},
    ("shipments", "carrier"): {"DHL", "UPS", "FedEx", "PostNL"},
    ("shipments", "status"): {"created", "in_transit", "delivered", "lost"},
    ("page_views", "page_type"): {"home", "category", "product", "cart", "checkout"},
    ("page_views", "device"): {"desktop", "mobile", "tablet"},
    ("page_views", "country"): COUNTRIES,
    ("customers", "country"): COUNTRIES,
    ("customers", "segment"): {"consumer", "smb", "enterprise"},
    ("products", "category"): {"electronics", "books", "fashion", "home", "toys"},
}
NULLABLE = {("page_views", "customer_id"), ("page_views", "product_id")}
_ISO_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def parse(value: bytes) -> dict:
    """JSON with decimals kept exact, so 12.30 is told apart from 12.3."""
    return json.loads(value, parse_float=Decimal)


def event_seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def problems(topic: str, key: bytes | None, value: bytes) -> list[str]:
    """Everything in one record that departs from the contract; empty when it conforms."""
    try:
        record = parse(value)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    found = []
    expected = FIELDS[topic]
    if list(record) != list(expected):
        found.append(f"fields {list(record)} != {list(expected)}")
    for name, flink_type in expected.items():
        v = record.get(name)
        if v is None:
            if (topic, name) not in NULLABLE:
                found.append(f"{name} is null or missing")
            continue
        if flink_type == "STRING" and not (isinstance(v, str) and v):
            found.append(f"{name}={v!r} is not a non-empty string")
        elif flink_type == "INT" and not (type(v) is int and -(2**31) <= v < 2**31):
            found.append(f"{name}={v!r} is not an INT")
        elif flink_type == DEC and not (
            isinstance(v, Decimal) and v.as_tuple().exponent == -2 and v >= 0 and len(v.as_tuple().digits) <= 10
        ):
            found.append(f"{name}={v!r} is not a DECIMAL(10, 2) written with two decimals")
        elif flink_type == TS and not (isinstance(v, str) and _ISO_MILLIS.match(v)):
            found.append(f"{name}={v!r} is not ISO-8601 UTC with milliseconds")
        allowed = ENUMS.get((topic, name))
        if allowed is not None and v not in allowed:
            found.append(f"{name}={v!r} not in {sorted(allowed)}")
    key_field = KEYS[topic]
    if key is None or key.decode() != record.get(key_field):
        found.append(f"key {key!r} != {key_field} {record.get(key_field)!r}")
    if topic == "page_views" and (record.get("page_type") == "product") != (record.get("product_id") is not None):
        found.append(f"product_id={record.get('product_id')!r} with page_type={record.get('page_type')!r}")
    if topic == "orders" and not found and record["amount"] != record["unit_price"] * record["quantity"]:
        found.append(f"amount {record['amount']} != {record['quantity']} x {record['unit_price']}")
    return found


# ---------------------------------------------------------------------------------------------
# Pure: the shop model and the encoding
# ---------------------------------------------------------------------------------------------
def make_shop(late_fraction: float = 0.015, seed: int = 7) -> Shop:
    return Shop(customers=2000, products=500, late_fraction=late_fraction, rng=random.Random(seed), run_id="test01")


def simulate(shop: Shop, seconds: int, start: float = 1_790_000_000.0, orders_per_sec: int = 20, views_per_sec: int = 100):
    """Events of `seconds` of shop life, as the generator would build them (event time order)."""
    events = list(shop.seed_events(start))
    for second in range(seconds):
        now = start + second
        for i in range(orders_per_sec):
            events.extend(shop.order(now + i / orders_per_sec))
        for i in range(views_per_sec):
            events.append(shop.page_view(now + i / views_per_sec))
        events.append(shop.customer_update(now + 0.5))
        events.append(shop.product_update(now + 0.7))
    return events


def test_encode_writes_decimals_with_two_places_and_iso_millis_times():
    record = {"amount": Cents(1230), "small": Cents(5), "n": 3, "s": 'x"y', "none": None, "t": iso_millis(1764063000.1234)}
    text = encode(record).decode()
    assert text == '{"amount":12.30,"small":0.05,"n":3,"s":"x\\"y","none":null,"t":"2025-11-25T09:30:00.123Z"}'
    assert parse(text.encode())["amount"] == Decimal("12.30")


def test_iso_millis_rounds_into_the_next_second():
    assert iso_millis(1764063000.9996) == "2025-11-25T09:30:01.000Z"


def test_every_built_record_matches_the_contract():
    events = simulate(make_shop(), 30)
    seen = Counter()
    for event in events:
        assert problems(event.topic, event.key.encode(), encode(event.value)) == [], event
        seen[event.topic] += 1
    assert set(seen) == set(FIELDS)
    assert seen["customers"] >= 2000 and seen["products"] >= 500


def test_values_cover_the_contract_vocabularies():
    events = simulate(make_shop(), 60)
    values = defaultdict(set)
    for event in events:
        for name, value in event.value.items():
            values[(event.topic, name)].add(value)
    for (topic, name), allowed in ENUMS.items():
        if (topic, name) == ("shipments", "status"):
            continue  # "lost" is rare and comes minutes later; checked separately below
        assert values[(topic, name)] == allowed, (topic, name)
    assert None in values[("page_views", "customer_id")] and len(values[("page_views", "customer_id")]) > 100


def test_follow_ups_reference_their_order_and_come_after_it():
    shop = make_shop(late_fraction=0.0)
    orders, payments, shipments = {}, defaultdict(list), defaultdict(list)
    for _ in range(3000):
        for event in shop.order(1_790_000_000.0):
            if event.topic == "orders":
                orders[event.key] = event.value
            elif event.topic == "payments":
                payments[event.value["order_id"]].append(event.value)
            else:
                shipments[event.value["order_id"]].append(event.value)
    assert set(payments) == set(orders), "every order gets at least one payment attempt"
    for order_id, attempts in payments.items():
        order = orders[order_id]
        for p in attempts:
            assert p["amount"] == order["amount"] and p["currency"] == order["currency"]
            assert event_seconds(p["payment_time"]) > event_seconds(order["order_time"])
    paid = {o for o, attempts in payments.items() if any(p["status"] == "authorized" for p in attempts)}
    assert set(shipments) == paid, "exactly the paid orders are shipped"
    statuses = Counter()
    for events in shipments.values():
        sequence = [e["status"] for e in events]
        assert sequence[:2] == ["created", "in_transit"] and sequence[2] in {"delivered", "lost"}
        assert len({e["shipment_id"] for e in events}) == 1
        times = [event_seconds(e["shipment_time"]) for e in events]
        assert times == sorted(times)
        statuses[sequence[2]] += 1
    assert statuses["lost"] > 0 and statuses["delivered"] > 20 * statuses["lost"]
    declined = sum(p["status"] == "declined" for a in payments.values() for p in a)
    assert 0.03 * len(orders) < declined < 0.2 * len(orders)
    assert any(p["status"] == "refunded" for a in payments.values() for p in a)


def test_orders_reference_seeded_customers_and_products():
    shop = make_shop()
    customers = {c["customer_id"] for c in shop.customers}
    products = {p["product_id"]: p for p in shop.products}
    for _ in range(2000):
        order = shop.order(1_790_000_000.0)[0].value
        assert order["customer_id"] in customers
        assert order["unit_price"] == products[order["product_id"]]["list_price"]
    for _ in range(2000):
        view = shop.page_view(1_790_000_000.0).value
        assert view["product_id"] is None or view["product_id"] in products


def test_a_small_share_of_events_is_late_by_at_most_ten_seconds():
    shop = make_shop(late_fraction=0.015)
    lags = []
    for i in range(20000):
        event = shop.page_view(1_790_000_000.0 + i / 100)
        lags.append(event.produce_at - event_seconds(event.value["view_time"]))
    late = [lag for lag in lags if lag > 0.01]
    assert 0.008 < len(late) / len(lags) < 0.025
    assert max(late) <= 10.01 and min(late) >= 0.99


def test_master_data_is_stable_across_restarts_and_updates_change_updated_at():
    first, second = make_shop(seed=1), make_shop(seed=2)  # different runtime randomness, same master seed
    assert [c["name"] for c in first.customers] == [c["name"] for c in second.customers]
    assert [p["list_price"] for p in first.products] == [p["list_price"] for p in second.products]
    first.seed_events(1_790_000_000.0)
    update = first.product_update(1_790_000_100.0)
    assert update.value["updated_at"] == iso_millis(1_790_000_100.0)
    assert update.value["list_price"] % 100 == 99


def test_invalid_rate_settings_are_usage_errors(monkeypatch):
    monkeypatch.setenv("DATAGEN_ORDERS_PER_SEC", "lots")
    with pytest.raises(UsageError, match="DATAGEN_ORDERS_PER_SEC"):
        DatagenConfig.from_settings()
    monkeypatch.setenv("DATAGEN_ORDERS_PER_SEC", "2.5")
    monkeypatch.setenv("DATAGEN_LATE_FRACTION", "1.5")
    with pytest.raises(UsageError, match="DATAGEN_LATE_FRACTION"):
        DatagenConfig.from_settings()
    monkeypatch.setenv("DATAGEN_LATE_FRACTION", "0")
    assert DatagenConfig.from_settings().orders_per_sec == 2.5


def test_catalog_files_describe_exactly_what_the_generator_writes(catalog_topics):
    for topic, fields in FIELDS.items():
        schema = catalog_topics[topic]
        assert [(f.name, f.type) for f in schema.fields] == list(fields.items()), topic
        assert schema.event_time == EVENT_TIME[topic]
        assert (schema.changelog == "upsert") == (topic in ("customers", "products"))
        if schema.changelog == "upsert":
            assert schema.primary_key == [KEYS[topic]] and schema.key_format == "raw"


# ---------------------------------------------------------------------------------------------
# Stack: what the running generator wrote to the real Kafka
# ---------------------------------------------------------------------------------------------
from confluent_kafka import Consumer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource  # noqa: E402

from copilot import settings  # noqa: E402


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "datagen-test",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "log_level": 0,
        }
    )


def end_offsets(bootstrap: str, topic: str) -> dict[int, tuple[int, int]]:
    consumer = _consumer(bootstrap)
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in partitions}
    finally:
        consumer.close()


def read(bootstrap: str, topic: str, *, last: int | None = None, since_ms: int | None = None) -> list:
    """Records of `topic` up to its current end: the last `last` per partition, or since a timestamp,
    or all. Each as (partition, offset, timestamp_ms, key, value)."""
    offsets = end_offsets(bootstrap, topic)
    start = {p: max(low, high - last) if last is not None else low for p, (low, high) in offsets.items()}
    consumer = _consumer(bootstrap)
    try:
        if since_ms is not None:
            found = consumer.offsets_for_times([TopicPartition(topic, p, since_ms) for p in offsets], timeout=10)
            start = {tp.partition: tp.offset if tp.offset >= 0 else offsets[tp.partition][1] for tp in found}
        todo = {p for p in offsets if start[p] < offsets[p][1]}
        consumer.assign([TopicPartition(topic, p, start[p]) for p in todo])
        records, deadline = [], time.monotonic() + 60
        while todo and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                todo.discard(msg.partition())  # end of partition
                continue
            if msg.offset() < offsets[msg.partition()][1]:
                records.append((msg.partition(), msg.offset(), msg.timestamp()[1], msg.key(), msg.value()))
            if msg.offset() >= offsets[msg.partition()][1] - 1:
                todo.discard(msg.partition())
        assert not todo, f"could not read {topic} to its end within 60 s"
        return records
    finally:
        consumer.close()


def wait_for_data(bootstrap: str, minimum: dict[str, int], timeout: float = 120.0) -> None:
    """Until each topic holds at least its minimum number of records (the generator needs a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        short = {t: n for t, n in minimum.items() if sum(high - low for low, high in end_offsets(bootstrap, t).values()) < n}
        if not short:
            return
        assert time.monotonic() < deadline, f"topics still short of data: {short}"
        time.sleep(2)


@pytest.fixture(scope="module")
def live_bootstrap(stack):
    bootstrap = settings.get("KAFKA_BOOTSTRAP")
    wait_for_data(
        bootstrap, {"orders": 400, "payments": 300, "shipments": 300, "page_views": 2000, "customers": 2000, "products": 500}
    )
    return bootstrap


@pytest.mark.stack
def test_each_topic_holds_contract_records(live_bootstrap):
    for topic in FIELDS:
        records = read(live_bootstrap, topic, last=1000)
        assert len(records) >= 300, topic
        bad = [(r[3], p) for r in records if (p := problems(topic, r[3], r[4]))]
        assert bad == [], f"{topic}: {len(bad)} of {len(records)} records break the contract, e.g. {bad[:3]}"


@pytest.mark.stack
def test_event_times_are_near_wall_clock_with_a_few_late_out_of_order_events(live_bootstrap):
    for topic in ("orders", "page_views"):
        records = read(live_bootstrap, topic, last=2000)
        lags = [r[2] / 1000 - event_seconds(parse(r[4])[EVENT_TIME[topic]]) for r in records]
        late = [lag for lag in lags if lag > 1.0]
        assert late, f"no late {topic} events among {len(lags)}"
        assert len(late) < 0.05 * len(lags), f"{len(late)} of {len(lags)} {topic} events late"
        # Up to 10 s late by design; the margin absorbs a generator tick delayed on a busy machine.
        assert -1.0 < min(lags) and max(lags) < 15.0, (topic, min(lags), max(lags))
        out_of_order = 0
        newest: dict[int, float] = {}
        for partition, _offset, _ts, _key, value in sorted(records, key=lambda r: (r[0], r[1])):
            t = event_seconds(parse(value)[EVENT_TIME[topic]])
            if t < newest.get(partition, t) - 1.0:
                out_of_order += 1
            newest[partition] = max(t, newest.get(partition, t))
        assert out_of_order > 0, f"{topic}: no event arrived after a newer one"


@pytest.mark.stack
def test_topics_have_partitions_and_upsert_topics_are_compacted(live_bootstrap):
    admin = AdminClient({"bootstrap.servers": live_bootstrap, "log_level": 0})
    metadata = admin.list_topics(timeout=10).topics
    resources = [ConfigResource(ConfigResource.Type.TOPIC, t) for t in FIELDS]
    for resource, future in admin.describe_configs(resources, request_timeout=10).items():
        policy = future.result()["cleanup.policy"].value
        expected = "compact" if resource.name in ("customers", "products") else "delete"
        assert policy == expected, resource.name
        assert len(metadata[resource.name].partitions) == 3, resource.name


@pytest.mark.stack
def test_facts_reference_existing_orders_customers_and_products(live_bootstrap):
    # A late order reaches Kafka up to 10 s after its event time, possibly after its first payment:
    # only follow-ups written more than 11 s ago are sure to find their order already there.
    settled = (time.time() - 11) * 1000
    follow_ups = {
        t: [parse(r[4]) for r in read(live_bootstrap, t, last=1000) if r[2] <= settled] for t in ("payments", "shipments")
    }
    assert all(len(v) > 100 for v in follow_ups.values())
    earliest = min(event_seconds(v[EVENT_TIME[t]]) for t, vs in follow_ups.items() for v in vs)
    orders = [parse(r[4]) for r in read(live_bootstrap, "orders", since_ms=int((earliest - 600) * 1000))]
    order_ids = {o["order_id"] for o in orders}
    for topic, values in follow_ups.items():
        dangling = [v["order_id"] for v in values if v["order_id"] not in order_ids]
        assert dangling == [], f"{topic} reference {len(dangling)} unknown orders, e.g. {dangling[:3]}"
    customer_ids = {r[3].decode() for r in read(live_bootstrap, "customers")}
    product_ids = {r[3].decode() for r in read(live_bootstrap, "products")}
    recent = orders[-2000:]
    assert {o["customer_id"] for o in recent} <= customer_ids
    assert {o["product_id"] for o in recent} <= product_ids
    views = [parse(r[4]) for r in read(live_bootstrap, "page_views", last=500)]
    assert {v["product_id"] for v in views if v["product_id"]} <= product_ids
    assert {v["customer_id"] for v in views if v["customer_id"]} <= customer_ids


@pytest.mark.stack
def test_flink_reads_the_generated_json_through_the_catalog_ddl(live_bootstrap, catalog_topics):
    """The ISO-8601 timestamps and two-decimal amounts come out of Flink non-null (the DDL ignores
    parse errors, so a format mismatch would show up as nulls)."""
    from copilot.catalog.ddl import create_table_statement
    from copilot.flink.gateway import GatewayClient
    from copilot.validate import check

    client = GatewayClient()
    try:
        for topic, columns in (
            ("orders", ["order_id", "amount", "order_time"]),
            ("customers", ["customer_id", "signup_time", "updated_at"]),
        ):
            table = f"datagen_check_{topic}"
            ddl = create_table_statement(catalog_topics[topic], temporary=True, table_name=table, startup_mode="earliest-offset")
            op = client.execute(check(f"SELECT {', '.join(columns)} FROM {table}"), {table: ddl})
            rows = []
            try:
                for page in op.pages(deadline=time.monotonic() + 120):
                    rows.extend(fields for kind, fields in page.rows if kind in ("+I", "+U"))
                    if len(rows) >= 20:
                        break
            finally:
                op.cancel()
            assert len(rows) >= 20, f"Flink returned {len(rows)} rows of {topic}"
            assert all(value is not None for row in rows for value in row), rows[:5]
            if topic == "orders":
                assert all(Decimal(str(row[1])) * 100 % 1 == 0 for row in rows)
    finally:
        client.close()


def test_the_contract_checker_catches_departures():
    good = {
        "product_id": "P0001",
        "name": "n",
        "category": "toys",
        "brand": "b",
        "list_price": "PRICE",
        "updated_at": "2026-11-25T09:30:00.123Z",
    }

    def check(**changes):
        record = {**good, **changes}
        text = json.dumps(record).replace('"PRICE"', "12.30").replace('"PRICE3"', "12.3")
        return problems("products", b"P0001", text.encode())

    assert check() == []
    assert check(list_price="PRICE3")  # one decimal place
    assert check(updated_at="2026-11-25T09:30:00Z")  # no milliseconds
    assert check(updated_at="2026-11-25 09:30:00.123")  # SQL form, no zone
    assert check(category="garden")
    assert check(brand=None)
    assert problems("products", b"P0002", json.dumps({**good, "list_price": 1}).encode())  # key != product_id
    assert problems("products", b"P0001", json.dumps({**good, "extra": 1}).encode().replace(b'"PRICE"', b"1.00"))
    assert problems("page_views", b"V1", b'{"view_id": "V1"}')


# ---------------------------------------------------------------------------------------------
# A scratch Kafka restarted under a running generator
# ---------------------------------------------------------------------------------------------
def _wait_for_log(path: Path, text: str, timeout: float, after: int = 0) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text()[after:]:
        assert time.monotonic() < deadline, f"{text!r} not logged within {timeout:g} s:\n{path.read_text()[-3000:]}"
        time.sleep(0.5)


def _total(bootstrap: str, topic: str) -> int:
    return sum(high for _low, high in end_offsets(bootstrap, topic).values())


@pytest.mark.stack
def test_generator_survives_a_kafka_restart_and_stops_cleanly_on_sigterm(tmp_path):
    kafka = ScratchKafka(tmp_path)
    kafka.start()
    log_path = tmp_path / "datagen.log"
    env = {**os.environ, "KAFKA_BOOTSTRAP": kafka.bootstrap, "DATAGEN_CUSTOMERS": "300", "DATAGEN_PRODUCTS": "60"}
    with open(log_path, "wb") as log:
        generator = subprocess.Popen([sys.executable, "-m", "copilot.stack.datagen"], stderr=log, env=env, cwd=ROOT)
    try:
        _wait_for_log(log_path, "datagen ready", 60)
        wait_for_data(kafka.bootstrap, {"orders": 20, "customers": 300, "products": 60}, timeout=60)
        kafka.stop()
        _wait_for_log(log_path, "Kafka unreachable", 60)
        time.sleep(3)  # keep generating while Kafka is away
        assert generator.poll() is None, log_path.read_text()[-3000:]
        before_restart = len(log_path.read_text())
        kafka.start()
        _wait_for_log(log_path, "Kafka reachable again", 90, after=before_restart)
        resumed_at = _total(kafka.bootstrap, "orders")
        wait_for_data(kafka.bootstrap, {"orders": resumed_at + 40}, timeout=60)
        generator.send_signal(signal.SIGTERM)
        assert generator.wait(30) == 0
        assert "datagen stopped" in log_path.read_text()
        assert "Traceback" not in log_path.read_text()
    finally:
        if generator.poll() is None:
            generator.kill()
            generator.wait(10)
        kafka.stop()
