"""Lists that were written several times are written once (issue 18): the numeric and time types, the
window columns, the interval units, the identifier quoter and the secret redaction. Each caller is
checked to answer from the one list, so a copy that drifts again fails here."""

from __future__ import annotations

import pytest

from copilot.sql import types

NUMBERS = [
    "INT",
    "INTEGER",
    "BIGINT NOT NULL",
    "TINYINT",
    "SMALLINT",
    "DECIMAL(10, 2)",
    "DEC(5)",
    "NUMERIC",
    "DOUBLE",
    "DOUBLE PRECISION",
    "FLOAT",
    "REAL",
    "decimal(38, 2)",
]
NOT_NUMBERS = [
    "INTERVAL DAY",
    "INTERVAL SECOND(3)",
    "INTERVAL_DAY_TIME",
    "INTERVAL_YEAR_MONTH",
    "STRING",
    "VARCHAR(20)",
    "TIMESTAMP(3)",
    "BOOLEAN",
    "ARRAY<INT>",
    "ROW<a INT>",
    "MAP<STRING, INT>",
    "",
]
TIMES = [
    "TIMESTAMP(3)",
    "TIMESTAMP_LTZ(3)",
    "TIMESTAMP(3) WITH LOCAL TIME ZONE",
    "DATE",
    "TIME",
    "TIME(0)",
    "TIMESTAMP_WITHOUT_TIME_ZONE(3)",
    "TIMESTAMP_WITH_LOCAL_TIME_ZONE(3)",
    "TIME_WITHOUT_TIME_ZONE",
]
NOT_TIMES = ["STRING", "INT", "INTERVAL DAY", "BIGINT", "TINYINT"]


def numeric_checks():
    from copilot.agent.builtin import semantic as builtin_semantic
    from copilot.catalog import semantic as catalog_semantic
    from copilot.catalog.model import Field
    from copilot.plan.check import kind_of
    from copilot.ui import chart

    return {
        "sql.types": types.is_numeric,
        "agent.builtin.semantic": builtin_semantic.is_numeric,
        "catalog.semantic": catalog_semantic._numeric,
        "ui.chart": chart.is_numeric,
        "plan.check": lambda t: kind_of(Field(name="f", type=t)) in ("numeric", "integer"),
    }


@pytest.mark.parametrize("flink_type", NUMBERS + NOT_NUMBERS)
def test_every_numeric_check_agrees_and_interval_is_not_a_number(flink_type):
    expected = flink_type in NUMBERS
    answers = {name: check(flink_type) for name, check in numeric_checks().items()}
    assert answers == dict.fromkeys(answers, expected)


@pytest.mark.parametrize("flink_type", TIMES + NOT_TIMES)
def test_time_types(flink_type):
    from copilot.agent.builtin import semantic as builtin_semantic
    from copilot.ui import chart

    expected = flink_type in TIMES
    assert types.is_temporal(flink_type) is expected
    assert builtin_semantic.is_time(flink_type) is expected and chart.is_temporal(flink_type) is expected


def test_comparison_normalises_numbers_by_the_one_list():
    from copilot.eval.compare import normalise

    assert normalise("12.30", "DECIMAL(10, 2)") == normalise("12.3", "DOUBLE") == ("n", 12.3)
    assert normalise("12", "INTERVAL SECOND") != ("n", 12.0)  # an interval's text is not read as a number


def test_one_unit_table_and_one_window_column_list():
    from copilot.agent import components
    from copilot.eval import preview, runner
    from copilot.plan import check, model
    from copilot.service import condition
    from copilot.ui import chart
    from copilot.validate import catalog_check

    assert model.UNIT_SECONDS is types.UNIT_SECONDS and components.UNIT_SECONDS is types.UNIT_SECONDS
    for module in (components, check, chart, catalog_check, condition, preview):
        assert module.WINDOW_COLUMNS is types.WINDOW_COLUMNS, module.__name__
    assert runner.WINDOW_BOUNDS == set(types.WINDOW_COLUMNS[:2]) == set(condition.WINDOW_BOUNDS)


def test_one_identifier_quoter():
    from copilot.catalog import ddl, inference, registry
    from copilot.catalog.store import YamlCatalogStore
    from copilot.settings import DEMO_CATALOG_DIR
    from copilot.sql import quoting, statement

    assert statement.quote_name is quoting.quote_name
    assert quoting.quote_name("a`b") == "`a``b`"
    assert quoting.quote_name_if_needed("ok_1") == "ok_1" and quoting.quote_name_if_needed("two words") == "`two words`"
    schema = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics["orders"]
    assert ddl.create_table_sql(schema, table_name="odd`name").startswith("CREATE TABLE `odd``name` (")
    assert statement.TrustedStatement.describe("odd`name").sql == "DESCRIBE `odd``name`"
    assert inference.infer_type([{"a b": "x"}], "x") == "ROW<`a b` STRING>"
    assert (
        registry.json_schema_to_flink({"type": "object", "properties": {"we`ird": {"type": "string"}}}) == "ROW<`we``ird` STRING>"
    )
    assert not hasattr(ddl, "quote_identifier") and not hasattr(inference, "_quote")


def test_one_redaction_with_the_union_of_both_coverages(monkeypatch):
    from copilot.agent import audit
    from copilot.security import redact

    assert audit.scrub is redact.scrub
    # shapes the audit's own list knew, and shapes only the redaction module knew
    shapes = [
        "sk-abcdefgh1234",
        "sk-ant-abcdefgh1234",
        "ghp_abcdefgh1234",
        "gho_abcdefgh1234",
        "xoxb_abcdefgh1234",
        "AKIAABCDEFGHIJKLMNOP",
        "ghs_abcdefgh1234",
        "xoxa_abcdefgh1234",
        "AIza" + "x" * 30,
        "hf_" + "a" * 24,
    ]
    event = {
        "note": " ".join(shapes),
        "passwd": "hunter22",
        "api_key": "k",
        "sasl.jaas.config": "j",
        "nested": [{"token": "t"}, "ok"],
    }
    clean = audit.scrub(event)
    assert set(clean) == {"note", "nested"} and clean["nested"] == [{}, "ok"]
    assert all(s not in clean["note"] for s in shapes) and clean["note"].count(redact.MASK) == len(shapes)
    jaas = 'PlainLoginModule required username="u" password="not-in-env-1";'
    assert redact.redact(jaas) == f'PlainLoginModule required username="u" password="{redact.MASK}";'
    monkeypatch.setenv("COPILOT_KAFKA_SASL_PASSWORD", "env-secret-42")
    assert redact.redact("login env-secret-42 failed") == f"login {redact.MASK} failed"
