"""Hostile SQL: every statement in hostile_sql/corpus.yaml (and the generated monsters below) is
refused by `validate` at the named stage, for the named reason, in the error shape of the contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from copilot import settings
from copilot.validate import validate
from copilot.validate.result import STAGES

CORPUS_FILE = Path(__file__).parent / "hostile_sql" / "corpus.yaml"
CORPUS: list[dict] = YAML(typ="safe").load(CORPUS_FILE.read_text(encoding="utf-8"))
OFFLINE = [e for e in CORPUS if not e.get("engine")]
ENGINE_ONLY = [e for e in CORPUS if e.get("engine")]


def _id(entry: dict) -> str:
    return re.sub(r"\s+", " ", entry["sql"].encode("unicode_escape").decode())[:60] or "<empty>"


def assert_refused(entry: dict, result) -> None:
    assert not result.valid, f"accepted: {entry['sql']!r}"
    assert result.stage == entry["stage"], (result.stage, [e.message for e in result.errors])
    assert result.errors, "a refusal without an error"
    first = result.errors[0]
    if "reason" in entry:
        assert first.reason == entry["reason"], (first.reason, first.message)
    if "message" in entry:
        assert re.search(entry["message"], first.message), first.message
    # the contract's error shape: a message a person can read, a position inside the text
    d = result.to_dict()
    assert d["valid"] is False and d["stage"] in STAGES
    for error in d["errors"]:
        assert set(error) >= {"message", "line", "column"}
        assert isinstance(error["message"], str) and error["message"].strip()
        assert "Traceback" not in error["message"] and "<class" not in error["message"]
        lines = entry["sql"].split("\n")
        assert 1 <= error["line"] <= max(1, len(lines)), error
        assert error["column"] >= 1
    json.dumps(d)  # serialisable as the CLI prints it


def test_corpus_is_large_and_covers_every_reason():
    assert len(CORPUS) >= 150
    reasons = {e.get("reason") for e in CORPUS}
    assert reasons >= {
        "multiple_statements",
        "ddl",
        "dml",
        "set_reset",
        "add_jar",
        "load_module",
        "function_from_jar",
        "options_hint",
        "connector_property",
        "not_a_query",
        "empty",
    }
    assert {e["stage"] for e in CORPUS} >= {"parse", "policy", "catalog", "engine"}
    assert len({e["sql"] for e in CORPUS}) == len(CORPUS), "duplicate statements in the corpus"


@pytest.mark.parametrize("entry", OFFLINE, ids=[_id(e) for e in OFFLINE])
def test_hostile_statement_is_refused(entry, catalog_topics):
    assert_refused(entry, validate(entry["sql"], catalog=catalog_topics))


@pytest.mark.parametrize(
    "entry",
    [e for e in OFFLINE if e["stage"] in ("parse", "policy")],
    ids=[_id(e) for e in OFFLINE if e["stage"] in ("parse", "policy")],
)
def test_refused_whatever_the_insert_allowance(entry, catalog_topics):
    """The jobs path allows `INSERT INTO <its own sink>`; that must not open anything else."""
    result = validate(entry["sql"], catalog=catalog_topics, allow_insert_into=("job_sink",))
    assert not result.valid and result.stage == entry["stage"]


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO orders SELECT * FROM orders",
        "INSERT OVERWRITE job_sink SELECT * FROM orders",
        "INSERT INTO job_sink VALUES (1)",
        "INSERT INTO hive.db.job_sink SELECT * FROM orders",
        "INSERT INTO job_sink SELECT * FROM secrets",
        "INSERT INTO job_sink SELECT * FROM orders /*+ OPTIONS('topic' = 'x') */",
    ],
)
def test_jobs_insert_allowance_is_narrow(sql, catalog_topics):
    result = validate(sql, catalog=catalog_topics, allow_insert_into=("job_sink",))
    assert not result.valid, sql
    assert result.stage in ("policy", "catalog")


# ---- generated: over-long input and deep nesting --------------------------------------------------


def _generated() -> dict[str, tuple[str, str, str | None]]:
    limit = settings.get_int("COPILOT_MAX_SQL_BYTES")
    return {
        "over_long_literal": ("SELECT * FROM orders WHERE country = '" + "x" * limit + "'", "policy", "too_large"),
        "over_long_multibyte": ("SELECT '" + "é" * (limit // 2 + 1) + "' FROM orders", "policy", "too_large"),
        "over_long_in_list": (
            "SELECT * FROM orders WHERE country IN (" + ", ".join(["'DE'"] * (limit // 5)) + ")",
            "policy",
            "too_large",
        ),
        "nested_parens": ("SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM orders", "parse", None),
        "nested_subqueries": ("SELECT * FROM " + "(SELECT * FROM " * 400 + "orders" + ")" * 400, "parse", None),
        "nested_functions": ("SELECT " + "ABS(" * 3000 + "amount" + ")" * 3000 + " FROM orders", "parse", None),
        "nested_not": ("SELECT * FROM orders WHERE " + "NOT " * 6000 + "TRUE", "parse", None),
        "nested_case": ("SELECT " + "CASE WHEN TRUE THEN " * 1500 + "1" + " END" * 1500 + " FROM orders", "parse", None),
        "nested_arrays": ("SELECT " + "ARRAY[" * 3000 + "1" + "]" * 3000 + " FROM orders", "parse", None),
        "nested_drop_in_parens": ("(" * 4000 + "DROP TABLE orders" + ")" * 4000, "parse", None),
        "unclosed_string": ("SELECT * FROM orders WHERE country = 'DE; DROP TABLE orders", "parse", None),
        "unclosed_comment": ("SELECT * FROM orders /* ; DROP TABLE orders", "parse", None),
    }


@pytest.mark.parametrize("name", list(_generated()))
def test_generated_monster_is_refused_cleanly(name, catalog_topics):
    sql, stage, reason = _generated()[name]
    result = validate(sql, catalog=catalog_topics)  # no RecursionError or other exception escapes
    assert not result.valid and result.stage == stage, (result.stage, [e.message for e in result.errors])
    first = result.errors[0]
    if reason:
        assert first.reason == reason
    if reason == "too_large":
        assert "more than the limit" in first.message and "COPILOT_MAX_SQL_BYTES" in (first.hint or "")
    if name.startswith("nested_"):
        assert "nested too deeply" in first.message


def test_long_but_flat_query_is_checked_in_reasonable_work(catalog_topics):
    """Just under the size limit, a flat 'a + a + ...' must not take quadratic work (it took 11 s)."""
    import time

    sql = "SELECT " + "+".join(["amount"] * 12_000) + " AS total FROM orders"
    started = time.process_time()
    result = validate(sql, catalog=catalog_topics)
    assert result.valid
    assert time.process_time() - started < 30  # a hang guard, not a benchmark: linear work takes ~0.5 s


def test_cli_refuses_with_exit_1_and_one_json_document(tmp_path):
    hostile = [e for e in OFFLINE if e["stage"] == "policy"][::25]
    for entry in hostile:
        out = subprocess.run(
            [sys.executable, "-m", "copilot", "validate", entry["sql"], "--json", "--no-engine"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 1, (entry["sql"], out.stderr)
        doc = json.loads(out.stdout)
        assert doc["valid"] is False and doc["stage"] == entry["stage"]
        assert doc["errors"][0]["message"]
        assert "Traceback" not in out.stderr


# ---- Flink's planner refuses what only it can know (unknown table functions) -------------------


@pytest.mark.stack
@pytest.mark.parametrize("entry", ENGINE_ONLY, ids=[_id(e) for e in ENGINE_ONLY])
def test_engine_refuses_unknown_functions(entry, stack, catalog_topics):
    from copilot.flink.gateway import GatewayClient

    gateway = GatewayClient()
    try:
        offline = validate(entry["sql"], catalog=catalog_topics)
        assert offline.valid, "the entry should reach the engine stage"
        assert_refused(entry, validate(entry["sql"], catalog=catalog_topics, engine=gateway))
    finally:
        gateway.close()
