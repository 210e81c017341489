"""Apache Flink's own documentation examples round-trip through the flink dialect: every statement
that is valid Flink SQL parses (into real nodes, no opaque Command), regenerates, and the
regenerated text parses back to the same tree. The share is printed and written to SUMMARY.md."""

from __future__ import annotations

import collections

import pytest
import sqlglot
from flink_corpus import CORPUS, DOCS_INVALID, VALID, pages, round_trip, write_section

# Valid Flink SQL the dialect does not handle yet, with the reason. Strict: fixing one fails the test
# until it is removed from here, so this list only ever shrinks.
KNOWN_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("entry", VALID, ids=[e["id"] for e in VALID])
def test_round_trip(entry):
    if entry["id"] in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[entry["id"]])
    round_trip(entry["sql"])


def test_corpus_is_what_the_docs_hold():
    assert len(CORPUS) >= 300
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)
    for entry in CORPUS:
        path, commit = entry["source"].split(":", 1)[1].split("@")
        assert entry["source"].startswith("apache/flink:docs/content/docs/dev/table/")
        assert len(commit) == 40 and path.endswith(".md")
        assert entry["sql"] == entry["sql"].strip() and "Flink SQL>" not in entry["sql"]
    for entry in VALID:
        assert not entry["sql"].endswith(";"), entry["id"]
    for entry in DOCS_INVALID:
        assert entry["docs_invalid"].strip(), entry["id"]


def test_round_trip_share():
    passed, failures = [], {}
    for entry in VALID:
        try:
            round_trip(entry["sql"])
            passed.append(entry)
        except (AssertionError, sqlglot.errors.SqlglotError) as exc:
            failures[entry["id"]] = str(exc).splitlines()[0][:160]
    rejected_invalid = sum(1 for e in DOCS_INVALID if _rejected(e["sql"]))
    share = len(passed) / len(VALID)
    by_page = collections.Counter(e["source"].split(":", 1)[1].split("@")[0].rsplit("/", 1)[1] for e in passed)
    totals = collections.Counter(e["source"].split(":", 1)[1].split("@")[0].rsplit("/", 1)[1] for e in VALID)
    lines = [
        "## Round trip (tests/corpus/test_corpus.py)",
        "",
        f"{len(CORPUS)} statements from {len(pages())} pages of Apache Flink's documentation; "
        f"{len(DOCS_INVALID)} are not valid Flink SQL in the docs themselves (synopses, `...`/`<name>` placeholders, "
        f"fragments, typos: see `docs_invalid` in flink_docs.json).",
        "",
        f'**{len(passed)} of {len(VALID)} valid statements round-trip ({share:.1%})**: parsed with `read="flink"` into '
        "real nodes (no `Command`), regenerated, and the regenerated SQL parses to the same tree.",
        f"Of the {len(DOCS_INVALID)} docs-invalid statements the dialect rejects {rejected_invalid} "
        "(the others parse as a fragment, an expression or an opaque `Command`).",
        "",
        "| page | round-trip |",
        "| --- | --- |",
        *(f"| {page} | {by_page[page]}/{totals[page]} |" for page in sorted(totals)),
    ]
    if failures:
        lines += ["", "Not yet round-tripping:", *(f"- `{k}`: {v}" for k, v in failures.items())]
    write_section("roundtrip", "\n".join(lines))
    print(f"\nflink corpus round trip: {len(passed)}/{len(VALID)} = {share:.1%}")
    assert set(failures) == set(KNOWN_GAPS), "KNOWN_GAPS is out of date"


def _rejected(sql: str) -> bool:
    try:
        round_trip(sql)
    except (AssertionError, sqlglot.errors.SqlglotError):
        return True
    return False
