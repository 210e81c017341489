"""The preview before saving a job: the keys query behind the state estimate, and a real preview."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.eval.preview import keys_query, state_estimate

ROOT = Path(__file__).resolve().parents[2]
TOP = (
    "SELECT window_start, window_end, country, revenue FROM (SELECT window_start, window_end, country, revenue, "
    "ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY revenue DESC) AS rn FROM ("
    "SELECT window_start, window_end, country, SUM(amount) AS revenue FROM TABLE(TUMBLE(TABLE orders, "
    "DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) WHERE channel = 'web' GROUP BY window_start, window_end, country "
    "HAVING SUM(amount) > 10)) WHERE rn <= 3"
)


def test_keys_query_keeps_the_innermost_grouping_without_having_or_ranking():
    sql, labels = keys_query(TOP)
    assert labels == ["window_start", "window_end", "country"]
    assert "HAVING" not in sql and "ROW_NUMBER" not in sql and "SUM(" not in sql
    assert "channel = 'web'" in sql and "GROUP BY window_start, window_end, country" in sql
    assert keys_query("SELECT order_id, amount FROM orders WHERE amount > 10") is None


def test_state_estimate_counts_keys_per_window_and_per_key():
    rows = [["w1", "e1", "DE"], ["w1", "e1", "FR"], ["w2", "e2", "DE"]]
    est = state_estimate(["window_start", "window_end", "country"], rows)
    assert est["windowed"] and est["max_keys_per_window"] == 2 and est["windows"] == 2
    assert est["distinct_per_key"] == {"country": 2} and est["distinct_keys"] == 2
    flat = state_estimate(["customer_id"], [["a"], ["b"], ["c"]])
    assert not flat["windowed"] and flat["distinct_keys"] == 3 and "grows" in flat["summary"]


@pytest.mark.stack
def test_jobs_save_preview_prints_the_result_and_saves_nothing(stack):
    sql = "SELECT channel, COUNT(*) AS orders FROM orders GROUP BY channel"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot",
            "jobs",
            "save",
            "--name",
            "preview_only_test",
            "--sql",
            sql,
            "--preview",
            "--preview-last",
            "1m",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["saved"] is False
    p = out["preview"]
    assert p["columns"] == ["channel", "orders"] and 1 <= p["row_count"] <= 3
    assert sum(r[1] for r in p["rows"]) == p["slice"]["records"]  # every order of the slice, counted once
    assert p["state"]["distinct_keys"] == p["row_count"] and p["seconds"] < 60
    listed = subprocess.run(
        [sys.executable, "-m", "copilot", "jobs", "list", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "preview_only_test" not in listed.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "copilot",
            "jobs",
            "save",
            "--name",
            "preview_only_test",
            "--sql",
            "SELECT channel, COUNT(*) AS n FROM orderz GROUP BY channel",
            "--preview",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "orderz" in bad.stderr
