"""Score the copilot's built-in planner on the held-out question sets (tests/heldout/*.yaml).

    .venv/bin/python bench/heldout_baseline.py [--rev REV | --working-tree] [--index hybrid|lexical|none] [--out NAME]

By default the planner is the one committed at REV (default HEAD), exported with `git archive` into a
temporary directory and imported from there, so a planner being rebuilt in the working tree does not
change the baseline; `--working-tree` scores the code as it is on disk.

Each question goes through copilot.agent.copilot.Copilot with the built-in planner and no engine
(parse, policy and catalog checks only), follow-ups in the conversation of the question before.
A planned SQL is compared with the gold by components (tables, aggregates, grouping keys, window,
filters, top-N, joins: copilot.agent.components, as tests/agent/gold_runner.py does), with two
normalisations so that equivalent spellings match: names of WITH clauses are not tables read, and a
join between two streams (interval or regular) is compared by the tables it reads, not by which of
them is written first (temporal joins keep the versioned table's name). Verdicts:

- exact: SQL whose components match the gold SQL, or a decline/ask-back where the gold is the same
- wrong: valid SQL that does not match the gold SQL, or valid SQL where the gold is DECLINE/CLARIFY
  (confidently wrong: the user is told the answer is valid)
- invalid: SQL that fails validation (the user is told it is invalid)
- declined: no SQL, a refusal (gold SQL or CLARIFY)
- clarified: no SQL, a question back (gold SQL or DECLINE)

Writes bench/results/heldout_baseline.json (totals per set, per gold kind, and every question).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "heldout"))

from check_gold import is_sql, load_questions, question_sets  # noqa: E402

from bench.common import median, write  # noqa: E402

VERDICTS = ("exact", "wrong", "invalid", "declined", "clarified")


def _refusal_kind(answer) -> str:
    if answer.stage == "clarify" or getattr(answer, "clarification", None):
        return "CLARIFY"
    return "DECLINE"


def components(sql: str):
    """copilot.agent.components.analyse, normalised as the module docstring says."""
    import sqlglot
    from sqlglot import exp

    from copilot.agent.components import analyse

    found = analyse(sql)
    ctes = {cte.alias for cte in sqlglot.parse_one(sql, read="flink").find_all(exp.CTE)}
    found.tables = sorted(t for t in found.tables if t not in ctes)
    found.joins = sorted((table if temporal else "(stream join)", temporal) for table, temporal in found.joins)
    return found


def verdict(answer, gold: str) -> tuple[str, dict | None]:
    """(verdict, component differences or None)."""

    if not answer.sql:
        kind = _refusal_kind(answer)
        if not is_sql(gold) and kind == gold.strip():
            return "exact", None
        return ("clarified" if kind == "CLARIFY" else "declined"), None
    if not answer.valid:
        return "invalid", None
    if not is_sql(gold):
        return "wrong", None
    try:
        diff = components(answer.sql).differences(components(gold))
    except Exception as exc:  # a draft our analyser cannot read counts as not matching
        return "wrong", {"analyse": str(exc)}
    return ("exact", None) if not diff else ("wrong", {k: [str(a), str(b)] for k, (a, b) in diff.items()})


def make_index(kind: str, tmp: Path):
    if kind == "none":
        return None
    from copilot.catalog.index import HybridTopicIndex

    return HybridTopicIndex(tmp / "chroma", use_embeddings=(kind == "hybrid"), namespace=str(tmp))


def score_set(name: str, index_kind: str, tmp: Path) -> dict:
    from copilot.agent.copilot import Copilot
    from copilot.catalog.store import YamlCatalogStore

    path, catalog_dir = question_sets()[name]
    topics = YamlCatalogStore(catalog_dir).load().topics
    copilot = Copilot(topics, index=make_index(index_kind, tmp / name), engine=None)
    rows, times = [], []
    conversation = None
    for i, item in enumerate(load_questions(path)):
        if not item.get("follow_up"):
            conversation = f"{name}-{i}"
        start = time.perf_counter()
        answer = copilot.ask(item["q"], conversation_id=conversation)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        v, diff = verdict(answer, item["gold"])
        rows.append(
            {
                "q": item["q"],
                "gold_kind": "SQL" if is_sql(item["gold"]) else item["gold"].strip(),
                "follow_up": bool(item.get("follow_up")),
                "verdict": v,
                "sql": answer.sql,
                "differences": diff,
                "reason": (answer.errors[0]["message"] if answer.errors else None),
                "time_s": round(elapsed, 4),
            }
        )
    return {"questions": rows, "totals": totals(rows), "median_time_s": round(median(times), 4)}


def totals(rows: list[dict]) -> dict:
    n = len(rows)
    counts = Counter(r["verdict"] for r in rows)
    by_kind = {}
    for kind in ("SQL", "CLARIFY", "DECLINE"):
        sub = [r for r in rows if r["gold_kind"] == kind]
        by_kind[kind] = {"questions": len(sub), **{v: sum(r["verdict"] == v for r in sub) for v in VERDICTS}}
    sql_rows = [r for r in rows if r["gold_kind"] == "SQL"]
    return {
        "questions": n,
        **{v: counts[v] for v in VERDICTS},
        "exact_share": round(counts["exact"] / n, 3) if n else None,
        "confidently_wrong_share": round(counts["wrong"] / n, 3) if n else None,
        "clarified_where_gold_sql_share": round(sum(r["verdict"] == "clarified" for r in sql_rows) / len(sql_rows), 3)
        if sql_rows
        else None,
        "by_gold_kind": by_kind,
    }


def export_package(rev: str, into: Path) -> str:
    """Export the `copilot` package as committed at `rev` into `into`; returns the full commit id."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", rev], check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "copilot"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--rev", default="HEAD", help="score the planner committed at this git revision (default HEAD)")
    source.add_argument("--working-tree", action="store_true", help="score the code in the working tree instead")
    parser.add_argument(
        "--index",
        choices=("hybrid", "lexical", "none"),
        default="hybrid",
        help="topic retrieval as `ask` does it (hybrid, the default), BM25 only, or none",
    )
    parser.add_argument("--out", default="heldout_baseline", help="results file name under bench/results/")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="heldout-bench-") as tmp:
        code = "working tree"
        if not args.working_tree:
            package_dir = Path(tmp) / "code"
            package_dir.mkdir()
            code = export_package(args.rev, package_dir)
            sys.path.insert(0, str(package_dir))  # before any `copilot` import
        import copilot

        assert args.working_tree or Path(copilot.__file__).is_relative_to(Path(tmp)), "copilot was imported too early"
        sets = {name: score_set(name, args.index, Path(tmp)) for name in question_sets()}
    summary = {name: {**s["totals"], "median_time_s": s["median_time_s"]} for name, s in sets.items()}
    source = "--working-tree" if args.working_tree else f"--rev {code}"
    write(
        args.out,
        {
            "planner": "builtin",
            "engine": False,
            "index": args.index,
            "code": code,
            "command": f".venv/bin/python bench/heldout_baseline.py {source} --index {args.index}",
            "summary": summary,
            "sets": sets,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
