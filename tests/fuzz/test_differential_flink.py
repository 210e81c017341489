"""Differential test: the validator's verdict against Flink 2.2's own reading of the same text.

Statements are built (hypothesis) from queries, writing payloads and comment / hint / quoting tricks
(tests/fuzz/differential.py). Flink's reading comes from its own parser in a local TableEnvironment
(copilot/stack/java/FlinkReading.java, started once per session; it never executes anything). The
property: no statement that the product accepts is read by Flink as anything but a read of the
catalog tables the validator listed, without OPTIONS, neither as typed nor as the canonical text
that is submitted. DIFF_EXAMPLES sets the number of generated statements (default 300)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR
from copilot.validate import validate

sys.path.insert(0, str(Path(__file__).parent))
from differential import catalog_with_keyword_topics, define_tables, flink_danger, hostile, judge  # noqa: E402

EXAMPLES = int(os.environ.get("DIFF_EXAMPLES", "300"))
CATALOG = catalog_with_keyword_topics(YamlCatalogStore(DEMO_CATALOG_DIR).load().topics)

ISSUE_EXAMPLES = [
    "/* /* */ INSERT INTO orders SELECT * FROM orders -- */ SELECT order_id FROM orders",
    "/* /* */ DROP TABLE orders -- */ SELECT order_id FROM orders",
    "/* /* */ SET 'pipeline.name' = 'x' -- */ SELECT order_id FROM orders",
    "/* /* */ ADD JAR '/tmp/x.jar' -- */ SELECT order_id FROM orders",
    "/* /* */ CREATE TABLE x (a INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv') -- */ SELECT order_id FROM orders",
    "/* /* */ EXECUTE STATEMENT SET BEGIN INSERT INTO orders SELECT * FROM orders; END -- */ SELECT order_id FROM orders",
    "SELECT order_id FROM orders /* /* */ /*+ OPTIONS('topic'='copilot.audit') */ -- */",
    "SELECT order_id FROM orders // x\n/*+ OPTIONS('topic'='copilot.audit') */",
    "SELECT order_id FROM orders /*+ BROADCAST(orders) -- */\nOPTIONS('topic'='copilot.audit') */",
    *[
        f"SELECT order_id FROM {t} /*+ OPTIONS('topic'='copilot.audit') */"
        for t in ("session", "json", "format", "first", "index", "settings")
    ],
    "WITH t AS (SELECT 1 AS a) SELECT * FROM hive.db.t",
    "WITH secret AS (SELECT 1 AS a) SELECT * FROM default_catalog.default_database.secret",
    "SELECT * INTO orders FROM orders",
    "SELECT * FROM TABLE(read_file('/etc/passwd'))",
]


pytestmark = pytest.mark.stack  # Flink's jars come with the stack's download (`flink-copilot up`)


@pytest.fixture(scope="module")
def reader(stack):
    from copilot.stack.flink_reading import FlinkReader

    with FlinkReader() as flink:
        define_tables(flink, CATALOG)
        yield flink


@pytest.mark.parametrize("sql", ISSUE_EXAMPLES)
def test_issue_examples_refused_and_flink_agrees_they_are_dangerous_or_invalid(reader, sql):
    result = validate(sql, catalog=CATALOG)
    assert not result.valid, f"accepted: {sql!r} as {result.sql!r}"
    assert result.errors[0].reason or result.stage == "parse", result.errors[0]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT /*+ BROADCAST(c) */ o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        "TABLE orders",
        "SELECT U&'\\00e9t\\00e9' AS word, order_id FROM orders",
        *[f"SELECT order_id FROM {t} -- a comment\n" for t in ("session", "json", "format", "first", "index", "settings")],
        "SELECT order_id FROM `session`",
    ],
)
def test_legitimate_statements_are_accepted_and_flink_reads_them_as_the_same_read(reader, sql):
    result = validate(sql, catalog=CATALOG)
    assert result.valid, result.errors
    for text in (sql, result.sql):
        reading = reader.read(text)
        assert reading["kind"] == "query", reading
        assert flink_danger(reading, result.statement.tables) is None


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(sql=hostile())
def test_no_accepted_statement_is_anything_but_a_catalog_read_for_flink(reader, sql):
    verdict = judge(sql, validate, reader, CATALOG)
    assert verdict.danger is None, f"accepted {sql!r} (canonical {verdict.canonical!r}) but {verdict.danger}"
