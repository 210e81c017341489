"""`flink-copilot eval` on a small question set: per-question verdicts and totals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.errors import EXIT_USAGE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run_eval(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copilot", "eval", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_a_bad_question_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "q.yaml"
    bad.write_text("- q: revenue per country\n", encoding="utf-8")
    done = run_eval(str(bad), "--json", "--no-audit", "--no-engine")
    assert done.returncode == EXIT_USAGE and "needs `q`" in done.stderr
    done = run_eval(str(HERE / "small.yaml"), "--last", "5m", "--no-audit")
    assert done.returncode == EXIT_USAGE and "--execute" in done.stderr


def test_eval_without_execution_scores_components(tmp_path):
    done = run_eval(str(HERE / "small.yaml"), "--json", "--no-audit", "--no-engine", "--builtin")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    verdicts = [(q["verdict"], q["component_match"], q["execution_match"]) for q in report["questions"]]
    assert verdicts == [("correct", True, None), ("correct", True, None), ("wrong", False, None), ("correct", None, None)]
    assert report["totals"]["execution_accuracy"] is None and report["totals"]["component_match"] == 2


@pytest.mark.stack
def test_eval_execute_gives_the_expected_verdicts(stack):
    done = run_eval(str(HERE / "small.yaml"), "--execute", "--last", "2m", "--json", "--builtin")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rows = report["questions"]
    assert [r["verdict"] for r in rows] == ["correct", "correct", "wrong", "correct"]
    assert [r["execution_match"] for r in rows] == [True, True, False, None]
    assert rows[1]["follow_up"] and "mobile" in rows[1]["sql"]
    assert rows[2]["valid_but_wrong"] and rows[2]["diff"]["only_answer"]  # a small diff: rows only one side has
    assert all(r["time_s"] > 0 for r in rows)
    totals = report["totals"]
    assert totals["execution_match"] == 2 and totals["execution_accuracy"] == round(2 / 3, 4)
    assert totals["component_match"] == 2 and totals["valid_but_wrong"] == 1
    assert totals["declines_expected"] == totals["declines_correct"] == 1
    assert report["slice"]["topics"]["orders"]["records"] > 0


def test_a_question_asked_back_is_counted_one_click_from_its_gold_only_when_an_option_reaches_it():
    done = run_eval(str(HERE / "one_click.yaml"), "--json", "--no-audit", "--no-engine", "--builtin")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rows = report["questions"]
    assert [r["verdict"] for r in rows] == ["clarified", "clarified"]
    assert rows[0]["one_click"] and rows[1]["one_click"] is None
    totals = report["totals"]
    assert totals["clarified_with_gold_sql"] == 2 and totals["clarified_one_click_from_gold"] == 1
