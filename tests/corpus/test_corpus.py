"""Apache Flink's own documentation examples round-trip through the flink dialect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlglot

CORPUS = json.loads((Path(__file__).parent / "flink_docs.json").read_text())["statements"]

# Statements Flink itself would reject, kept to show the dialect refuses them too.
KNOWN_INVALID = {
    "joins-8": "METADATA FROM takes a string literal; the docs quote the key with backticks",
}


@pytest.mark.parametrize("entry", CORPUS, ids=[e["id"] for e in CORPUS])
def test_round_trip(entry):
    if entry["id"] in KNOWN_INVALID:
        with pytest.raises(sqlglot.errors.ParseError):
            sqlglot.parse_one(entry["sql"], read="flink")
        return
    tree = sqlglot.parse_one(entry["sql"], read="flink")
    assert not isinstance(tree, sqlglot.exp.Command), "parsed as an opaque Command"
    generated = tree.sql("flink")
    again = sqlglot.parse_one(generated, read="flink")
    assert again == tree, generated
    assert again.sql("flink") == generated


def test_round_trip_share():
    ok = 0
    for entry in CORPUS:
        try:
            tree = sqlglot.parse_one(entry["sql"], read="flink")
            ok += sqlglot.parse_one(tree.sql("flink"), read="flink") == tree
        except sqlglot.errors.ParseError:
            pass
    assert ok == len(CORPUS) - len(KNOWN_INVALID)
