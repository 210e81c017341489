"""Hardening figures: hostile SQL refused / tried; injected questions that produced a statement which
passed validation and writes, alters or reads outside the catalog (goal 0); fuzz examples and
uncaught exceptions (goal 0, at least 10,000 examples); validation time p50/p99 on the hostile corpus;
generated hostile statements compared with Flink 2.2's own parser (disagreements, goal 0); the cost of
the canonical re-generation on normal statements (goal < 1 ms); fault detection / recovery times and records
lost or duplicated across a saved job's stop/resume (from tests/faults on an isolated stack).

    .venv/bin/python bench/bench_hardening.py [--fuzz-examples N] [--diff-examples N] [--no-faults]
"""

from __future__ import annotations

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

from copilot.settings import DEMO_CATALOG_DIR

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "security"), str(ROOT / "tests" / "fuzz")]

from common import write  # noqa: E402


def hostile_sql(catalog) -> dict:
    from ruamel.yaml import YAML

    from copilot import settings
    from copilot.validate import validate

    corpus = YAML(typ="safe").load((ROOT / "tests/security/hostile_sql/corpus.yaml").read_text(encoding="utf-8"))
    limit = settings.get_int("COPILOT_MAX_SQL_BYTES")
    generated = [
        "SELECT * FROM orders WHERE country = '" + "x" * limit + "'",
        "SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM orders",
        "SELECT * FROM " + "(SELECT * FROM " * 400 + "orders" + ")" * 400,
        "SELECT " + "ABS(" * 3000 + "amount" + ")" * 3000 + " FROM orders",
        "(" * 4000 + "DROP TABLE orders" + ")" * 4000,
    ]
    engine = None
    try:
        from copilot.flink.gateway import GatewayClient

        engine = GatewayClient()
        engine.ping()
    except Exception as exc:  # the engine-only entries are then reported as not tried
        print(f"(SQL Gateway unreachable, engine-only entries skipped: {exc})")
        engine = None
    from test_checked_statement import CATALOG_WITH_KEYWORDS, REFUSED  # the examples of issue 12

    tried = refused = matched = engine_tried = 0
    accepted = []
    offline_ms = []
    for sql, reason in REFUSED:
        tried += 1
        started = time.perf_counter()
        result = validate(sql, catalog=CATALOG_WITH_KEYWORDS)
        offline_ms.append((time.perf_counter() - started) * 1000)
        refused += not result.valid
        matched += not result.valid and (reason is None or result.errors[0].reason == reason)
        if result.valid:
            accepted.append(sql)
    for entry in corpus:
        if entry.get("engine") and engine is None:
            continue
        tried += 1
        engine_tried += bool(entry.get("engine"))
        started = time.perf_counter()
        result = validate(entry["sql"], catalog=catalog, engine=engine if entry.get("engine") else None)
        if not entry.get("engine"):
            offline_ms.append((time.perf_counter() - started) * 1000)
        if result.valid:
            accepted.append(entry["sql"])
            continue
        refused += 1
        first = result.errors[0]
        if (
            result.stage == entry["stage"]
            and entry.get("reason", first.reason) == first.reason
            and re.search(entry.get("message", "."), first.message)
        ):
            matched += 1
    for sql in generated:
        tried += 1
        started = time.perf_counter()
        result = validate(sql, catalog=catalog)
        offline_ms.append((time.perf_counter() - started) * 1000)
        refused += not result.valid
        matched += not result.valid
        if result.valid:
            accepted.append(sql[:80])
    if engine is not None:
        engine.close()
    return {
        "tried": tried,
        "refused": refused,
        "refused_share": round(refused / tried, 4),
        "refused_at_expected_stage_and_reason": matched,
        "engine_stage_entries_tried": engine_tried,
        "accepted": accepted,
        "validation_ms_p50": _percentile(offline_ms, 50),
        "validation_ms_p99": _percentile(offline_ms, 99),
        "validation_ms_max": round(max(offline_ms), 1),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 3) if ordered else 0.0


def differential(catalog, examples: int) -> dict:
    """Generated hostile statements: the product's verdict against Flink 2.2's own reading (a JVM helper
    that never executes anything). Disagreements: accepted, yet Flink would write, read outside the
    listed tables or apply OPTIONS (goal 0)."""
    from differential import catalog_with_keyword_topics, define_tables, hostile, judge
    from hypothesis import HealthCheck, given, settings

    from copilot.stack.flink_reading import FlinkReader
    from copilot.validate import validate

    catalog = catalog_with_keyword_topics(catalog)
    counts = {"cases": 0, "accepted": 0, "disagreements": 0, "refused_but_flink_reads_a_query": 0}
    examples_out: list[dict] = []
    started = time.perf_counter()
    with FlinkReader() as reader:
        define_tables(reader, catalog)

        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(hostile())
        def run(sql):
            counts["cases"] += 1
            verdict = judge(sql, validate, reader, catalog)
            counts["accepted"] += verdict.accepted
            if verdict.danger:
                counts["disagreements"] += 1
                if len(examples_out) < 5:
                    examples_out.append({"sql": sql, "canonical": verdict.canonical, "flink": verdict.danger})
            elif not verdict.accepted and reader.read(sql).get("kind") == "query":
                counts["refused_but_flink_reads_a_query"] += 1

        run()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["examples"] = examples_out
    return counts


def canonical_cost() -> dict:
    """Cost of the canonical re-generation (generate from the tree, read back, compare) on the gold
    questions' SQL, beside the whole offline validation of the same statements."""
    from ruamel.yaml import YAML
    from sqlglot.dialects.dialect import Dialect

    from copilot.catalog.store import YamlCatalogStore
    from copilot.validate import validate
    from copilot.validate.canonical import checked_statement

    topics = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    gold = YAML(typ="safe").load((ROOT / "tests/agent/gold.yaml").read_text(encoding="utf-8"))
    sqls = [g["gold"] for g in gold if isinstance(g.get("gold"), str) and g["gold"].upper().startswith(("SELECT", "WITH"))]
    dialect = Dialect.get_or_raise("flink")
    canonical_ms, validate_ms = [], []
    for sql in sqls:
        tree = dialect.parse(sql)[0]
        for _ in range(3):  # warm, then measured twice
            started = time.perf_counter()
            checked_statement(tree, "query", [])
            elapsed = (time.perf_counter() - started) * 1000
        canonical_ms.append(elapsed)
        started = time.perf_counter()
        validate(sql, catalog=topics)
        validate_ms.append((time.perf_counter() - started) * 1000)
    return {
        "statements": len(sqls),
        "canonical_ms_p50": _percentile(canonical_ms, 50),
        "canonical_ms_p99": _percentile(canonical_ms, 99),
        "validate_offline_ms_p50": _percentile(validate_ms, 50),
        "validate_offline_ms_p99": _percentile(validate_ms, 99),
    }


def injection(catalog) -> dict:
    from injection import HOSTILE, harm
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from copilot.agent.audit import MemoryAuditSink
    from copilot.agent.copilot import Copilot
    from copilot.agent.llm import LlmPlanner

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
        out[planner] = {
            "tried": len(HOSTILE),
            "writing_or_outside_statements": harmful,
            "valid_answers": valid_answers,
            "examples": examples,
        }
    return out


def fuzz(catalog, examples: int) -> dict:
    import sqlglot
    from hypothesis import HealthCheck, given, settings
    from sqlglot.errors import ParseError, TokenError
    from strategies import sqlish

    from copilot.validate import validate

    counts = {"examples": 0, "exceptions": 0, "valid": 0, "refused": 0, "bad_error_shape": 0}
    failures: list[str] = []

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
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
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/faults"],
            cwd=ROOT,
            env={**os.environ, "FAULT_TIMINGS_FILE": str(timings)},
            capture_output=True,
            text=True,
            timeout=1800,
        )
        data = json.loads(timings.read_text()) if timings.exists() else {}
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    return {"pytest_exit": result.returncode, "pytest_summary": summary, "seconds": round(time.monotonic() - started, 1), **data}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fuzz-examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "10000")))
    parser.add_argument("--no-faults", action="store_true", help="skip the fault tests on the isolated stack")
    parser.add_argument(
        "--diff-examples",
        type=int,
        default=int(os.environ.get("DIFF_EXAMPLES", "1000")),
        help="generated statements compared with Flink's own reading",
    )
    args = parser.parse_args()
    from copilot.catalog.store import YamlCatalogStore

    loaded = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
    catalog = {t: loaded[t] for t in ("orders", "payments", "shipments", "page_views", "customers", "products")}
    data = {
        "hostile_sql": hostile_sql(catalog),
        "prompt_injection": injection(catalog),
        "fuzz": fuzz(catalog, args.fuzz_examples),
        "canonical": canonical_cost(),
    }
    try:
        data["differential"] = differential(catalog, args.diff_examples)
    except Exception as exc:  # no JDK or no Flink download: reported, not hidden
        data["differential"] = {"error": f"{type(exc).__name__}: {exc}"}
    if not args.no_faults:
        data["faults"] = faults()
    else:  # keep the last measured fault figures, marked as such, rather than dropping them
        previous = ROOT / "bench" / "results" / "hardening.json"
        if previous.exists() and "faults" in (old := json.loads(previous.read_text())):
            data["faults"] = {**old["faults"], "from_run_at": old.get("measured_at")}
    h, inj, fz = data["hostile_sql"], data["prompt_injection"], data["fuzz"]
    print(
        f"hostile SQL refused {h['refused']}/{h['tried']} ({h['refused_at_expected_stage_and_reason']} at the expected stage and reason); "
        f"validation p50 {h['validation_ms_p50']} ms, p99 {h['validation_ms_p99']} ms"
    )
    d, c = data["differential"], data["canonical"]
    if "error" in d:
        print(f"differential: not run ({d['error']})")
    else:
        print(
            f"differential vs Flink's parser: {d['cases']} cases, {d['accepted']} accepted, {d['disagreements']} disagreements "
            f"({d['refused_but_flink_reads_a_query']} refused that Flink reads as a query), {d['seconds']} s"
        )
    print(
        f"canonical re-generation on {c['statements']} gold statements: p50 {c['canonical_ms_p50']} ms, "
        f"p99 {c['canonical_ms_p99']} ms (whole offline validation p50 {c['validate_offline_ms_p50']} ms)"
    )
    for planner, d in inj.items():
        print(
            f"injection via {planner}: {d['writing_or_outside_statements']}/{d['tried']} produced a writing or outside statement"
        )
    print(
        f"fuzz: {fz['examples']} examples, {fz['exceptions']} exceptions, {fz['bad_error_shape']} bad error shapes, {fz['seconds']} s"
    )
    if "faults" in data and "pytest_summary" in data["faults"]:
        f = data["faults"]
        print(
            f"faults: {f['pytest_summary']}; across down/up records lost {f.get('stop_resume_records_lost')}, "
            f"duplicated {f.get('stop_resume_records_duplicated')}; across a killed TaskManager lost "
            f"{f.get('taskmanager_kill_records_lost')}, duplicated {f.get('taskmanager_kill_records_duplicated')}, "
            f"saved job running again after {f.get('taskmanager_kill_saved_job_running_again_s')} s"
        )
    write("hardening", data)


if __name__ == "__main__":
    main()
