"""The differential check shared by tests/fuzz/test_differential_flink.py and bench/bench_hardening.py:
statements built from SQL fragments and comment, hint and quoting tricks; for each, the product's
verdict against Flink's own reading (copilot.stack.flink_reading, which never executes anything)."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from copilot.catalog.ddl import create_table_sql
from copilot.flink.plan_check import DEFAULT_PATH, read_plan

# catalog topics named like words sqlglot knows: they must work as tables and carry no hint past the policy
KEYWORD_TOPICS = ("session", "json", "format", "first", "index", "settings")


def catalog_with_keyword_topics(topics: dict) -> dict:
    extra = {name: dataclasses.replace(topics["orders"], topic=name) for name in KEYWORD_TOPICS}
    return {**topics, **extra}


def define_tables(reader, topics: dict) -> None:
    for schema in topics.values():
        reader.define(create_table_sql(schema, temporary=True))


QUERIES = [
    "SELECT order_id FROM orders",
    "SELECT order_id, amount FROM orders WHERE country = 'DE'",
    "SELECT channel, COUNT(*) AS n FROM orders GROUP BY channel",
    "SELECT o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
    "SELECT /*+ BROADCAST(c) */ o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
    "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '10' SECOND)) "
    "GROUP BY window_start, window_end",
    "WITH t AS (SELECT order_id FROM orders) SELECT * FROM t",
    "SELECT * FROM payments WHERE method = 'card'",
    "TABLE orders",
    "SELECT U&'\\00e9t\\00e9' AS x, order_id FROM orders",
    *[f"SELECT order_id FROM {t}" for t in KEYWORD_TOPICS],
    *[f"SELECT `order_id` FROM `{t}`" for t in KEYWORD_TOPICS],
]
PAYLOADS = [
    "INSERT INTO orders SELECT * FROM orders",
    "DROP TABLE orders",
    "SET 'pipeline.name' = 'x'",
    "ADD JAR '/tmp/x.jar'",
    "CREATE TABLE x (a INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')",
    "CREATE FUNCTION f AS 'x.F' USING JAR '/tmp/x.jar'",
    "EXECUTE STATEMENT SET BEGIN INSERT INTO orders SELECT * FROM orders; END",
    "SELECT * FROM hive.db.secret",
    "SELECT * FROM default_catalog.default_database.orders /*+ OPTIONS('topic' = 'copilot.audit') */",
    "INSERT INTO payments SELECT * FROM payments",
]
OPTIONS_HINTS = [
    "/*+ OPTIONS('topic' = 'copilot.audit') */",
    "/*+ OPTIONS('properties.bootstrap.servers' = 'evil:9092') */",
    "/*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */",
    "/*+ options('properties.group.id'='g') */",
]
BREAKS = [" ", "\n", "\r", "\r\n", "\t", "\u2028", "\x0b", "\x0c"]
NOISE = [
    "/* */",
    "/* /* */",
    "/**/",
    "/*/ */",
    "-- x\n",
    "// x\n",
    "--\n",
    "/*+ */",
    "'/*'",
    "'*/'",
    "'--'",
    "`a*/b`",
    "U&'\\002a/'",
    "'it''s'",
    "/* ' */",
    "-- ' \n",
    "'\n'",
    "/*\n*/",
    "\u00e9",
    "\U0001f600",
    '"x"',
]


@st.composite
def hostile(draw) -> str:
    """One statement: a query, a payload and tricks combined as an attacker would."""
    query = draw(st.sampled_from(QUERIES))
    payload = draw(st.sampled_from(PAYLOADS))
    hint = draw(st.sampled_from(OPTIONS_HINTS))
    br = draw(st.sampled_from(BREAKS))
    noise = draw(st.sampled_from(NOISE))
    shapes = [
        f"/* /* */ {payload} -- */ {query}",
        f"/* /* */ {payload} /* */ */{br}{query}",
        f"{query} /* /* */ {hint} -- */",
        f"// {query}{br}{payload}",
        f"-- {query}{br}{payload}",
        f"{query} // {br}{hint}",
        f"{payload} -- {br}{query}",
        f"{query} {hint}",
        f"{query.replace(' FROM ', ' FROM ', 1)} {noise} {hint}",
        f"SELECT order_id FROM orders /*+ BROADCAST(x) -- */{br}OPTIONS('topic'='copilot.audit') */",
        f"SELECT order_id FROM orders /*+ OPTIONS('topic'='copilot.audit') -- {br}*/",
        f"{query}{br}{noise}",
        f"{noise}{br}{query}",
        f"{noise} {payload}",
        f"SELECT '{noise}' AS t, order_id FROM orders {hint}",
        f"SELECT `{noise.replace('`', '')}` FROM orders",
        f"WITH t AS ({payload}) {query}",
        f"{query}; {payload}",
        f"{query} /*{br}*/ {hint}",
        f"SELECT order_id FROM {draw(st.sampled_from(KEYWORD_TOPICS))} {hint}",
        f"SELECT order_id FROM ({query}) {hint}",
        f"VALUES (1) {hint}",
        f"{query} /* */ /*+ {draw(st.sampled_from(['BROADCAST(orders)', 'STATE_TTL(orders = 1d)', 'LOOKUP(x)']))} */",
        f"U&'\\0027' {payload}",
        f"SELECT U&'\\0027 -- ' AS x FROM orders {br} {hint}",
    ]
    text = draw(st.sampled_from(shapes))
    if draw(st.booleans()):
        text = text.replace(" ", draw(st.sampled_from(BREAKS)), draw(st.integers(0, 3)))
    return text


@dataclasses.dataclass
class Verdict:
    sql: str
    accepted: bool
    flink_kind: str | None = None  # what Flink's parser makes of the text: query | write | other | error
    danger: str | None = None  # accepted, yet Flink would write / read outside / apply options
    canonical: str | None = None


def flink_danger(reading: dict, tables) -> str | None:
    """None when Flink reads `reading`'s text as harmless (an error, or a query of `tables` only)."""
    kind = reading.get("kind")
    if kind == "error":
        return None  # Flink refuses the text: nothing would run
    if kind != "query":
        return f"Flink reads it as {reading.get('operation')} ({kind}), sinks {reading.get('sinks')}"
    if reading.get("plan") is None:
        return None  # the planner refuses it
    plan = read_plan(reading["plan"])
    if plan.sinks:
        return f"Flink's plan writes into {plan.sinks}"
    outside = [s for s in plan.scans if s[:2] != DEFAULT_PATH or len(s) < 3 or s[2] not in set(tables)]
    if outside:
        return f"Flink reads {outside}, not only {sorted(tables)}"
    if plan.options:
        return "Flink applies OPTIONS to a scan"
    return None


def judge(sql: str, validate, reader, catalog: dict) -> Verdict:
    result = validate(sql, catalog=catalog)
    verdict = Verdict(sql, bool(result.valid))
    if not result.valid:
        return verdict
    statement = result.statement
    verdict.canonical = statement.sql
    original = reader.read(sql)
    verdict.flink_kind = original.get("kind")
    verdict.danger = flink_danger(original, statement.tables)
    if verdict.danger is None:  # what is really submitted: the canonical text
        danger = flink_danger(reader.read(statement.sql), statement.tables)
        verdict.danger = f"canonical text: {danger}" if danger else None
    return verdict
