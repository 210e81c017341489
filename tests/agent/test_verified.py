"""Learning from users: verified queries are stored in the main topic's catalog file (comments kept,
audited) and answer the same question after normalisation; near-identical ones are not answered."""

from __future__ import annotations

import json
import shutil

import pytest

from copilot.agent.audit import MemoryAuditSink
from copilot.agent.copilot import Copilot
from copilot.agent.verified import find_verified, known_words, normalise, same_question, store_verified
from copilot.catalog.store import YamlCatalogStore
from copilot.cli import main
from copilot.errors import RequestError
from copilot.settings import DEMO_CATALOG_DIR

REVENUE = (
    "SELECT window_start, window_end, country, SUM(amount) AS revenue\n"
    "FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))\n"
    "GROUP BY window_start, window_end, country"
)


@pytest.fixture
def store(tmp_path):
    shutil.copytree(DEMO_CATALOG_DIR, tmp_path, dirs_exist_ok=True)
    return YamlCatalogStore(tmp_path)


def test_normalisation_and_typos_but_not_other_words(store):
    vocabulary = known_words(store.load().topics)
    asked = "Revenue per country, every minute?"
    assert normalise(asked) == "revenue per country every minute"
    assert same_question("  revenue PER country every minute", asked, vocabulary)
    assert same_question("revnue per countyr every minute", asked, vocabulary)  # typos of known words
    assert not same_question("revenue per country every hour", asked, vocabulary)
    assert not same_question("revenue per currency every minute", asked, vocabulary)  # a real word, not a typo
    assert not same_question("revenue per country every 5 minutes", "revenue per country every 6 minutes", vocabulary)
    assert not same_question("revenue per country", asked, vocabulary)


def test_store_keeps_comments_and_picks_the_main_topic(store, tmp_path):
    audit = MemoryAuditSink()
    entry, topic, path = store_verified(store, "Revenue per country, every minute?", REVENUE, "ana", audit=audit)
    assert topic == "orders" and path.endswith("orders.yaml")
    text = (tmp_path / "orders.yaml").read_text()
    assert text.startswith("# Demo domain: the shop's order stream")  # the person's comment is kept
    assert "verified_by: ana" in text and "sql: |-" in text  # multi-line SQL as a literal block
    [stored] = YamlCatalogStore(tmp_path).load().topics["orders"].verified_queries
    assert stored.question == "Revenue per country, every minute?" and "SUM(amount)" in stored.sql
    assert [e["type"] for e in audit.events] == ["verified"] and audit.events[0]["verified_by"] == "ana"
    # the same question again replaces, not duplicates
    store_verified(store, "revenue per country every minute", REVENUE, "bo")
    assert [q.verified_by for q in YamlCatalogStore(tmp_path).load().topics["orders"].verified_queries] == ["bo"]
    joined = (
        "SELECT p.payment_id, o.channel FROM payments AS p JOIN orders AS o ON p.order_id = o.order_id "
        "AND o.order_time BETWEEN p.payment_time - INTERVAL '1' HOUR AND p.payment_time"
    )
    assert store_verified(store, "payments with their order's channel", joined, "ana")[1] == "payments"


def test_invalid_or_writing_sql_is_not_stored(store, tmp_path):
    before = (tmp_path / "orders.yaml").read_text()
    with pytest.raises(RequestError, match="not valid"):
        store_verified(store, "q", "SELECT nope FROM orders", "ana")
    with pytest.raises(RequestError):
        store_verified(store, "q", "DROP TABLE orders", "ana")
    assert (tmp_path / "orders.yaml").read_text() == before


def test_the_same_question_is_answered_from_it_with_a_notice(store):
    store_verified(store, "Revenue per country, every minute?", REVENUE, "ana")
    audit = MemoryAuditSink()
    copilot = Copilot(store, audit=audit)
    answer = copilot.ask("revenue per contry every minute")
    assert answer.valid and answer.planner == "verified" and "SUM(amount)" in answer.sql
    assert any("verified" in n and "ana" in n for n in answer.notices)
    assert [e["planner"] for e in audit.events if e["type"] == "answer"] == ["verified"]
    other = copilot.ask("revenue per country every hour")
    assert other.planner != "verified"
    assert find_verified("revenue per country every hour", store.load().topics) is None


def test_cli_verify(store, tmp_path, capsys):
    code = main(
        [
            "catalog",
            "verify",
            "Revenue per country, every minute?",
            "--sql",
            REVENUE,
            "--by",
            "ana",
            "--no-engine",
            "--no-audit",
            "--json",
            "--catalog-dir",
            str(tmp_path),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["topic"] == "orders" and out["verified_by"] == "ana"
    code = main(
        [
            "catalog",
            "verify",
            "q",
            "--sql",
            "SELECT nope FROM orders",
            "--no-engine",
            "--no-audit",
            "--json",
            "--catalog-dir",
            str(tmp_path),
        ]
    )
    assert code == 1 and "nope" in capsys.readouterr().out
    code = main(["catalog", "show", "orders", "--catalog-dir", str(tmp_path)])
    assert code == 0 and "verified queries:" in capsys.readouterr().out


@pytest.mark.stack
def test_cli_verify_checks_with_flink_and_audits(stack, store, tmp_path, capsys):
    from copilot.agent.audit import read_events

    question = f"orders per channel per minute ({tmp_path.name})"
    sql = (
        "SELECT window_start, window_end, channel, COUNT(*) AS orders "
        "FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, channel"
    )
    code = main(["catalog", "verify", question, "--sql", sql, "--json", "--catalog-dir", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["engine_checked"] is True
    events = read_events(200)
    assert any(e.get("type") == "verified" and e.get("question") == question for e in events)
    bad = sql.replace("COUNT(*)", "SUM(channel)")  # passes the catalog stage, Flink's planner refuses it
    assert main(["catalog", "verify", question, "--sql", bad, "--json", "--catalog-dir", str(tmp_path)]) == 1
