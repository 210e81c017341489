"""Properties of the built-in planner over the demo catalog and a second catalog of another domain:
a question whose every content word names exactly one element of the catalog is answered (never asked
back); a question with a word nobody knows never gets SQL that silently ignores it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.semantic import metric_condition, metrics
from copilot.agent.builtin.tags import lexicon_table, lexicon_words
from copilot.agent.builtin.vocab import vocabulary_for
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR, PROJECT_ROOT

FLEET = PROJECT_ROOT / "examples" / "catalogs" / "fleet"
CATALOGS = [Path(DEMO_CATALOG_DIR)] + ([FLEET] if FLEET.is_dir() else [])
WINDOWS = ["", "per minute", "every 5 minutes", "in the last hour", "so far today", "every 10 seconds"]


def _load(path: Path):
    return YamlCatalogStore(path).load().topics


def _unique(vocab, words: str, element) -> bool:
    """The phrase names exactly this element, and no word of it is grammar."""
    found = vocab.lookup(words.split())
    if found != [element]:
        return False
    return all((w,) not in lexicon_table() for w in words.split())


def _building_blocks(topics):
    """Per event topic: measures, keys and values whose words name one element each."""
    vocab = vocabulary_for(topics)
    blocks = []
    for name, schema in topics.items():
        if schema.is_upsert or not schema.event_time:
            continue
        from copilot.agent.builtin.vocab import Element

        measures, own_rows = [], {}
        topic_words = name.replace("_", " ")
        if _unique(vocab, topic_words, Element("topic", name)):
            measures.append(f"how many {topic_words}")
        for m in metrics(schema):
            words = m.name.replace("_", " ")
            if _unique(vocab, words, Element("metric", name, metric=m.name)):
                measures.append(words)
                own = metric_condition(m)
                if own:  # "refund amount excluding refunded" contradicts itself: asked about, not drawn here
                    own_rows[words] = own[0]
        keys, values = [], []
        for f in schema.fields:
            words = f.name.replace("_", " ")
            if (
                f.type.upper().startswith("STRING")
                and f.name not in (schema.primary_key or [])
                and _unique(vocab, words, Element("field", name, f.name))
            ):
                keys.append(words)
            for code in f.values or {}:
                w = str(code).replace("_", " ")
                if _unique(vocab, w, Element("value", name, f.name, str(code))):
                    values.append((f.name, w))
        if measures:
            blocks.append((name, measures, keys, values, own_rows))
    return blocks


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda p: p.name)
def catalog(request):
    topics = _load(request.param)
    return topics, _building_blocks(topics)


def _question(data, blocks) -> tuple[str, str]:
    name, measures, keys, values, own_rows = data.draw(st.sampled_from(blocks))
    parts = [data.draw(st.sampled_from(measures))]
    values = [v for v in values if v[0] != own_rows.get(parts[0])]
    if keys and data.draw(st.booleans()):
        parts.append("by " + data.draw(st.sampled_from(keys)))
    if values and data.draw(st.booleans()):
        field, value = data.draw(st.sampled_from(values))
        parts.append(data.draw(st.sampled_from(["only", "for", "excluding"])) + " " + value)
    window = data.draw(st.sampled_from(WINDOWS))
    if window:
        parts.append(window)
    return name, " ".join(parts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_word_known_and_unambiguous_is_answered_without_asking_back(catalog, data):
    topics, blocks = catalog
    name, question = _question(data, blocks)
    draft = BuiltinPlanner().plan(PlanRequest(question, topics, [(name, 1.0)], []))
    assert draft.clarification is None, (question, draft.clarification)
    assert draft.confident and draft.sql, (question, draft.reason)
    assert name in draft.tables, (question, draft.tables)


def _nonsense(draw, vocab) -> str:
    known = vocab.words | lexicon_words()
    word = draw(st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=6, max_size=9))
    if any(abs(len(k) - len(word)) <= 2 and k[:2] == word[:2] for k in known):
        word = "zq" + word
    return word


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_unknown_word_is_never_silently_ignored(catalog, data):
    topics, blocks = catalog
    name, question = _question(data, blocks)
    words = question.split()
    at = data.draw(st.integers(min_value=0, max_value=len(words)))
    word = _nonsense(data.draw, vocabulary_for(topics))
    asked = " ".join(words[:at] + [word] + words[at:])
    draft = BuiltinPlanner().plan(PlanRequest(asked, topics, [(name, 1.0)], []))
    assert draft.sql is None and not draft.confident, (asked, draft.sql)
    assert word in (draft.reason or "") or draft.clarification, (asked, draft.reason)
