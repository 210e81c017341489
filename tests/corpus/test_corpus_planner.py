"""Flink's own planner accepts the documentation's queries after our dialect regenerated them.

Every valid query and INSERT of the corpus is EXPLAINed through the SQL Gateway twice: as the
dialect regenerated it, and as the docs wrote it, in a session where the tables of
`planner_envs` are registered. A statement the planner refuses in both forms is a docs or
environment issue (an undefined UDF, a lookup source the stack does not have, a docs typo); one
that Flink accepts as written but refuses after regeneration is a dialect bug and fails the test.
The counts go to SUMMARY.md."""

from __future__ import annotations

import collections

import pytest
import sqlglot
from flink_corpus import VALID, write_section
from planner_envs import ENVIRONMENTS, environment_of
from raw_gateway import DocsExplainer

from copilot.flink.base import FlinkSqlError
from copilot.validate.policy import statement_kind

pytestmark = pytest.mark.stack


def _queries() -> list[tuple[dict, str]]:
    chosen = []
    for entry in VALID:
        tree = sqlglot.parse_one(entry["sql"], read="flink")
        if statement_kind(tree) in ("query", "insert"):
            chosen.append((entry, tree.sql("flink")))
    return chosen


def _explain(client: DocsExplainer, sql: str, tables: dict[str, str]) -> str | None:
    """None when the planner accepts the statement, else its first line of refusal."""
    try:
        client.explain(sql, tables)
        return None
    except FlinkSqlError as exc:
        return (exc.message or "refused").splitlines()[0][:200]


def test_planner_accepts_regenerated_docs_queries(stack):
    queries = _queries()
    clients: dict[str, DocsExplainer] = {}
    outcomes: dict[str, tuple[str | None, str | None]] = {}
    try:
        for entry, regenerated in queries:
            env = environment_of(entry["id"])
            client = clients[env] if env in clients else clients.setdefault(env, DocsExplainer())
            tables = ENVIRONMENTS[env]
            outcomes[entry["id"]] = (_explain(client, regenerated, tables), _explain(client, entry["sql"], tables))
    finally:
        for client in clients.values():
            client.close()

    accepted = [i for i, (ours, _) in outcomes.items() if ours is None]
    original_accepted = [i for i, (_, original) in outcomes.items() if original is None]
    both_refused = {i: o for i, o in outcomes.items() if o[0] is not None and o[1] is not None}
    ours_only = {i: o[0] for i, o in outcomes.items() if o[0] is not None and o[1] is None}
    fixed_by_us = [i for i, o in outcomes.items() if o[0] is None and o[1] is not None]
    reasons = collections.Counter(o[0] for o in both_refused.values())

    total = len(outcomes)
    lines = [
        "## Flink's planner (tests/corpus/test_corpus_planner.py, EXPLAIN through the SQL Gateway, Flink 2.2)",
        "",
        f"The {total} valid queries and INSERTs of the corpus, over tables declared with the columns the docs show "
        "(tests/corpus/planner_envs.py: bounded datagen sources, blackhole/filesystem/kafka sinks).",
        "",
        f"**Accepted after our dialect regenerated them: {len(accepted)}/{total} ({len(accepted) / total:.1%}).** "
        f"As the docs wrote them: {len(original_accepted)}/{total} ({len(original_accepted) / total:.1%}).",
        f"Refused in both forms (docs or environment, not the dialect): {len(both_refused)}. "
        f"Refused only after regeneration (dialect bugs): {len(ours_only)}. "
        f"Accepted only after regeneration: {len(fixed_by_us)}.",
        "",
        "Refused in both forms, by Flink's reason:",
        *(f"- {count} x {reason}" for reason, count in reasons.most_common()),
        "",
        *(f"  - `{i}`" for i in sorted(both_refused)),
    ]
    if fixed_by_us:
        lines += ["", "Accepted only after regeneration:", *(f"- `{i}`: as written, {outcomes[i][1]}" for i in fixed_by_us)]
    if ours_only:
        lines += ["", "Refused only after regeneration:", *(f"- `{i}`: {r}" for i, r in ours_only.items())]
    write_section("planner", "\n".join(lines))
    print(f"\nplanner accepts {len(accepted)}/{total} regenerated, {len(original_accepted)}/{total} as written")

    assert total >= 100
    assert not ours_only, f"Flink accepts these as the docs wrote them but not after regeneration: {ours_only}"
