"""`flink-copilot eval`: score the copilot on a question set, by components and by execution.

The question file is a YAML list of `{q: QUESTION, gold: SQL | DECLINE | CLARIFY}`; an item with
`follow_up: true` continues the conversation of the item before it. Each question is asked (any
planner); with a replayer, the answer's SQL and the gold SQL then run together over the same bounded
replay and their final tables are compared (copilot.eval.compare). A question whose comparison could
not run has `execution_match: null` with the reason, and stays in the denominator."""

from __future__ import annotations

import logging
import statistics
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import yaml

from copilot.errors import UsageError
from copilot.eval.compare import compare
from copilot.sql.types import WINDOW_COLUMNS

if TYPE_CHECKING:
    from copilot.agent.answer import Answer
    from copilot.agent.copilot import Copilot
    from copilot.eval.replay import Replayer

log = logging.getLogger(__name__)

MARKERS = ("DECLINE", "CLARIFY")


@dataclass
class Question:
    q: str
    gold: str  # SQL, or DECLINE / CLARIFY
    follow_up: bool = False

    @property
    def expected(self) -> str:
        return self.gold.lower() if self.gold in MARKERS else "sql"


def load_questions(path: Path) -> list[Question]:
    try:
        items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"question file {path} does not exist") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise UsageError(f"{path}{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(items, list) or not items:
        raise UsageError(f"{path} must be a YAML list of {{q: QUESTION, gold: SQL | DECLINE | CLARIFY}}")
    questions: list[Question] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not str(item.get("gold") or "").strip():
            raise UsageError(f"{path}: item {n} needs `q` (the question) and `gold` (SQL, DECLINE or CLARIFY)")
        gold = str(item["gold"]).strip()
        gold = gold.upper() if gold.upper() in MARKERS else gold.rstrip(";")
        follow_up = bool(item.get("follow_up", False))
        if follow_up and not questions:
            raise UsageError(f"{path}: item 1 cannot be a follow-up (follow_up: true continues the question before)")
        questions.append(Question(item["q"].strip(), gold, follow_up))
    return questions


def outcome(answer: Answer) -> str:
    """sql (a valid query), invalid (a query that failed validation), clarify, or decline."""
    if answer.stage == "clarify" or answer.clarification:
        return "clarify"
    if answer.sql and answer.valid:
        return "sql"
    if answer.sql:
        return "invalid"
    return "decline"


def component_differences(sql: str | None, gold: str) -> dict | None:
    """Component name -> (answer, gold) for each differing component; None when either cannot be read."""
    from copilot.agent.components import analyse

    if not sql:
        return {"sql": (None, "gold")}
    try:
        return analyse(sql).differences(analyse(gold))
    except Exception as exc:  # a query sqlglot cannot read has no components to compare
        log.info("components of %r: %s", sql[:80], exc)
        return None


WINDOW_BOUNDS = set(WINDOW_COLUMNS[:2])  # window_start, window_end


def column_roles(sql: str, key_names: Collection[str] = frozenset()) -> dict[str, str]:
    """Output column -> measure | key | rank | attribute, read from the query. A measure is an aggregate
    (or built from one), a key a grouping key, a window bound or a topic's key field, a rank a
    ROW_NUMBER/RANK number; anything else (a listed row's other fields) is an attribute."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="flink")
    inner: dict[str, str] = {}
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        group_sql = {g.sql(dialect="flink") for g in group.expressions} if group else set()
        group_names = {g.name for g in group.expressions if isinstance(g, exp.Column)} if group else set()
        for projection in select.expressions:
            name = projection.alias_or_name
            body = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(body, exp.Window) and type(body.this).__name__ in ("RowNumber", "Rank", "DenseRank"):
                inner[name] = "rank"
            elif group and (body.sql(dialect="flink") in group_sql or name in group_names):
                inner.setdefault(name, "key")
            elif any(not a.find_ancestor(exp.Window) for a in body.find_all(exp.AggFunc)):
                inner[name] = "measure"
    outer = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    roles = {}
    for projection in outer.expressions if outer is not None else []:
        name = projection.alias_or_name
        if name in inner:
            roles[name] = inner[name]
        elif name.lower() in WINDOW_BOUNDS or name in key_names:
            roles[name] = "key"
        else:
            roles[name] = "attribute"
    return roles


def droppable_columns(sql: str, key_names: Collection[str] = frozenset()) -> set[str]:
    """Columns a comparison may leave out when only this query has them: ranks and attributes."""
    try:
        return {n for n, role in column_roles(sql, key_names).items() if role in ("rank", "attribute")}
    except Exception:  # a query sqlglot cannot read: nothing is droppable
        return set()


def is_ranked(sql: str) -> bool:
    return "ROW_NUMBER" in sql.upper() or "RANK(" in sql.upper()


def compare_results(mine, gold, answer_sql: str, gold_sql: str, topic_keys: dict[str, set[str]] | None = None):
    """compare() with each side's droppable columns and the ranking rule. `topic_keys`: each topic's key
    fields; a query's keys are those of the topics it reads."""
    return compare(
        mine,
        gold,
        left_droppable=droppable_columns(answer_sql, _keys_read(answer_sql, topic_keys)),
        right_droppable=droppable_columns(gold_sql, _keys_read(gold_sql, topic_keys)),
        ranked=is_ranked(answer_sql) and is_ranked(gold_sql),
    )


def _keys_read(sql: str, topic_keys: dict[str, set[str]] | None) -> set[str]:
    if not topic_keys:
        return set()
    from copilot.agent.components import analyse

    try:
        tables = analyse(sql).tables
    except Exception:
        return set()
    return set().union(*(topic_keys.get(t, set()) for t in tables)) if tables else set()


class EvalRunner:
    def __init__(self, copilot: Copilot, replayer: Replayer | None = None, *, timeout: float = 120.0):
        self.copilot = copilot
        self.replayer = replayer
        self.timeout = timeout

    def key_names(self) -> dict[str, set[str]]:
        """Each topic's key fields (primary key, record key): keys, never droppable attributes."""
        topics = self.replayer.topics if self.replayer is not None else {}
        return {name: set(schema.primary_key or []) | ({schema.key} if schema.key else set()) for name, schema in topics.items()}

    def run(self, questions: list[Question], progress: Callable[[dict], None] | None = None) -> dict:
        started = time.monotonic()
        rows, cid = [], None
        for question in questions:
            if not question.follow_up or cid is None:
                cid = f"eval-{uuid.uuid4().hex[:12]}"
            row = self.one(question, cid)
            rows.append(row)
            if progress:
                progress(row)
        return {
            "questions": rows,
            "totals": totals(rows, time.monotonic() - started, self.replayer is not None),
            **({"slice": self.replayer.slice.describe()} if self.replayer is not None else {}),
        }

    def one(self, question: Question, cid: str) -> dict:
        start = time.monotonic()
        answer = self.copilot.ask(question.q, conversation_id=cid)
        answer_s = time.monotonic() - start
        got = outcome(answer)
        row: dict[str, Any] = {
            "q": question.q,
            "gold": question.gold,
            "follow_up": question.follow_up,
            "expected": question.expected,
            "outcome": got,
            "sql": answer.sql,
            "valid": bool(answer.valid),
            "component_match": None,
            "execution_match": None,
            "answer_s": round(answer_s, 3),
        }
        if question.expected == "sql" and got in ("sql", "invalid"):
            diff = component_differences(answer.sql, question.gold)
            row["component_match"] = diff == {} if diff is not None else False
            row["component_diff"] = {k: [str(a), str(b)] for k, (a, b) in (diff or {}).items()}
        elif question.expected == "sql":
            row["component_match"] = False
            if got == "clarify":
                row["one_click"] = self._option_matching(question, answer, cid)
        execution = self._execute(question, answer, got, cid)
        row.update(execution)
        row["verdict"] = verdict(question.expected, got, row, self.replayer is not None)
        row["valid_but_wrong"] = row["verdict"] in ("wrong", "answered")
        row["time_s"] = round(time.monotonic() - start, 3)
        return row

    def _option_matching(self, question: Question, answer, cid: str) -> str | None:
        """The label of the first option of a question back that, asked as a person would click it (in the same
        conversation), is answered with SQL matching the gold: the question was one click from its answer."""
        history = list(self.copilot.conversations.get(cid, []))
        for option in (answer.clarification or {}).get("options") or []:
            picked = self.copilot.ask(option["question"], conversation_id=f"{cid}-option", history=history)
            self.copilot.conversations.pop(f"{cid}-option", None)
            if outcome(picked) == "sql" and component_differences(picked.sql, question.gold) == {}:
                return option.get("label") or option["question"]
        return None

    def _execute(self, question: Question, answer, got: str, cid: str) -> dict:
        if self.replayer is None:
            return {"execution_match": None, "execution_reason": "not executed (run with --execute)"}
        if question.expected != "sql":
            return {"execution_match": None, "execution_reason": f"no gold query (expected {question.gold})"}
        if got != "sql":
            return {"execution_match": False, "execution_reason": f"no valid query to run (the answer: {got})"}
        start = time.monotonic()
        context = {"conversation_id": cid, "question": question.q}
        mine, gold = self.replayer.run_together([answer.sql, question.gold], self.timeout, context)
        out: dict[str, Any] = {
            "execute_s": round(time.monotonic() - start, 3),
            "rows": [
                len(mine.table) if mine.ok and mine.table is not None else None,
                len(gold.table) if gold.ok and gold.table is not None else None,
            ],
        }
        if not gold.ok:
            return {**out, "execution_match": None, "execution_reason": f"the gold query could not run: {gold.error}"}
        if not mine.ok:
            if mine.error and "did not finish" in mine.error:
                return {**out, "execution_match": None, "execution_reason": f"the answer's query: {mine.error}"}
            return {**out, "execution_match": False, "execution_reason": f"the answer's query failed: {mine.error}"}
        result = compare_results(mine.table, gold.table, answer.sql, question.gold, self.key_names())
        out.update({"execution_match": result.equal, "execution_reason": result.reason})
        if not result.equal:
            out["diff"] = {"only_answer": result.only_left, "only_gold": result.only_right}
        return out


def verdict(expected: str, got: str, row: dict, executed: bool) -> str:
    """correct | wrong (valid but wrong) | answered (a query where none was expected) | invalid |
    declined | clarified | unverified (the comparison could not run)."""
    if expected == "sql":
        if got == "sql":
            if executed:
                match = row["execution_match"]
                return "unverified" if match is None else "correct" if match else "wrong"
            return "correct" if row["component_match"] else "wrong"
        return {"invalid": "invalid", "decline": "declined", "clarify": "clarified"}[got]
    if got == expected:
        return "correct"
    return {"sql": "answered", "invalid": "invalid", "decline": "declined", "clarify": "clarified"}[got]


def totals(rows: list[dict], seconds: float, executed: bool) -> dict:
    n = len(rows)
    gold_sql = [r for r in rows if r["expected"] == "sql"]
    component = sum(1 for r in gold_sql if r["component_match"])
    exec_true = sum(1 for r in gold_sql if r["execution_match"] is True)
    exec_false = sum(1 for r in gold_sql if r["execution_match"] is False)
    exec_null = len(gold_sql) - exec_true - exec_false
    declines = [r for r in rows if r["expected"] == "decline"]
    clarifies = [r for r in rows if r["expected"] == "clarify"]
    times = [r["time_s"] for r in rows]
    out = {
        "questions": n,
        "with_gold_sql": len(gold_sql),
        "correct": sum(1 for r in rows if r["verdict"] == "correct"),
        "component_match": component,
        "component_match_rate": _rate(component, len(gold_sql)),
        "execution_match": exec_true if executed else None,
        "execution_mismatch": exec_false if executed else None,
        "execution_not_run": exec_null if executed else None,
        "execution_accuracy": _rate(exec_true, len(gold_sql)) if executed else None,
        "valid_but_wrong": sum(1 for r in rows if r["valid_but_wrong"]),
        "invalid": sum(1 for r in rows if r["verdict"] == "invalid"),
        "declines_expected": len(declines),
        "declines_correct": sum(1 for r in declines if r["verdict"] == "correct"),
        "clarifications_expected": len(clarifies),
        "clarifications_correct": sum(1 for r in clarifies if r["verdict"] == "correct"),
        "declined_with_gold_sql": sum(1 for r in gold_sql if r["outcome"] == "decline"),
        "clarified_with_gold_sql": sum(1 for r in gold_sql if r["outcome"] == "clarify"),
        "clarified_one_click_from_gold": sum(1 for r in gold_sql if r.get("one_click")),
        "time_s": round(seconds, 2),
        "median_time_s": round(statistics.median(times), 3) if times else None,
        "questions_per_minute": round(n / seconds * 60, 2) if seconds > 0 else None,
    }
    if executed:
        out["disagreements"] = disagreements(gold_sql)
    return out


def disagreements(rows: list[dict]) -> dict:
    """Where component match and execution match disagree (both known): how often, and why."""
    reasons: dict[str, int] = {}
    count = 0
    for r in rows:
        if r["execution_match"] is None or r["component_match"] is None or r["outcome"] != "sql":
            continue
        if bool(r["component_match"]) == bool(r["execution_match"]):
            continue
        count += 1
        if r["execution_match"]:
            empty = r.get("rows") == [0, 0]
            why = "same result, components differ in " + ", ".join(sorted(r.get("component_diff") or {}) or ["?"])
            if _cte_names(r["gold"]) | _cte_names(r.get("sql") or ""):
                why += " (a WITH query's name is read as a table)"
            why += " (both empty on the slice)" if empty else ""
        else:
            why = "components match, results differ: " + _reason_kind(r.get("execution_reason") or "")
        r["disagreement"] = why
        reasons[why] = reasons.get(why, 0) + 1
    return {"count": count, "reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}


def _cte_names(sql: str) -> set[str]:
    import sqlglot
    from sqlglot import exp

    try:
        return {c.alias for c in sqlglot.parse_one(sql, read="flink").find_all(exp.CTE)}
    except Exception:
        return set()


def _reason_kind(reason: str) -> str:
    if "only the first result has" in reason or "only the second result has" in reason:
        return "a measure or key only one side has"
    if "rows vs" in reason:
        return "different row counts"
    if "failed" in reason:
        return "the answer's query failed on Flink"
    return "different values"


def _rate(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def render(report: dict) -> str:
    """The report as text: one line per question, then the totals."""
    lines = []
    for i, r in enumerate(report["questions"], 1):
        em = {True: "exec=yes", False: "exec=NO", None: "exec=-"}[r["execution_match"]]
        cm = {True: "comp=yes", False: "comp=NO", None: "comp=-"}[r["component_match"]]
        lines.append(f"{i:>3}. {r['verdict']:<10} {cm:<8} {em:<8} {r['time_s']:>6.2f}s  {'+ ' if r['follow_up'] else ''}{r['q']}")
        if r["verdict"] not in ("correct",) and r.get("execution_reason") and r["execution_match"] is not True:
            lines.append(f"       {r['execution_reason']}")
    t = report["totals"]
    lines.append("")
    lines.append(
        f"questions {t['questions']} ({t['with_gold_sql']} with gold SQL, {t['declines_expected']} to decline, "
        f"{t['clarifications_expected']} to clarify)"
    )
    lines.append(f"component match   {t['component_match']}/{t['with_gold_sql']} ({_pct(t['component_match_rate'])})")
    if t["execution_accuracy"] is not None:
        lines.append(
            f"execution match   {t['execution_match']}/{t['with_gold_sql']} ({_pct(t['execution_accuracy'])}); "
            f"{t['execution_mismatch']} different, {t['execution_not_run']} not run"
        )
        d = t.get("disagreements") or {}
        if d.get("count"):
            lines.append(f"disagreements     {d['count']}: " + "; ".join(f"{k} ×{v}" for k, v in d["reasons"].items()))
    lines.append(f"valid but wrong   {t['valid_but_wrong']}")
    if t["clarified_with_gold_sql"]:
        lines.append(
            f"asked back        {t['clarified_with_gold_sql']} where the gold had SQL; "
            f"{t['clarified_one_click_from_gold']} of them one click (an offered option) from the gold"
        )
    lines.append(
        f"declines          {t['declines_correct']}/{t['declines_expected']}; clarifications "
        f"{t['clarifications_correct']}/{t['clarifications_expected']}; invalid {t['invalid']}"
    )
    lines.append(
        f"time              {t['time_s']} s ({t['questions_per_minute']} questions/minute, median {t['median_time_s']} s)"
    )
    return "\n".join(lines)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f} %"
