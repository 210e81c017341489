"""Topics annotated `same_records_as: TOPIC` (the demo's Avro editions) do not compete with their
originals: retrieval ranks the original first unless the question asks for the twin, and the planner reads
shared words from the original."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.catalog.semantic import prefer_originals, twins
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR

TOPICS = YamlCatalogStore(DEMO_CATALOG_DIR).load().topics
TWINS = twins(TOPICS)


def test_the_demo_twins_are_annotated():
    assert TWINS and all(original in TOPICS for original in TWINS.values())


def test_prefer_originals_orders_each_pair_and_keeps_the_rest():
    assert prefer_originals(["b_copy", "x", "b"], {"b_copy": "b"}) == ["b", "x", "b_copy"]
    assert prefer_originals(["b", "x", "b_copy"], {"b_copy": "b"}, {"b_copy"}) == ["b_copy", "x", "b"]
    assert prefer_originals(["x", "b"], {"b_copy": "b"}) == ["x", "b"]


@pytest.fixture(scope="module")
def index():
    from copilot.catalog.index import HybridTopicIndex

    ix = HybridTopicIndex()
    ix.index(TOPICS)
    return ix


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_retrieval_puts_the_original_first(index, twin):
    original = TWINS[twin]
    schema = TOPICS[original]
    field = next(f.name for f in schema.fields if f.values)
    ranked = [h.topic for h in index.search(f"{original.replace('_', ' ')} per {field.replace('_', ' ')}", 5)]
    assert original in ranked and (twin not in ranked or ranked.index(original) < ranked.index(twin))
    named = [h.topic for h in index.search(f"{twin.replace('_', ' ')} per {field.replace('_', ' ')}", 5)]
    assert named[0] == twin


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_the_planner_reads_shared_words_from_the_original(twin):
    original = TWINS[twin]
    schema = TOPICS[original]
    field = next(f for f in schema.fields if f.values)
    value = sorted(field.values)[0]
    question = f"{value.replace('_', ' ')} {original.replace('_', ' ')} per {field.name.replace('_', ' ')} every minute"
    # retrieval order with the twin first must not matter: the words name the original
    draft = BuiltinPlanner().plan(PlanRequest(question, TOPICS, [(twin, 1.0), (original, 0.9)]))
    assert draft.sql and draft.tables == [original], (draft.reason, draft.sql)
