"""Property-based fuzzing of the `flink` dialect and of `validate` with SQL-ish input: no uncaught
exception, every failure in the contract's error shape. FUZZ_EXAMPLES sets the examples per
property (200 by default; bench/bench_hardening.py runs at least 10,000)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from sqlglot.errors import ParseError, TokenError

from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR
from copilot.validate import validate
from copilot.validate.result import STAGES

sys.path.insert(0, str(Path(__file__).parent))
from strategies import EXAMPLES, query, sqlish  # noqa: E402

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
CATALOG = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
ENGINE_FREE_STAGES = set(STAGES) - {"engine"}


def check_shape(sql: str, result) -> None:
    d = result.to_dict()
    json.dumps(d)
    assert d["valid"] is result.valid
    if result.valid:
        assert d["stage"] == "ok" and not d["errors"]
        assert result.statement_kind in ("query", "insert")
        return
    assert d["stage"] in ENGINE_FREE_STAGES, d
    assert d["errors"], "a refusal without errors"
    line_count = len(re.split(r"\r\n|\r|\n", sql))  # sqlglot also counts a lone \r as a line break
    for error in d["errors"]:
        assert isinstance(error["message"], str) and error["message"].strip(), error
        assert isinstance(error["line"], int) and 1 <= error["line"] <= line_count, (error, line_count)
        assert isinstance(error["column"], int) and error["column"] >= 1, error
        assert error["stage"] == d["stage"]


@FUZZ
@given(sqlish)
def test_validate_never_raises_and_fails_in_shape(sql):
    check_shape(sql, validate(sql, catalog=CATALOG))


@FUZZ
@given(sqlish)
def test_validate_without_catalog_and_with_insert_allowance(sql):
    check_shape(sql, validate(sql))
    result = validate(sql, catalog=CATALOG, allow_insert_into=("job_sink",))
    check_shape(sql, result)
    if result.valid and result.statement_kind == "insert":
        assert "job_sink" in sql


@FUZZ
@given(sqlish)
def test_dialect_raises_only_parse_errors(sql):
    """The plugin dialect fails with sqlglot's own errors, never with anything else."""
    try:
        trees = sqlglot.parse(sql, read="flink")
    except (ParseError, TokenError, RecursionError):
        return
    for tree in trees:
        if tree is not None:
            tree.sql(dialect="flink")


@FUZZ
@given(query())
def test_generated_queries_round_trip(sql):
    """A statement the dialect reads, it writes back as text it reads to the same tree."""
    try:
        trees = [t for t in sqlglot.parse(sql, read="flink") if t is not None]
    except (ParseError, TokenError):
        return
    for tree in trees:
        written = tree.sql(dialect="flink")
        again = sqlglot.parse_one(written, read="flink")
        assert again.sql(dialect="flink") == written, (sql, written)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT \x00 FROM orders",
        "\ufeff",
        "'" * 1001,
        "`" * 999,
        "/*" * 500,
        "--" * 500,
        "(" * 100000,
        "SELECT " + ", ".join(["amount"] * 20000) + " FROM orders",
        ";" * 5000,
        "\n" * 20000 + "DROP TABLE orders",
    ],
)
def test_pathological_inputs(sql):
    check_shape(sql, validate(sql, catalog=CATALOG))
