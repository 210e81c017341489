"""The demo shop (CONTRACT.md section 4): customers, products, orders and what follows them.

Pure and deterministic given a `random.Random`: no Kafka, no clock. Callers pass event times in
(epoch seconds) and get `Event`s back; the Kafka side lives in `datagen_kafka`, the loop in `datagen`.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone

COUNTRIES = ("DE", "FR", "NL", "BE", "ES", "IT", "GB", "US", "CA", "PL", "SE", "AT")
# Shares of customers (and visitors) per country: a European shop with some transatlantic trade.
COUNTRY_WEIGHTS = (22, 14, 9, 5, 9, 9, 10, 10, 3, 4, 3, 2)
CURRENCY_BY_COUNTRY = {"GB": "GBP", "US": "USD", "CA": "USD"}  # everyone else pays in EUR
CHANNELS = (("web", 55), ("mobile", 35), ("store", 10))
SEGMENTS = (("consumer", 80), ("smb", 15), ("enterprise", 5))
CATEGORIES = ("electronics", "books", "fashion", "home", "toys")
PAYMENT_METHODS = (("card", 50), ("paypal", 25), ("klarna", 15), ("bank_transfer", 10))
CARRIERS = ("DHL", "UPS", "FedEx", "PostNL")
WAREHOUSES = ("Berlin-Spandau", "Rotterdam-Port", "Lyon-Est", "Madrid-Sur", "Poznan-1", "Memphis-TN")
PAGE_TYPES = (("home", 15), ("category", 25), ("product", 40), ("cart", 12), ("checkout", 8))
DEVICES = (("desktop", 45), ("mobile", 45), ("tablet", 10))
REFERRERS = (("direct", 30), ("google", 35), ("bing", 5), ("instagram", 10), ("facebook", 8), ("newsletter", 12))
QUANTITIES = ((1, 60), (2, 25), (3, 9), (4, 4), (5, 2))

_FIRST = (
    "Anna",
    "Lukas",
    "Emma",
    "Noah",
    "Sofia",
    "Liam",
    "Marie",
    "Jan",
    "Lea",
    "Hugo",
    "Chloe",
    "Luca",
    "Julia",
    "Mateo",
    "Olivia",
    "Oscar",
    "Eva",
    "Daan",
    "Zofia",
    "Elias",
    "Mia",
    "Leo",
    "Nora",
    "Ethan",
)
_LAST = (
    "Muller",
    "Martin",
    "de Vries",
    "Peeters",
    "Garcia",
    "Rossi",
    "Smith",
    "Johnson",
    "Tremblay",
    "Nowak",
    "Andersson",
    "Gruber",
    "Schmidt",
    "Bernard",
    "Jansen",
    "Lopez",
    "Bianchi",
    "Brown",
    "Kowalski",
)
_BRANDS = {
    "electronics": ("Voltix", "Nordtek", "Samvo", "Lumen"),
    "books": ("Penhouse", "Orbis Press", "Lettera", "Quill & Co"),
    "fashion": ("Maison Lune", "Urbanik", "Fjordwear", "Cotto"),
    "home": ("Casa Nova", "Hjem", "Ironleaf", "Tavola"),
    "toys": ("Blokko", "Tiny Giants", "Wunderkind", "Playfield"),
}
_NOUNS = {
    "electronics": ("Headphones", "Smartwatch", "Speaker", "E-Reader", "Power Bank", "Webcam", "Keyboard"),
    "books": ("Cookbook", "Thriller", "Travel Guide", "Biography", "Novel", "Atlas"),
    "fashion": ("Sneakers", "Raincoat", "Scarf", "Jeans", "Backpack", "Sunglasses"),
    "home": ("Coffee Maker", "Desk Lamp", "Duvet", "Knife Set", "Plant Pot", "Blender"),
    "toys": ("Puzzle", "Building Set", "Plush Bear", "Board Game", "Kite", "Train Set"),
}
_ADJECTIVES = ("Classic", "Pro", "Mini", "Eco", "Deluxe", "Smart", "Travel", "Family")
_PRICE_RANGE_EUR = {"electronics": (19, 499), "books": (6, 45), "fashion": (12, 180), "home": (9, 260), "toys": (5, 120)}

# A fixed anchor keeps seeded customers' signup times identical across generator restarts.
_SIGNUP_ANCHOR = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


class Cents(int):
    """A DECIMAL(10, 2) amount held as whole cents; encoded as a JSON number with exactly two decimals."""


def iso_millis(epoch_seconds: float) -> str:
    """UTC ISO-8601 with milliseconds and `Z`, the form Flink's json format reads as TIMESTAMP_LTZ(3)."""
    millis = int(round(epoch_seconds * 1000))
    seconds, millis = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def encode(record: dict) -> bytes:
    """JSON for one record; `Cents` become e.g. 12.30 (json.dumps would lose the trailing zero)."""
    parts = []
    for name, value in record.items():
        if isinstance(value, Cents):
            text = f"{value // 100}.{value % 100:02d}"
        else:
            text = json.dumps(value)
        parts.append(f"{json.dumps(name)}:{text}")
    return ("{" + ",".join(parts) + "}").encode()


@dataclass(frozen=True)
class Event:
    """One record to write: `produce_at` is when it is due on the wire; it differs from the record's
    own event time only for late events."""

    topic: str
    key: str
    value: dict
    produce_at: float


class _Weighted:
    """Fast repeated weighted choice (precomputed cumulative weights)."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.items = [item for item, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


_COUNTRY = _Weighted(zip(COUNTRIES, COUNTRY_WEIGHTS))
_CHANNEL, _SEGMENT, _METHOD = _Weighted(CHANNELS), _Weighted(SEGMENTS), _Weighted(PAYMENT_METHODS)
_PAGE_TYPE, _DEVICE, _REFERRER, _QUANTITY = (
    _Weighted(PAGE_TYPES),
    _Weighted(DEVICES),
    _Weighted(REFERRERS),
    _Weighted(QUANTITIES),
)


@dataclass
class _Session:
    session_id: str
    customer_id: str | None
    device: str
    country: str
    referrer: str
    views_left: int


class Shop:
    """State of the demo shop and the builders for every topic's records.

    `seed` fixes the customer and product master data (stable ids and attributes across restarts);
    `rng` drives everything that happens afterwards. `run_id` makes event ids unique per run.
    """

    def __init__(
        self,
        *,
        customers: int,
        products: int,
        late_fraction: float,
        rng: random.Random,
        run_id: str,
        seed: int = 20261125,
        sessions: int = 400,
    ):
        if customers < 1 or products < 1:
            raise ValueError("the shop needs at least one customer and one product")
        self.rng = rng
        self.run_id = run_id
        self.late_fraction = late_fraction
        self._ids = itertools.count(1)
        self.late_events = 0
        master = random.Random(seed)
        self.customers = [self._new_customer(master, i, customers) for i in range(1, customers + 1)]
        self.products = [self._new_product(master, i, products) for i in range(1, products + 1)]
        # Popularity follows a long tail: a few products sell (and are viewed) far more than others.
        ranks = list(range(len(self.products)))
        master.shuffle(ranks)
        self._popularity = _Weighted((p, 1.0 / (1 + r) ** 0.8) for p, r in zip(self.products, ranks))
        self._session_pool_size = sessions
        self._sessions: list[_Session] = []

    # ---- master data -------------------------------------------------------------------------
    @staticmethod
    def _new_customer(master: random.Random, index: int, total: int) -> dict:
        first, last = master.choice(_FIRST), master.choice(_LAST)
        customer_id = f"C{index:0{max(5, len(str(total)))}d}"
        signup = _SIGNUP_ANCHOR - master.uniform(0, 3 * 365 * 86400)
        return {
            "customer_id": customer_id,
            "name": f"{first} {last}",
            "email": f"{first}.{last.replace(' ', '')}.{index}@example.com".lower(),
            "country": _COUNTRY.pick(master),
            "segment": _SEGMENT.pick(master),
            "signup_time": iso_millis(signup),
            "updated_at": None,
        }

    @staticmethod
    def _new_product(master: random.Random, index: int, total: int) -> dict:
        category = CATEGORIES[(index - 1) % len(CATEGORIES)]
        brand = master.choice(_BRANDS[category])
        low, high = _PRICE_RANGE_EUR[category]
        return {
            "product_id": f"P{index:0{max(4, len(str(total)))}d}",
            "name": f"{brand} {master.choice(_ADJECTIVES)} {master.choice(_NOUNS[category])}",
            "category": category,
            "brand": brand,
            "list_price": Cents(int(master.uniform(low, high)) * 100 + 99),
            "updated_at": None,
        }

    def seed_events(self, now: float) -> list[Event]:
        """Every customer and product as of `now`: the upsert topics' starting state."""
        events = []
        for customer in self.customers:
            customer["updated_at"] = iso_millis(now)
            events.append(Event("customers", customer["customer_id"], dict(customer), now))
        for product in self.products:
            product["updated_at"] = iso_millis(now)
            events.append(Event("products", product["product_id"], dict(product), now))
        return events

    def customer_update(self, now: float) -> Event:
        customer = self.rng.choice(self.customers)
        change = self.rng.random()
        if change < 0.5:
            customer["segment"] = _SEGMENT.pick(self.rng)
        elif change < 0.9:
            local, domain = customer["email"].split("@")
            customer["email"] = f"{local.split('+')[0]}+{self.rng.randint(1, 999)}@{domain}"
        else:
            customer["country"] = _COUNTRY.pick(self.rng)
        customer["updated_at"] = iso_millis(now)
        return Event("customers", customer["customer_id"], dict(customer), now)

    def product_update(self, now: float) -> Event:
        product = self.rng.choice(self.products)
        euros = max(1, round(product["list_price"] / 100 * self.rng.uniform(0.85, 1.12)))
        product["list_price"] = Cents(euros * 100 - 1)  # prices end in .99
        product["updated_at"] = iso_millis(now)
        return Event("products", product["product_id"], dict(product), now)

    # ---- facts -------------------------------------------------------------------------------
    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-{self.run_id}-{next(self._ids):07d}"

    def _late(self, event_time: float) -> float:
        """When an event is due on the wire: on time, or for a small fraction up to 10 s late."""
        if self.rng.random() < self.late_fraction:
            self.late_events += 1
            return event_time + self.rng.uniform(1.0, 10.0)
        return event_time

    def order(self, event_time: float) -> list[Event]:
        """One order at `event_time` plus its payments and shipment status events, each due later."""
        rng = self.rng
        customer = rng.choice(self.customers)
        product = self._popularity.pick(rng)
        quantity = _QUANTITY.pick(rng)
        unit_price = product["list_price"]
        currency = CURRENCY_BY_COUNTRY.get(customer["country"], "EUR")
        order = {
            "order_id": self._next_id("O"),
            "customer_id": customer["customer_id"],
            "product_id": product["product_id"],
            "quantity": quantity,
            "unit_price": Cents(unit_price),
            "amount": Cents(unit_price * quantity),
            "currency": currency,
            "channel": _CHANNEL.pick(rng),
            "country": customer["country"],
            "order_time": iso_millis(event_time),
        }
        events = [Event("orders", order["order_id"], order, self._late(event_time))]
        paid_at = self._payments(order, event_time, events)
        if paid_at is not None:
            self._shipment(order["order_id"], paid_at, events)
        return events

    def _payment(self, order: dict, status: str, at: float) -> Event:
        payment = {
            "payment_id": self._next_id("PAY"),
            "order_id": order["order_id"],
            "method": _METHOD.pick(self.rng),
            "amount": order["amount"],
            "currency": order["currency"],
            "status": status,
            "payment_time": iso_millis(at),
        }
        return Event("payments", payment["payment_id"], payment, self._late(at))

    def _payments(self, order: dict, order_time: float, events: list[Event]) -> float | None:
        """Appends the order's payment attempts; returns when it was authorized, or None."""
        rng = self.rng
        at = order_time + rng.uniform(1.0, 5.0)
        for attempt in range(3):
            declined = rng.random() < (0.07 if attempt == 0 else 0.3)
            events.append(self._payment(order, "declined" if declined else "authorized", at))
            if not declined:
                if rng.random() < 0.03:  # a few are refunded a little later
                    events.append(self._payment(order, "refunded", at + rng.uniform(20.0, 90.0)))
                return at
            if rng.random() < 0.4:  # the shopper gives up
                return None
            at += rng.uniform(2.0, 8.0)
        return None

    def _shipment(self, order_id: str, paid_at: float, events: list[Event]) -> None:
        rng = self.rng
        shipment_id = self._next_id("SHP")
        carrier, warehouse = rng.choice(CARRIERS), rng.choice(WAREHOUSES)
        at = paid_at + rng.uniform(2.0, 10.0)
        final = "lost" if rng.random() < 0.02 else "delivered"
        for status, gap in (("created", 0.0), ("in_transit", rng.uniform(10.0, 40.0)), (final, rng.uniform(30.0, 120.0))):
            at += gap
            record = {
                "shipment_id": shipment_id,
                "order_id": order_id,
                "carrier": carrier,
                "warehouse": warehouse,
                "status": status,
                "shipment_time": iso_millis(at),
            }
            events.append(Event("shipments", shipment_id, record, self._late(at)))

    def page_view(self, event_time: float) -> Event:
        rng = self.rng
        if len(self._sessions) < self._session_pool_size:
            self._sessions.append(self._new_session())
        slot = rng.randrange(len(self._sessions))
        session = self._sessions[slot]
        session.views_left -= 1
        if session.views_left <= 0:
            self._sessions[slot] = self._new_session()
        page_type = _PAGE_TYPE.pick(rng)
        product_id = None
        if page_type == "product":
            product_id = self._popularity.pick(rng)["product_id"]
            url = f"/product/{product_id}"
        elif page_type == "category":
            url = f"/category/{rng.choice(CATEGORIES)}"
        else:
            url = {"home": "/", "cart": "/cart", "checkout": "/checkout"}[page_type]
        view = {
            "view_id": self._next_id("V"),
            "session_id": session.session_id,
            "customer_id": session.customer_id,
            "url": url,
            "page_type": page_type,
            "product_id": product_id,
            "referrer": session.referrer,
            "device": session.device,
            "country": session.country,
            "view_time": iso_millis(event_time),
        }
        return Event("page_views", view["view_id"], view, self._late(event_time))

    def _new_session(self) -> _Session:
        rng = self.rng
        customer = rng.choice(self.customers) if rng.random() < 0.4 else None  # 60% browse anonymously
        return _Session(
            session_id=self._next_id("S"),
            customer_id=customer["customer_id"] if customer else None,
            device=_DEVICE.pick(rng),
            country=customer["country"] if customer else _COUNTRY.pick(rng),
            referrer=_REFERRER.pick(rng),
            views_left=rng.randint(1, 25),
        )
