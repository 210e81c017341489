"""`flink-copilot catalog list|show|ddl|search` as the contract describes them (no services needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FLINK_COPILOT_HOME", str(tmp_path / "home"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["catalog", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_json(capsys):
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert code == 0
    assert [t["topic"] for t in data["topics"]] == [
        "customers",
        "orders",
        "page_views",
        "payments",
        "payments_avro",
        "products",
        "shipments",
        "shipments_avro",
    ]
    assert data["problems"] == []


def test_show_json_has_fields_key_event_time_and_both_relationship_directions(capsys):
    code, out, _ = run(capsys, "show", "products", "--json")
    data = json.loads(out)
    assert code == 0 and data["topic"] == "products" and data["changelog"] == "upsert"
    assert data["key"] == "product_id" and data["primary_key"] == ["product_id"] and data["event_time"] == "updated_at"
    assert {"name": "list_price", "type": "DECIMAL(10, 2)"}.items() <= data["fields"][4].items()
    incoming = {(r["topic"], r["field"]) for r in data["relationships"] if r["direction"] == "incoming"}
    assert incoming == {("orders", "product_id"), ("page_views", "product_id")}
    code, out, _ = run(capsys, "show", "orders", "--json")
    outgoing = {r["references"] for r in json.loads(out)["relationships"] if r["direction"] == "outgoing"}
    assert outgoing == {"customers.customer_id", "products.product_id"}


def test_show_text(capsys):
    code, out, _ = run(capsys, "show", "customers")
    assert code == 0 and "segment" in out and "orders.customer_id -> customers.customer_id  (incoming)" in out


def test_unknown_topic_exit_1_with_did_you_mean(capsys):
    code, out, err = run(capsys, "show", "paymnts", "--json")
    assert code == 1
    data = json.loads(out)
    assert "paymnts" in data["message"] and "payments" in data["hint"]
    assert "did you mean payments" in err
    code, _, err = run(capsys, "ddl", "page_view")
    assert code == 1 and "page_views" in err


def test_ddl_prints_create_table(capsys):
    code, out, _ = run(capsys, "ddl", "orders")
    assert code == 0 and out.startswith("CREATE TABLE `orders` (") and "'connector' = 'kafka'" in out
    code, out, _ = run(capsys, "ddl", "orders", "--json", "--startup-mode", "earliest-offset")
    assert "'scan.startup.mode' = 'earliest-offset'" in json.loads(out)["ddl"]


def test_search_json_best_first(capsys):
    code, out, _ = run(capsys, "search", "revenue per customer segment", "--k", "3", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["results"]) == 3
    assert {r["topic"] for r in data["results"][:2]} == {"orders", "customers"}
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_search_lexical_flag_and_bad_k(capsys):
    code, out, _ = run(capsys, "search", "parcels lost by courier", "--lexical", "--json")
    assert code == 0 and json.loads(out)["results"][0]["topic"] == "shipments"
    code, _, _ = run(capsys, "search", "x", "--k", "0")
    assert code == 2


def test_catalog_dir_with_broken_file_still_lists(capsys, tmp_path):
    (tmp_path / "ok.yaml").write_text("topic: ok\nfields:\n  - name: a\n    type: INT\n")
    (tmp_path / "bad.yaml").write_text("topic: bad\nfields:\n  - name: a\n    type: NUMBERZ\n")
    code, out, _ = run(capsys, "list", "--json", "--catalog-dir", str(tmp_path))
    data = json.loads(out)
    assert [t["topic"] for t in data["topics"]] == ["ok"]
    assert data["problems"][0]["file"].endswith("bad.yaml") and data["problems"][0]["line"] == 4
