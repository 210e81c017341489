"""What the question leaves unsaid is asked about, never filled in: a value the catalog does not list for a field
whose values it lists, a limit with no number ("too warm"), a ranking that names no figure ("busiest depots")."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.catalog.store import YamlCatalogStore

FLEET = Path(__file__).resolve().parents[2] / "examples" / "catalogs" / "fleet"


@pytest.fixture(scope="module")
def fleet():
    return YamlCatalogStore(FLEET).load().topics


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


def _asked(draft) -> list[dict]:
    assert draft.sql is None and draft.clarification, draft.reason or draft.sql
    return draft.clarification["options"]


@pytest.mark.parametrize("question", ["sales in JPY per 5 minutes", "revenue in yen per minute", "orders paid in CHF by channel"])
def test_a_currency_the_catalog_does_not_list_is_asked_about_with_the_listed_ones(topics, question):
    options = _asked(_plan(topics, question))
    assert {o["label"].split()[-1] for o in options} == {"EUR", "USD", "GBP"}
    for option in options:
        assert _plan(topics, option["question"]).sql


def test_a_listed_currency_still_filters(topics):
    draft = _plan(topics, "revenue in pounds per minute")
    assert draft.sql and "currency = 'GBP'" in draft.sql


def test_a_toll_currency_the_fleet_catalog_does_not_list_is_asked_about(fleet):
    assert _asked(_plan(fleet, "tolls in yen per depot"))


@pytest.mark.parametrize(
    "question, words",
    [
        ("which cold stores are running too warm?", "too warm"),
        ("vehicles with too many trips per hour", "too many"),
        ("flag sensors reading overly high values", "overly high"),
    ],
)
def test_a_limit_without_a_number_is_asked_about(fleet, question, words):
    draft = _plan(fleet, question)
    assert draft.sql is None and draft.clarification and words in draft.clarification["question"]


@pytest.mark.parametrize(
    "question", ["temperature readings above 8 in cold stores that run too warm", "fuel per vehicle per hour, by site too"]
)
def test_a_limit_with_a_number_or_a_closing_too_is_not_asked_about(fleet, question):
    draft = _plan(fleet, question)
    assert "needs a limit" not in ((draft.clarification or {}).get("question") or draft.reason or "")


@pytest.mark.parametrize("question", ["busiest depots this week?", "which depot is the busiest so far today?"])
def test_a_ranking_naming_no_figure_is_asked_about_with_counts_and_metrics(fleet, question):
    options = _asked(_plan(fleet, question))
    assert options[0]["label"].startswith("number of")
    assert all(_plan(fleet, o["question"]).sql for o in options)


@pytest.mark.parametrize(
    "question",
    [
        "which payment method is used most per minute?",
        "the carriers with the most parcels each hour",
        "which payment method has the most declines every hour?",
        "top 3 countries by revenue every 5 minutes",
    ],
)
def test_a_ranking_that_counts_or_names_its_figure_is_answered(topics, question):
    assert _plan(topics, question).sql


@pytest.mark.parametrize("question", ["reverse all klarna charges over 2000 euros", "undo every declined card payment"])
def test_reversing_or_undoing_is_a_change_and_declined(topics, question):
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification is None and "never change data" in draft.reason


@pytest.mark.parametrize("question", ["refund amount excluding refunded", "refund amount for declined payments per minute"])
def test_a_filter_that_leaves_out_a_metrics_own_rows_is_asked_about(topics, question):
    draft = _plan(topics, question)
    assert draft.sql is None and draft.clarification and "refund amount" in draft.clarification["question"]


def test_a_filter_that_keeps_a_metrics_own_rows_is_answered(topics):
    draft = _plan(topics, "refund amount per method every minute")
    assert draft.sql and "status = 'refunded'" in draft.sql
