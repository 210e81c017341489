"""Hypothesis strategies for SQL-ish text: token soup over Flink's vocabulary and the demo catalog,
grammar-built queries, and mutations of both. Shared by the fuzz tests and bench_hardening."""

from __future__ import annotations

import os

from hypothesis import strategies as st

# Examples per property: small in `make test`, at least 10,000 in the benchmark.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))

TABLES = [
    "orders",
    "payments",
    "shipments",
    "page_views",
    "customers",
    "products",
    "secrets",
    "hive.db.orders",
    "`copilot.audit`",
    "default_catalog.default_database.orders",
]
COLUMNS = [
    "order_id",
    "customer_id",
    "amount",
    "country",
    "channel",
    "order_time",
    "status",
    "method",
    "x",
    "*",
    "window_start",
    "window_end",
    "o.amount",
    "c.name",
    "`select`",
]
KEYWORDS = """SELECT FROM WHERE GROUP BY HAVING ORDER LIMIT JOIN LEFT RIGHT FULL INNER CROSS ON AS AND OR NOT IN IS NULL
TRUE FALSE CASE WHEN THEN ELSE END UNION ALL INTERSECT EXCEPT WITH VALUES INSERT INTO OVERWRITE CREATE TABLE VIEW
TEMPORARY FUNCTION DROP ALTER SET RESET ADD JAR LOAD UNLOAD MODULE MODULES USE CATALOG DATABASE SHOW DESCRIBE EXPLAIN
STATEMENT EXECUTE BEGIN LATERAL UNNEST TUMBLE HOP CUMULATE SESSION DESCRIPTOR INTERVAL SECOND MINUTE HOUR DAY
FOR SYSTEM_TIME OF OVER PARTITION ROWS RANGE BETWEEN PRECEDING CURRENT ROW MATCH_RECOGNIZE PATTERN DEFINE MEASURES
CAST TRY_CAST TIMESTAMP TIMESTAMP_LTZ DECIMAL STRING INT BIGINT ARRAY MAP ROW COUNT SUM AVG MIN MAX DISTINCT
ROW_NUMBER LIKE SIMILAR ESCAPE IF EXISTS OPTIONS WATERMARK PRIMARY KEY NOT ENFORCED COMMENT LANGUAGE JAVA USING
FETCH FIRST NEXT ONLY OFFSET TABLE""".split()
PUNCT = [
    "(",
    ")",
    ",",
    ";",
    ".",
    "*",
    "+",
    "-",
    "/",
    "%",
    "=",
    "<>",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "||",
    "[",
    "]",
    "{",
    "}",
    ":",
    "?",
    "'",
    "`",
    '"',
    "\\",
    "/*",
    "*/",
    "/*+",
    "--",
    "\n",
    "\t",
    " ",
]
LITERALS = [
    "1",
    "0",
    "-1",
    "1.5",
    "1e309",
    "'DE'",
    "'it''s'",
    "'",
    "''",
    "x'FF'",
    "NULL",
    "'2026-11-25 10:00:00'",
    "INTERVAL '5' MINUTE",
    "99999999999999999999999999999999999999",
    "'\u00e9\u4e2d\U0001f600'",
]
ODD = ["\u00a0", "\u200b", "\u3000", "\ufeff", "\u202e", "\uff1b", "\u0405", "\x00", "\x1b", "\r", "\u2028", "\U0001f600"]

token = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(KEYWORDS).map(str.lower),
    st.sampled_from(TABLES),
    st.sampled_from(COLUMNS),
    st.sampled_from(PUNCT),
    st.sampled_from(LITERALS),
    st.sampled_from(ODD),
    st.text(min_size=1, max_size=6),
)
token_soup = st.lists(token, min_size=0, max_size=40).flatmap(
    lambda toks: st.sampled_from([" ", "", "\n"]).map(lambda sep: sep.join(toks))
)


@st.composite
def expression(draw, depth: int = 0):
    leaves = st.one_of(st.sampled_from(COLUMNS[:-3]), st.sampled_from(LITERALS[:6]))
    if depth >= 3:
        return draw(leaves)
    kind = draw(st.integers(0, 6))
    sub = lambda: draw(expression(depth + 1))  # noqa: E731
    if kind == 0:
        return draw(leaves)
    if kind == 1:
        return f"({sub()} {draw(st.sampled_from(['+', '-', '*', '/', '=', '<>', '<', 'AND', 'OR', '||']))} {sub()})"
    if kind == 2:
        return f"{draw(st.sampled_from(['SUM', 'COUNT', 'MAX', 'ABS', 'UPPER', 'COALESCE']))}({sub()})"
    if kind == 3:
        return f"CASE WHEN {sub()} THEN {sub()} ELSE {sub()} END"
    if kind == 4:
        return f"CAST({sub()} AS {draw(st.sampled_from(['STRING', 'INT', 'DECIMAL(10, 2)', 'TIMESTAMP_LTZ(3)']))})"
    if kind == 5:
        return f"{sub()} IN ({sub()}, {sub()})"
    return f"NOT {sub()}"


@st.composite
def query(draw):
    table = draw(st.sampled_from(TABLES))
    source = draw(
        st.sampled_from(
            [
                table,
                f"TABLE(TUMBLE(TABLE {table}, DESCRIPTOR(order_time), INTERVAL '5' MINUTE))",
                f"TABLE(HOP(TABLE {table}, DESCRIPTOR(order_time), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))",
                f"(SELECT * FROM {table})",
                f"{table} AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id",
            ]
        )
    )
    projections = ", ".join(draw(st.lists(expression(), min_size=1, max_size=4)))
    sql = f"SELECT {projections} FROM {source}"
    if draw(st.booleans()):
        sql += f" WHERE {draw(expression())}"
    if draw(st.booleans()):
        sql += f" GROUP BY {draw(st.sampled_from(COLUMNS[:-3]))}"
    if draw(st.booleans()):
        sql = draw(st.sampled_from(["", "WITH t AS (SELECT * FROM orders) ", "/* c */ ", "-- c\n"])) + sql
    return sql + draw(st.sampled_from(["", ";", " ;", "; DROP TABLE orders", "/*+ OPTIONS('a'='b') */", " --"]))


@st.composite
def mutated(draw):
    """A built query with a few tokens inserted, deleted or swapped."""
    text = draw(query())
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:at] + " " + draw(token) + " " + text[at:]
        elif action == 1:
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        else:
            text = text[at:] + text[:at]
    return text


sqlish = st.one_of(token_soup, query(), mutated(), st.text(max_size=200))
