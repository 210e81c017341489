"""Whose field a key is: "the country of the order" reads the related topic's field through its relationship, "the
type of the device" is the catalog's "device type", and a topic named only as a key ("payments per order") reads
the source's own reference, without a join."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.planner import _plan_problem
from copilot.catalog.store import YamlCatalogStore
from copilot.plan.model import QueryPlan

FLEET = Path(__file__).resolve().parents[2] / "examples" / "catalogs" / "fleet"


@pytest.fixture(scope="module")
def fleet():
    return YamlCatalogStore(FLEET).load().topics


def _sql(topics, question) -> str:
    draft = BuiltinPlanner().plan(PlanRequest(question, topics, [], []))
    assert draft.sql, draft.reason or draft.clarification
    return " ".join(draft.sql.split())


@pytest.mark.parametrize(
    "question, key",
    [
        ("payments by the country of the order", "o.country"),
        ("declined payments by channel of the order, hourly", "o.channel"),
        ("shipments per channel of each order every 10 minutes", "o.channel"),
        ("revenue by country of the customer", "c.country"),
    ],
)
def test_a_field_of_the_related_topic_is_read_through_the_relationship(topics, question, key):
    sql = _sql(topics, question)
    assert f"GROUP BY {key}" in sql or f"window_end, {key}" in sql.split("GROUP BY")[-1]
    assert "COUNT(DISTINCT" not in sql  # the topic word says whose field, it is not counted


def test_the_related_topic_named_only_as_a_key_needs_no_join(topics):
    sql = _sql(topics, "how many payments per order id")
    assert "JOIN" not in sql and "GROUP BY order_id" in sql


def test_a_join_the_plan_reads_from_is_kept(topics):
    sql = _sql(topics, "how many different products per brand")
    assert "JOIN products" in sql and "GROUP BY p.brand" in sql


@pytest.mark.parametrize(
    "question, key",
    [
        ("battery by the type of the device", "d.device_type"),
        ("alarms by the city of each site", "s.city"),
        ("trips by the country of the site, hourly", "s.country"),
    ],
)
def test_a_field_named_the_other_way_round_is_the_catalogs_phrase(fleet, question, key):
    sql = _sql(fleet, question)
    groups = sql.split("GROUP BY")[-1]
    assert key in groups and "site_id" not in groups and "device_id" not in groups


def test_a_plan_that_cannot_be_written_is_explained_without_the_validation_librarys_dump():
    with pytest.raises(ValidationError) as caught:
        QueryPlan.model_validate(
            {
                "source": "payments",
                "dimensions": [{"field": {"topic": "orders", "field": "country"}}],
                "measures": [{"alias": "n", "func": "count"}],
            }
        )
    message = _plan_problem(caught.value)
    assert message == "orders.country is not a field of the plan's topics"
