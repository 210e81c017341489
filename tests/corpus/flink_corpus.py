"""The Flink documentation corpus (flink_docs.json) and the SUMMARY.md its tests keep up to date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlglot
from sqlglot import exp

HERE = Path(__file__).parent
CORPUS: list[dict] = json.loads((HERE / "flink_docs.json").read_text())["statements"]
VALID = [e for e in CORPUS if "docs_invalid" not in e]
DOCS_INVALID = [e for e in CORPUS if "docs_invalid" in e]
SUMMARY = HERE / "SUMMARY.md"


def round_trip(sql: str) -> tuple[exp.Expr, str]:
    """Parse with the flink dialect, regenerate, and check the regenerated text parses to the same tree.
    Raises AssertionError (or sqlglot's ParseError) when it does not."""
    tree = sqlglot.parse_one(sql, read="flink")
    opaque = tree if isinstance(tree, exp.Command) else tree.find(exp.Command)
    assert opaque is None, f"parsed (partly) as an opaque Command: {opaque.sql('flink')[:80]!r}"
    generated = tree.sql("flink")
    again = sqlglot.parse_one(generated, read="flink")
    # the generator quotes Flink's reserved words (`date`): the same name, so compared without quoting
    assert _unquoted(again) == _unquoted(tree), f"regenerated SQL parses to another tree: {generated}"
    assert again.sql("flink") == generated, "regeneration is not stable"
    return tree, generated


def _unquoted(tree: exp.Expr) -> exp.Expr:
    tree = tree.copy()
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("quoted", False)
    return tree


def pages() -> list[str]:
    return sorted({e["source"].split(":", 1)[1].split("@")[0] for e in CORPUS})


def write_section(name: str, body: str) -> None:
    """Replace the `name` section of SUMMARY.md (between its markers), keeping the others."""
    text = SUMMARY.read_text() if SUMMARY.exists() else "# Flink documentation corpus\n"
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"
    SUMMARY.write_text(text)
