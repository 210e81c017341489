"""Plan every gold question (follow-ups in their conversation) and compare by components."""

from __future__ import annotations

from gold import CASES

from copilot.agent.base import PlanRequest, Turn
from copilot.agent.builtin import BuiltinPlanner
from copilot.settings import DEMO_CATALOG_DIR


def plan_all(topics, planner=None):
    """[(question, draft, gold_sql)] in CASES order."""
    planner = planner or BuiltinPlanner()
    out, history = [], []
    for question, gold in CASES:
        followup = question.startswith("+ ")
        question = question[2:] if followup else question
        if not followup:
            history = []
        draft = planner.plan(PlanRequest(question, topics, [], list(history)))
        history.append(Turn(question, draft.sql, draft.state, draft.planner))
        out.append((question, draft, gold))
    return out


def differences(draft_sql: str | None, gold_sql: str) -> dict:
    """The component comparison `flink-copilot eval` uses (copilot.eval.runner)."""
    from copilot.eval.runner import component_differences

    diff = component_differences(draft_sql, gold_sql)
    return diff if diff is not None else {"sql": ("unreadable", "gold")}


if __name__ == "__main__":
    from conftest import DEMO_TOPICS

    from copilot.catalog.store import YamlCatalogStore

    loaded = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    topics = {t: loaded[t] for t in DEMO_TOPICS}
    bad = 0
    for q, draft, gold in plan_all(topics):
        diff = differences(draft.sql, gold)
        if diff:
            bad += 1
            print(f"MISMATCH {q!r}: {diff} {draft.reason or ''}")
    print(f"{len(CASES) - bad}/{len(CASES)} match")
