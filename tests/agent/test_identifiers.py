"""Identifiers as people paste them ("C-1042", "ORD-88213", "AMS-01", "TH-200", "4.2.1"): one token; after a word
naming a topic or a text field, a value of that topic's key (or of the fields referring to it) or of that field;
a model code's kind said after it ("TH-200 sensors") is the noun it qualifies. A verb that sets something, an
identifier and what it should become is a change to a record, declined; "when will …" asks for a forecast."""

from __future__ import annotations

import pytest

from copilot.agent.base import PlanRequest
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.builtin.text import is_identifier, tokenize


def _plan(topics, question):
    return BuiltinPlanner().plan(PlanRequest(question, topics, [], []))


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("orders of customer C-1042", ["orders", "of", "customer", "C-1042"]),
        ("TH-200 and th-300 per 10-min", ["TH-200", "and", "th", "300", "per", "10", "min"]),
        ("top-5 e-vans at AMS-01 on fw 4.2.1", ["top", "5", "e", "vans", "at", "AMS-01", "on", "fw", "4.2.1"]),
        ("(SHP-4411).", ["SHP-4411"]),
    ],
)
def test_an_identifier_is_one_token(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("token, expected", [("C-1042", True), ("4.2.1", True), ("10", False), ("top", False), ("2.5", False)])
def test_what_reads_as_an_identifier(token, expected):
    assert is_identifier(token) is expected


@pytest.mark.parametrize(
    "catalog, question, table, condition",
    [
        ("demo", "show me the orders of customer C-1042", "FROM orders", "customer_id = 'C-1042'"),
        ("demo", "list the payments of order ORD-88213", "FROM payments", "order_id = 'ORD-88213'"),
        ("demo", "all status updates of parcel SH-55120", "FROM shipments", "shipment_id = 'SH-55120'"),
        ("fleet", "list every trip out of depot AMS-01 that was aborted", "FROM trips", "site_id = 'AMS-01'"),
        ("fleet", "alarms from device D-0042 since midnight", "device_events", "device_id = 'D-0042'"),
    ],
)
def test_an_identifier_after_what_it_names_is_its_key(demo, fleet, catalog, question, table, condition):
    draft = _plan(demo if catalog == "demo" else fleet, question)
    assert draft.sql and table in draft.sql and condition in draft.sql, draft.reason or draft.clarification


def test_a_catalog_model_code_matches_as_written_and_its_kind_is_its_noun(fleet):
    draft = _plan(fleet, "show me every critical event from the GT-4 trackers as it comes in")
    assert draft.sql and "model = 'GT-4'" in draft.sql and "device_type" not in draft.sql


def test_an_identifier_with_nothing_naming_it_is_not_guessed(demo):
    draft = _plan(demo, "what happened with X-99812")
    assert draft.sql is None


@pytest.mark.parametrize(
    "catalog, question",
    [
        ("fleet", "flag device TH-200-0042 as decommissioned"),
        ("fleet", "set every TH-200 to maintenance"),
        ("fleet", "put the GW-1 at AMS-01 into maintenance"),
        ("fleet", "reboot device SN-4471 remotely pls"),
        ("demo", "change the segment of customer C-1042 to enterprise"),
    ],
)
def test_a_change_to_a_record_is_declined(demo, fleet, catalog, question):
    draft = _plan(demo if catalog == "demo" else fleet, question)
    assert draft.sql is None and draft.clarification is None and "never change data" in draft.reason


@pytest.mark.parametrize("question", ["when will parcel S-5521 arrive?", "ETA for parcel S-5521"])
def test_a_forecast_about_one_record_is_declined(demo, question):
    draft = _plan(demo, question)
    assert draft.sql is None and draft.clarification is None


def test_a_number_after_a_value_word_is_asked_about(demo):
    draft = _plan(demo, "phone number for customer C-1042?")
    assert draft.sql is None
