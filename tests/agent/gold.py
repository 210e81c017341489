"""Business questions over the demo domain with hand-written gold queries.

Each case is (question, gold SQL); a case whose question starts with "+ " is a follow-up of the
case before it (the same conversation). Planned queries are compared with the gold one by
components (tables, aggregates, grouping keys, window kind and size, filters, HAVING, top-N, joins),
never by text."""

T = "TABLE(TUMBLE(TABLE {t}, DESCRIPTOR({ts}), INTERVAL '{n}' {u}))"


def tumble(t: str, ts: str, n: int, u: str) -> str:
    return T.format(t=t, ts=ts, n=n, u=u)


def hop(t: str, ts: str, slide: str, size: str) -> str:
    return f"TABLE(HOP(TABLE {t}, DESCRIPTOR({ts}), INTERVAL {slide}, INTERVAL {size}))"


def cumulate(t: str, ts: str, step: str = "'1' MINUTE", size: str = "'1' DAY") -> str:
    return f"TABLE(CUMULATE(TABLE {t}, DESCRIPTOR({ts}), INTERVAL {step}, INTERVAL {size}))"


def session(t: str, ts: str, gap: str, keys: str = "") -> str:
    part = f" PARTITION BY {keys}" if keys else ""
    return f"TABLE(SESSION(TABLE {t}{part}, DESCRIPTOR({ts}), INTERVAL {gap}))"


def top(inner: str, cols: str, order: str, n: int, windowed: bool = True) -> str:
    part = "PARTITION BY window_start, window_end " if windowed else ""
    return (
        f"SELECT {cols}, rn FROM (SELECT {cols}, ROW_NUMBER() OVER ({part}ORDER BY {order}) AS rn FROM ({inner})) WHERE rn <= {n}"
    )


O1 = tumble("orders", "order_time", 1, "MINUTE")
O5 = tumble("orders", "order_time", 5, "MINUTE")
P1 = tumble("payments", "payment_time", 1, "MINUTE")
V1 = tumble("page_views", "view_time", 1, "MINUTE")
S1 = tumble("shipments", "shipment_time", 1, "MINUTE")
CUST = "JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id"
PROD = "JOIN products FOR SYSTEM_TIME AS OF o.order_time AS p ON o.product_id = p.product_id"
PAY_ORDER = (
    "JOIN orders AS o ON p.order_id = o.order_id AND o.order_time BETWEEN p.payment_time - INTERVAL '1' HOUR AND p.payment_time"
)
SHIP_ORDER = (
    "JOIN orders AS o ON s.order_id = o.order_id AND o.order_time BETWEEN s.shipment_time - INTERVAL '1' HOUR AND s.shipment_time"
)
ORDER_CUST = "JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id"
ORDER_COLS = "order_id, customer_id, product_id, quantity, unit_price, amount, currency, channel, country, order_time"
PAYMENT_COLS = "payment_id, order_id, `method`, amount, currency, status, payment_time"

CASES: list[tuple[str, str]] = [
    # -- counts and sums per tumbling window
    (
        "How many orders per minute?",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} GROUP BY window_start, window_end",
    ),
    (
        "Revenue every 5 minutes",
        f"SELECT window_start, window_end, SUM(amount) AS revenue FROM {O5} GROUP BY window_start, window_end",
    ),
    (
        "revenue by country every 5 minutes",
        f"SELECT window_start, window_end, country, SUM(amount) AS r FROM {O5} GROUP BY window_start, window_end, country",
    ),
    (
        "+ now only mobile",
        f"SELECT window_start, window_end, country, SUM(amount) AS r FROM {O5} WHERE channel = 'mobile' GROUP BY window_start, window_end, country",
    ),
    (
        "+ make it per hour",
        f"SELECT window_start, window_end, country, SUM(amount) AS r FROM {tumble('orders', 'order_time', 1, 'HOUR')} WHERE channel = 'mobile' GROUP BY window_start, window_end, country",
    ),
    (
        "+ as a chart by channel",
        f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {tumble('orders', 'order_time', 1, 'HOUR')} WHERE channel = 'mobile' GROUP BY window_start, window_end, channel",
    ),
    (
        "Number of orders per channel per minute",
        f"SELECT window_start, window_end, channel, COUNT(*) AS n FROM {O1} GROUP BY window_start, window_end, channel",
    ),
    (
        "What is the total quantity sold per country every 10 minutes?",
        f"SELECT window_start, window_end, country, SUM(quantity) AS q FROM {tumble('orders', 'order_time', 10, 'MINUTE')} GROUP BY window_start, window_end, country",
    ),
    (
        "Average order value per channel per minute",
        f"SELECT window_start, window_end, channel, AVG(amount) AS a FROM {O1} GROUP BY window_start, window_end, channel",
    ),
    (
        "+ now the maximum instead",
        f"SELECT window_start, window_end, channel, MAX(amount) AS a FROM {O1} GROUP BY window_start, window_end, channel",
    ),
    (
        "largest order amount per currency every 30 seconds",
        f"SELECT window_start, window_end, currency, MAX(amount) AS m FROM {tumble('orders', 'order_time', 30, 'SECOND')} GROUP BY window_start, window_end, currency",
    ),
    (
        "smallest order per country per hour",
        f"SELECT window_start, window_end, country, MIN(amount) AS m FROM {tumble('orders', 'order_time', 1, 'HOUR')} GROUP BY window_start, window_end, country",
    ),
    (
        "hourly revenue in Germany",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {tumble('orders', 'order_time', 1, 'HOUR')} WHERE country = 'DE' GROUP BY window_start, window_end",
    ),
    (
        "+ what about France?",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {tumble('orders', 'order_time', 1, 'HOUR')} WHERE country = 'FR' GROUP BY window_start, window_end",
    ),
    (
        "+ and by channel",
        f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {tumble('orders', 'order_time', 1, 'HOUR')} WHERE country = 'FR' GROUP BY window_start, window_end, channel",
    ),
    (
        "orders from Germany or France per minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE country IN ('DE', 'FR') GROUP BY window_start, window_end",
    ),
    (
        "revenue per minute from countries other than the United States",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {O1} WHERE country <> 'US' GROUP BY window_start, window_end",
    ),
    (
        "how many orders were paid in British pounds every minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE currency = 'GBP' GROUP BY window_start, window_end",
    ),
    (
        "Orders per minute placed in a physical store",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE channel = 'store' GROUP BY window_start, window_end",
    ),
    # an amount in euros is an amount whose currency is EUR (the catalog's currency_field says which field holds it)
    (
        "revenue from orders above 500 euros per minute",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {O1} WHERE amount > 500 AND currency = 'EUR' GROUP BY window_start, window_end",
    ),
    (
        "number of orders with a quantity of more than 3 units per minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {O1} WHERE quantity > 3 GROUP BY window_start, window_end",
    ),
    (
        "How many orders under 20 per minute by channel",
        f"SELECT window_start, window_end, channel, COUNT(*) AS n FROM {O1} WHERE amount < 20 GROUP BY window_start, window_end, channel",
    ),
    # -- sliding and cumulating windows
    (
        "What is the revenue per country over the last 5 minutes, updated every minute?",
        f"SELECT window_start, window_end, country, SUM(amount) AS r FROM {hop('orders', 'order_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '5' + chr(39) + ' MINUTE')} GROUP BY window_start, window_end, country",
    ),
    (
        "orders in the last 10 minutes, refreshed every 2 minutes",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {hop('orders', 'order_time', chr(39) + '2' + chr(39) + ' MINUTE', chr(39) + '10' + chr(39) + ' MINUTE')} GROUP BY window_start, window_end",
    ),
    (
        "page views by device over the last hour",
        f"SELECT window_start, window_end, device, COUNT(*) AS n FROM {hop('page_views', 'view_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '1' + chr(39) + ' HOUR')} GROUP BY window_start, window_end, device",
    ),
    (
        "revenue so far today",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {cumulate('orders', 'order_time')} GROUP BY window_start, window_end",
    ),
    (
        "+ by channel",
        f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {cumulate('orders', 'order_time')} GROUP BY window_start, window_end, channel",
    ),
    (
        "number of payments so far today, updated every 5 minutes",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {cumulate('payments', 'payment_time', chr(39) + '5' + chr(39) + ' MINUTE')} GROUP BY window_start, window_end",
    ),
    (
        "How much money was refunded in the last 10 minutes?",
        f"SELECT window_start, window_end, SUM(amount) AS r FROM {hop('payments', 'payment_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '10' + chr(39) + ' MINUTE')} WHERE status = 'refunded' GROUP BY window_start, window_end",
    ),
    # -- top-N per window
    (
        "top 3 countries by revenue every 5 minutes",
        top(
            f"SELECT window_start, window_end, country, SUM(amount) AS revenue FROM {O5} GROUP BY window_start, window_end, country",
            "window_start, window_end, country, revenue",
            "revenue DESC",
            3,
        ),
    ),
    (
        "+ make it the top 5",
        top(
            f"SELECT window_start, window_end, country, SUM(amount) AS revenue FROM {O5} GROUP BY window_start, window_end, country",
            "window_start, window_end, country, revenue",
            "revenue DESC",
            5,
        ),
    ),
    (
        "top 5 products by revenue in the last hour, updated every 5 minutes",
        top(
            f"SELECT window_start, window_end, product_id, SUM(amount) AS revenue FROM {hop('orders', 'order_time', chr(39) + '5' + chr(39) + ' MINUTE', chr(39) + '1' + chr(39) + ' HOUR')} WHERE product_id IS NOT NULL GROUP BY window_start, window_end, product_id",
            "window_start, window_end, product_id, revenue",
            "revenue DESC",
            5,
        ),
    ),
    (
        "most viewed products in the last 15 minutes",
        top(
            f"SELECT window_start, window_end, product_id, COUNT(*) AS n FROM {hop('page_views', 'view_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '15' + chr(39) + ' MINUTE')} WHERE product_id IS NOT NULL GROUP BY window_start, window_end, product_id",
            "window_start, window_end, product_id, n",
            "n DESC",
            10,
        ),
    ),
    (
        "the most ordered product every minute",
        top(
            f"SELECT window_start, window_end, product_id, COUNT(*) AS n FROM {O1} WHERE product_id IS NOT NULL GROUP BY window_start, window_end, product_id",
            "window_start, window_end, product_id, n",
            "n DESC",
            1,
        ),
    ),
    (
        "Which payment method is used most per minute?",
        top(
            f"SELECT window_start, window_end, `method`, COUNT(*) AS n FROM {P1} GROUP BY window_start, window_end, `method`",
            "window_start, window_end, `method`, n",
            "n DESC",
            1,
        ),
    ),
    (
        "the 3 carriers with the most lost parcels per hour",
        top(
            f"SELECT window_start, window_end, carrier, COUNT(*) AS n FROM {tumble('shipments', 'shipment_time', 1, 'HOUR')} WHERE status = 'lost' GROUP BY window_start, window_end, carrier",
            "window_start, window_end, carrier, n",
            "n DESC",
            3,
        ),
    ),
    (
        "top 10 urls by page views every minute",
        top(
            f"SELECT window_start, window_end, url, COUNT(*) AS n FROM {V1} GROUP BY window_start, window_end, url",
            "window_start, window_end, url, n",
            "n DESC",
            10,
        ),
    ),
    (
        "bottom 3 countries by revenue per hour",
        top(
            f"SELECT window_start, window_end, country, SUM(amount) AS revenue FROM {tumble('orders', 'order_time', 1, 'HOUR')} GROUP BY window_start, window_end, country",
            "window_start, window_end, country, revenue",
            "revenue ASC",
            3,
        ),
    ),
    (
        "5 biggest orders",
        f"SELECT {ORDER_COLS}, rn FROM (SELECT {ORDER_COLS}, ROW_NUMBER() OVER (ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 5",
    ),
    # -- HAVING thresholds
    (
        "countries with more than 100 orders per minute",
        f"SELECT window_start, window_end, country, COUNT(*) AS n FROM {O1} GROUP BY window_start, window_end, country HAVING COUNT(*) > 100",
    ),
    (
        "channels with revenue above 5000 per minute",
        f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {O1} GROUP BY window_start, window_end, channel HAVING SUM(amount) > 5000",
    ),
    (
        "+ only Germany",
        f"SELECT window_start, window_end, channel, SUM(amount) AS r FROM {O1} WHERE country = 'DE' GROUP BY window_start, window_end, channel HAVING SUM(amount) > 5000",
    ),
    (
        "customers with more than 3 orders in the last hour",
        f"SELECT window_start, window_end, customer_id, COUNT(*) AS n FROM {hop('orders', 'order_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '1' + chr(39) + ' HOUR')} GROUP BY window_start, window_end, customer_id HAVING COUNT(*) > 3",
    ),
    (
        "warehouses with at least 50 shipments per minute",
        f"SELECT window_start, window_end, warehouse, COUNT(*) AS n FROM {S1} GROUP BY window_start, window_end, warehouse HAVING COUNT(*) >= 50",
    ),
    # -- joins along relationships (temporal for upsert tables)
    (
        "revenue by customer segment per minute",
        f"SELECT window_start, window_end, c.segment, SUM(o.amount) AS r FROM {O1} AS o {CUST} GROUP BY window_start, window_end, c.segment",
    ),
    ("revenue by customer segment", f"SELECT c.segment, SUM(o.amount) AS r FROM orders AS o {CUST} GROUP BY c.segment"),
    (
        "revenue by product category so far today",
        f"SELECT window_start, window_end, p.category, SUM(o.amount) AS r FROM {cumulate('orders', 'order_time')} AS o {PROD} GROUP BY window_start, window_end, p.category",
    ),
    (
        "orders per brand every 10 minutes",
        f"SELECT window_start, window_end, p.brand, COUNT(*) AS n FROM {tumble('orders', 'order_time', 10, 'MINUTE')} AS o {PROD} GROUP BY window_start, window_end, p.brand",
    ),
    (
        "revenue from enterprise customers per minute",
        f"SELECT window_start, window_end, SUM(o.amount) AS r FROM {O1} AS o {CUST} WHERE c.segment = 'enterprise' GROUP BY window_start, window_end",
    ),
    (
        "Which product category sells the most per minute?",
        top(
            f"SELECT window_start, window_end, p.category, SUM(o.amount) AS s FROM {O1} AS o {PROD} GROUP BY window_start, window_end, p.category",
            "window_start, window_end, category, s",
            "s DESC",
            1,
        ),
    ),
    (
        "page views of electronics products per minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {V1} AS pv JOIN products FOR SYSTEM_TIME AS OF pv.view_time AS p ON pv.product_id = p.product_id WHERE p.category = 'electronics' GROUP BY window_start, window_end",
    ),
    (
        "average payment amount per method for orders placed on mobile",
        "SELECT p.`method`, AVG(p.amount) AS a FROM payments AS p JOIN orders AS o ON p.order_id = o.order_id AND o.order_time BETWEEN p.payment_time - INTERVAL '1' HOUR AND p.payment_time WHERE o.channel = 'mobile' GROUP BY p.`method`",
    ),
    # -- payments, shipments, page views
    (
        "What share of payments is declined per minute?",
        f"SELECT window_start, window_end, CAST(SUM(CASE WHEN status = 'declined' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS r FROM {P1} GROUP BY window_start, window_end",
    ),
    (
        "decline rate per payment method every 5 minutes",
        f"SELECT window_start, window_end, `method`, CAST(SUM(CASE WHEN status = 'declined' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS r FROM {tumble('payments', 'payment_time', 5, 'MINUTE')} GROUP BY window_start, window_end, `method`",
    ),
    (
        "How many payments per method per minute?",
        f"SELECT window_start, window_end, `method`, COUNT(*) AS n FROM {P1} GROUP BY window_start, window_end, `method`",
    ),
    (
        "+ excluding paypal",
        f"SELECT window_start, window_end, `method`, COUNT(*) AS n FROM {P1} WHERE `method` <> 'paypal' GROUP BY window_start, window_end, `method`",
    ),
    # parcels are counted as the catalog's metric defines them: distinct shipments (several status events each)
    (
        "Which carrier loses the most parcels per hour?",
        top(
            f"SELECT window_start, window_end, carrier, COUNT(*) AS n FROM {tumble('shipments', 'shipment_time', 1, 'HOUR')} WHERE status = 'lost' GROUP BY window_start, window_end, carrier",
            "window_start, window_end, carrier, n",
            "n DESC",
            1,
        ),
    ),
    (
        "Card payment authorization rate per minute",
        f"SELECT window_start, window_end, CAST(SUM(CASE WHEN status = 'authorized' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS r FROM {P1} WHERE `method` = 'card' GROUP BY window_start, window_end",
    ),
    ("latest price of each product", "SELECT product_id, list_price FROM products"),
    ("price per product for electronics", "SELECT product_id, list_price FROM products WHERE category = 'electronics'"),
    (
        "failed payments per minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {P1} WHERE status = 'declined' GROUP BY window_start, window_end",
    ),
    (
        "How many parcels got lost per carrier in the last hour?",
        f"SELECT window_start, window_end, carrier, COUNT(*) AS n FROM {hop('shipments', 'shipment_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '1' + chr(39) + ' HOUR')} WHERE status = 'lost' GROUP BY window_start, window_end, carrier",
    ),
    (
        "delivered parcels per warehouse every 10 minutes",
        f"SELECT window_start, window_end, warehouse, COUNT(*) AS n FROM {tumble('shipments', 'shipment_time', 10, 'MINUTE')} WHERE status = 'delivered' GROUP BY window_start, window_end, warehouse",
    ),
    (
        "How many distinct sessions are active per minute?",
        f"SELECT window_start, window_end, COUNT(DISTINCT session_id) AS n FROM {V1} GROUP BY window_start, window_end",
    ),
    (
        "How many visitors reach checkout per minute, by country?",
        f"SELECT window_start, window_end, country, COUNT(DISTINCT customer_id) AS n FROM {V1} WHERE page_type = 'checkout' GROUP BY window_start, window_end, country",
    ),
    (
        "page views per referrer every 30 seconds on tablets",
        f"SELECT window_start, window_end, referrer, COUNT(*) AS n FROM {tumble('page_views', 'view_time', 30, 'SECOND')} WHERE device = 'tablet' GROUP BY window_start, window_end, referrer",
    ),
    (
        "number of unique customers ordering per minute",
        f"SELECT window_start, window_end, COUNT(DISTINCT customer_id) AS n FROM {O1} GROUP BY window_start, window_end",
    ),
    # -- upsert tables, continuous aggregates and rows
    ("How many customers do we have per segment?", "SELECT segment, COUNT(*) AS n FROM customers GROUP BY segment"),
    ("How many products are in each category?", "SELECT category, COUNT(*) AS n FROM products GROUP BY category"),
    ("What is the average list price per brand?", "SELECT brand, AVG(list_price) AS a FROM products GROUP BY brand"),
    ("total revenue per country", "SELECT country, SUM(amount) AS r FROM orders GROUP BY country"),
    ("Show German orders over 100 as they arrive.", f"SELECT {ORDER_COLS} FROM orders WHERE country = 'DE' AND amount > 100"),
    (
        "Show declined Klarna payments as they happen.",
        f"SELECT {PAYMENT_COLS} FROM payments WHERE `method` = 'klarna' AND status = 'declined'",
    ),
    ("list mobile orders above 1000", f"SELECT {ORDER_COLS} FROM orders WHERE channel = 'mobile' AND amount > 1000"),
    # -- written after the planner, as a held-out check (two of them found bugs that were fixed)
    (
        "How many shipments are in transit per carrier?",
        "SELECT carrier, COUNT(*) AS n FROM shipments WHERE status = 'in_transit' GROUP BY carrier",
    ),
    (
        "Which country has the highest revenue in the last 30 minutes?",
        top(
            f"SELECT window_start, window_end, country, SUM(amount) AS revenue FROM {hop('orders', 'order_time', chr(39) + '1' + chr(39) + ' MINUTE', chr(39) + '30' + chr(39) + ' MINUTE')} GROUP BY window_start, window_end, country",
            "window_start, window_end, country, revenue",
            "revenue DESC",
            1,
        ),
    ),
    (
        "how many page views from Germany on mobile phones per minute",
        f"SELECT window_start, window_end, COUNT(*) AS n FROM {V1} WHERE country = 'DE' AND device = 'mobile' GROUP BY window_start, window_end",
    ),
    (
        "number of orders per customer segment per minute",
        f"SELECT window_start, window_end, c.segment, COUNT(*) AS n FROM {O1} AS o {CUST} GROUP BY window_start, window_end, c.segment",
    ),
    (
        "What is the turnover by market so far today?",
        f"SELECT window_start, window_end, country, SUM(amount) AS t FROM {cumulate('orders', 'order_time')} GROUP BY window_start, window_end, country",
    ),
    ("How many new customers per country?", "SELECT country, COUNT(*) AS n FROM customers GROUP BY country"),
    (
        "peak order amount per channel in the last 15 minutes updated every 5 minutes",
        f"SELECT window_start, window_end, channel, MAX(amount) AS m FROM {hop('orders', 'order_time', chr(39) + '5' + chr(39) + ' MINUTE', chr(39) + '15' + chr(39) + ' MINUTE')} GROUP BY window_start, window_end, channel",
    ),
    ("show payments over 1000 euros", f"SELECT {PAYMENT_COLS} FROM payments WHERE amount > 1000 AND currency = 'EUR'"),
    # -- two hops along relationships: payments → orders → customers, shipments → orders → products
    (
        "declined payments per customer segment per minute",
        f"SELECT window_start, window_end, c.segment, COUNT(*) AS n FROM {P1} AS p {PAY_ORDER} {ORDER_CUST} WHERE p.status = 'declined' GROUP BY window_start, window_end, c.segment",
    ),
    (
        "payment amount per customer segment",
        f"SELECT c.segment, SUM(p.amount) AS a FROM payments AS p {PAY_ORDER} {ORDER_CUST} GROUP BY c.segment",
    ),
    (
        "lost parcels per product category",
        f"SELECT pr.category, COUNT(*) AS n FROM shipments AS s {SHIP_ORDER} JOIN products FOR SYSTEM_TIME AS OF o.order_time AS pr ON o.product_id = pr.product_id WHERE s.status = 'lost' GROUP BY pr.category",
    ),
    # -- session windows: a gap of inactivity ends a session
    (
        "page views per customer in sessions with a 30 minute gap",
        f"SELECT window_start, window_end, customer_id, COUNT(*) AS n FROM {session('page_views', 'view_time', chr(39) + '30' + chr(39) + ' MINUTE', 'customer_id')} GROUP BY window_start, window_end, customer_id",
    ),
    (
        "revenue per customer after 10 minutes of inactivity",
        f"SELECT window_start, window_end, customer_id, SUM(amount) AS r FROM {session('orders', 'order_time', chr(39) + '10' + chr(39) + ' MINUTE', 'customer_id')} GROUP BY window_start, window_end, customer_id",
    ),
    (
        "number of page views per device per session window",
        f"SELECT window_start, window_end, device, COUNT(*) AS n FROM {session('page_views', 'view_time', chr(39) + '30' + chr(39) + ' MINUTE', 'device')} GROUP BY window_start, window_end, device",
    ),
    ("How many page views per session?", "SELECT session_id, COUNT(*) AS n FROM page_views GROUP BY session_id"),
]

# Questions the built-in planner must decline (no plausible query over the wrong table).
UNANSWERABLE = [
    "What is the weather in Berlin?",
    "revenue by weather",
    "average temperature per minute",
    "How many employees joined last year?",
    "profit margin by supplier",
    "conversion rate from page views to orders per country",
    "ratio of payments to orders every minute",
    "what percentage of revenue is profit",
    "how long do sessions last",
]
