"""Execution accuracy next to component match, for the built-in planner on every question set present
(the gold set tests/agent/gold.yaml; the held-out sets tests/heldout/*.yaml when they exist), with
where the two disagree and why; time to preview a 5-minute slice (goal ≤ 10 s); eval throughput.

Every set runs over one slice of the last 5 minutes of recorded data, pinned once.

Run: .venv/bin/python bench/bench_eval.py [--last 5m] [--sets gold,demo]   (results: bench/results/eval.json)"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median, write  # noqa: E402

from copilot.settings import DEMO_CATALOG_DIR  # noqa: E402

PREVIEW_QUERIES = [  # a windowed aggregate, an unwindowed aggregate over a temporal join, a busy topic's keys
    "SELECT window_start, window_end, country, SUM(amount) AS revenue FROM TABLE(TUMBLE(TABLE orders, "
    "DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, country",
    "SELECT c.segment, SUM(o.amount) AS revenue FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c "
    "ON o.customer_id = c.customer_id GROUP BY c.segment",
    "SELECT session_id, COUNT(*) AS n FROM page_views GROUP BY session_id",
]


def question_sets() -> dict[str, tuple[Path, Path]]:
    sets = {"gold": (ROOT / "tests" / "agent" / "gold.yaml", Path(DEMO_CATALOG_DIR))}
    catalogs = {"fleet": ROOT / "examples" / "catalogs" / "fleet"}
    for path in sorted((ROOT / "tests" / "heldout").glob("*.yaml")):
        sets[f"heldout-{path.stem}"] = (path, catalogs.get(path.stem, Path(DEMO_CATALOG_DIR)))
    return sets


def run_set(name: str, path: Path, catalog_dir: Path, slice_, gateway) -> dict:
    from copilot.agent.copilot import Copilot
    from copilot.catalog.index import HybridTopicIndex
    from copilot.catalog.store import YamlCatalogStore
    from copilot.eval.replay import Replayer
    from copilot.eval.runner import EvalRunner, load_questions
    from copilot.wiring import Config, build

    topics = YamlCatalogStore(catalog_dir).load().topics
    questions = load_questions(path)
    copilot = Copilot(topics, index=HybridTopicIndex(), engine=gateway, gateway=gateway)
    copilot.retrieve("warm up")  # index build is not eval time
    with Replayer(topics, slice_, gateway=build(Config.from_settings(audit=False)).replay_gateway(), purpose="bench") as replayer:
        report = EvalRunner(copilot, replayer, timeout=120).run(questions)
    t = report["totals"]
    executed = [r for r in report["questions"] if r.get("execute_s") is not None]
    examples = [
        {
            "q": r["q"],
            "component_match": r["component_match"],
            "execution_match": r["execution_match"],
            "why": r.get("disagreement"),
            "reason": r.get("execution_reason"),
        }
        for r in report["questions"]
        if r.get("disagreement")
    ][:12]
    not_run = {}
    for r in report["questions"]:
        if r["expected"] == "sql" and r["execution_match"] is None:
            key = (r.get("execution_reason") or "?")[:100]
            not_run[key] = not_run.get(key, 0) + 1
    per_question = [
        {
            "q": r["q"],
            "verdict": r["verdict"],
            "component_match": r["component_match"],
            "execution_match": r["execution_match"],
            "reason": (r.get("execution_reason") or "")[:160],
        }
        for r in report["questions"]
    ]
    out = {
        "file": str(path.relative_to(ROOT)),
        "catalog": str(catalog_dir),
        **{
            k: t[k]
            for k in (
                "questions",
                "with_gold_sql",
                "component_match",
                "component_match_rate",
                "execution_match",
                "execution_accuracy",
                "execution_mismatch",
                "execution_not_run",
                "valid_but_wrong",
                "invalid",
                "declines_expected",
                "declines_correct",
                "clarifications_expected",
                "clarifications_correct",
                "time_s",
                "questions_per_minute",
            )
        },
        "median_comparison_s": round(median([r["execute_s"] for r in executed]), 3) if executed else None,
        "disagreements": t["disagreements"],
        "disagreement_examples": examples,
        "not_run_reasons": not_run,
        "per_question": per_question,
    }
    print(
        f"{name}: component {t['component_match']}/{t['with_gold_sql']}, execution {t['execution_match']}/"
        f"{t['with_gold_sql']} ({t['execution_not_run']} not run), disagreements {t['disagreements']['count']}, "
        f"{t['questions_per_minute']} q/min",
        flush=True,
    )
    return out


def preview_times(last: str) -> dict:
    from copilot.catalog.store import YamlCatalogStore
    from copilot.eval.preview import preview
    from copilot.wiring import Config, build

    services = build(Config.from_settings(audit=False))
    topics = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    runs = []
    for sql in PREVIEW_QUERIES:
        start = time.perf_counter()
        p = preview(sql, topics, gateway=services.replay_gateway(), last=last)
        runs.append(
            {
                "sql": sql[:70],
                "seconds": round(time.perf_counter() - start, 2),
                "rows": p["row_count"],
                "records": p["slice"]["records"],
                "state": p["state"].get("distinct_keys"),
            }
        )
        print(f"preview {runs[-1]}", flush=True)
    seconds = [r["seconds"] for r in runs]
    return {"slice": last, "runs": runs, "median_s": round(median(seconds), 2), "max_s": max(seconds), "goal_s": 10}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--last", default="5m")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: every set present)")
    args = parser.parse_args()

    from copilot.eval.slice import Slice
    from copilot.flink.gateway import GatewayClient

    gateway = GatewayClient()
    try:
        gateway.ping()
    except Exception as exc:
        print(f"SQL Gateway unreachable ({exc}): bench_eval needs the stack (`flink-copilot up`)", file=sys.stderr)
        sys.exit(3)
    result: dict = {"planner": "builtin", "preview": preview_times(args.last)}
    slice_ = Slice.last(args.last)
    wanted = {s for s in args.sets.split(",") if s}
    sets = {}
    for name, (path, catalog_dir) in question_sets().items():
        if wanted and name not in wanted:
            continue
        sets[name] = run_set(name, path, catalog_dir, slice_, gateway)
    gateway.close()
    result["slice"] = slice_.describe()
    result["sets"] = sets
    total_q = sum(s["questions"] for s in sets.values())
    total_t = sum(s["time_s"] for s in sets.values())
    result["eval_questions_per_minute"] = round(total_q / total_t * 60, 2) if total_t else None
    write("eval", result)


if __name__ == "__main__":
    main()
