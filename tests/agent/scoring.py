"""Score the built-in planner on a question set: each question's verdict against its gold (SQL, DECLINE
or CLARIFY), and the totals the issue asks for: exact component match, confidently wrong (valid SQL
that does not match the gold, or SQL where the gold declines), clarifications where the gold had SQL,
declines, and plan + compile + validate (no engine) time."""

from __future__ import annotations

import statistics
import time

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.components import analyse
from copilot.validate import validate


def verdict(draft, gold: str, valid: bool) -> str:
    if gold in ("DECLINE", "CLARIFY"):
        if draft.sql:
            return "wrong" if valid else "invalid"
        if draft.clarification:
            return "clarify_ok" if gold == "CLARIFY" else "clarify_for_decline"
        return "decline_ok" if gold == "DECLINE" else "decline_for_clarify"
    if not draft.sql:
        return "clarify" if draft.clarification else "decline"
    if not valid:
        return "invalid"
    return "exact" if not analyse(draft.sql).differences(analyse(gold)) else "wrong"


def score(cases: list[dict], topics_for) -> dict:
    """`cases`: [{q, gold, catalog}] (a question starting with "+ " follows the one before it);
    `topics_for(catalog)` gives that catalog's topics."""
    planner = BuiltinPlanner()
    rows, times, plan_times, history = [], [], [], []
    for case in cases:
        q, gold = case["q"], case["gold"]
        topics = topics_for(case.get("catalog", "demo"))
        followup = q.startswith("+ ")
        q = q[2:] if followup else q
        if not followup:
            history = []
        start = time.perf_counter()
        draft = planner.plan(PlanRequest(q, topics, [], list(history)))
        plan_times.append((time.perf_counter() - start) * 1000)
        valid = bool(draft.sql) and validate(draft.sql, catalog=topics, engine=None).valid
        times.append((time.perf_counter() - start) * 1000)
        from copilot.agent.base import Turn

        history.append(Turn(q, draft.sql, draft.state, draft.planner))
        rows.append({"q": q, "gold": gold, "verdict": verdict(draft, gold, valid), "sql": draft.sql, "reason": draft.reason})
    n = len(rows)
    with_sql = [r for r in rows if r["gold"] not in ("DECLINE", "CLARIFY")]
    count = lambda *vs: sum(1 for r in rows if r["verdict"] in vs)  # noqa: E731
    totals = {
        "questions": n,
        "exact": count("exact"),
        "exact_rate": round(count("exact") / max(1, len(with_sql)), 4),
        "confidently_wrong": count("wrong"),
        "confidently_wrong_rate": round(count("wrong") / max(1, n), 4),
        "clarify_where_gold_had_sql": count("clarify"),
        "clarify_rate_where_gold_had_sql": round(count("clarify") / max(1, len(with_sql)), 4),
        "declined_where_gold_had_sql": count("decline"),
        "correct_declines_and_clarifications": count("decline_ok", "clarify_ok"),
        "invalid": count("invalid"),
        "median_ms_plan_compile_validate_no_engine": round(statistics.median(times), 2) if times else None,
        "median_ms_plan_compile": round(statistics.median(plan_times), 2) if plan_times else None,
    }
    return {"totals": totals, "questions": rows}
