"""Words the catalog does not list, read by meaning (all-MiniLM-L6-v2 over the catalog's phrases): the
nearest catalog words are offered as options of a question back, never chosen silently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.meaning import catalog_phrases, replace_word
from copilot.agent.builtin.vocab import vocabulary_for
from copilot.catalog.embedding import Embedder, EmbeddingUnavailable, load_embedder
from copilot.catalog.store import YamlCatalogStore
from copilot.catalog.term_vectors import TermVectors

FLEET = Path(__file__).resolve().parents[2] / "examples" / "catalogs" / "fleet"


@pytest.fixture(scope="module")
def fleet():
    return YamlCatalogStore(FLEET).load().topics


@pytest.fixture(scope="module")
def meanings(tmp_path_factory):
    return TermVectors(lambda: load_embedder("minilm"), cache_dir=tmp_path_factory.mktemp("terms"))


def plan(planner, topics, question):
    return planner.plan(PlanRequest(question, topics, [(t, 1.0) for t in topics]))


@pytest.mark.parametrize(
    "question, near",
    [
        ("how many gadgets per site every hour", "device"),
        ("top 5 gadgets with the most alarms every hour", "device"),
    ],
)
def test_a_word_near_one_catalog_word_is_asked_back_with_it_as_an_option(fleet, meanings, question, near):
    draft = plan(BuiltinPlanner(meanings=meanings), fleet, question)
    assert draft.sql is None and draft.clarification, draft.reason
    options = draft.clarification["options"]
    assert any(near in o["question"] for o in options), options
    for option in options[:3]:  # every option built by meaning is a question the planner answers
        if near in option["question"]:
            answer = plan(BuiltinPlanner(), fleet, option["question"])
            assert answer.sql, (option, answer.reason)


def test_without_meanings_the_same_question_is_declined_naming_the_word(fleet):
    draft = plan(BuiltinPlanner(), fleet, "how many gadgets per site every hour")
    assert draft.sql is None and "gadgets" in draft.reason


@pytest.mark.parametrize(
    "question", ["profit per depot every hour", "how many gadgets per site every hour", "horoscopes per site hourly"]
)
def test_a_word_read_by_meaning_never_yields_sql(fleet, meanings, question):
    draft = plan(BuiltinPlanner(meanings=meanings), fleet, question)
    assert draft.sql is None


@pytest.mark.parametrize("question, missing", [("profit by depot every hour", "profit"), ("total profit per site", "profit")])
def test_a_missing_figure_is_declined_naming_it_with_the_nearest_as_suggestions(fleet, meanings, question, missing):
    draft = plan(BuiltinPlanner(meanings=meanings), fleet, question)
    assert draft.sql is None and draft.clarification is None and missing in draft.reason
    assert draft.suggestions and all(missing not in s for s in draft.suggestions)


def test_a_word_far_from_every_catalog_word_is_still_declined(fleet, meanings):
    draft = plan(BuiltinPlanner(meanings=meanings), fleet, "horoscopes per site hourly")
    assert draft.clarification is None and "horoscopes" in draft.reason


def test_the_catalog_phrases_are_read_back_by_the_vocabulary(fleet):
    vocab = vocabulary_for(fleet)
    phrases = catalog_phrases(vocab)
    assert phrases == sorted(set(phrases)) and len(phrases) > 300
    assert all(vocab.lookup(p.split()) for p in phrases[:50])


@pytest.mark.parametrize(
    "question, word, phrase, expected",
    [
        ("top gadgets now", "gadgets", "devices", "top devices now"),
        ("payments that went thru today", "thru", "went through", "payments that went through today"),
        ("how much juice is left", "juice", "battery charge", "how much battery charge is left"),
        ("Gadgets per site", "gadgets", "devices", "devices per site"),
        ("non-gadgets and gadgets", "gadgets", "devices", "non-gadgets and devices"),
    ],
)
def test_replace_word(question, word, phrase, expected):
    assert replace_word(question, word, phrase) == expected


class CountingEmbedder(Embedder):
    name = "counting-test"
    dimension = 4

    def __init__(self):
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        rows = np.array([[len(t), t.count("a"), t.count("e"), 1.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_vectors_of_the_catalog_are_computed_once_and_kept(tmp_path):
    phrases = ["alpha", "beta", "gamma delta"]
    first = CountingEmbedder()
    assert TermVectors(lambda: first, cache_dir=tmp_path).nearest(phrases, "alpha")[0][0] == "alpha"
    assert first.texts == 4 and list(tmp_path.glob("terms-*.npy"))
    second = CountingEmbedder()
    TermVectors(lambda: second, cache_dir=tmp_path).nearest(phrases, "gamma")
    assert second.texts == 1  # the catalog's vectors came from the cache; only the word was embedded


def test_warming_computes_the_catalog_vectors_before_the_first_word(fleet, tmp_path):
    counting = CountingEmbedder()
    planner = BuiltinPlanner(meanings=TermVectors(lambda: counting, cache_dir=tmp_path))
    assert planner.warm(fleet)
    phrases = counting.texts
    assert phrases > 100 and list(tmp_path.glob("terms-*.npy"))
    plan(planner, fleet, "how many gadgets per site every hour")
    assert counting.texts - phrases <= 20  # the question embedded only its word and the options, not the catalog


def test_warming_in_background_needs_no_model_and_never_raises(tmp_path, monkeypatch):
    from copilot.wiring import Config, build

    monkeypatch.setenv("COPILOT_EMBEDDING_MODEL", "none")
    assert build(Config.from_settings(catalog_dir=tmp_path, audit=False, llm=False)).warm_in_background() is None


def test_an_unavailable_model_leaves_the_lexical_answer(fleet, tmp_path):
    def missing():
        raise EmbeddingUnavailable("no model here")

    planner = BuiltinPlanner(meanings=TermVectors(missing, cache_dir=tmp_path))
    draft = plan(planner, fleet, "how many gadgets per site every hour")
    assert draft.sql is None and "gadgets" in draft.reason


def test_a_real_word_is_not_read_as_a_misspelt_grammar_word(fleet):
    from copilot.agent.builtin.tags import tag
    from copilot.catalog.embedding import english_words

    assert {"actually", "costing", "shifted"} <= set(english_words()) and "reaidngs" not in english_words()
    vocab = vocabulary_for(fleet)
    corrections = dict(tag("alarms actually raised per site every hour", vocab).corrections)
    assert "actually" not in corrections  # not "annually": the word is spelt as meant
    assert dict(tag("alrams per site every hour", vocab).corrections) == {"alrams": "alarm"}
