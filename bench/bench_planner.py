"""Built-in planner figures (issue 14): on the gold set and the two held-out sets, exactly what
`flink-copilot eval SET --builtin --no-engine --no-audit --json` reports (component match, confidently wrong =
valid SQL that does not match the gold, clarifications and declines where the gold had SQL, right
declines/clarifications), plus the median plan time without retrieval or engine (plan + compile, and
plan + compile + validate without the Flink planner) over every question of those sets and the
development sets.

Run: .venv/bin/python bench/bench_planner.py [--catalogs-from REV]        (results: bench/results/planner.json)

--catalogs-from REV scores against the demo and fleet catalogs as committed at REV (exported with `git archive`),
so that catalog files being edited in the working tree do not change the figures; the commands then carry
`--catalog-dir` to the export.

The held-out sets are scored here, never tuned against (tests/heldout/README.md)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "agent"))

from bench.common import write  # noqa: E402

FLEET = ROOT / "examples" / "catalogs" / "fleet"
SETS = {
    "gold": (ROOT / "tests" / "agent" / "gold.yaml", None),
    "heldout_demo": (ROOT / "tests" / "heldout" / "demo.yaml", None),
    "heldout_fleet": (ROOT / "tests" / "heldout" / "fleet.yaml", FLEET),
    "heldout_b_demo": (ROOT / "tests" / "heldout" / "demo_b.yaml", None),
    "heldout_b_fleet": (ROOT / "tests" / "heldout" / "fleet_b.yaml", FLEET),
    "heldout_c_demo": (ROOT / "tests" / "heldout" / "demo_c.yaml", None),
    "heldout_c_fleet": (ROOT / "tests" / "heldout" / "fleet_c.yaml", FLEET),
    "heldout_d_demo": (ROOT / "tests" / "heldout" / "demo_d.yaml", None),
    "heldout_d_fleet": (ROOT / "tests" / "heldout" / "fleet_d.yaml", FLEET),
    "heldout_e_demo": (ROOT / "tests" / "heldout" / "demo_e.yaml", None),
    "heldout_e_fleet": (ROOT / "tests" / "heldout" / "fleet_e.yaml", FLEET),
    "heldout_f_demo": (ROOT / "tests" / "heldout" / "demo_f.yaml", None),
    "heldout_f_fleet": (ROOT / "tests" / "heldout" / "fleet_f.yaml", FLEET),
    "heldout_g_demo": (ROOT / "tests" / "heldout" / "demo_g.yaml", None),
    "heldout_g_fleet": (ROOT / "tests" / "heldout" / "fleet_g.yaml", FLEET),
    "heldout_h_demo": (ROOT / "tests" / "heldout" / "demo_h.yaml", None),
    "heldout_h_fleet": (ROOT / "tests" / "heldout" / "fleet_h.yaml", FLEET),
    "heldout_i_demo": (ROOT / "tests" / "heldout" / "demo_i.yaml", None),
    "heldout_i_fleet": (ROOT / "tests" / "heldout" / "fleet_i.yaml", FLEET),
    "heldout_j_demo": (ROOT / "tests" / "heldout" / "demo_j.yaml", None),
    "heldout_j_fleet": (ROOT / "tests" / "heldout" / "fleet_j.yaml", FLEET),
    "heldout_k_demo": (ROOT / "tests" / "heldout" / "demo_k.yaml", None),
    "heldout_k_fleet": (ROOT / "tests" / "heldout" / "fleet_k.yaml", FLEET),
    "heldout_l_demo": (ROOT / "tests" / "heldout" / "demo_l.yaml", None),
    "heldout_l_fleet": (ROOT / "tests" / "heldout" / "fleet_l.yaml", FLEET),
    "heldout_m_demo": (ROOT / "tests" / "heldout" / "demo_m.yaml", None),
    "heldout_m_fleet": (ROOT / "tests" / "heldout" / "fleet_m.yaml", FLEET),
    "heldout_n_demo": (ROOT / "tests" / "heldout" / "demo_n.yaml", None),
    "heldout_n_fleet": (ROOT / "tests" / "heldout" / "fleet_n.yaml", FLEET),
    "heldout_o_demo": (ROOT / "tests" / "heldout" / "demo_o.yaml", None),
    "heldout_o_fleet": (ROOT / "tests" / "heldout" / "fleet_o.yaml", FLEET),
    "heldout_p_demo": (ROOT / "tests" / "heldout" / "demo_p.yaml", None),
    "heldout_p_fleet": (ROOT / "tests" / "heldout" / "fleet_p.yaml", FLEET),
    "heldout_q_demo": (ROOT / "tests" / "heldout" / "demo_q.yaml", None),
    "heldout_q_fleet": (ROOT / "tests" / "heldout" / "fleet_q.yaml", FLEET),
    "heldout_r_demo": (ROOT / "tests" / "heldout" / "demo_r.yaml", None),
    "heldout_r_fleet": (ROOT / "tests" / "heldout" / "fleet_r.yaml", FLEET),
    "heldout_s_demo": (ROOT / "tests" / "heldout" / "demo_s.yaml", None),
    "heldout_s_fleet": (ROOT / "tests" / "heldout" / "fleet_s.yaml", FLEET),
    "heldout_t_demo": (ROOT / "tests" / "heldout" / "demo_t.yaml", None),
    "heldout_t_fleet": (ROOT / "tests" / "heldout" / "fleet_t.yaml", FLEET),
    "heldout_u_demo": (ROOT / "tests" / "heldout" / "demo_u.yaml", None),
    "heldout_u_fleet": (ROOT / "tests" / "heldout" / "fleet_u.yaml", FLEET),
    "heldout_v_demo": (ROOT / "tests" / "heldout" / "demo_v.yaml", None),
    "heldout_v_fleet": (ROOT / "tests" / "heldout" / "fleet_v.yaml", FLEET),
    "heldout_w_demo": (ROOT / "tests" / "heldout" / "demo_w.yaml", None),
    "heldout_w_fleet": (ROOT / "tests" / "heldout" / "fleet_w.yaml", FLEET),
    "heldout_x_demo": (ROOT / "tests" / "heldout" / "demo_x.yaml", None),
    "heldout_x_fleet": (ROOT / "tests" / "heldout" / "fleet_x.yaml", FLEET),
    "heldout_y_demo": (ROOT / "tests" / "heldout" / "demo_y.yaml", None),
    "heldout_y_fleet": (ROOT / "tests" / "heldout" / "fleet_y.yaml", FLEET),
}


def command(path: Path, catalog: Path | None) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "copilot",
        "eval",
        str(path.relative_to(ROOT)),
        "--builtin",
        "--no-engine",
        "--no-audit",
        "--json",
    ]
    if catalog is not None:
        cmd += ["--catalog-dir", str(catalog.relative_to(ROOT)) if catalog.is_relative_to(ROOT) else str(catalog)]
    return cmd


def export_catalogs(rev: str) -> dict[str, Path]:
    """The demo and fleet catalog directories as committed at `rev`, in a temporary directory."""
    import tempfile

    out = Path(tempfile.mkdtemp(prefix="planner-catalogs-"))
    archive = subprocess.run(
        ["git", "archive", rev, "copilot/demo_catalog", "examples/catalogs/fleet"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return {"demo": out / "copilot" / "demo_catalog", "fleet": out / "examples" / "catalogs" / "fleet"}


def score_set(path: Path, catalog: Path | None) -> dict:
    cmd = command(path, catalog)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    t, rows = report["totals"], report["questions"]
    with_sql = [r for r in rows if r["expected"] == "sql"]
    clarified = sum(1 for r in with_sql if r["outcome"] == "clarify")
    declined = sum(1 for r in with_sql if r["outcome"] == "decline")
    n = t["questions"]
    return {
        "command": " ".join(["flink-copilot"] + cmd[3:]),
        "questions": n,
        "with_gold_sql": t["with_gold_sql"],
        "exact": t["component_match"],
        "exact_rate": t["component_match_rate"],
        "confidently_wrong": t["valid_but_wrong"],
        "confidently_wrong_rate": round(t["valid_but_wrong"] / max(1, n), 4),
        "clarified_where_gold_had_sql": clarified,
        "clarified_rate_where_gold_had_sql": round(clarified / max(1, len(with_sql)), 4),
        "declined_where_gold_had_sql": declined,
        "clarified_one_click_from_gold": t.get("clarified_one_click_from_gold", 0),
        "declines_right": f"{t['declines_correct']}/{t['declines_expected']}",
        "clarifications_right": f"{t['clarifications_correct']}/{t['clarifications_expected']}",
        "wrong": [{"q": r["q"], "sql": r["sql"], "diff": r.get("component_diff")} for r in rows if r.get("valid_but_wrong")],
    }


def plan_times() -> dict:
    """Median plan time over every question of the gold, development and held-out sets, no retrieval."""
    import yaml
    from scoring import score

    from copilot.catalog.store import YamlCatalogStore
    from copilot.settings import DEMO_CATALOG_DIR

    dirs = {"demo": Path(DEMO_CATALOG_DIR), "fleet": FLEET}
    loaded: dict = {}

    def topics_for(name):
        if name not in loaded:
            loaded[name] = YamlCatalogStore(dirs[name]).load().topics
        return loaded[name]

    cases = []
    for name in ("dev_questions.yaml", "dev_questions_2.yaml"):
        cases += yaml.safe_load((ROOT / "tests" / "agent" / name).read_text())
    for path, catalog in SETS.values():
        for item in yaml.safe_load(path.read_text()):
            q = ("+ " if item.get("follow_up") else "") + item["q"]
            cases.append({"q": q, "gold": str(item["gold"]).strip(), "catalog": "fleet" if catalog else "demo"})
    score(cases[:20], topics_for)  # warm the vocabularies and caches
    totals = score(cases, topics_for)["totals"]
    return {
        "questions": totals["questions"],
        "plan_compile_p50_ms": totals["median_ms_plan_compile"],
        "plan_compile_validate_no_engine_p50_ms": totals["median_ms_plan_compile_validate_no_engine"],
        **cpu_times(cases, topics_for),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def cpu_times(cases, topics_for) -> dict:
    """The same, as CPU time of this process (the machine is shared: wall time follows its load)."""
    from copilot.agent.base import PlanRequest
    from copilot.agent.builtin import BuiltinPlanner
    from copilot.validate import validate

    planner, plan_ms, all_ms = BuiltinPlanner(), [], []
    for case in cases:
        if case["q"].startswith("+ "):
            continue  # follow-ups need their conversation; scored above
        topics = topics_for(case.get("catalog", "demo"))
        start = time.process_time()
        draft = planner.plan(PlanRequest(case["q"], topics, [], []))
        plan_ms.append((time.process_time() - start) * 1000)
        if draft.sql:
            validate(draft.sql, catalog=topics, engine=None)
        all_ms.append((time.process_time() - start) * 1000)
    return {
        "cpu_plan_compile_p50_ms": round(statistics.median(plan_ms), 2),
        "cpu_plan_compile_validate_no_engine_p50_ms": round(statistics.median(all_ms), 2),
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--catalogs-from", metavar="REV", help="score against the catalogs as committed at REV")
    args = parser.parse_args()
    sets = dict(SETS)
    if args.catalogs_from:
        exported = export_catalogs(args.catalogs_from)
        sets = {
            name: (path, exported["fleet"] if catalog is not None else exported["demo"]) for name, (path, catalog) in SETS.items()
        }
    results = {name: score_set(path, catalog) for name, (path, catalog) in sets.items()}
    if args.catalogs_from:
        results["catalogs_from"] = args.catalogs_from
    results["plan_time"] = plan_times()
    write("planner", results)


if __name__ == "__main__":
    main()
