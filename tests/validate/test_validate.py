"""The validation pipeline: every policy refusal, and each stage's error position."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT
from copilot.validate import ValidationResult, validate

CATALOG = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics


def refused(sql: str, reason: str, **kwargs) -> ValidationResult:
    result = validate(sql, CATALOG, **kwargs)
    assert not result.valid
    assert result.stage == "policy", result.errors
    assert result.errors[0].reason == reason, result.errors
    return result


def at(result: ValidationResult, line: int, column: int) -> None:
    issue = result.errors[0]
    assert (issue.line, issue.column) == (line, column), issue


@pytest.mark.parametrize(
    "sql, reason",
    [
        ("SELECT 1; SELECT 2", "multiple_statements"),
        ("CREATE TABLE t (a INT)", "ddl"),
        ("CREATE VIEW v AS SELECT order_id FROM orders", "ddl"),
        ("DROP TABLE orders", "ddl"),
        ("ALTER TABLE orders RENAME TO o2", "ddl"),
        ("INSERT INTO sink SELECT order_id FROM orders", "dml"),
        ("INSERT OVERWRITE sink SELECT order_id FROM orders", "dml"),
        ("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END", "dml"),
        ("DELETE FROM orders WHERE amount > 1", "dml"),
        ("SET 'table.exec.state.ttl' = '1h'", "set_reset"),
        ("RESET 'table.exec.state.ttl'", "set_reset"),
        ("RESET", "set_reset"),
        ("ADD JAR '/tmp/evil.jar'", "add_jar"),
        ("REMOVE JAR '/tmp/evil.jar'", "add_jar"),
        ("LOAD MODULE hive WITH ('hive-version' = '3.1.3')", "load_module"),
        ("UNLOAD MODULE core", "load_module"),
        ("CREATE TEMPORARY FUNCTION f AS 'com.x.F' USING JAR '/tmp/f.jar'", "function_from_jar"),
        ("CREATE FUNCTION f AS 'com.x.F'", "ddl"),
        ("SELECT order_id FROM orders /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */", "options_hint"),
        ("SELECT status FROM shipments/*+ OPTIO function NS('a'='b') */", "unreadable_hint"),  # found by the fuzzer
        ("CREATE TABLE t (a INT) WITH ('connector' = 'kafka')", "connector_property"),
        ("SHOW TABLES", "not_a_query"),
        ("EXPLAIN SELECT order_id FROM orders", "not_a_query"),
        ("DESCRIBE orders", "not_a_query"),
        ("USE CATALOG other", "not_a_query"),
        ("   ", "empty"),
    ],
)
def test_policy_refusals(sql, reason):
    refused(sql, reason)


def test_policy_refusal_positions():
    at(refused("SELECT 1;\n  SELECT 2", "multiple_statements"), 2, 3)
    at(refused("\n\n  SET 'a' = 'b'", "set_reset"), 3, 3)
    at(refused("SELECT order_id\nFROM orders /*+ OPTIONS('a' = 'b') */", "options_hint"), 2, 13)
    at(refused("-- note\nINSERT INTO sink SELECT 1", "dml"), 2, 1)


def test_size_limit(monkeypatch):
    monkeypatch.setenv("COPILOT_MAX_SQL_BYTES", "100")
    result = refused("SELECT order_id FROM orders WHERE country = '" + "x" * 200 + "'", "too_large")
    assert "limit of 100" in result.errors[0].message


def test_deep_nesting_is_a_clear_error_not_a_crash():
    result = validate("SELECT " + "(" * 5000 + "1" + ")" * 5000, CATALOG)
    assert not result.valid and result.stage == "parse"
    assert "nested too deeply" in result.errors[0].message


def test_insert_into_product_table_allowed_only_when_named():
    sql = "INSERT INTO copilot_job_1 SELECT order_id, amount FROM orders"
    refused(sql, "dml")
    result = validate(sql, CATALOG, allow_insert_into={"copilot_job_1"})
    assert result.valid and result.statement_kind == "insert" and result.tables == ["orders"]
    refused("INSERT INTO other SELECT order_id FROM orders", "dml", allow_insert_into={"copilot_job_1"})
    refused("INSERT INTO copilot_job_1 VALUES (1)", "dml", allow_insert_into={"copilot_job_1"})
    refused(
        "INSERT INTO copilot_job_1 SELECT 1; INSERT INTO copilot_job_1 SELECT 2",
        "multiple_statements",
        allow_insert_into={"copilot_job_1"},
    )
    refused(
        "INSERT INTO copilot_job_1 /*+ OPTIONS('a'='b') */ SELECT order_id FROM orders",
        "options_hint",
        allow_insert_into={"copilot_job_1"},
    )


def test_valid_queries():
    for sql in (
        "SELECT country, SUM(amount) AS revenue FROM orders GROUP BY country ORDER BY revenue DESC",
        "SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
        "SELECT o.order_id, c.segment FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id",
        "WITH big AS (SELECT order_id, amount FROM orders WHERE amount > 100) SELECT COUNT(*) FROM big",
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY country ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3",
        "VALUES (1, 'a')",
    ):
        result = validate(sql, CATALOG)
        assert result.valid, (sql, result.errors)
        assert result.statement_kind == "query" and result.stage == "ok"


def test_parse_error_position():
    result = validate("SELECT order_id\nFROM orders\nWHERE amount > 1 AND", CATALOG)
    assert result.stage == "parse"
    at(result, 3, 18)
    result = validate("SELECT 'unclosed FROM orders", CATALOG)
    assert result.stage == "parse" and result.errors[0].line == 1


def test_catalog_errors_and_positions():
    result = validate("SELECT order_id\nFROM ordrs", CATALOG)
    assert result.stage == "catalog" and "did you mean 'orders'" in result.errors[0].hint
    at(result, 2, 6)
    result = validate("SELECT order_id,\n       ammount FROM orders", CATALOG)
    assert "unknown column 'ammount'" in result.errors[0].message and "'amount'" in result.errors[0].hint
    at(result, 2, 8)
    result = validate("SELECT o.nope FROM orders AS o", CATALOG)
    at(result, 1, 8)
    result = validate(
        "SELECT COUNT(*) FROM TABLE(\n  TUMBLE(TABLE orders, DESCRIPTOR(amount), INTERVAL '1' MINUTE)) GROUP BY window_start",
        CATALOG,
    )
    assert "event-time column" in result.errors[0].message and result.errors[0].hint == "use DESCRIPTOR(order_time)"
    at(result, 2, 35)  # the column named in DESCRIPTOR(...)
    result = validate(
        "SELECT o.order_id\nFROM orders AS o JOIN payments FOR SYSTEM_TIME AS OF o.order_time AS p ON o.order_id = p.order_id",
        CATALOG,
    )
    assert "versioned table" in result.errors[0].message and "customers" in result.errors[0].hint
    at(result, 2, 23)


def test_to_dict_matches_contract():
    data = validate("SELECT ammount FROM orders", CATALOG).to_dict()
    assert {"valid", "stage", "errors", "statement_kind"} <= set(data)
    assert {"message", "line", "column"} <= set(data["errors"][0])
    json.dumps(data)


def test_cli_no_engine_exit_codes():
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "copilot", "validate", *args], capture_output=True, text=True, cwd=PROJECT_ROOT
        )

    ok = run("SELECT amount FROM orders", "--json", "--no-engine")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"] is True
    bad = run("SELECT ammount FROM orders", "--json", "--no-engine")
    assert bad.returncode == 1 and json.loads(bad.stdout)["stage"] == "catalog"
    usage = run("--json", "--no-engine")
    assert usage.returncode == 2


def test_cli_gateway_unreachable_exit_3(monkeypatch):
    env = {**__import__("os").environ, "FLINK_SQL_GATEWAY": "http://127.0.0.1:1"}
    out = subprocess.run(
        [sys.executable, "-m", "copilot", "validate", "SELECT amount FROM orders", "--json"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert out.returncode == 3
    assert "127.0.0.1:1" in json.loads(out.stdout)["message"]


@pytest.mark.stack
def test_engine_stage_against_flink(stack):
    from copilot.flink.gateway import GatewayClient

    engine = GatewayClient()
    ok = validate("SELECT country, SUM(amount) FROM orders GROUP BY country", CATALOG, engine)
    assert ok.valid and ok.engine_checked
    bad = validate("SELECT\n  SUM(country) FROM orders", CATALOG, engine)
    assert bad.stage == "engine" and "SUM" in bad.errors[0].message
    at(bad, 2, 3)
