"""Learning from users: a person confirms that a query answers a question (the app's 👍 or
`flink-copilot catalog verify`), and it is stored as a verified query in the catalog file of the
topic the query is mainly about (its FROM table), comments and unknown keys kept, audited.

The next question that is the same after normalisation (case, punctuation, spacing, corrected typos)
is answered from it; near-identical ones are only examples for the planners ("every minute" and
"every hour" differ: only a word the catalog and the verified questions do not know is read as a typo)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlglot import exp

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import CatalogStore
from copilot.capabilities.engine import SqlEngine
from copilot.catalog.model import TopicSchema, VerifiedQuery
from copilot.errors import RequestError

_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)?", re.UNICODE)


def words(question: str) -> list[str]:
    text = unicodedata.normalize("NFKC", question).lower().replace("'", "").replace("’", "")
    return _WORD.findall(text)


def normalise(question: str) -> str:
    """Case, punctuation and spacing removed: "Sales by Region, hourly?" → "sales by region hourly"."""
    return " ".join(words(question))


def known_words(topics: dict[str, TopicSchema]) -> set[str]:
    """Every word the catalog and its verified questions use: such a word is never a typo of another."""
    out: set[str] = set()

    def add(text: str) -> None:
        out.update(words(text.replace("_", " ")))

    for t in topics.values():
        add(t.topic)
        add(t.description)
        for f in t.fields:
            add(f.name)
            add(f.description)
            for w in f.synonyms:
                add(w)
            for code, label in f.values.items():
                add(code)
                add(label)
            for ws in f.value_words.values():
                for w in ws:
                    add(w)
        for m in t.metrics:
            add(m.name)
            add(m.description)
            for w in m.synonyms:
                add(w)
        for q in t.verified_queries:
            add(q.question)
        for e in t.examples:
            add(e.question)
    return out


def _close(a: str, b: str) -> bool:
    """One edit apart (insert, delete, replace, or swap of neighbours): "regoin" ~ "region"."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def same_question(asked: str, verified: str, vocabulary: set[str]) -> bool:
    """Identical after normalisation, where a word of `asked` the vocabulary does not know may be a
    one-edit typo of the verified question's word (numbers must match exactly)."""
    a, b = words(asked), words(verified)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        if x in vocabulary or len(y) < 4 or any(c.isdigit() for c in x + y) or not _close(x, y):
            return False
    return True


@dataclass
class VerifiedMatch:
    topic: str
    query: VerifiedQuery


def find_verified(question: str, topics: dict[str, TopicSchema]) -> VerifiedMatch | None:
    """The verified query whose question is this one (after normalisation), or None."""
    candidates = [(t.topic, q) for t in topics.values() for q in t.verified_queries]
    if not candidates:
        return None
    target = normalise(question)
    for topic, q in candidates:
        if normalise(q.question) == target:
            return VerifiedMatch(topic, q)
    vocabulary = known_words(topics)
    for topic, q in candidates:
        if same_question(question, q.question, vocabulary):
            return VerifiedMatch(topic, q)
    return None


def main_topic(tree: exp.Expression, topics: dict[str, TopicSchema]) -> str:
    """The topic a query is mainly about: the first catalog table in its (innermost) FROM."""
    for table in tree.find_all(exp.Table):
        if table.name in topics:
            return table.name
    raise RequestError("the query reads no topic of the catalog", hint="verify a query over the catalog's topics")


def store_verified(
    store: CatalogStore,
    question: str,
    sql: str,
    verified_by: str,
    *,
    engine: SqlEngine | None = None,
    audit: AuditSink | None = None,
    now: dt.datetime | None = None,
) -> tuple[VerifiedQuery, str, str]:
    """Validate `sql`, then keep it as the verified answer to `question` in its main topic's file.
    Returns (the verified query, its topic, the file). Raises RequestError when the SQL is not valid."""
    from copilot.validate import validate

    question = " ".join(question.split())
    if not question:
        raise RequestError(
            "a verified query needs the question it answers", hint='flink-copilot catalog verify "QUESTION" --sql SQL'
        )
    topics = store.load().topics
    result = validate(sql, catalog=topics, engine=engine)
    if not result.valid:
        first = result.errors[0] if result.errors else None
        where = f" (line {first.line}, column {first.column})" if first is not None and first.line else ""
        raise RequestError(
            f"the SQL is not valid at the {result.stage} stage: {first.message if first else 'unknown error'}{where}",
            hint=(first.hint if first is not None and first.hint else "fix the query, or check it with `flink-copilot validate`"),
        )
    if result.statement_kind not in (None, "query", "select"):
        raise RequestError("only read-only queries can be verified", hint="verify a SELECT")
    canonical = result.sql or sql
    topic = main_topic(result.expression, topics)
    schema = topics[topic]
    stamp = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    entry = VerifiedQuery(question=question, sql=canonical, verified_by=verified_by, verified_at=stamp)
    key = normalise(question)
    schema.verified_queries = [q for q in schema.verified_queries if normalise(q.question) != key] + [entry]
    path = store.save(schema)
    if audit is not None:
        audit.record(
            {
                "type": "verified",
                "time": dt.datetime.now(dt.timezone.utc).timestamp(),
                "conversation_id": "",
                "question": question,
                "sql": canonical,
                "topic": topic,
                "verified_by": verified_by,
                "file": path,
            }
        )
        audit.flush()
    return entry, topic, path
