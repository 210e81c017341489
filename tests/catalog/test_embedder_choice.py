"""`COPILOT_EMBEDDING_MODEL=auto` keeps MiniLM for small catalogs and switches to the static model
for large ones, where MiniLM's indexing and query time miss the latency goal."""

from __future__ import annotations

from copilot.catalog.index import AUTO_STATIC_ABOVE_TOPICS, HybridTopicIndex
from copilot.catalog.model import Field, TopicSchema


def topics(n: int) -> dict[str, TopicSchema]:
    return {
        f"t{i}": TopicSchema(topic=f"t{i}", description=f"topic number {i}", fields=[Field("id", "STRING")]) for i in range(n)
    }


def test_auto_uses_minilm_for_a_small_catalog(tmp_path, monkeypatch):
    monkeypatch.delenv("COPILOT_EMBEDDING_MODEL", raising=False)
    index = HybridTopicIndex(tmp_path)
    index.index(topics(5))
    assert index.embedder.name == "all-MiniLM-L6-v2"


def test_auto_switches_to_static_above_the_threshold(tmp_path, monkeypatch):
    monkeypatch.delenv("COPILOT_EMBEDDING_MODEL", raising=False)
    index = HybridTopicIndex(tmp_path)
    index.index(topics(AUTO_STATIC_ABOVE_TOPICS + 1))
    assert index.embedder.name == "tokenlearn-static-64d"
    assert any("static embedding model" in n for n in index.notices)
    assert index.search("topic number 7", k=1)[0].topic == "t7"


def test_an_explicit_choice_is_kept_for_large_catalogs(tmp_path, monkeypatch):
    monkeypatch.setenv("COPILOT_EMBEDDING_MODEL", "static")
    index = HybridTopicIndex(tmp_path)
    assert index.embedder.name == "tokenlearn-static-64d"
    monkeypatch.setenv("COPILOT_EMBEDDING_MODEL", "minilm")
    index = HybridTopicIndex(tmp_path / "b")
    index._fit_embedder_to(AUTO_STATIC_ABOVE_TOPICS + 1)
    assert index.embedder.name == "all-MiniLM-L6-v2"
