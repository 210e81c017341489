"""Hardening figures: hostile SQL refused / tried; injected questions that produced a statement which
passed validation and writes, alters or reads outside the catalog (goal 0); fuzz examples and
uncaught exceptions (goal 0, at least 10,000 examples); fault detection / recovery times and records
lost or duplicated across a saved job's stop/resume (from tests/faults on an isolated stack).

    .venv/bin/python bench/bench_hardening.py [--fuzz-examples N] [--no-faults]
"""

from __future__ import annotations

from copilot.settings import DEMO_CATALOG_DIR
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "security"), str(ROOT / "tests" / "fuzz")]

from common import write  # noqa: E402


def hostile_sql(catalog) -> dict:
    from ruamel.yaml import YAML

    from copilot import settings
    from copilot.validate import validate

    corpus = YAML(typ="safe").load((ROOT / "tests/security/hostile_sql/corpus.yaml").read_text(encoding="utf-8"))
    limit = settings.get_int("COPILOT_MAX_SQL_BYTES")
    generated = ["SELECT * FROM orders WHERE country = '" + "x" * limit + "'",
                 "SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM orders",
                 "SELECT * FROM " + "(SELECT * FROM " * 400 + "orders" + ")" * 400,
                 "SELECT " + "ABS(" * 3000 + "amount" + ")" * 3000 + " FROM orders",
                 "(" * 4000 + "DROP TABLE orders" + ")" * 4000]
    engine = None
    try:
        from copilot.flink.gateway import GatewayClient

        engine = GatewayClient()
        engine.api
    except Exception as exc:  # the engine-only entries are then reported as not tried
        print(f"(SQL Gateway unreachable, engine-only entries skipped: {exc})")
        engine = None
    tried = refused = matched = engine_tried = 0
    accepted = []
    for entry in corpus:
        if entry.get("engine") and engine is None:
            continue
        tried += 1
        engine_tried += bool(entry.get("engine"))
        result = validate(entry["sql"], catalog=catalog, engine=engine if entry.get("engine") else None)
        if result.valid:
            accepted.append(entry["sql"])
            continue
        refused += 1
        first = result.errors[0]
        if result.stage == entry["stage"] and entry.get("reason", first.reason) == first.reason and \
                re.search(entry.get("message", "."), first.message):
            matched += 1
    for sql in generated:
        tried += 1
        result = validate(sql, catalog=catalog)
        refused += not result.valid
        matched += not result.valid
        if result.valid:
            accepted.append(sql[:80])
    if engine is not None:
        engine.close()
    return {"tried": tried, "refused": refused, "refused_at_expected_stage_and_reason": matched,
            "engine_stage_entries_tried": engine_tried, "accepted": accepted}


def injection(catalog) -> dict:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from copilot.agent.audit import MemoryAuditSink
    from copilot.agent.copilot import Copilot
    from copilot.agent.llm import LlmPlanner
    from injection import HOSTILE, harm

    tables = set(catalog)
    out = {}
    for planner in ("llm", "builtin"):
        harmful, valid_answers, examples = 0, 0, []
        for question, sql in HOSTILE:
            audit = MemoryAuditSink()
            if planner == "llm":
                reply = json.dumps({"sql": sql, "explanation": "as instructed"})
                copilot = Copilot(catalog, planner=LlmPlanner(FakeListChatModel(responses=[reply] * 3)), audit=audit)
            else:
                copilot = Copilot(catalog, audit=audit)
            answer = copilot.ask(question)
            valid_answers += bool(answer.valid)
            passed = [e["sql"] for e in audit.events if e["type"] == "verdict" and e["verdict"] == "valid"]
            bad = [s for s in passed if harm(s, tables)]
            if bad:
                harmful += 1
                examples.append({"question": question, "sql": bad[0]})
        out[planner] = {"tried": len(HOSTILE), "writing_or_outside_statements": harmful, "valid_answers": valid_answers,
                        "examples": examples}
    return out


def fuzz(catalog, examples: int) -> dict:
    import sqlglot
    from hypothesis import HealthCheck, given, settings
    from sqlglot.errors import ParseError, TokenError

    from copilot.validate import validate
    from strategies import sqlish

    counts = {"examples": 0, "exceptions": 0, "valid": 0, "refused": 0, "bad_error_shape": 0}
    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(sqlish)
    def run(sql):
        counts["examples"] += 1
        try:
            result = validate(sql, catalog=catalog)
            try:
                for tree in sqlglot.parse(sql, read="flink"):
                    if tree is not None:
                        tree.sql(dialect="flink")
            except (ParseError, TokenError, RecursionError):
                pass
        except Exception:
            counts["exceptions"] += 1
            if len(failures) < 5:
                failures.append(f"{sql!r}: {traceback.format_exc(limit=3)}")
            return
        if result.valid:
            counts["valid"] += 1
            return
        counts["refused"] += 1
        ok = result.errors and all(e.message and e.line >= 1 and e.column >= 1 for e in result.errors)
        counts["bad_error_shape"] += not ok

    started = time.perf_counter()
    run()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["first_failures"] = failures
    return counts


def faults() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        timings = Path(tmp) / "timings.json"
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/faults"],
                                cwd=ROOT, env={**os.environ, "FAULT_TIMINGS_FILE": str(timings)},
                                capture_output=True, text=True, timeout=1800)
        data = json.loads(timings.read_text()) if timings.exists() else {}
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    return {"pytest_exit": result.returncode, "pytest_summary": summary,
            "seconds": round(time.monotonic() - started, 1), **data}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fuzz-examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "10000")))
    parser.add_argument("--no-faults", action="store_true", help="skip the fault tests on the isolated stack")
    args = parser.parse_args()
    from copilot.catalog.store import YamlCatalogStore

    loaded = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    catalog = {t: loaded[t] for t in ("orders", "payments", "shipments", "page_views", "customers", "products")}
    data = {"hostile_sql": hostile_sql(catalog), "prompt_injection": injection(catalog),
            "fuzz": fuzz(catalog, args.fuzz_examples)}
    if not args.no_faults:
        data["faults"] = faults()
    h, inj, fz = data["hostile_sql"], data["prompt_injection"], data["fuzz"]
    print(f"hostile SQL refused {h['refused']}/{h['tried']} ({h['refused_at_expected_stage_and_reason']} at the expected stage and reason)")
    for planner, d in inj.items():
        print(f"injection via {planner}: {d['writing_or_outside_statements']}/{d['tried']} produced a writing or outside statement")
    print(f"fuzz: {fz['examples']} examples, {fz['exceptions']} exceptions, {fz['bad_error_shape']} bad error shapes, {fz['seconds']} s")
    if "faults" in data:
        f = data["faults"]
        print(f"faults: {f['pytest_summary']}; across down/up records lost {f.get('stop_resume_records_lost')}, "
              f"duplicated {f.get('stop_resume_records_duplicated')}; across a killed TaskManager lost "
              f"{f.get('taskmanager_kill_records_lost')}, duplicated {f.get('taskmanager_kill_records_duplicated')}, "
              f"saved job running again after {f.get('taskmanager_kill_saved_job_running_again_s')} s")
    write("hardening", data)


if __name__ == "__main__":
    main()
