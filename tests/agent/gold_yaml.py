"""The gold set (gold.py) as an `eval` question file: tests/agent/gold.yaml.

    .venv/bin/python tests/agent/gold_yaml.py     # rewrite gold.yaml after changing gold.py

A case whose question starts with "+ " becomes `follow_up: true`; UNANSWERABLE questions are
`gold: DECLINE`. tests/eval/test_gold_yaml.py checks the file is up to date."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gold import CASES, UNANSWERABLE  # noqa: E402

GOLD_YAML = HERE / "gold.yaml"
HEADER = (
    "# Generated from tests/agent/gold.py by tests/agent/gold_yaml.py: edit gold.py, then run\n"
    "#   .venv/bin/python tests/agent/gold_yaml.py\n"
    "# A list of {q, gold: SQL | DECLINE | CLARIFY, follow_up} for `flink-copilot eval`.\n"
)


def items() -> list[dict]:
    out = []
    for question, gold in CASES:
        item = {"q": question[2:] if question.startswith("+ ") else question, "gold": gold}
        if question.startswith("+ "):
            item["follow_up"] = True
        out.append(item)
    out += [{"q": q, "gold": "DECLINE"} for q in UNANSWERABLE]
    return out


def render() -> str:
    return HEADER + yaml.safe_dump(items(), sort_keys=False, allow_unicode=True, width=100000)


if __name__ == "__main__":
    GOLD_YAML.write_text(render(), encoding="utf-8")
    print(f"wrote {GOLD_YAML} ({len(items())} questions)")
