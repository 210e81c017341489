"""Preview before saving: a query's result over the last few minutes of recorded data.

The query runs as a bounded replay (copilot.eval.replay) over a slice ending now, so it finishes in
seconds with the result the job would have produced on those records. Beside it runs a second replay
of the product's own *keys query* — the query's innermost GROUP BY with only its keys selected (no
HAVING, no ranking) — whose rows are the distinct keys the job keeps state for: the state estimate."""

from __future__ import annotations

import time
from typing import Any

import sqlglot
from sqlglot import exp

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.engine import SqlGateway
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError
from copilot.eval.replay import Replayer, check_query
from copilot.eval.slice import Slice
from copilot.sql.types import WINDOW_COLUMNS

DEFAULT_LAST = "5m"
SHOWN_ROWS = 200


def keys_query(sql: str) -> tuple[str, list[str]] | None:
    """`SELECT <keys> FROM ... [WHERE ...] GROUP BY <keys>` of the query's innermost grouping, with a
    label per key; None when the query groups nothing."""
    tree = sqlglot.parse_one(sql, read="flink")
    grouped = [s for s in tree.find_all(exp.Select) if s.args.get("group")]
    if not grouped:
        return None
    inner = max(grouped, key=_depth)  # the innermost grouping: the one whose keys are state
    keys = list(inner.args["group"].expressions)
    query = inner.copy()
    labels = []
    projections = []
    for i, key in enumerate(keys):
        label = key.name if isinstance(key, exp.Column) else key.sql(dialect="flink")
        labels.append(label)
        projections.append(exp.alias_(key.copy(), f"k{i}"))
    query.set("expressions", projections)
    for arg in ("having", "order", "limit", "qualify", "distinct"):
        query.set(arg, None)
    return query.sql(dialect="flink"), labels


def _depth(node: exp.Expr) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def state_estimate(labels: list[str], rows: list[list[Any]]) -> dict:
    """Distinct keys per grouping key over the slice, and per window when the grouping is windowed."""
    window_idx = [i for i, label in enumerate(labels) if label.lower() in WINDOW_COLUMNS]
    key_idx = [i for i in range(len(labels)) if i not in window_idx]
    per_key = {labels[i]: len({r[i] for r in rows}) for i in key_idx}
    distinct_keys = len({tuple(r[i] for i in key_idx) for r in rows}) if key_idx else (1 if rows else 0)
    out: dict[str, Any] = {
        "kind": "grouped",
        "grouping_keys": [labels[i] for i in key_idx],
        "groups": len(rows),
        "distinct_keys": distinct_keys,
        "distinct_per_key": per_key,
    }
    if window_idx:
        per_window: dict[tuple, int] = {}
        for r in rows:
            w = tuple(r[i] for i in window_idx)
            per_window[w] = per_window.get(w, 0) + 1
        out.update(windowed=True, windows=len(per_window), max_keys_per_window=max(per_window.values(), default=0))
        out["summary"] = (
            f"windowed: state holds the keys of each open window — at most "
            f"{out['max_keys_per_window']:,} keys per window in this slice; freed when a window closes"
        )
    else:
        out["windowed"] = False
        out["summary"] = (
            f"{distinct_keys:,} distinct keys in this slice; an unwindowed aggregate keeps every key "
            "it has seen, so its state grows with new keys"
        )
    return out


def _stateless_estimate(sql: str) -> dict:
    tree = sqlglot.parse_one(sql, read="flink")
    joins = [j for j in tree.find_all(exp.Join)]
    ranked = any(isinstance(w.this, exp.RowNumber) for w in tree.find_all(exp.Window))
    if joins:
        temporal = all(isinstance(j.this, exp.Table) and j.this.args.get("version") is not None for j in joins)
        summary = (
            "temporal join: keeps the latest row per key of the joined table"
            if temporal
            else "join: keeps the rows of both sides for the join's time bound"
        )
        return {"kind": "join", "summary": summary}
    if ranked:
        return {"kind": "top-n", "summary": "a ranking keeps the top rows of each partition"}
    return {"kind": "stateless", "summary": "no state: each record is filtered or projected on its own"}


def preview(
    sql: str,
    topics: dict[str, TopicSchema],
    *,
    gateway: SqlGateway,
    last: str = DEFAULT_LAST,
    audit: AuditSink | None = None,
    timeout: float = 60.0,
) -> dict:
    """The query's result over the last `last` of recorded data, its row count and a state estimate.
    RequestError when the query is not valid or the replay fails (the reason is Flink's)."""
    started = time.monotonic()
    check_query(sql, topics)  # refused before anything runs
    slice_ = Slice.last(last)
    keys = None
    try:
        keys = keys_query(sql)
    except sqlglot.errors.SqlglotError:
        keys = None
    with Replayer(topics, slice_, audit=audit, purpose="preview", gateway=gateway) as replayer:
        queries = [sql] + ([keys[0]] if keys else [])
        results = replayer.run_together(queries, timeout)
        slice_info = slice_.describe()
    main = results[0]
    if not main.ok:
        raise RequestError(
            f"the preview failed: {main.error}", hint="the job would fail the same way: fix the query before saving it"
        )
    rows = sorted(main.rows(), key=lambda r: [("" if v is None else str(v)) for v in r])
    if keys and results[1].ok:
        state = state_estimate(keys[1], results[1].rows())
    elif keys:
        state = {"kind": "grouped", "summary": f"state not estimated: {results[1].error}"}
    else:
        state = _stateless_estimate(sql)
    return {
        "sql": sql,
        "columns": main.columns,
        "column_types": main.types,
        "rows": rows[:SHOWN_ROWS],
        "row_count": len(rows),
        "changes": main.table.changes if main.table else 0,
        "state": state,
        "slice": {
            "from": slice_info["from"],
            "to": slice_info["to"],
            "seconds": slice_info["seconds"],
            "records": sum(t["records"] for t in slice_info["topics"].values()),
        },
        "seconds": round(time.monotonic() - started, 2),
    }


def render(p: dict, max_rows: int = 20) -> str:
    lines = [
        f"preview over {p['slice']['from']} .. {p['slice']['to']} ({p['slice']['records']:,} records, "
        f"{p['seconds']} s): {p['row_count']:,} rows"
    ]
    names = p["columns"]
    cells = [[("" if v is None else str(v)) for v in row] for row in p["rows"][:max_rows]]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines.append("  ".join(n.ljust(w) for n, w in zip(names, widths)))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    if p["row_count"] > len(cells):
        lines.append(f"... {p['row_count'] - len(cells):,} more rows")
    lines.append(f"state estimate: {p['state']['summary']}")
    per_key = p["state"].get("distinct_per_key")
    if per_key:
        lines.append("  distinct values per key: " + ", ".join(f"{k} {v:,}" for k, v in per_key.items()))
    return "\n".join(lines)
