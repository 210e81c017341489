"""The built-in planner on its development questions (tests/agent/dev_questions.yaml), over the demo
catalog and the fleet catalog: never confidently wrong, and most answered exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from live_helpers import in_gateway_sessions
from scoring import score

from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT

CASES = [
    c
    for name in ("dev_questions.yaml", "dev_questions_2.yaml")
    for c in yaml.safe_load((Path(__file__).parent / name).read_text())
]
FLEET = PROJECT_ROOT / "examples" / "catalogs" / "fleet"


@pytest.fixture(scope="module")
def scored():
    dirs = {"demo": Path(DEMO_CATALOG_DIR), "fleet": FLEET}
    loaded = {}

    def topics_for(name):
        if name not in loaded:
            loaded[name] = YamlCatalogStore(dirs[name]).load().topics
        return loaded[name]

    cases = [c for c in CASES if c.get("catalog", "demo") == "demo" or FLEET.is_dir()]
    return score(cases, topics_for)


def test_the_dev_set_covers_both_catalogs_declines_and_clarifications():
    assert len(CASES) >= 50
    assert {c["catalog"] for c in CASES} == {"demo", "fleet"}
    assert any(c["gold"] == "DECLINE" for c in CASES) and any(c["gold"] == "CLARIFY" for c in CASES)


def test_never_confidently_wrong(scored):
    wrong = [(r["q"], r["sql"]) for r in scored["questions"] if r["verdict"] in ("wrong", "invalid")]
    assert wrong == []


def test_most_dev_questions_are_answered_exactly(scored):
    totals = scored["totals"]
    misses = [
        (r["q"], r["verdict"], r["reason"])
        for r in scored["questions"]
        if r["verdict"] not in ("exact", "decline_ok", "clarify_ok")
    ]
    assert totals["exact_rate"] >= 0.9, misses


@pytest.mark.stack
def test_every_planned_dev_query_is_accepted_by_flink(stack, scored):
    from copilot.catalog.ddl import table_statements
    from copilot.flink.base import FlinkSqlError
    from copilot.validate import check

    dirs = {"demo": Path(DEMO_CATALOG_DIR), "fleet": FLEET}
    by_q = {c["q"].removeprefix("+ "): c.get("catalog", "demo") for c in CASES}
    topics_of = {kind: YamlCatalogStore(d).load().topics for kind, d in dirs.items()}

    def refusal(row, gateway):
        topics = topics_of[by_q[row["q"]]]
        tables = [t for t in topics if t in row["sql"]]
        try:
            gateway.explain(check(row["sql"], catalog=topics), table_statements(tables, topics))
        except FlinkSqlError as exc:
            return (row["q"], exc.message)
        return None

    answered = [row for row in scored["questions"] if row["sql"]]
    refused = [r for r in in_gateway_sessions(answered, refusal) if r]
    assert refused == []
