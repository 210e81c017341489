"""Tables for the queries of the Flink documentation corpus, so Flink's planner can EXPLAIN them.

Columns are the ones the docs' examples use (from their CREATE TABLE statements, `DESC` output and
queries); sources are bounded `datagen` tables, sinks `blackhole`, partitioned sinks `filesystem`,
and tables whose example sets Kafka options or metadata use the `kafka` connector (EXPLAIN plans
without connecting). Each environment is registered in its own gateway session, because the docs
reuse names (`t1` is a table on one page and a view on another).
"""

from __future__ import annotations

DATAGEN = "WITH ('connector' = 'datagen', 'number-of-rows' = '10')"
BLACKHOLE = "WITH ('connector' = 'blackhole')"


def _kafka(topic: str) -> str:
    return (
        f"WITH ('connector' = 'kafka', 'topic' = 'corpus_{topic}', 'properties.bootstrap.servers' = 'localhost:9092', "
        "'format' = 'json', 'scan.startup.mode' = 'latest-offset')"
    )


def _filesystem(name: str) -> str:
    return f"WITH ('connector' = 'filesystem', 'path' = 'file:///tmp/flink-copilot-corpus/{name}', 'format' = 'csv')"


def table(name: str, columns: str, with_clause: str = DATAGEN, extra: str = "") -> tuple[str, str]:
    return name, f"CREATE TABLE `{name}` ({columns}) {extra}{with_clause}"


BID = table(
    "Bid",
    "bidtime TIMESTAMP(3), price DECIMAL(10, 2), item STRING, supplier_id STRING, "
    "WATERMARK FOR bidtime AS bidtime - INTERVAL '1' SECOND",
)
ORDERS = table(
    "Orders",
    "order_id STRING, productId STRING, product_id STRING, id INT, product STRING, amount INT, "
    "price DECIMAL(10, 2), tax DECIMAL(10, 2), currency STRING, customer_id INT, total DECIMAL(10, 2), "
    "tags ARRAY<STRING>, num BIGINT, users STRING, `user` STRING, ordertime TIMESTAMP(3), order_time TIMESTAMP(3), "
    "proctime AS PROCTIME(), proc_time AS PROCTIME(), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND",
)
T123 = [table(name, "id BIGINT, name STRING, age INT") for name in ("t1", "t2", "t3")]

ENVIRONMENTS: dict[str, dict[str, str]] = {
    "default": dict(
        [
            BID,
            ORDERS,
            table("Product", "id STRING, name STRING"),
            table(
                "Shipments",
                "order_id INT, orderId INT, ship_time TIMESTAMP(3), shiptime TIMESTAMP(3), "
                "WATERMARK FOR ship_time AS ship_time - INTERVAL '5' SECOND",
            ),
            table(
                "orders",
                "order_id STRING, price DECIMAL(32, 2), amount DECIMAL(32, 2), currency STRING, order_time TIMESTAMP(3), "
                "WATERMARK FOR order_time AS order_time",
            ),
            table(
                "currency_rates",
                "currency STRING, conversion_rate DECIMAL(32, 2), rate DECIMAL(32, 10), update_time TIMESTAMP(3), "
                "WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED",
            ),
            table("LatestRates", "currency STRING, rate DECIMAL(10, 2)"),
            table("Customers", "id INT, name STRING, country STRING, zip STRING"),
            table("NewProducts", "product STRING"),
            table("ShopSales", "product_id STRING, category STRING, product_name STRING, sales BIGINT"),
            table("Ticker", "symbol STRING, price BIGINT, tax BIGINT, rowtime TIMESTAMP(3), WATERMARK FOR rowtime AS rowtime"),
            table(
                "LeftTable", "row_time TIMESTAMP(3), num INT, id STRING, WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND"
            ),
            table(
                "RightTable",
                "row_time TIMESTAMP(3), num INT, id STRING, WATERMARK FOR row_time AS row_time - INTERVAL '1' SECOND",
            ),
            table("RubberOrders", "product STRING, amount INT", BLACKHOLE),
            table("source_table", "id BIGINT, name STRING, age INT"),
            table("my_ctas_table", "id BIGINT, name STRING, age INT", BLACKHOLE),
            table("my_rtas_table", "id BIGINT, name STRING, age INT", BLACKHOLE),
            table("page_view_source", "`user` STRING, cnt INT, country STRING"),
            table(
                "country_page_view",
                "`user` STRING, cnt INT, `date` STRING, country STRING",
                _filesystem("country_page_view"),
                "PARTITIONED BY (`date`, country) ",
            ),
            table("students", "name STRING, age INT, gpa DECIMAL(3, 2)", BLACKHOLE),
            table("kafka_table1", "id BIGINT, name STRING, age INT", _kafka("kafka_table1")),
            table("kafka_table2", "id BIGINT, name STRING, age INT", _kafka("kafka_table2")),
            *T123,
            table(
                "MyTable",
                "`user_id` BIGINT, `name` STRING, `record_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'",
                _kafka("MyTable"),
            ),
            # window-agg.md's cascading example queries this view of Bid
            (
                "window1",
                "CREATE TEMPORARY VIEW window1 AS SELECT window_start, window_end, window_time AS rowtime, "
                "SUM(price) AS partial_price FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES)) "
                "GROUP BY supplier_id, window_start, window_end, window_time",
            ),
        ]
    ),
    # set-ops.md: t1 and t2 are the docs' own VALUES views
    "set-ops": dict(
        [
            ORDERS,
            table("NewProducts", "product STRING"),
            ("t1", "CREATE TEMPORARY VIEW t1(s) AS VALUES ('c'), ('a'), ('b'), ('b'), ('c')"),
            ("t2", "CREATE TEMPORARY VIEW t2(s) AS VALUES ('d'), ('e'), ('a'), ('b'), ('b')"),
        ]
    ),
    # match_recognize.md's first example reads a MyTable with a processing-time attribute
    "match": dict(
        [
            table("MyTable", "userid STRING, id STRING, name STRING, proctime AS PROCTIME()"),
            table("Ticker", "symbol STRING, price BIGINT, tax BIGINT, rowtime TIMESTAMP(3), WATERMARK FOR rowtime AS rowtime"),
        ]
    ),
    # time_attributes.md defines user_actions three ways: event time, TIMESTAMP_LTZ event time, proctime
    "user_actions_rowtime": dict(
        [
            table(
                "user_actions",
                "user_name STRING, data STRING, user_action_time TIMESTAMP(3), "
                "WATERMARK FOR user_action_time AS user_action_time - INTERVAL '5' SECOND",
            )
        ]
    ),
    "user_actions_ltz": dict(
        [
            table(
                "user_actions",
                "user_name STRING, data STRING, ts BIGINT, time_ltz AS TO_TIMESTAMP_LTZ(ts, 3), "
                "WATERMARK FOR time_ltz AS time_ltz - INTERVAL '5' SECOND",
            )
        ]
    ),
    "user_actions_proctime": dict(
        [
            table(
                "user_actions",
                "user_name STRING, data STRING, user_action_time AS PROCTIME()",
            )
        ]
    ),
}

PAGE_ENV = {"set-ops": "set-ops", "match_recognize": "match"}
STATEMENT_ENV = {
    "time_attributes-2": "user_actions_rowtime",
    "time_attributes-4": "user_actions_ltz",
    "time_attributes-6": "user_actions_proctime",
}


def environment_of(entry_id: str) -> str:
    if entry_id in STATEMENT_ENV:
        return STATEMENT_ENV[entry_id]
    return PAGE_ENV.get(entry_id.rsplit("-", 1)[0], "default")
