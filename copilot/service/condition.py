"""A watch's condition: a typed comparison on one measure of the answered query (never SQL from the
user), and the watch query built from it as a syntax tree: the answered windowed aggregate, filtered
by the condition, shaped as an alert row."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from copilot.catalog.model import Field, TopicSchema
from copilot.errors import RequestError
from copilot.sql.types import WINDOW_COLUMNS

log = logging.getLogger(__name__)
_CONDITION = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|<>|>|<|=)\s*"
    r"(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)\s*$"
)
_OPERATORS = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ, "==": exp.EQ, "!=": exp.NEQ, "<>": exp.NEQ}
_CANONICAL = {"==": "=", "<>": "!="}
WINDOW_BOUNDS = WINDOW_COLUMNS[:2]  # window_start, window_end: what an alert is keyed by
ALERT_KEY = ["watch", "window_start", "window_end", "group_key"]


@dataclass(frozen=True)
class Condition:
    measure: str
    op: str  # one of > >= < <= = !=
    value: float

    @classmethod
    def parse(cls, text: str) -> "Condition":
        match = _CONDITION.match(text or "")
        if not match:
            raise RequestError(
                f"condition {text!r} is not a comparison on a measure",
                hint="write MEASURE OP NUMBER, e.g. `declined_share > 0.05` or `declined_share > 5%`; "
                "OP is one of > >= < <= = !=",
            )
        measure, op, number, percent = match.groups()
        value = float(number) / (100.0 if percent else 1.0)
        return cls(measure.lower(), _CANONICAL.get(op, op), value)

    def __str__(self) -> str:
        return f"{self.measure} {self.op} {self.value:g}"

    def expression(self, column: exp.Expr) -> exp.Expr:
        literal = exp.Literal.number(repr(self.value) if self.value != int(self.value) else int(self.value))
        return _OPERATORS[self.op](this=column, expression=literal)


_CUE = r"(?:tell me|alert me|notify me|warn me|let me know|ping me)\s+(?:when|whenever|if|as soon as)\s+"
_COMPARISONS = {
    "above": ">",
    "over": ">",
    "more than": ">",
    "greater than": ">",
    "higher than": ">",
    "exceeds": ">",
    "exceed": ">",
    "at least": ">=",
    "below": "<",
    "under": "<",
    "less than": "<",
    "fewer than": "<",
    "lower than": "<",
    "at most": "<=",
}
_VERBS = r"(?:(?:goes|go|is|are|gets|get|rises|rise|climbs|climb|drops|drop|falls|fall|stays|stay)\s+)?(?:to\s+)?"
_REQUEST = re.compile(
    rf"^\s*{_CUE}(?P<subject>.+?)\s+{_VERBS}(?P<cmp>{'|'.join(sorted(map(re.escape, _COMPARISONS), key=len, reverse=True))})"
    r"\s+(?P<number>\d+(?:\.\d+)?)\s*(?P<percent>%|percent\b)?\s*(?P<window>(?:in|per|every|within|each)\s+.+?)?\s*[.?!]?\s*$",
    re.IGNORECASE,
)
_SHARE_WORDS = re.compile(r"^(?:the\s+)?(?:share|rate|ratio|percentage|proportion|fraction)\b", re.IGNORECASE)


@dataclass(frozen=True)
class WatchRequest:
    """'tell me when declined payments go above 5 % in a minute': the question to answer and the
    comparison on its (single) measure. A percentage asks for a share of the subject."""

    question: str
    condition: Condition

    @classmethod
    def parse(cls, text: str) -> "WatchRequest | None":
        match = _REQUEST.match(text or "")
        if not match:
            return None
        subject = match["subject"].strip()
        if not match["window"]:
            raise RequestError(
                "a watch compares each time window: say which",
                hint="add a window, e.g. '... in a minute' or '... every 10 seconds'",
            )
        window = re.sub(r"^(?:in|per|within|each)\s+", "every ", match["window"].strip(), flags=re.IGNORECASE)
        window = re.sub(r"^every\s+(?:a|an|one)\s+", "every ", window, flags=re.IGNORECASE)
        value = float(match["number"]) / (100.0 if match["percent"] else 1.0)
        if match["percent"] and not _SHARE_WORDS.match(subject):
            subject = f"share of {subject}"
        return cls(f"{subject} {window}", Condition("", _COMPARISONS[match["cmp"].lower()], value))


@dataclass(frozen=True)
class WindowedQuery:
    tree: exp.Select
    keys: list[str]  # grouping columns besides the window
    measures: list[str]


def windowed(sql: str) -> WindowedQuery:
    """The answered query's shape; refused unless it is a windowed aggregate with named outputs."""
    tree = sqlglot.parse_one(sql, read="flink")
    if not isinstance(tree, exp.Select) or not tree.args.get("group"):
        raise RequestError(
            "a watch needs a windowed aggregate (a value per time window)",
            hint="ask for a measure per window, e.g. 'share of declined payments every 10 seconds'",
        )
    names = [p.alias_or_name for p in tree.expressions]
    if any(isinstance(p, exp.Star) or n == "*" for p, n in zip(tree.expressions, names)):
        raise RequestError("a watch's query must name its columns (no SELECT *)")
    lowered = [n.lower() for n in names]
    if not all(w in lowered for w in WINDOW_BOUNDS):
        raise RequestError(
            "a watch needs a windowed aggregate: the answer has no window_start and window_end",
            hint="ask for a measure per window, e.g. '... every minute'",
        )
    grouped = {g.name.lower() for g in tree.args["group"].expressions if isinstance(g, exp.Column)}
    keys = [n for n in names if n.lower() in grouped and n.lower() not in WINDOW_COLUMNS]
    measures = [n for n in names if n.lower() not in grouped and n.lower() not in WINDOW_COLUMNS]
    if not measures:
        raise RequestError("the answered query has no measure to compare", hint="ask for a count, sum, share, ...")
    return WindowedQuery(tree, keys, measures)


def resolve_measure(condition: Condition, measures: list[str]) -> str:
    if not condition.measure:  # from a request in words: the answer's one measure
        if len(measures) == 1:
            return measures[0]
        raise RequestError(
            f"the answer has several measures ({', '.join(measures)}): say which one to compare",
            hint="use --when 'MEASURE OP NUMBER'",
        )
    by_lower = {m.lower(): m for m in measures}
    if condition.measure in by_lower:
        return by_lower[condition.measure]
    close = difflib.get_close_matches(condition.measure, list(by_lower), n=2, cutoff=0.8)
    if len(close) == 1:
        return by_lower[close[0]]
    raise RequestError(f"the answer has no measure {condition.measure!r}", hint=f"its measures: {', '.join(measures)}")


def _with_having(plan: dict | None, topics: dict | None, condition: Condition, measure: str) -> str | None:
    """The answer's query plan (built-in planner) with the condition as one more HAVING, compiled; None
    when the answer has no plan this fits (a language model's SQL, typed SQL, no window)."""
    if not plan or not topics or condition.op not in ("=", "!=", "<", "<=", ">", ">="):
        return None
    from copilot.plan import Having, QueryPlan
    from copilot.plan.compile import compile_plan

    try:
        query_plan = QueryPlan.model_validate(plan)
        if query_plan.window is None or measure not in [m.alias for m in query_plan.measures]:
            return None
        having = Having.model_validate(
            {
                "measure": measure,
                "op": "<>" if condition.op == "!=" else condition.op,
                "value": condition.value,
                "words": str(condition),
            }
        )
        return compile_plan(query_plan.model_copy(update={"having": [*query_plan.having, having]}), topics)
    except (ValueError, TypeError, KeyError) as exc:  # pydantic's ValidationError and PlanError are ValueErrors
        log.info("condition not put in the plan (%s); filtering the answer's rows instead", exc)
        return None


def watch_query(
    name: str, sql: str, condition: Condition, *, plan: dict | None = None, topics: dict | None = None
) -> tuple[str, str]:
    """(the watch's query in Flink SQL, the measure compared). With the answer's query plan the condition
    is one more HAVING of the plan; otherwise the WHERE of an outer query over the windowed result.
    Either way it filters each window's row once the window closes."""
    shape = windowed(sql)
    measure = resolve_measure(condition, shape.measures)
    compiled = _with_having(plan, topics, condition, measure)
    tree: exp.Query = sqlglot.parse_one(compiled, read="flink") if compiled else shape.tree.copy()  # type: ignore[assignment]
    inner = tree.subquery("answer")
    col = lambda n: exp.column(exp.to_identifier(n, quoted=True), table="answer")  # type: ignore[call-overload]  # noqa: E731
    group_key: exp.Expression
    if shape.keys:
        group_key = exp.ConcatWs(expressions=[exp.Literal.string("|")] + [exp.cast(col(k), "STRING") for k in shape.keys])
    else:
        group_key = exp.Literal.string("")
    values = exp.VarMap(
        keys=exp.Array(expressions=[exp.Literal.string(m) for m in shape.measures]),
        values=exp.Array(expressions=[exp.cast(col(m), "DOUBLE") for m in shape.measures]),
    )
    alias = lambda e, n: exp.alias_(e, exp.to_identifier(n, quoted=True))  # noqa: E731
    shown = Condition(measure, condition.op, condition.value)
    outer = exp.select(
        alias(exp.Literal.string(name), "watch"),
        alias(col("window_start"), "window_start"),
        alias(col("window_end"), "window_end"),
        alias(group_key, "group_key"),
        alias(values, "values"),
        alias(exp.Literal.string(str(shown)), "condition"),
        alias(exp.CurrentTimestamp(), "fired_at"),
    ).from_(inner)
    if not compiled:
        outer = outer.where(condition.expression(col(measure)))
    return outer.sql(dialect="flink"), measure


def alert_schema(topic: str) -> TopicSchema:
    """The alerts topic: compacted, keyed by (watch, window, group), so a replay rewrites the same key."""
    return TopicSchema(
        topic=topic,
        description="Alerts of watches: one row per watch and window whose condition held.",
        format="json",
        changelog="upsert",
        primary_key=list(ALERT_KEY),
        key_format="json",
        fields=[
            Field("watch", "STRING", "Name of the watch."),
            Field("window_start", "TIMESTAMP(3)", "Start of the window the condition held in."),
            Field("window_end", "TIMESTAMP(3)", "End of that window."),
            Field("group_key", "STRING", "The window's group (its grouping values joined by |), empty when not grouped."),
            Field("values", "MAP<STRING, DOUBLE>", "The window's measures by name."),
            Field("condition", "STRING", "The watch's condition."),
            Field("fired_at", "TIMESTAMP_LTZ(3)", "When the alert was written."),
        ],
    )
