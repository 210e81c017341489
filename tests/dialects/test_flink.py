"""The flink dialect, in sqlglot's one-line test style: identity round trips (asserting tree shape
for Flink-specific constructs) and transpilation to and from Spark/Hive, Postgres and Trino."""

from __future__ import annotations

import subprocess
import sys

from flink_validator import Validator
from sqlglot import exp

from copilot.sql import expressions as fx

BID_TUMBLE = "TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)"

FLINK_TYPES = [
    "CHAR(10)",
    "VARCHAR(20)",
    "STRING",
    "BOOLEAN",
    "BINARY(4)",
    "VARBINARY(8)",
    "BYTES",
    "DECIMAL(10, 2)",
    "DECIMAL(38, 18)",
    "TINYINT",
    "SMALLINT",
    "INT",
    "BIGINT",
    "FLOAT",
    "DOUBLE",
    "DATE",
    "TIME(3)",
    "TIMESTAMP",
    "TIMESTAMP(3)",
    "TIMESTAMP(9)",
    "TIMESTAMP_LTZ",
    "TIMESTAMP_LTZ(3)",
    "TIMESTAMP_LTZ(6)",
    "ARRAY<STRING>",
    "ARRAY<INT NOT NULL>",
    "ARRAY<ARRAY<BIGINT>>",
    "MAP<STRING, INT>",
    "MAP<STRING, ARRAY<DOUBLE>>",
    "MAP<STRING, INT NOT NULL>",
    "MULTISET<STRING>",
    "ROW<a INT>",
    "ROW<a INT, b STRING>",
    "ROW<a ROW<b INT>>",
    "ROW<a ARRAY<INT>, b MAP<STRING, STRING>>",
    "ARRAY<ROW<id STRING, qty INT>>",
    "DECIMAL(5, 0)",
]

FLINK_FUNCTIONS = [
    "ABS(x)",
    "MOD(a, 3)",
    "SQRT(x)",
    "LN(x)",
    "LOG10(x)",
    "LOG2(x)",
    "EXP(x)",
    "POWER(x, 2)",
    "ROUND(x, 2)",
    "SIN(x)",
    "COS(x)",
    "TAN(x)",
    "ATAN2(x, y)",
    "DEGREES(x)",
    "RADIANS(x)",
    "SIGN(x)",
    "RAND()",
    "PI()",
    "UPPER(s)",
    "LOWER(s)",
    "TRIM(s)",
    "LTRIM(s)",
    "RTRIM(s)",
    "REPLACE(s, 'a', 'b')",
    "INITCAP(s)",
    "CONCAT(a, b, c)",
    "CONCAT_WS('-', a, b)",
    "LPAD(s, 5, '0')",
    "RPAD(s, 5, '0')",
    "REPEAT(s, 3)",
    "REVERSE(s)",
    "SUBSTRING(s, 2, 3)",
    "POSITION('a' IN s)",
    "REGEXP_REPLACE(s, 'a+', 'b')",
    "REGEXP_EXTRACT(s, '(\\d+)', 1)",
    "SPLIT_INDEX(s, ',', 1)",
    "MD5(s)",
    "SHA256(s)",
    "TO_BASE64(s)",
    "FROM_BASE64(s)",
    "ASCII(s)",
    "CHR(65)",
    "LEFT(s, 3)",
    "RIGHT(s, 3)",
    "LOCATE('a', s, 2)",
    "PARSE_URL(u, 'HOST')",
    "COALESCE(a, b, 0)",
    "NULLIF(a, b)",
    "IF(a > 1, 'x', 'y')",
    "GREATEST(a, b)",
    "LEAST(a, b)",
    "CARDINALITY(arr)",
    "ELEMENT(arr)",
    "ARRAY_CONTAINS(arr, 1)",
    "ARRAY_DISTINCT(arr)",
    "ARRAY_JOIN(arr, ',')",
    "MAP_KEYS(m)",
    "MAP_VALUES(m)",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "LOCALTIMESTAMP",
    "NOW()",
    "EXTRACT(YEAR FROM ts)",
    "YEAR(ts)",
    "QUARTER(ts)",
    "MONTH(ts)",
    "WEEK(ts)",
    "DAYOFYEAR(ts)",
    "DAYOFMONTH(ts)",
    "DAYOFWEEK(ts)",
    "HOUR(ts)",
    "MINUTE(ts)",
    "SECOND(ts)",
    "DATE_FORMAT(ts, 'yyyy-MM-dd')",
    "DATE_FORMAT(ts, 'HH:mm')",
    "TO_DATE('2020-01-01')",
    "TO_TIMESTAMP('2020-01-01 00:00:00')",
    "FROM_UNIXTIME(x)",
    "UNIX_TIMESTAMP()",
    "UNIX_TIMESTAMP(s)",
    "TO_TIMESTAMP_LTZ(x, 3)",
    "TO_TIMESTAMP_LTZ(x, 0)",
    "TIMESTAMPDIFF(SECOND, a, b)",
    "TIMESTAMPDIFF(DAY, a, b)",
    "TIMESTAMPADD(HOUR, 2, ts)",
    "CONVERT_TZ(s, 'UTC', 'Europe/Berlin')",
    "PROCTIME()",
    "CURRENT_WATERMARK(ts)",
    "CURRENT_ROW_TIMESTAMP()",
    "FLOOR(ts TO HOUR)",
    "CEIL(ts TO DAY)",
    "FLOOR(x)",
    "CEIL(x)",
    "COUNT(*)",
    "COUNT(DISTINCT a)",
    "SUM(x)",
    "AVG(x)",
    "MIN(x)",
    "MAX(x)",
    "STDDEV_POP(x)",
    "STDDEV_SAMP(x)",
    "VAR_POP(x)",
    "VAR_SAMP(x)",
    "COLLECT(x)",
    "LISTAGG(a, ',')",
    "FIRST_VALUE(x)",
    "LAST_VALUE(x)",
    "ARRAY_AGG(x)",
    "APPROX_COUNT_DISTINCT(x)",
    "JSON_VALUE(j, '$.a')",
    "JSON_QUERY(j, '$.a')",
    "JSON_EXISTS(j, '$.a')",
    "JSON_STRING(x)",
    "JSON_OBJECT(KEY 'a' VALUE 1)",
    "JSON_ARRAY(1, 2)",
    "IS_JSON(s)",
    "UUID()",
    "TRY_CAST(s AS INT)",
    "CAST(s AS INT)",
    "TYPEOF(x)",
    "CHAR_LENGTH(s)",
    "HASH_CODE(s)",
    "BIN(x)",
    "HEX(x)",
    "TRUNCATE(x, 2)",
    "E()",
]


class TestFlinkIdentity(Validator):
    def test_entry_point_plain_python(self):
        code = "import sqlglot; print(sqlglot.parse_one('SELECT `a` FROM t', read='flink').sql('flink'))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "SELECT `a` FROM t")

    def test_basic_queries(self):
        self.validate_identity("SELECT 1")
        self.validate_identity("SELECT `a`, `b c` FROM `my-topic`")
        self.validate_identity("SELECT a FROM cat.db.t")
        self.validate_identity("SELECT `select` FROM `from`")
        self.validate_identity("SELECT 'it''s'")
        self.validate_identity("SELECT a AS `x y` FROM t")
        self.validate_identity("SELECT DISTINCT a FROM t")
        self.validate_identity("SELECT a, COUNT(*) FROM t GROUP BY a HAVING COUNT(*) > 1")
        self.validate_identity("SELECT a FROM t WHERE a IN (1, 2, 3)")
        self.validate_identity("SELECT a FROM t WHERE a NOT IN (SELECT b FROM u)")
        self.validate_identity("SELECT IFNULL(a, 0) FROM t", "SELECT COALESCE(a, 0) FROM t")
        self.validate_identity("SELECT a FROM t WHERE EXISTS(SELECT 1 FROM u WHERE u.id = t.id)")
        self.validate_identity("SELECT a FROM t WHERE a BETWEEN 1 AND 10")
        self.validate_identity("SELECT a FROM t WHERE s LIKE 'a%'")
        self.validate_identity("SELECT a FROM t WHERE s SIMILAR TO 'a.*'")
        self.validate_identity("SELECT a FROM t WHERE b IS NULL AND c IS NOT NULL")
        self.validate_identity("SELECT a FROM t WHERE b IS DISTINCT FROM c")
        self.validate_identity("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END FROM t")
        self.validate_identity("SELECT CASE a WHEN 1 THEN 'one' END FROM t")
        self.validate_identity("SELECT a FROM t ORDER BY a DESC LIMIT 10")
        self.validate_identity("SELECT a FROM t ORDER BY a NULLS LAST")
        self.validate_identity("SELECT a FROM t LIMIT 5 OFFSET 10")
        self.validate_identity("SELECT a FROM t UNION ALL SELECT a FROM u")
        self.validate_identity("SELECT a FROM t UNION SELECT a FROM u")
        self.validate_identity("SELECT a FROM t INTERSECT SELECT a FROM u")
        self.validate_identity("SELECT a FROM t EXCEPT SELECT a FROM u")
        self.validate_identity("WITH x AS (SELECT a FROM t) SELECT a FROM x")
        self.validate_identity("WITH x AS (SELECT a FROM t), y AS (SELECT a FROM x) SELECT * FROM y")
        self.validate_identity("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)")
        self.validate_identity("VALUES (1, 2)")
        self.validate_identity("SELECT a || b FROM t")
        self.validate_identity("SELECT -a, a % 2, a / 2, a * 2 FROM t", "SELECT -a, MOD(a, 2), a / 2, a * 2 FROM t")
        self.validate_identity("SELECT t.* FROM t")
        self.validate_identity("SELECT a[1], m['k'] FROM t")
        self.validate_identity("SELECT r.f.g FROM t AS r")
        self.validate_identity("SELECT ARRAY[1, 2, 3]")
        self.validate_identity("SELECT MAP['a', 1, 'b', 2]")
        self.validate_identity("SELECT ROW(1, 'a')")
        self.validate_identity("SELECT TRUE, FALSE, NULL")
        self.validate_identity("SELECT 1.5e3, 0.25, -7")
        self.validate_identity("SELECT a FROM t GROUP BY GROUPING SETS ((a), ())")
        self.validate_identity("SELECT a, b FROM t GROUP BY ROLLUP (a, b)")
        self.validate_identity("SELECT a, b FROM t GROUP BY CUBE (a, b)")
        self.validate_identity("SELECT a FROM t -- trailing comment", "SELECT a FROM t /* trailing comment */")
        self.validate_identity("SELECT COUNT(*) FILTER(WHERE a > 1) FROM t")

    def test_literals(self):
        self.assertIsInstance(self.validate_identity("SELECT TIMESTAMP '2020-01-01 00:00:00'").selects[0], exp.Cast)
        self.validate_identity("SELECT DATE '2020-01-01'")
        self.validate_identity("SELECT TIME '12:00:00'")
        self.validate_identity("SELECT CAST('2020-01-01' AS DATE)", "SELECT DATE '2020-01-01'")
        self.validate_identity("SELECT CAST('1' AS INT)")

    def test_intervals(self):
        for unit in ("SECOND", "SECONDS", "MINUTE", "MINUTES", "HOUR", "HOURS", "DAY", "DAYS", "MONTH", "YEAR"):
            interval = self.validate_identity(f"SELECT INTERVAL '5' {unit}").selects[0]
            self.assertIsInstance(interval, exp.Interval)
            self.assertEqual(interval.text("unit").upper(), unit)
        self.validate_identity("SELECT INTERVAL '1 2' DAY TO HOUR")
        self.validate_identity("SELECT INTERVAL '10:20' MINUTE TO SECOND")
        self.validate_identity("SELECT ts - INTERVAL '5' SECOND FROM t")
        self.validate_identity("SELECT ts + INTERVAL '1' DAY FROM t")

    def test_types(self):
        for flink_type in FLINK_TYPES:
            with self.subTest(flink_type):
                cast = self.validate_identity(f"SELECT CAST(x AS {flink_type})").selects[0]
                self.assertIsInstance(cast.to, exp.DataType)
        self.validate_identity("SELECT CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE)", "SELECT CAST(x AS TIMESTAMP_LTZ(3))")
        self.validate_identity("SELECT CAST(x AS ROW(a INT, b STRING))", "SELECT CAST(x AS ROW<a INT, b STRING>)")
        self.validate_identity("SELECT CAST(x AS VARCHAR)", "SELECT CAST(x AS STRING)")
        self.validate_identity("SELECT CAST(x AS INTEGER)", "SELECT CAST(x AS INT)")
        self.assertEqual(self.validate_identity("SELECT CAST(x AS MULTISET<INT>)").selects[0].to.this, exp.DType.LIST)
        self.assertFalse(
            self.validate_identity("SELECT CAST(x AS ARRAY<INT NOT NULL>)").selects[0].to.expressions[0].args["nullable"]
        )

    def test_functions(self):
        for call in FLINK_FUNCTIONS:
            with self.subTest(call):
                node = self.validate_identity(f"SELECT {call}").selects[0]
                if not call.startswith(("CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP")):
                    self.assertNotIsInstance(node, exp.Column)

    def test_flink_function_nodes(self):
        self.assertIsInstance(self.validate_identity("SELECT PROCTIME()").selects[0], fx.Proctime)
        self.assertIsInstance(self.validate_identity("SELECT CURRENT_WATERMARK(ts) FROM t").selects[0], fx.CurrentWatermark)
        ltz = self.validate_identity("SELECT TO_TIMESTAMP_LTZ(ms, 3) FROM t").selects[0]
        self.assertIsInstance(ltz, exp.UnixToTime)
        self.assertEqual(ltz.args["scale"].name, "3")
        diff = self.validate_identity("SELECT TIMESTAMPDIFF(MINUTE, a, b) FROM t").selects[0]
        self.assertIsInstance(diff, exp.TimestampDiff)
        self.assertEqual((diff.text("unit"), diff.expression.name, diff.this.name), ("MINUTE", "a", "b"))
        add = self.validate_identity("SELECT TIMESTAMPADD(DAY, 7, ts) FROM t").selects[0]
        self.assertIsInstance(add, exp.TimestampAdd)
        self.assertIsInstance(
            self.validate_identity("SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm') FROM t").selects[0], exp.TimeToStr
        )
        self.assertIsInstance(self.validate_identity("SELECT LISTAGG(a, ';') FROM t").selects[0], exp.GroupConcat)
        self.assertIsInstance(
            self.validate_identity("SELECT JSON_VALUE(j, '$.a' RETURNING INT) FROM t").selects[0], exp.JSONValue
        )
        self.validate_identity("SELECT JSON_VALUE(j, '$.a' RETURNING INT DEFAULT 0 ON EMPTY) FROM t")
        self.assertIsInstance(self.validate_identity("SELECT FLOOR(ts TO MINUTE) FROM t").selects[0], exp.TimestampTrunc)
        self.assertIsInstance(self.validate_identity("SELECT CEIL(ts TO MINUTE) FROM t").selects[0], fx.FloorCeilTo)
        self.validate_identity("SELECT CEILING(ts TO MINUTE) FROM t", "SELECT CEIL(ts TO MINUTE) FROM t")
        self.validate_identity("SELECT TO_TIMESTAMP_LTZ(ms) FROM t", "SELECT TO_TIMESTAMP_LTZ(ms, 3) FROM t")

    def test_window_tvfs(self):
        tumble = self.validate_identity(f"SELECT * FROM TABLE({BID_TUMBLE})").args["from_"].this
        self.assertIsInstance(tumble, exp.TableFromRows)
        self.assertIsInstance(tumble.this, fx.Tumble)
        self.assertEqual(tumble.this.table.name, "Bid")
        self.assertEqual(tumble.this.time_column, "bidtime")
        self.assertEqual(tumble.this.args["size"].text("unit"), "MINUTES")
        hop = self.validate_identity(
            "SELECT * FROM TABLE(HOP(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))"
        ).find(fx.Hop)
        self.assertEqual((hop.args["slide"].name, hop.args["size"].name), ("5", "10"))
        cumulate = self.validate_identity(
            "SELECT * FROM TABLE(CUMULATE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))"
        ).find(fx.Cumulate)
        self.assertEqual((cumulate.args["step"].name, cumulate.args["size"].name), ("2", "10"))
        session = self.validate_identity(
            "SELECT * FROM TABLE(SESSION(TABLE Bid PARTITION BY item, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))"
        ).find(fx.Session)
        self.assertEqual([c.name for c in session.this.args["partition_by"]], ["item"])
        self.assertEqual(session.args["gap"].name, "5")
        session2 = self.validate_identity(
            "SELECT * FROM TABLE(SESSION(TABLE Bid PARTITION BY item, supplier, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))"
        ).find(fx.Session)
        self.assertEqual(len(session2.this.args["partition_by"]), 2)
        self.validate_identity("SELECT * FROM TABLE(SESSION(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))")
        offset = self.validate_identity(
            "SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES, INTERVAL '1' MINUTES))"
        ).find(fx.Tumble)
        self.assertEqual(offset.args["offset"].name, "1")
        named = self.validate_identity(
            "SELECT * FROM TABLE(TUMBLE(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), SIZE => INTERVAL '10' MINUTES))"
        ).find(fx.Tumble)
        self.assertTrue(named.args["named"])
        self.assertEqual(named.time_column, "bidtime")
        self.validate_identity(
            "SELECT * FROM TABLE(HOP(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime), SLIDE => INTERVAL '5' MINUTES, SIZE => INTERVAL '10' MINUTES))"
        )
        self.validate_identity(
            f"SELECT window_start, window_end, SUM(price) FROM TABLE({BID_TUMBLE}) GROUP BY window_start, window_end"
        )
        self.validate_identity(
            f"SELECT window_start, window_end, window_time, item, SUM(price) FROM TABLE({BID_TUMBLE}) GROUP BY window_start, window_end, window_time, item"
        )
        self.validate_identity(
            f"SELECT window_start, window_end, item, SUM(price) FROM TABLE({BID_TUMBLE}) GROUP BY window_start, window_end, GROUPING SETS ((item), ())"
        )
        self.validate_identity(f"SELECT * FROM TABLE({BID_TUMBLE}) AS w")
        self.validate_identity("SELECT * FROM TABLE(TUMBLE(TABLE `my-db`.Bid, DESCRIPTOR(bidtime), INTERVAL '1' HOUR))")

    def test_window_top_n_and_dedup(self):
        self.validate_identity(
            f"SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC) AS rownum FROM (SELECT window_start, window_end, supplier_id, SUM(price) AS price FROM TABLE({BID_TUMBLE}) GROUP BY window_start, window_end, supplier_id)) WHERE rownum <= 3"
        )
        self.validate_identity(
            "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY proctime ASC) AS row_num FROM Orders) WHERE row_num = 1"
        )
        self.validate_identity(
            "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num FROM ShopSales) WHERE row_num <= 5"
        )
        self.validate_identity("SELECT *, RANK() OVER (ORDER BY a) AS r, DENSE_RANK() OVER (ORDER BY a) AS d FROM t")

    def test_over_aggregations(self):
        over = (
            self.validate_identity(
                "SELECT order_id, SUM(amount) OVER (PARTITION BY product ORDER BY order_time RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS one_hour_sum FROM Orders"
            )
            .selects[1]
            .this
        )
        self.assertIsInstance(over, exp.Window)
        self.assertIsInstance(over.args["spec"].args["start"], exp.Interval)
        self.validate_identity(
            "SELECT SUM(amount) OVER (PARTITION BY product ORDER BY order_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) FROM Orders"
        )
        self.validate_identity(
            "SELECT SUM(amount) OVER w, AVG(amount) OVER w FROM Orders WINDOW w AS (PARTITION BY product ORDER BY order_time RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)"
        )
        self.validate_identity("SELECT LAG(a, 1) OVER (PARTITION BY k ORDER BY ts) FROM t")
        self.validate_identity("SELECT LEAD(a) OVER (ORDER BY ts) FROM t")

    def test_joins(self):
        temporal = (
            self.validate_identity(
                "SELECT order_id, price, conversion_rate FROM orders LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF orders.order_time ON orders.currency = currency_rates.currency"
            )
            .args["joins"][0]
            .this
        )
        self.assertIsInstance(temporal.args["version"], exp.Version)
        self.assertEqual(temporal.args["version"].expression.sql(), "orders.order_time")
        aliased = self.validate_identity(
            "SELECT o.amount, r.rate FROM Orders AS o JOIN LatestRates FOR SYSTEM_TIME AS OF o.proctime AS r ON r.currency = o.currency"
        )
        self.assertEqual(aliased.args["joins"][0].this.alias, "r")
        self.validate_identity(
            "SELECT o.order_id, c.country FROM Orders AS o JOIN Customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id"
        )
        self.validate_identity(
            "SELECT * FROM Orders AS o, Shipments AS s WHERE o.id = s.order_id AND o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time"
        )
        self.validate_identity("SELECT * FROM a JOIN b ON a.id = b.id AND a.ts >= b.ts AND a.ts < b.ts + INTERVAL '10' MINUTE")
        self.validate_identity("SELECT * FROM Orders INNER JOIN Product ON Orders.product_id = Product.id")
        self.validate_identity("SELECT * FROM Orders LEFT JOIN Product ON Orders.product_id = Product.id")
        self.validate_identity("SELECT * FROM Orders RIGHT JOIN Product ON Orders.product_id = Product.id")
        self.validate_identity("SELECT * FROM Orders FULL OUTER JOIN Product ON Orders.product_id = Product.id")
        self.validate_identity("SELECT * FROM a JOIN b USING (id)")
        self.validate_identity("SELECT * FROM a CROSS JOIN b")
        unnest = (
            self.validate_identity("SELECT order_id, tag FROM Orders CROSS JOIN UNNEST(tags) AS t(tag)").args["joins"][0].this
        )
        self.assertIsInstance(unnest, exp.Unnest)
        self.validate_identity("SELECT a, s FROM t CROSS JOIN UNNEST(arr) AS u(s, n)")
        lateral = self.validate_identity("SELECT order_id, res FROM Orders, LATERAL TABLE(table_func(order_id)) AS t(res)")
        self.assertIsInstance(lateral.find(exp.Lateral), exp.Lateral)
        self.validate_identity(
            "SELECT order_id, res FROM Orders, LATERAL TABLE(table_func(order_id)) t(res)",
            "SELECT order_id, res FROM Orders, LATERAL TABLE(table_func(order_id)) AS t(res)",
        )
        self.validate_identity("SELECT order_id, res FROM Orders LEFT JOIN LATERAL TABLE(table_func(order_id)) AS t(res) ON TRUE")
        self.validate_identity(
            f"SELECT L.num, R.num FROM (SELECT * FROM TABLE({BID_TUMBLE})) AS L FULL JOIN (SELECT * FROM TABLE({BID_TUMBLE})) AS R ON L.num = R.num AND L.window_start = R.window_start AND L.window_end = R.window_end"
        )

    def test_match_recognize(self):
        mr = self.validate_identity(
            "SELECT * FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime MEASURES START_ROW.rowtime AS start_tstamp, LAST(PRICE_DOWN.rowtime) AS bottom_tstamp ONE ROW PER MATCH AFTER MATCH SKIP TO LAST PRICE_UP PATTERN (START_ROW PRICE_DOWN+ PRICE_UP) DEFINE PRICE_DOWN AS (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1), PRICE_UP AS PRICE_UP.price > LAST(PRICE_DOWN.price, 1)) T"
        ).args["match"]
        self.assertIsInstance(mr, exp.MatchRecognize)
        self.assertEqual(mr.args["pattern"].name, "START_ROW PRICE_DOWN+ PRICE_UP")
        self.assertEqual(len(mr.args["define"]), 2)
        self.validate_identity(
            "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY sym ORDER BY rowtime MEASURES A.price AS p ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+) DEFINE B AS B.price < A.price)"
        )
        self.validate_identity(
            "SELECT * FROM t MATCH_RECOGNIZE (ORDER BY rowtime MEASURES FIRST(A.ts) AS s, COUNT(B.id) AS n AFTER MATCH SKIP TO NEXT ROW PATTERN (A B* C) DEFINE A AS A.v > 0, C AS C.v < 0)"
        )

    def test_hints(self):
        table = (
            self.validate_identity("SELECT id, name FROM kafka_table1 /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */")
            .args["from_"]
            .this
        )
        self.assertIsInstance(table.args["hint"], exp.Hint)
        self.validate_identity(
            "SELECT id FROM kafka_table1 /*+ OPTIONS('scan.startup.mode'='earliest-offset') */",
            "SELECT id FROM kafka_table1 /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */",
        )
        self.validate_identity(
            "SELECT * FROM kafka_table1 /*+ OPTIONS('a' = 'b') */ AS t1 JOIN kafka_table2 /*+ OPTIONS('c' = 'd') */ AS t2 ON t1.id = t2.id"
        )
        self.validate_identity(
            "INSERT INTO kafka_table1 /*+ OPTIONS('sink.partitioner' = 'round-robin') */ SELECT * FROM kafka_table2"
        )
        query_hint = self.validate_identity("SELECT /*+ BROADCAST(t1) */ * FROM t1 JOIN t2 ON t1.id = t2.id")
        self.assertIsInstance(query_hint.args["hint"], exp.Hint)
        self.validate_identity("SELECT /*+ STATE_TTL('o' = '1d') */ * FROM orders AS o")
        self.validate_identity("SELECT a FROM t /* not a hint */", "SELECT a FROM t /* not a hint */")

    def test_create_table(self):
        create = self.validate_identity(
            "CREATE TABLE Orders (`user` BIGINT, product STRING, order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 'orders')"
        )
        self.assertIsInstance(create, exp.Create)
        watermark = create.find(exp.WatermarkColumnConstraint)
        self.assertEqual(watermark.this.name, "order_time")
        self.assertIsInstance(watermark.expression, exp.Sub)
        props = create.args["properties"].expressions
        self.assertEqual([(p.name, p.text("value")) for p in props], [("connector", "kafka"), ("topic", "orders")])
        computed = self.validate_identity("CREATE TABLE t (price DECIMAL(10, 2), quantity INT, cost AS price * quantity)")
        self.assertIsInstance(computed.find(exp.ComputedColumnConstraint), exp.ComputedColumnConstraint)
        metadata = self.validate_identity(
            "CREATE TABLE t (id STRING, event_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', `partition` BIGINT METADATA VIRTUAL, `offset` BIGINT METADATA VIRTUAL)"
        )
        constraints = list(metadata.find_all(fx.MetadataColumnConstraint))
        self.assertEqual([c.text("this") for c in constraints], ["timestamp", "", ""])
        self.assertEqual([bool(c.args.get("virtual")) for c in constraints], [False, True, True])
        pk = self.validate_identity(
            "CREATE TABLE t (id STRING, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka')"
        )
        self.assertEqual([e.name for e in pk.find(exp.PrimaryKey).expressions], ["id"])
        self.assertIn("NOT ENFORCED", pk.find(exp.PrimaryKey).sql("flink"))
        self.validate_identity("CREATE TABLE t (id STRING, v INT, CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED)")
        self.validate_identity("CREATE TABLE t (id STRING PRIMARY KEY NOT ENFORCED, v INT)")
        self.validate_identity("CREATE TEMPORARY TABLE IF NOT EXISTS db.t (a INT) WITH ('connector' = 'datagen')")
        self.validate_identity(
            "CREATE TABLE t (a INT COMMENT 'the a', b STRING NOT NULL) COMMENT 'a table' PARTITIONED BY (a) WITH ('connector' = 'filesystem')"
        )
        like = self.validate_identity(
            "CREATE TABLE Orders_with_watermark (WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND) WITH ('scan.startup.mode' = 'latest-offset') LIKE Orders (EXCLUDING ALL INCLUDING GENERATED)"
        )
        like_prop = like.find(exp.LikeProperty)
        self.assertEqual(like_prop.this.name, "Orders")
        self.assertEqual(
            [(o.name, o.text("value")) for o in like_prop.expressions], [("EXCLUDING", "ALL"), ("INCLUDING", "GENERATED")]
        )
        self.validate_identity("CREATE TABLE t2 WITH ('a' = 'b') LIKE t (OVERWRITING OPTIONS)")
        self.validate_identity("CREATE TABLE t2 LIKE t")
        self.validate_identity("CREATE TABLE t (ts TIMESTAMP(3), pt AS PROCTIME())")
        self.validate_identity(
            "CREATE TABLE t (ts_ltz AS TO_TIMESTAMP_LTZ(ts, 3), WATERMARK FOR ts_ltz AS ts_ltz - INTERVAL '5' SECOND)"
        )
        self.validate_identity("CREATE TABLE t (a ARRAY<ROW<x INT, y STRING>>, m MAP<STRING, BIGINT>, r ROW<p DOUBLE>)")
        self.validate_identity(
            "CREATE TABLE my_ctas_table WITH ('connector' = 'kafka') AS SELECT id, name, age FROM source_table WHERE mod(id, 10) = 0",
            "CREATE TABLE my_ctas_table WITH ('connector' = 'kafka') AS SELECT id, name, age FROM source_table WHERE MOD(id, 10) = 0",
        )

    def test_other_ddl(self):
        self.validate_identity("CREATE VIEW v AS SELECT a FROM t")
        self.validate_identity("CREATE TEMPORARY VIEW IF NOT EXISTS v (a) AS SELECT a FROM t")
        self.validate_identity("CREATE DATABASE IF NOT EXISTS db")
        self.validate_identity("DROP TABLE IF EXISTS t")
        self.validate_identity("DROP TEMPORARY TABLE t")
        self.validate_identity("DROP VIEW IF EXISTS v")
        self.validate_identity("DROP DATABASE IF EXISTS db CASCADE")
        self.validate_identity("DROP FUNCTION IF EXISTS f")
        self.validate_identity("ALTER TABLE t RENAME TO t2")
        self.validate_identity("ALTER TABLE t SET ('scan.startup.mode' = 'earliest-offset')")
        func = self.validate_identity("CREATE TEMPORARY FUNCTION f AS 'com.example.F' LANGUAGE JAVA USING JAR '/tmp/f.jar'")
        self.assertIsInstance(func, fx.CreateFunction)
        self.assertEqual([j.name for j in func.args["jars"]], ["/tmp/f.jar"])
        self.validate_identity("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS 'a.B' USING JAR '/a.jar', JAR '/b.jar'")
        self.assertFalse(self.validate_identity("CREATE FUNCTION f AS 'com.example.F'").args.get("jars"))

    def test_dml(self):
        insert = self.validate_identity("INSERT INTO sink SELECT a, b FROM src")
        self.assertIsInstance(insert, exp.Insert)
        self.assertTrue(self.validate_identity("INSERT OVERWRITE sink SELECT a FROM src").args["overwrite"])
        self.validate_identity("INSERT INTO sink (a, b) SELECT a, b FROM src")
        self.validate_identity(
            "INSERT INTO sink PARTITION (dt='2019-08-30') SELECT a FROM src",
            "INSERT INTO sink PARTITION(dt = '2019-08-30') SELECT a FROM src",
        )
        self.validate_identity("INSERT INTO sink VALUES (1, 'a'), (2, 'b')")
        self.validate_identity("INSERT INTO cat.db.sink SELECT * FROM src")
        self.validate_identity("DELETE FROM t WHERE a = 1")
        self.validate_identity("UPDATE t SET a = 1 WHERE b = 2")

    def test_statement_sets(self):
        statement_set = self.validate_identity("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END")
        self.assertIsInstance(statement_set, fx.StatementSet)
        self.assertEqual([type(e) for e in statement_set.expressions], [exp.Insert, exp.Insert])
        self.validate_identity("BEGIN STATEMENT SET; INSERT INTO a SELECT x FROM t; END")
        self.validate_identity(
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM t; END;",
            "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM t; END",
        )
        explained = self.validate_identity("EXPLAIN STATEMENT SET BEGIN INSERT INTO a SELECT 1; END")
        self.assertIsInstance(explained.this, fx.StatementSet)

    def test_session_statements(self):
        set_ = self.validate_identity("SET 'table.exec.state.ttl' = '1h'")
        self.assertIsInstance(set_, exp.Set)
        self.assertEqual(set_.expressions[0].this.this.name, "table.exec.state.ttl")
        self.validate_identity("SET 'execution.runtime-mode' = 'streaming'")
        self.assertEqual(self.validate_identity("SET").expressions, [])
        reset = self.validate_identity("RESET 'table.planner'")
        self.assertIsInstance(reset, fx.Reset)
        self.assertEqual(reset.this.name, "table.planner")
        self.assertIsInstance(self.validate_identity("RESET"), fx.Reset)
        self.assertIsInstance(self.validate_identity("ADD JAR '/path/hello.jar'"), fx.JarStatement)
        self.validate_identity("REMOVE JAR '/path/hello.jar'")
        module = self.validate_identity("LOAD MODULE hive WITH ('hive-version' = '3.1.3')")
        self.assertIsInstance(module, fx.ModuleStatement)
        self.validate_identity("LOAD MODULE core")
        self.validate_identity("UNLOAD MODULE core")
        self.validate_identity("USE MODULES hive, core")
        self.assertIsInstance(self.validate_identity("USE CATALOG cat"), exp.Use)
        self.validate_identity("USE db1")
        self.assertIsInstance(self.validate_identity("DESCRIBE Orders"), exp.Describe)
        self.validate_identity("DESC Orders", "DESCRIBE Orders")

    def test_show(self):
        for statement in (
            "SHOW CATALOGS",
            "SHOW CURRENT CATALOG",
            "SHOW DATABASES",
            "SHOW CURRENT DATABASE",
            "SHOW TABLES",
            "SHOW TABLES FROM db1",
            "SHOW TABLES IN cat.db1 LIKE 'a%'",
            "SHOW TABLES NOT LIKE 'a%'",
            "SHOW VIEWS",
            "SHOW FUNCTIONS",
            "SHOW USER FUNCTIONS",
            "SHOW MODULES",
            "SHOW FULL MODULES",
            "SHOW JARS",
            "SHOW JOBS",
            "SHOW CREATE TABLE Orders",
            "SHOW CREATE VIEW v",
            "SHOW COLUMNS FROM Orders",
            "SHOW COLUMNS FROM Orders LIKE '%r'",
            "SHOW PROCEDURES",
            "SHOW TABLES ILIKE 'A%'",
        ):
            with self.subTest(statement):
                self.assertIsInstance(self.validate_identity(statement), fx.FlinkShow)

    def test_explain(self):
        explain = self.validate_identity("EXPLAIN SELECT a FROM t")
        self.assertIsInstance(explain, fx.Explain)
        self.assertIsInstance(explain.this, exp.Select)
        details = self.validate_identity("EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT a FROM t")
        self.assertEqual([d.name for d in details.args["details"]], ["CHANGELOG_MODE", "ESTIMATED_COST"])
        self.validate_identity("EXPLAIN PLAN FOR SELECT a FROM t")
        self.validate_identity("EXPLAIN JSON_EXECUTION_PLAN INSERT INTO s SELECT a FROM t")
        self.validate_identity("EXPLAIN PLAN_ADVICE SELECT a FROM t")

    def test_multiple_statements(self):
        from sqlglot import parse

        statements = parse("SET 'a' = 'b'; SELECT 1; INSERT INTO t SELECT 2;", read="flink")
        self.assertEqual([type(s) for s in statements if s], [exp.Set, exp.Select, exp.Insert])


class TestFlinkTranspile(Validator):
    def test_from_spark_hive(self):
        self.validate_all(
            "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd') FROM t",
            read={"spark": "SELECT date_format(ts, 'yyyy-MM-dd') FROM t", "hive": "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd') FROM t"},
        )
        self.validate_all("SELECT FLOOR(ts TO HOUR) FROM t", read={"spark": "SELECT date_trunc('HOUR', ts) FROM t"})
        self.validate_all("SELECT CONCAT(a, b) FROM t LIMIT 10", read={"spark": "SELECT concat(a, b) FROM t LIMIT 10"})
        self.validate_all("SELECT TIMESTAMPADD(DAY, 1, d)", read={"spark": "SELECT date_add(d, 1)"})
        self.validate_all("SELECT UNIX_TIMESTAMP()", read={"spark": "SELECT unix_timestamp()"})
        self.validate_all("SELECT FROM_UNIXTIME(x)", read={"spark": "SELECT from_unixtime(x)", "hive": "SELECT FROM_UNIXTIME(x)"})
        self.validate_all("SELECT ARRAY_AGG(a) FROM t", read={"hive": "SELECT collect_list(a) FROM t"})
        self.validate_all("SELECT `a b` FROM `t`", read={"spark": "SELECT `a b` FROM `t`", "hive": "SELECT `a b` FROM `t`"})
        self.validate_all(
            "SELECT TRY_CAST(a AS STRING) FROM t", read={"hive": "SELECT CAST(a AS STRING) FROM t"}
        )  # Hive casts yield NULL on failure
        self.validate_all("SELECT TRY_CAST(a AS ARRAY<INT>)", read={"spark": "SELECT CAST(a AS ARRAY<INT>)"})
        self.validate_all("SELECT TRY_CAST(a AS MAP<STRING, INT>)", read={"spark": "SELECT CAST(a AS MAP<STRING, INT>)"})

    def test_from_postgres(self):
        self.validate_all("SELECT FLOOR(ts TO DAY) FROM t", read={"postgres": "SELECT DATE_TRUNC('day', ts) FROM t"})
        self.validate_all("SELECT a || b FROM t LIMIT 5", read={"postgres": "SELECT a || b FROM t LIMIT 5"})
        self.validate_all(
            "SELECT CAST(x AS INT), CAST(y AS STRING), CAST(z AS STRING) FROM t",
            read={"postgres": "SELECT x::int, y::varchar, z::text FROM t"},
        )
        self.validate_all(
            "SELECT CURRENT_TIMESTAMP - INTERVAL '5' MINUTES", read={"postgres": "SELECT NOW() - INTERVAL '5 minutes'"}
        )
        self.validate_all("SELECT DATE_FORMAT(ts, 'yyyy-MM-dd')", read={"postgres": "SELECT to_char(ts, 'YYYY-MM-DD')"})
        self.validate_all("SELECT LISTAGG(a, ',') FROM t", read={"postgres": "SELECT string_agg(a, ',') FROM t"})
        self.validate_all("SELECT CAST(a AS TIMESTAMP_LTZ(3))", read={"postgres": "SELECT CAST(a AS TIMESTAMPTZ(3))"})
        self.validate_all("SELECT a FROM t WHERE b IS NULL", read={"postgres": "SELECT a FROM t WHERE b IS NULL"})

    def test_from_trino(self):
        self.validate_all("SELECT FLOOR(ts TO MINUTE) FROM t", read={"trino": "SELECT date_trunc('minute', ts) FROM t"})
        self.validate_all(
            "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') FROM t",
            read={"trino": "SELECT date_format(ts, '%Y-%m-%d %H:%i:%s') FROM t"},
        )
        self.validate_all("SELECT TIMESTAMPDIFF(SECOND, a, b) FROM t", read={"trino": "SELECT date_diff('second', a, b) FROM t"})
        self.validate_all("SELECT TIMESTAMPADD(DAY, 1, ts)", read={"trino": "SELECT date_add('day', 1, ts)"})
        self.validate_all(
            "SELECT CAST(a AS STRING), CAST(b AS ROW<x INT, y STRING>)",
            read={"trino": "SELECT CAST(a AS VARCHAR), CAST(b AS ROW(x INTEGER, y VARCHAR))"},
        )
        self.validate_all("SELECT TO_TIMESTAMP_LTZ(x, 0)", read={"trino": "SELECT from_unixtime(x)"})
        self.validate_all("SELECT APPROX_COUNT_DISTINCT(a) FROM t", read={"trino": "SELECT approx_distinct(a) FROM t"})
        self.validate_all("SELECT CHAR_LENGTH(a) FROM t", read={"trino": "SELECT length(a) FROM t"})
        self.validate_all(
            "SELECT a FROM t CROSS JOIN UNNEST(arr) AS u(x)", read={"trino": "SELECT a FROM t CROSS JOIN UNNEST(arr) AS u(x)"}
        )
        self.validate_all("SELECT CAST(a AS MAP<STRING, INT>)", read={"trino": "SELECT CAST(a AS MAP(VARCHAR, INTEGER))"})

    def test_to_other_dialects(self):
        self.validate_all(
            "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') FROM t",
            write={
                "spark": "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') FROM t",
                "postgres": "SELECT TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS') FROM t",
                "trino": "SELECT DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s') FROM t",
            },
        )
        self.validate_all(
            "SELECT FLOOR(ts TO HOUR) FROM t",
            write={
                "spark": "SELECT DATE_TRUNC('HOUR', ts) FROM t",
                "postgres": "SELECT DATE_TRUNC('HOUR', ts) FROM t",
                "trino": "SELECT DATE_TRUNC('HOUR', ts) FROM t",
            },
        )
        self.validate_all(
            "SELECT TIMESTAMPDIFF(SECOND, a, b)",
            write={"spark": "SELECT TIMESTAMPDIFF(SECOND, a, b)", "trino": "SELECT DATE_DIFF('SECOND', a, b)"},
        )
        self.validate_all("SELECT TO_TIMESTAMP_LTZ(x, 3)", write={"spark": "SELECT TIMESTAMP_MILLIS(x)"})
        self.validate_all("SELECT 'a' || b", write={"spark": "SELECT 'a' || b", "postgres": "SELECT 'a' || b"})
        self.validate_all(
            "SELECT CAST(x AS STRING)",
            write={
                "spark": "SELECT CAST(x AS STRING)",
                "postgres": "SELECT CAST(x AS TEXT)",
                "trino": "SELECT CAST(x AS VARCHAR)",
            },
        )
        self.validate_all(
            "SELECT * FROM t LIMIT 10",
            write={
                "spark": "SELECT * FROM t LIMIT 10",
                "postgres": "SELECT * FROM t LIMIT 10",
                "trino": "SELECT * FROM t LIMIT 10",
            },
        )
        self.validate_all(
            "SELECT TIMESTAMPADD(DAY, 1, ts)",
            write={"postgres": "SELECT ts + INTERVAL '1 DAY'", "trino": "SELECT DATE_ADD('DAY', 1, ts)"},
        )
        self.validate_all(
            "SELECT INTERVAL '5' MINUTE",
            write={
                "spark": "SELECT INTERVAL '5' MINUTE",
                "postgres": "SELECT INTERVAL '5 MINUTE'",
                "trino": "SELECT INTERVAL '5' MINUTE",
            },
        )
        self.validate_all(
            "SELECT CHAR_LENGTH(a)",
            write={"spark": "SELECT LENGTH(a)", "postgres": "SELECT LENGTH(a)", "trino": "SELECT LENGTH(a)"},
        )
        self.validate_all(
            "SELECT CAST(a AS ROW<x INT, y STRING>)",
            write={
                "spark": "SELECT CAST(a AS STRUCT<x: INT, y: STRING>)",
                "trino": "SELECT CAST(a AS ROW(x INTEGER, y VARCHAR))",
            },
        )
        self.validate_all(
            "SELECT CAST(a AS ARRAY<INT>)",
            write={
                "spark": "SELECT CAST(a AS ARRAY<INT>)",
                "postgres": "SELECT CAST(a AS INT[])",
                "trino": "SELECT CAST(a AS ARRAY(INTEGER))",
            },
        )
        self.validate_all(
            "SELECT a FROM t CROSS JOIN UNNEST(arr) AS u(x)",
            write={
                "spark": "SELECT a FROM t LATERAL VIEW EXPLODE(arr) u AS x",
                "trino": "SELECT a FROM t CROSS JOIN UNNEST(arr) AS u(x)",
            },
        )
        self.validate_all(
            "SELECT `a b` FROM t",
            write={"spark": "SELECT `a b` FROM t", "postgres": 'SELECT "a b" FROM t', "trino": 'SELECT "a b" FROM t'},
        )


class TestFlinkDocsConstructs(Validator):
    """Constructs the Flink documentation corpus (tests/corpus) exposed: ALTER TABLE schema changes,
    CREATE/DESCRIBE CATALOG, SHOW PARTITIONS ... PARTITION, the deprecated group window functions."""

    def test_alter_table_add_modify(self):
        add = self.validate_identity(
            "ALTER TABLE Orders ADD (ts TIMESTAMP(3), category STRING AFTER product, PRIMARY KEY (`order`) NOT ENFORCED, WATERMARK FOR ts AS ts - INTERVAL '1' HOUR)"
        )
        change = add.args["actions"][0]
        self.assertIsInstance(change, fx.AlterSchema)
        self.assertEqual(change.text("this"), "ADD")
        column, after, key, watermark = change.expressions
        self.assertIsInstance(column, exp.ColumnDef)
        self.assertEqual(after.args["position"].text("position"), "AFTER")
        self.assertIsInstance(key, exp.PrimaryKey)
        self.assertIsInstance(watermark, exp.WatermarkColumnConstraint)
        self.validate_identity("ALTER TABLE Orders ADD `order` INT COMMENT 'order identifier' FIRST")
        self.validate_identity("ALTER TABLE t ADD PRIMARY KEY (id) NOT ENFORCED")
        self.validate_identity("ALTER TABLE t ADD WATERMARK FOR ts AS ts - INTERVAL '5' SECOND")
        computed = self.validate_identity("ALTER TABLE t ADD (ts AS TO_TIMESTAMP(log_ts) AFTER log_ts)")
        column = computed.args["actions"][0].expressions[0]
        self.assertIsInstance(column.find(exp.ComputedColumnConstraint), exp.ComputedColumnConstraint)
        self.assertEqual(column.args["position"].this.name, "log_ts")
        modify = self.validate_identity("ALTER TABLE Orders MODIFY (amount DOUBLE NOT NULL, WATERMARK FOR ts AS ts)")
        self.assertEqual(modify.args["actions"][0].text("this"), "MODIFY")
        self.validate_identity("ALTER TABLE t MODIFY measurement DOUBLE COMMENT 'bytes per second' AFTER `id`")

    def test_alter_table_drop_rename_reset(self):
        cases = {
            "ALTER TABLE t DROP measurement": ("COLUMN", ["measurement"]),
            "ALTER TABLE t DROP (a, b, c)": ("COLUMN", ["a", "b", "c"]),
            "ALTER TABLE t DROP PRIMARY KEY": ("PRIMARY KEY", []),
            "ALTER TABLE t DROP CONSTRAINT pk": ("CONSTRAINT", ["pk"]),
            "ALTER TABLE t DROP WATERMARK": ("WATERMARK", []),
        }
        for sql, (kind, names) in cases.items():
            drop = self.validate_identity(sql).args["actions"][0]
            self.assertIsInstance(drop, fx.AlterDrop)
            self.assertEqual((drop.text("this"), [n.name for n in drop.expressions]), (kind, names))
        rename = self.validate_identity("ALTER TABLE t RENAME `data` TO payload").args["actions"][0]
        self.assertIsInstance(rename, exp.RenameColumn)
        self.assertEqual((rename.this.name, rename.args["to"].name), ("data", "payload"))
        self.assertIsInstance(self.validate_identity("ALTER TABLE t RENAME TO t2").args["actions"][0], exp.AlterRename)
        reset = self.validate_identity("ALTER TABLE t RESET ('rows-per-second', 'fields.a.kind')").args["actions"][0]
        self.assertEqual([k.name for k in reset.expressions], ["rows-per-second", "fields.a.kind"])

    def test_catalog_statements(self):
        create = self.validate_identity("CREATE CATALOG cat2 WITH ('type' = 'generic_in_memory', 'default-database' = 'db')")
        self.assertIsInstance(create, exp.Create)
        self.assertEqual([o.name for o in create.args["properties"].expressions], ["type", "default-database"])
        self.assertTrue(all(isinstance(o, fx.CatalogOption) for o in create.args["properties"].expressions))
        self.validate_identity("CREATE CATALOG IF NOT EXISTS c COMMENT 'test' WITH ('type' = 'generic_in_memory')")
        describe = self.validate_identity("DESC CATALOG EXTENDED cat2", "DESCRIBE CATALOG EXTENDED cat2")
        self.assertIsInstance(describe, fx.DescribeCatalog)
        self.assertTrue(describe.args["extended"])
        self.assertEqual(self.validate_identity("DESCRIBE CATALOG c").this.name, "c")
        self.assertIsInstance(self.validate_identity("DESCRIBE Orders"), exp.Describe)

    def test_show_partitions_with_spec(self):
        show = self.validate_identity("SHOW PARTITIONS table1 PARTITION (id=1002)", "SHOW PARTITIONS table1 PARTITION(id = 1002)")
        self.assertEqual(show.args["target"].name, "table1")
        self.assertIsInstance(show.args["partition"], exp.Partition)
        self.validate_identity("SHOW PARTITIONS cat.db.table1")

    def test_group_window_functions(self):
        query = self.validate_identity(
            "SELECT user, TUMBLE_START(order_time, INTERVAL '1' DAY) AS wStart, SUM(amount) FROM Orders GROUP BY TUMBLE(order_time, INTERVAL '1' DAY), user"
        )
        window = query.args["group"].expressions[0]
        self.assertIsInstance(window, fx.GroupWindowFunction)
        self.assertEqual(window.text("this"), "TUMBLE")
        self.assertEqual(window.expressions[1].unit.name, "DAY")
        hop = self.validate_identity("SELECT COUNT(*) FROM t GROUP BY HOP(ts, INTERVAL '5' MINUTE, INTERVAL '1' HOUR)")
        self.assertEqual(len(hop.find(fx.GroupWindowFunction).expressions), 3)
        session = self.validate_identity("SELECT COUNT(*) FROM t GROUP BY SESSION(ts, INTERVAL '30' MINUTE), k")
        self.assertEqual(session.find(fx.GroupWindowFunction).text("this"), "SESSION")
        # the window table function form is unchanged
        self.assertIsInstance(self.validate_identity(f"SELECT * FROM TABLE({BID_TUMBLE})").find(fx.Tumble), fx.Tumble)
