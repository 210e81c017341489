"""The gold set's eval file is generated from tests/agent/gold.py and kept in step with it."""

from __future__ import annotations

import sys
from pathlib import Path

AGENT = Path(__file__).resolve().parents[1] / "agent"
sys.path.insert(0, str(AGENT))


def test_gold_yaml_is_up_to_date_and_loads_as_questions():
    import gold_yaml

    from copilot.eval.runner import load_questions

    assert gold_yaml.GOLD_YAML.read_text(encoding="utf-8") == gold_yaml.render(), (
        "tests/agent/gold.yaml is stale: run .venv/bin/python tests/agent/gold_yaml.py"
    )
    questions = load_questions(gold_yaml.GOLD_YAML)
    assert len(questions) == len(gold_yaml.items())
    assert any(q.follow_up for q in questions) and any(q.gold == "DECLINE" for q in questions)
    assert not questions[0].follow_up
