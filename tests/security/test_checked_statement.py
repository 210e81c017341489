"""Only checked or trusted statements reach Flink (issue 12), and the issue's examples are refused by
the validator with a named reason, without the stack. Live-stack paths: tests/security/test_what_runs.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from copilot.catalog.store import YamlCatalogStore
from copilot.errors import RequestError
from copilot.flink.gateway import GatewayClient
from copilot.settings import DEMO_CATALOG_DIR
from copilot.sql.flink_lexer import scan
from copilot.sql.statement import ALLOWED_QUERY_HINTS, CheckedStatement, TrustedStatement
from copilot.validate import check, validate

ROOT = Path(__file__).resolve().parents[2]
CATALOG = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
KEYWORD_NAMED = ("session", "json", "format", "first", "index", "settings")
CATALOG_WITH_KEYWORDS = {
    **CATALOG,
    **{n: CATALOG["orders"].__class__(**{**CATALOG["orders"].__dict__, "topic": n}) for n in KEYWORD_NAMED},
}

REFUSED = [  # (statement, reason): every example of the issue
    ("/* /* */ INSERT INTO orders SELECT * FROM orders -- */ SELECT order_id FROM orders", "dml"),
    ("/* /* */ DROP TABLE orders -- */ SELECT order_id FROM orders", "ddl"),
    ("/* /* */ SET 'pipeline.name' = 'x' -- */ SELECT order_id FROM orders", "set_reset"),
    ("/* /* */ ADD JAR '/tmp/x.jar' -- */ SELECT order_id FROM orders", "add_jar"),
    ("/* /* */ CREATE TABLE x (a INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x') -- */ SELECT 1", None),
    ("/* /* */ CREATE FUNCTION f AS 'x.F' USING JAR '/tmp/x.jar' -- */ SELECT order_id FROM orders", "function_from_jar"),
    ("/* /* */ COMPILE PLAN '/tmp/p.json' FOR INSERT INTO orders SELECT * FROM orders -- */ SELECT 1", "client_statement"),
    ("/* /* */ EXECUTE STATEMENT SET BEGIN INSERT INTO orders SELECT * FROM orders; END -- */ SELECT 1", "dml"),
    ("SELECT order_id FROM orders /* /* */ /*+ OPTIONS('topic'='copilot.audit') */ -- */", "options_hint"),
    ("SELECT order_id FROM orders // x\n/*+ OPTIONS('topic'='copilot.audit') */", "options_hint"),
    ("SELECT order_id FROM orders /*+ BROADCAST(orders) -- */\nOPTIONS('topic'='copilot.audit') */", "options_hint"),
    ("SELECT order_id FROM orders /*+ OPTIONS('topic'='copilot.audit') -- \n*/", "options_hint"),
    ("// SELECT 1\nINSERT INTO orders SELECT * FROM orders", "dml"),
    *[(f"SELECT order_id FROM {t} /*+ OPTIONS('topic'='copilot.audit') */", "options_hint") for t in KEYWORD_NAMED],
    *[(f"SELECT order_id FROM {t} /*+ BROADCAST(x) */", "table_hint") for t in KEYWORD_NAMED],
    ("WITH t AS (SELECT 1 AS a) SELECT * FROM hive.db.t", "cte_shadows_table"),
    ("WITH secret AS (SELECT 1 AS a) SELECT * FROM default_catalog.default_database.secret", "cte_shadows_table"),
    ("WITH a AS (INSERT INTO orders SELECT * FROM orders) SELECT * FROM a", "dml"),
    ("SELECT * INTO orders FROM orders", "select_into"),
    ("SELECT * FROM orders FOR UPDATE", "for_update"),
    ("SELECT * FROM a.b.c.orders", "name_parts"),
    ("SELECT * FROM TABLE(read_file('/etc/passwd'))", "table_function"),
    ("SELECT * FROM (SELECT * FROM orders) /*+ OPTIONS('topic'='copilot.audit') */", "options_hint"),
    ("VALUES (1) /*+ OPTIONS('topic'='copilot.audit') */", "options_hint"),
    ("SELECT * FROM orders /*+ LOOKUP('table'='orders') */", "table_hint"),
    ("SELECT /*+ FOO(o) */ * FROM orders o", "hint_not_allowed"),
    ("EXECUTE INSERT INTO orders SELECT * FROM orders", "client_statement"),
    ("COMPILE PLAN '/tmp/p.json' FOR INSERT INTO orders SELECT * FROM orders", "client_statement"),
    ("STOP JOB 'a6a1d6c2f6ef1c3b2a6a1d6c2f6ef1c3'", "client_statement"),
    ("BEGIN STATEMENT SET", "client_statement"),
    ("END", "client_statement"),
    ('SELECT "order_id" FROM orders', "double_quote"),
    ("SELECT E'\\'' FROM orders", "prefixed_string"),
]

ACCEPTED = [  # no false refusals: Flink accepts these and people write them
    "SELECT /*+ BROADCAST(c) */ o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
    "SELECT /*+ SHUFFLE_HASH(o), STATE_TTL('o' = '1d') */ o.order_id FROM orders o JOIN customers c "
    "ON o.customer_id = c.customer_id",
    "TABLE orders",
    "SELECT U&'\\00e9t\\00e9' AS word FROM orders",
    "SELECT order_id FROM orders -- a comment */ that says nothing",
    "SELECT order_id /* a /* not nested */ FROM orders",
    "SELECT '/* not a comment */ -- nor this' AS s FROM orders",
    "SELECT `order_id` FROM `orders`",
    *[f"SELECT order_id FROM {t}" for t in KEYWORD_NAMED],
]


@pytest.mark.parametrize("sql, reason", REFUSED)
def test_issue_examples_are_refused_with_a_named_reason(sql, reason):
    result = validate(sql, catalog=CATALOG_WITH_KEYWORDS)
    assert not result.valid, f"accepted as {result.sql!r}"
    assert result.statement is None
    first = result.errors[0]
    if reason:
        assert first.reason == reason, (first.reason, first.message)
    assert first.line >= 1 and first.column >= 1 and first.message


@pytest.mark.parametrize("sql", ACCEPTED)
def test_legitimate_statements_are_accepted_as_canonical_text(sql):
    result = validate(sql, catalog=CATALOG_WITH_KEYWORDS)
    assert result.valid, result.errors
    text = result.statement.sql
    assert result.to_dict()["sql"] == text
    lexed = scan(text)  # read as Flink reads it: no comment survives, only allow-listed query hints
    assert lexed.text == text, text
    assert all(h.preceding == "SELECT" and set(h.names) <= ALLOWED_QUERY_HINTS for h in lexed.hints), text
    assert set(result.statement.hints) <= ALLOWED_QUERY_HINTS
    again = validate(text, catalog=CATALOG_WITH_KEYWORDS)
    assert again.valid and again.statement.sql == text  # canonical text is a fixed point


def test_hints_survive_only_from_the_allow_list():
    statement = check(
        "SELECT /*+ BROADCAST(c) */ o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id", catalog=CATALOG
    )
    assert statement.hints == ("BROADCAST",) and "/*+ BROADCAST(c) */" in statement.sql
    assert statement.tables == ("orders", "customers") and statement.kind == "query"


def test_statements_are_made_only_by_validation_and_the_product():
    with pytest.raises(TypeError):
        CheckedStatement("DROP TABLE orders", "query")
    with pytest.raises(TypeError):
        TrustedStatement("DROP TABLE orders", "drop_table")
    with pytest.raises(ValueError):
        TrustedStatement.create_table("orders", "CREATE TABLE orders (a INT); DROP TABLE customers")
    with pytest.raises(ValueError):
        TrustedStatement.create_table("orders", "CREATE TABLE other (a INT)")
    with pytest.raises(ValueError):
        TrustedStatement.stop_job("x' WITH SAVEPOINT")
    with pytest.raises(TypeError):
        TrustedStatement.insert_into("job_x", check("INSERT INTO job_x SELECT * FROM orders", allow_insert_into=["job_x"]))
    insert = TrustedStatement.insert_into("job_x", check("SELECT order_id FROM orders -- c", catalog=CATALOG))
    assert insert.sql == "INSERT INTO `job_x`\nSELECT order_id FROM orders" and insert.tables == ("orders",)
    assert TrustedStatement.drop_temporary_table("a`b").sql == "DROP TEMPORARY TABLE IF EXISTS `a``b`"


def test_only_the_validation_pipeline_uses_the_seal():
    users = []
    for path in (ROOT / "copilot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "_VALIDATION_SEAL" in text:
            users.append(path.relative_to(ROOT).as_posix())
        if "_PRODUCT_SEAL" in text:
            assert path.name == "statement.py", path
    assert sorted(users) == ["copilot/sql/statement.py", "copilot/validate/canonical.py"]


def test_the_gateway_client_takes_no_text():
    client = GatewayClient("http://localhost:1", rest_url="http://localhost:1")
    for call in (
        lambda: client.execute("SELECT 1"),
        lambda: client.run("SELECT 1"),
        lambda: client.explain("SELECT 1", {}),
        lambda: client._submit("SELECT 1"),
        lambda: client.register_tables({"orders": "CREATE TABLE orders (a INT)"}),
    ):
        with pytest.raises(TypeError):  # refused before anything is sent
            call()


def test_check_raises_a_request_error_naming_stage_and_reason():
    with pytest.raises(RequestError, match=r"refused \(policy: dml\)"):
        check("INSERT INTO orders SELECT * FROM orders")


def test_no_input_crashes_validate():
    for sql in ("SELECT '\ud800' FROM orders", b"SELECT \xff\xfe FROM orders", b"\x00", "\udcff", 42, None, "\x00"):
        result = validate(sql, catalog=CATALOG)
        assert not result.valid and result.errors[0].message


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_any_bytes_or_text_is_answered(data):
    result = validate(data, catalog=CATALOG)
    assert result.valid in (True, False) and (result.valid or result.errors)


def test_many_unknown_aliases_are_answered_without_quadratic_work():
    sql = "SELECT " + ", ".join(f"x{i} AS a{i}" for i in range(6000)) + " FROM orders"  # just under the size limit
    started = time.monotonic()
    result = validate(sql, catalog=CATALOG)
    assert not result.valid and result.stage == "catalog"
    assert time.monotonic() - started < 10  # it took 38 s when "did you mean" compared every pair
