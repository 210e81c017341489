"""The working catalog under FLINK_COPILOT_HOME: seeded once from the packaged demo catalog, a newer
demo catalog merged into it without touching what a person changed."""

from __future__ import annotations

import subprocess
import sys

from copilot import settings
from copilot.catalog import working
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT

DEMO_PAYMENTS = """\
# Demo domain: payment attempts.
topic: payments
description: One event per payment attempt.
format: json
changelog: append
event_time: payment_time
fields:
  - name: payment_id
    type: STRING
    description: Unique id of the payment attempt.
    synonyms: [transaction id]
  - name: method
    type: STRING
    description: Payment method the customer chose.
  - name: currency
    type: STRING
    description: Currency of the payment.
  - name: payment_time
    type: TIMESTAMP_LTZ(3)
    description: When the payment attempt happened.
"""
DEMO_ORDERS = """\
topic: orders
description: One event per order.
watermark_delay: 5 s
fields:
  - {name: order_id, type: STRING}
"""


def _fresh_demo(tmp_path):
    """A packaged demo catalog of our own: the test must not depend on the wording of the real one."""
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "payments.yaml").write_text(DEMO_PAYMENTS)
    (demo / "orders.yaml").write_text(DEMO_ORDERS)
    return demo


def test_default_catalog_is_seeded_under_home_not_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("FLINK_COPILOT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FLINK_COPILOT_CATALOG_DIR", raising=False)
    working.reset_checked()
    directory = working.catalog_dir()
    assert directory == tmp_path / "home" / "catalog"
    assert sorted(p.name for p in directory.glob("*.yaml")) == sorted(p.name for p in DEMO_CATALOG_DIR.glob("*.yaml"))
    assert set(YamlCatalogStore(directory).load().topics) >= {"orders", "payments", "customers"}
    # a person deletes a demo topic: it is not seeded again
    (directory / "shipments.yaml").unlink()
    working.reset_checked()
    working.catalog_dir()
    assert not (directory / "shipments.yaml").exists()


def test_catalog_dir_setting_overrides_and_is_not_seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("FLINK_COPILOT_CATALOG_DIR", str(tmp_path / "mine"))
    assert working.catalog_dir() == settings.catalog_dir() == tmp_path / "mine"
    assert not (tmp_path / "mine").exists()


def test_an_existing_catalog_without_seed_record_is_left_alone(tmp_path):
    directory = tmp_path / "cat"
    directory.mkdir()
    (directory / "clicks.yaml").write_text("topic: clicks\nfields:\n  - {name: id, type: STRING}\n")
    working.reset_checked()
    working.ensure_working_catalog(directory, DEMO_CATALOG_DIR)
    assert [p.name for p in directory.glob("*.yaml")] == ["clicks.yaml"]


def test_newer_demo_is_merged_keeping_a_persons_annotations(tmp_path):
    demo = _fresh_demo(tmp_path)
    directory = tmp_path / "cat"
    working.reset_checked()
    working.ensure_working_catalog(directory, demo)

    # a person annotates the working copy of payments
    path = directory / "payments.yaml"
    text = path.read_text()
    text = text.replace("description: Payment method the customer chose.", "description: How the shopper paid (finance wording).")
    text = text.replace("synonyms: [transaction id]", "synonyms: [transaction id, txn]")
    text += "metrics:\n  - name: decline_count  # added by alice\n    expression: COUNT(payment_id)\n"
    path.write_text(text)
    orders_before = (directory / "orders.yaml").read_text()

    # the next package version changes the demo: a new field, a changed description the person also
    # changed, a changed description the person did not touch, a new topic, and orders changed too
    demo_payments = demo / "payments.yaml"
    new = demo_payments.read_text()
    new = new.replace("description: Payment method the customer chose.", "description: The payment method.")
    new = new.replace("description: Currency of the payment.", "description: ISO currency of the payment.")
    new = new.replace(
        "  - name: payment_time\n",
        "  - name: risk_score\n    type: DOUBLE\n    description: Fraud risk, 0 to 1.\n  - name: payment_time\n",
    )
    demo_payments.write_text(new)
    (demo / "refunds.yaml").write_text("topic: refunds\ndescription: Refunds.\nfields:\n  - {name: refund_id, type: STRING}\n")
    demo_orders = demo / "orders.yaml"
    demo_orders.write_text(demo_orders.read_text().replace("watermark_delay: 5 s", "watermark_delay: 10 s", 1))

    working.reset_checked()
    working.ensure_working_catalog(directory, demo)
    merged = path.read_text()
    assert "How the shopper paid (finance wording)." in merged  # the person's wording wins
    assert "[transaction id, txn]" in merged
    assert "# added by alice" in merged and "decline_count" in merged  # their metric and comment stay
    assert "ISO currency of the payment." in merged  # the demo's change where the person did not edit
    schema = YamlCatalogStore(directory).get("payments")
    assert schema.field("risk_score") is not None and schema.field("risk_score").type == "DOUBLE"
    assert (directory / "refunds.yaml").exists()
    # an untouched working file simply becomes the new demo version
    assert (directory / "orders.yaml").read_text() == demo_orders.read_text() != orders_before

    # merging again changes nothing
    again = path.read_text()
    working.reset_checked()
    working.ensure_working_catalog(directory, demo)
    assert path.read_text() == again


def test_a_command_from_the_checkout_seeds_home_not_the_source_tree(tmp_path):
    """A command run from the checkout with the default catalog writes nothing into the repository."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "FLINK_COPILOT_CATALOG_DIR"}
    env["FLINK_COPILOT_HOME"] = str(tmp_path / "home")
    before = subprocess.run(
        ["git", "status", "--porcelain", "--", "copilot/demo_catalog"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    out = subprocess.run(
        [sys.executable, "-m", "copilot", "catalog", "list", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "home" / "catalog" / "orders.yaml").exists()
    after = subprocess.run(
        ["git", "status", "--porcelain", "--", "copilot/demo_catalog"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout
    assert before == after
