"""Follow-ups and time phrases in everyday words: a key for a key ("swap channel for country", "country instead of channel"), the
figure replaced ("revenue rather than a count"), "narrow/restrict/limit/filter that to", "as well"; and a follow-up
typed after a question that got no answer is asked about, never applied to an older answer without that change."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.agent.base import PlanRequest, Turn
from copilot.agent.builtin import BuiltinPlanner
from copilot.catalog.store import YamlCatalogStore
from copilot.settings import DEMO_CATALOG_DIR


@pytest.fixture(scope="module")
def topics():
    return YamlCatalogStore(Path(DEMO_CATALOG_DIR)).load().topics


def _conversation(topics, *questions):
    planner, history, draft = BuiltinPlanner(), [], None
    for q in questions:
        draft = planner.plan(PlanRequest(q, topics, [], list(history)))
        history.append(Turn(q, draft.sql, draft.state, draft.planner))
    return draft


def _same(topics, conversation, question):
    got = _conversation(topics, *conversation)
    want = _conversation(topics, question)
    assert got.sql and got.sql == want.sql, (got.sql or got.reason, want.sql)


@pytest.mark.parametrize(
    "follow_up",
    ["swap channel for country", "replace channel with country", "country instead of channel", "by country rather than channel"],
)
def test_a_key_for_a_key(topics, follow_up):
    _same(topics, ["orders per channel every hour", follow_up], "orders per country every hour")


@pytest.mark.parametrize("follow_up", ["and make that revenue rather than a count", "revenue instead of the count"])
def test_the_figure_replaced(topics, follow_up):
    _same(topics, ["orders per channel every hour", follow_up], "revenue per channel every hour")


@pytest.mark.parametrize(
    "follow_up", ["restrict that to the app", "narrow it down to the app", "filter that to the app", "limit it to the app"]
)
def test_narrowed_to_a_value(topics, follow_up):
    _same(topics, ["orders per country every hour", follow_up], "app orders per country every hour")


def test_as_well_adds_a_key(topics):
    _same(topics, ["orders per channel", "split by country as well"], "orders per channel and country")


def test_a_follow_up_after_an_unanswered_question_is_asked_about(topics):
    draft = _conversation(topics, "orders per channel every hour", "filter that to the frobnicated ones", "now per country")
    assert draft.sql is None and draft.clarification
    options = [o["question"] for o in draft.clarification["options"]]
    assert options == ["filter that to the frobnicated ones, now per country", "now per country"]
    alone = _conversation(
        topics, "orders per channel every hour", "filter that to the frobnicated ones", "now per country", options[1]
    )
    assert alone.sql and "country" in alone.sql  # the option chosen is answered, not asked again


@pytest.mark.parametrize(
    "question, same_as",
    [
        ("orders per channel, rolling 24 hours refreshed hourly", "orders per channel, rolling 24 hours refreshed every hour"),
        (
            "distinct sessions over a trailing 20 min, recomputed every 2",
            "distinct sessions over the last 20 minutes, updated every 2 minutes",
        ),
        ("orders since the start of the current hour", "orders since the top of the hour"),
        ("orders today, keep it ticking over", "orders today"),
        ("methods declined more than 10 percent of the time, hourly", "methods declined more than 10 percent, hourly"),
        ("methods declined over a tenth of the time, hourly", "methods declined over 10 percent, hourly"),
    ],
)
def test_time_phrases_said_another_way(topics, question, same_as):
    _same(topics, [question], same_as)


@pytest.mark.parametrize(
    "question, same_as",
    [
        ("hey, quick one for the dashboard - orders per channel every 15 minutes", "orders per channel every 15 minutes"),
        ("sorry if this is a silly question, but how many orders per channel?", "how many orders per channel?"),
        ("units sold since midnite per country", "units sold since midnight per country"),
        ("page views of people browsing on mobile, per minute", "page views on mobile, per minute"),
    ],
)
def test_everyday_wrappings_and_forms(topics, question, same_as):
    _same(topics, [question], same_as)


def test_a_catalog_verb_in_another_form_keeps_a_meaning_the_catalog_gives_that_form(topics):
    from copilot.agent.builtin.vocab import vocabulary_for

    vocab = vocabulary_for(topics)
    assert {e.kind for e in vocab.lookup(["browsing"])} == {"topic"}
    assert "field" in {e.kind for e in vocab.lookup(["visits"])}  # "visits" is sessions, not "visited" again


def test_persons_counted_after_the_values_that_qualify_them_are_asked_about(topics):
    draft = _conversation(topics, "how many signed-in people are browsing, minute by minute")
    assert draft.sql is None and draft.clarification


@pytest.mark.parametrize(
    "follow_up, where",
    [
        ("now under 20 euros instead", "WHERE list_price < 20"),  # the other side, no row left: replaced
        ("and under 1000 euros", "WHERE list_price > 500 AND list_price < 1000"),  # the other side, rows left: a range
        ("now over 800 euros", "WHERE list_price > 800"),  # the same side: moved
    ],
)
def test_a_new_bound_replaces_or_narrows_the_previous_one(topics, follow_up, where):
    draft = _conversation(topics, "products over 500 euros", follow_up)
    assert draft.sql and draft.sql.endswith(where), draft.sql
