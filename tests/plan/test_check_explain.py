"""check_plan names what does not fit the catalog; the compiler builds the Flink shapes each plan part
asks for; explain_plan states every clause (filters, keys, window with its time zone, ranking, joins)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from copilot import settings
from copilot.plan.check import check_plan
from copilot.plan.compile import PlanError, compile_plan
from copilot.plan.explain import explain_clauses, explain_plan
from copilot.plan.model import Dimension, Duration, Exclusion, FieldRef, Filter, Having, Join, Measure, QueryPlan, Ranking, Window
from tests.plan.strategies import SECOND_CATALOG, load_catalog

DEMO = load_catalog(settings.DEMO_CATALOG_DIR)
FLEET = load_catalog(SECOND_CATALOG)


def F(topic: str, field: str) -> FieldRef:
    return FieldRef(topic=topic, field=field)


def minutes(n: int) -> Duration:
    return Duration(amount=n, unit="MINUTE")


@pytest.mark.parametrize(
    "plan,words",
    [
        (QueryPlan(source="nowhere"), "unknown topic"),
        (QueryPlan(source="orders", columns=[F("orders", "revenue_eur")]), "no field 'revenue_eur'"),
        (
            QueryPlan(source="orders", measures=[Measure(alias="m", func="sum", field=F("orders", "channel"))]),
            "sum needs a number",
        ),
        (QueryPlan(source="orders", measures=[Measure(alias="m", metric="decline_share")]), "no metric 'decline_share'"),
        (QueryPlan(source="orders", filters=[Filter(field=F("orders", "amount"), op=">", values=["lots"])]), "is a number"),
        (
            QueryPlan(source="orders", filters=[Filter(field=F("orders", "order_time"), op=">", values=["2026-01-01"])]),
            "is a time",
        ),
        (
            QueryPlan(
                source="customers", measures=[Measure(alias="n", func="count")], window=Window(kind="tumble", size=minutes(1))
            ),
            "upsert",
        ),
        (
            QueryPlan(
                source="orders",
                joins=[Join(topic="payments", kind="temporal", left=F("orders", "order_id"), right=F("payments", "order_id"))],
            ),
            "temporal join",
        ),
        (
            QueryPlan(
                source="orders",
                joins=[
                    Join(
                        topic="customers",
                        kind="interval",
                        left=F("orders", "customer_id"),
                        right=F("customers", "customer_id"),
                        bound=minutes(5),
                    )
                ],
            ),
            "interval join",
        ),
        (
            QueryPlan(
                source="orders",
                joins=[
                    Join(topic="shipments", kind="regular", left=F("orders", "customer_id"), right=F("shipments", "order_id"))
                ],
            ),
            "no catalog relationship",
        ),
        (
            QueryPlan(
                source="orders",
                measures=[Measure(alias="n", func="count")],
                dimensions=[Dimension(field=F("customers", "segment"))],
                joins=[
                    Join(topic="customers", kind="temporal", left=F("orders", "customer_id"), right=F("customers", "customer_id"))
                ],
                window=Window(kind="session", gap=minutes(5)),
            ),
            "session window",
        ),
        (
            QueryPlan(
                source="orders",
                measures=[Measure(alias="n", func="count")],
                dimensions=[Dimension(field=F("orders", "channel"))],
                ranking=Ranking(n=3, of="groups", by="n", partition_by=[F("orders", "country")]),
            ),
            "must also be a breakdown key",
        ),
        (QueryPlan(source="orders", measures=[Measure(alias="window_start", func="count")]), "column name the query uses itself"),
        (
            QueryPlan(
                source="orders",
                measures=[Measure(alias="m", func="max", field=F("orders", "channel"))],
                dimensions=[Dimension(field=F("orders", "country"))],
                having=[Having(measure="m", op=">", value=3)],
            ),
            "not a number",
        ),
    ],
)
def test_check_names_what_does_not_fit(plan, words):
    problems = check_plan(plan, DEMO)
    assert any(words in p for p in problems), problems
    with pytest.raises(PlanError):
        compile_plan(plan, DEMO)


def _tree(plan, topics=DEMO) -> exp.Select:
    return sqlglot.parse_one(compile_plan(plan, topics), read="flink")


def test_metric_with_default_filter_and_joined_alias():
    plan = QueryPlan(
        source="payments",
        measures=[Measure(alias="refunded", metric="refund_amount")],
        dimensions=[Dimension(field=F("orders", "channel"))],
        joins=[
            Join(
                topic="orders",
                kind="interval",
                left=F("payments", "order_id"),
                right=F("orders", "order_id"),
                bound=Duration(amount=2, unit="HOUR"),
            )
        ],
    )
    sql = compile_plan(plan, DEMO)
    assert "SUM(CASE WHEN" in sql and "'refunded'" in sql and "INTERVAL '2' HOUR" in sql
    tree = sqlglot.parse_one(sql, read="flink")
    sums = list(tree.find_all(exp.Sum))
    assert all(c.table for c in sums[0].find_all(exp.Column))  # the metric's columns carry the source alias


@pytest.mark.parametrize(
    "measure",
    [
        Measure(alias="refunded", metric="refund_amount"),
        Measure(
            alias="refunded",
            func="sum",
            field=F("payments", "amount"),
            filter=Filter(field=F("payments", "status"), op="=", values=["refunded"]),
        ),
    ],
)
def test_a_measure_restricted_to_rows_the_query_keeps_anyway_needs_no_case(measure):
    refunded = Filter(field=F("payments", "status"), op="=", values=["refunded"])
    sql = compile_plan(QueryPlan(source="payments", measures=[measure], filters=[refunded]), DEMO)
    assert "CASE" not in sql and "SUM(amount)" in sql and "WHERE status = 'refunded'" in sql
    other = Filter(field=F("payments", "currency"), op="=", values=["EUR"])
    sql = compile_plan(QueryPlan(source="payments", measures=[measure], filters=[other]), DEMO)
    assert "SUM(CASE WHEN status = 'refunded' THEN amount END)" in sql  # a condition the rows do not all meet stays


def test_row_ranking_per_partition_and_group_ranking_per_window():
    rows = _tree(
        QueryPlan(
            source="orders",
            columns=[F("orders", "order_id"), F("orders", "amount")],
            ranking=Ranking(n=3, of="rows", by_field=F("orders", "amount"), partition_by=[F("orders", "channel")]),
        )
    )
    window = next(rows.find_all(exp.Window))
    assert [c.name for c in window.args["partition_by"]] == ["channel"] and window.args["order"].expressions[0].args["desc"]
    groups = _tree(
        QueryPlan(
            source="orders",
            measures=[Measure(alias="revenue", metric="revenue")],
            dimensions=[Dimension(field=F("orders", "country"))],
            window=Window(kind="hop", size=minutes(10), slide=minutes(5)),
            ranking=Ranking(n=2, of="groups", by="revenue"),
        )
    )
    window = next(groups.find_all(exp.Window))
    assert [c.name for c in window.args["partition_by"]] == ["window_start", "window_end"]
    assert groups.args["where"].this.expression.this == "2"


def test_integer_average_is_not_truncated_and_share_is_a_fraction():
    sql = compile_plan(
        QueryPlan(
            source="orders",
            measures=[
                Measure(alias="avg_items", func="avg", field=F("orders", "quantity")),
                Measure(alias="web_share", func="share", condition=Filter(field=F("orders", "channel"), op="=", values=["web"])),
            ],
        ),
        DEMO,
    )
    assert "AVG(CAST(" in sql and "AS DOUBLE)) AS" in sql and "/ COUNT(*)" in sql


def test_explain_states_every_clause_and_the_time_zone():
    plan = QueryPlan(
        source="orders",
        time_zone="Europe/Berlin",
        measures=[Measure(alias="revenue", metric="revenue")],
        dimensions=[Dimension(field=F("customers", "segment")), Dimension(field=F("orders", "customer_id"), transform="is_null")],
        filters=[
            Filter(field=F("orders", "country"), op="in", values=["FR", "ES"]),
            Filter(field=F("orders", "amount"), op=">", values=[200]),
        ],
        joins=[Join(topic="customers", kind="temporal", left=F("orders", "customer_id"), right=F("customers", "customer_id"))],
        window=Window(kind="cumulate", size=Duration(amount=1, unit="DAY"), step=Duration(amount=1, unit="HOUR")),
        having=[Having(measure="revenue", op=">=", value=100)],
        ranking=Ranking(n=3, of="groups", by="revenue", partition_by=[F("customers", "segment")]),
    )
    clauses = explain_clauses(plan, DEMO)
    text = " ".join(clauses)
    assert "metric revenue" in text
    assert "country is 'FR' (France) or 'ES' (Spain)" in text and "amount is above 200" in text
    assert "customers segment" in text and "whether customer id is missing" in text
    assert "Since midnight in Europe/Berlin, updated every hour." in clauses
    assert "revenue is at least 100" in text and "top 3 by revenue" in text and "in each customers segment per window" in text
    assert "Looks up customers as they were at the time of each" in text
    session = QueryPlan(
        source="orders",
        measures=[Measure(alias="n", func="count")],
        window=Window(kind="cumulate", size=Duration(amount=1, unit="DAY"), step=minutes(30)),
    )
    assert "the session time zone" in explain_plan(session, DEMO)


def test_second_catalog_compiles_reserved_word_fields():
    source = next(
        t for t in FLEET.values() if not t.is_upsert and t.event_time and any(f.name.lower() == "value" for f in t.fields)
    )
    reserved = next(f.name for f in source.fields if f.name.lower() == "value")
    sql = compile_plan(QueryPlan(source=source.topic, columns=[F(source.topic, reserved)]), FLEET)
    assert f"`{reserved}`" in sql  # the dialect quotes it (Flink reserves the word)


def test_ranking_by_a_field_a_filter_fixes_is_refused():
    plan = QueryPlan(
        source="orders",
        filters=[Filter(field=F("orders", "amount"), op="=", values=[5])],
        ranking=Ranking(n=3, of="rows", by_field=F("orders", "amount")),
    )
    assert any("fixed to one value" in p for p in check_plan(plan, DEMO))


def test_durations_are_explained_with_their_amount():
    assert Duration(amount=1, unit="HOUR").words() == "1 hour"
    assert Duration(amount=5, unit="MINUTE").words() == "5 minutes"
    join = QueryPlan(
        source="payments",
        measures=[Measure(alias="n", func="count")],
        joins=[
            Join(
                topic="orders",
                kind="interval",
                left=F("payments", "order_id"),
                right=F("orders", "order_id"),
                bound=Duration(amount=1, unit="HOUR"),
            )
        ],
    )
    text = explain_plan(join, DEMO)
    assert "at most 1 hour before it" in text and "at most hour" not in text
    tumble = QueryPlan(
        source="orders", measures=[Measure(alias="n", func="count")], window=Window(kind="tumble", size=minutes(5))
    )
    assert "Per 5 minutes window." in explain_plan(tumble, DEMO)
    hop = QueryPlan(
        source="orders",
        measures=[Measure(alias="n", func="count")],
        window=Window(kind="hop", size=Duration(amount=1, unit="HOUR"), slide=minutes(5)),
    )
    assert "Over the last hour, updated every 5 minutes." in explain_plan(hop, DEMO)


def test_a_lookup_through_a_looked_up_table_is_read_as_of_the_event_time():
    from copilot.catalog.store import YamlCatalogStore
    from copilot.plan.check import check_plan
    from copilot.plan.model import FieldRef, Join, Measure, QueryPlan
    from copilot.settings import PROJECT_ROOT

    topics = YamlCatalogStore(PROJECT_ROOT / "examples" / "catalogs" / "fleet").load().topics
    first = Join(
        topic="devices",
        kind="temporal",
        left=FieldRef(topic="device_events", field="device_id"),
        right=FieldRef(topic="devices", field="device_id"),
    )

    def plan(as_of):
        second = Join(
            topic="sites",
            kind="temporal",
            left=FieldRef(topic="devices", field="site_id"),
            right=FieldRef(topic="sites", field="site_id"),
            as_of=as_of,
        )
        return QueryPlan(source="device_events", measures=[Measure(alias="n", func="count")], joins=[first, second])

    assert check_plan(plan(FieldRef(topic="device_events", field="event_time")), topics) == []
    assert check_plan(plan(None), topics)  # devices' own update time is no event time to look up from
    assert check_plan(plan(FieldRef(topic="devices", field="updated_at")), topics)


def test_a_duration_is_read_in_another_time_unit_and_only_a_duration():
    from copilot.catalog.store import YamlCatalogStore
    from copilot.plan.check import check_plan
    from copilot.plan.compile import compile_plan
    from copilot.plan.explain import explain_plan
    from copilot.plan.model import FieldRef, Measure, QueryPlan
    from copilot.settings import PROJECT_ROOT

    topics = YamlCatalogStore(PROJECT_ROOT / "examples" / "catalogs" / "fleet").load().topics

    def plan(field, unit):
        return QueryPlan(
            source="trips", measures=[Measure(alias="m", func="avg", field=FieldRef(topic="trips", field=field), in_unit=unit)]
        )

    assert "/ 60.0" in compile_plan(plan("duration_s", "MINUTE"), topics)
    assert "in minutes" in explain_plan(plan("duration_s", "MINUTE"), topics)
    assert "/" not in compile_plan(plan("duration_s", "SECOND"), topics).split("FROM")[0].replace("AVG(", "")
    assert check_plan(plan("distance_km", "HOUR"), topics)  # kilometres are no duration


def test_an_exclusion_leaves_out_the_rows_that_meet_all_its_conditions_together():
    topics = DEMO
    plan = QueryPlan(
        source="payments",
        excluded=[
            Exclusion(
                conditions=[
                    Filter(field=FieldRef(topic="payments", field="status"), op="=", values=["declined"]),
                    Filter(field=FieldRef(topic="payments", field="method"), op="=", values=["paypal"]),
                ]
            )
        ],
    )
    assert check_plan(plan, topics) == []
    sql = compile_plan(plan, topics)
    assert "WHERE NOT (status = 'declined' AND `method` = 'paypal')" in sql
    assert "Leaving out payments where status is 'declined'" in explain_plan(plan, topics)
    assert "method is 'paypal'" in explain_plan(plan, topics)
    with pytest.raises(ValueError):
        Exclusion(conditions=[Filter(field=FieldRef(topic="payments", field="status"), op="=", values=["declined"])])
