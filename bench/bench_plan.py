"""Plan benchmark: QueryPlan → Flink SQL compile time (p50, p90) over plans drawn from the type by the
property test's strategy (demo and fleet catalogs); Flink's acceptance of the compiled plans through
the SQL Gateway (goal 100%); the language-model prompt's size with and without the semantic layer
(metrics, value synonyms, units, verified queries) on the demo catalog.

Run: .venv/bin/python bench/bench_plan.py [--count N] [--no-engine]   (results: bench/results/plan.json)"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median, write  # noqa: E402

from copilot.settings import DEMO_CATALOG_DIR  # noqa: E402
from tests.plan.strategies import SECOND_CATALOG, collect_checked_plans, load_catalog  # noqa: E402

QUESTIONS = [
    "revenue per country every minute",
    "decline rate of card payments in the last 10 minutes",
    "how many parcels got lost per carrier",
    "visits vs page views by device",
]


def compile_times(drawn, catalogs) -> list[float]:
    from copilot.plan.compile import compile_plan

    times = []
    for _ in range(3):
        for name, plan, _sql in drawn:
            start = time.perf_counter()
            compile_plan(plan, catalogs[name])
            times.append(time.perf_counter() - start)
    return times


def acceptance(drawn, catalogs) -> dict:
    from copilot.flink.gateway import GatewayClient
    from copilot.validate import validate

    engine = GatewayClient()
    rejected, seconds = [], []
    for name, _plan, sql in drawn:
        start = time.perf_counter()
        result = validate(sql, catalog=catalogs[name], engine=engine)
        seconds.append(time.perf_counter() - start)
        if not result.valid:
            rejected.append({"catalog": name, "sql": sql, "errors": [e.message for e in result.errors]})
    return {
        "plans": len(drawn),
        "accepted": len(drawn) - len(rejected),
        "rate": round((len(drawn) - len(rejected)) / max(1, len(drawn)), 4),
        "validate_p50_s": round(median(seconds), 4),
        "rejected": rejected[:5],
    }


def prompt_sizes(topics) -> dict:
    from copilot.agent.base import PlanRequest
    from copilot.agent.llm.prompts import build_plan_messages, chosen_topics

    out = {}
    for semantic in (False, True):
        sizes = []
        for q in QUESTIONS:
            request = PlanRequest(q, topics, [(t, 1.0) for t in topics][:4])
            sizes.append(sum(len(m.content) for m in build_plan_messages(request, chosen_topics(request), semantic=semantic)))
        out["with_semantic_layer" if semantic else "without_semantic_layer"] = {
            "chars_median": int(median(sizes)),
            "tokens_estimate": int(median(sizes) / 4),
        }
    whole_with = sum(
        len(m.content)
        for m in build_plan_messages(PlanRequest("q", topics, [(t, 1.0) for t in topics]), list(topics.values()), True)
    )
    whole_without = sum(
        len(m.content)
        for m in build_plan_messages(PlanRequest("q", topics, [(t, 1.0) for t in topics]), list(topics.values()), False)
    )
    out["whole_demo_catalog_chars"] = {
        "with": whole_with,
        "without": whole_without,
        "ratio": round(whole_with / whole_without, 2),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=150, help="plans drawn (default 150)")
    parser.add_argument("--no-engine", action="store_true", help="skip Flink's acceptance (no stack needed)")
    args = parser.parse_args()
    demo = load_catalog(DEMO_CATALOG_DIR)
    catalogs = {"demo": demo, "second": load_catalog(SECOND_CATALOG)}
    drawn = collect_checked_plans(catalogs, args.count)
    times = compile_times(drawn, catalogs)
    data = {
        "compile": {
            "plans": len(drawn),
            "p50_ms": round(median(times) * 1000, 3),
            "p90_ms": round(statistics.quantiles(times, n=10)[-1] * 1000, 3),
        },
        "prompt": prompt_sizes(demo),
    }
    if not args.no_engine:
        data["flink_acceptance"] = acceptance(drawn, catalogs)
    write("plan", data)


if __name__ == "__main__":
    main()
