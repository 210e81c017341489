"""Component comparison reads what a query computes: a name defined by WITH is not a table, so the same
join written inline or through a CTE has the same components."""

from copilot.agent.components import analyse

INLINE = (
    "SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), "
    "INTERVAL '1' MINUTE)) AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c "
    "ON o.customer_id = c.customer_id WHERE c.segment = 'smb' GROUP BY window_start, window_end"
)
WITH = (
    "WITH e AS (SELECT o.order_time, c.segment FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time "
    "AS c ON o.customer_id = c.customer_id) SELECT window_start, window_end, COUNT(*) AS n "
    "FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(order_time), INTERVAL '1' MINUTE)) WHERE segment = 'smb' "
    "GROUP BY window_start, window_end"
)


def test_a_cte_name_is_not_a_table():
    assert analyse(WITH).tables == ["customers", "orders"]
    assert analyse(INLINE).differences(analyse(WITH)) == {}


def test_a_different_join_still_differs():
    other = WITH.replace("customers", "products")
    assert "tables" in analyse(INLINE).differences(analyse(other))


def test_a_grouping_key_is_compared_by_the_topic_column_it_comes_from():
    from copilot.agent.components import analyse

    joined = (
        "SELECT window_start, window_end, c.country, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), "
        "INTERVAL '1' HOUR)) AS o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id "
        "GROUP BY window_start, window_end, c.country"
    )
    renamed = (
        "WITH e AS (SELECT o.order_time, c.country AS customer_country FROM orders AS o JOIN customers FOR SYSTEM_TIME AS OF "
        "o.order_time AS c ON o.customer_id = c.customer_id) SELECT window_start, window_end, customer_country, COUNT(*) AS n "
        "FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(order_time), INTERVAL '1' HOUR)) GROUP BY window_start, window_end, customer_country"
    )
    orders_country = renamed.replace("c.country AS customer_country", "o.country").replace("customer_country", "country")
    plain = "SELECT country, COUNT(*) AS n FROM orders GROUP BY country"
    qualified = "SELECT o.country, COUNT(*) AS n FROM orders AS o GROUP BY o.country"
    assert analyse(joined).group_keys == analyse(renamed).group_keys == ["customers.country"]
    assert analyse(orders_country).group_keys == ["orders.country"] != analyse(joined).group_keys
    assert analyse(plain).group_keys == analyse(qualified).group_keys == ["orders.country"]


def test_an_average_read_without_integer_division_and_a_null_guard_on_a_key_are_the_same_components():
    from copilot.agent.components import analyse

    plain = "SELECT site_id, AVG(battery_pct) AS b FROM sensor_readings GROUP BY site_id"
    cast = "SELECT site_id, AVG(CAST(battery_pct AS DOUBLE)) AS b FROM sensor_readings WHERE site_id IS NOT NULL GROUP BY site_id"
    assert analyse(plain).differences(analyse(cast)) == {}
    other = "SELECT site_id, AVG(battery_pct) AS b FROM sensor_readings WHERE device_id IS NOT NULL GROUP BY site_id"
    assert "filters" in analyse(plain).differences(analyse(other))  # a null test on a non-key field still counts


def test_a_two_label_case_key_is_its_condition():
    from copilot.agent.components import analyse

    labelled = (
        "SELECT CASE WHEN customer_id IS NULL THEN 'anonymous' ELSE 'known' END AS k, COUNT(*) AS n FROM page_views "
        "GROUP BY CASE WHEN customer_id IS NULL THEN 'anonymous' ELSE 'known' END"
    )
    plain = "SELECT customer_id IS NULL AS k, COUNT(*) AS n FROM page_views GROUP BY customer_id IS NULL"
    assert analyse(labelled).differences(analyse(plain)) == {}
    other = "SELECT referrer IS NULL AS k, COUNT(*) AS n FROM page_views GROUP BY referrer IS NULL"
    assert "group_keys" in analyse(labelled).differences(analyse(other))


SHARE = (
    "SELECT window_start, window_end, site_id, {share} AS s FROM TABLE(TUMBLE(TABLE trips, DESCRIPTOR(ended_at), "
    "INTERVAL '1' HOUR)) GROUP BY window_start, window_end, site_id HAVING {share} > {n}"
)
AS_FRACTION = "CAST(SUM(CASE WHEN trip_status = 'aborted' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*)"
IN_PERCENT = "SUM(CASE WHEN trip_status = 'aborted' THEN 1 ELSE 0 END) * 100.0 / COUNT(*)"


def test_a_share_threshold_in_percent_or_as_a_fraction_is_one_threshold():
    fraction = analyse(SHARE.format(share=AS_FRACTION, n="0.10"))
    assert fraction.differences(analyse(SHARE.format(share=AS_FRACTION, n="0.1"))) == {}
    assert fraction.differences(analyse(SHARE.format(share=IN_PERCENT, n="10"))) == {}
    times_one = "SUM(CASE WHEN trip_status = 'aborted' THEN 1 ELSE 0 END) * 1.0 / COUNT(*)"
    assert fraction.differences(analyse(SHARE.format(share=times_one, n="0.1"))) == {}
    assert "having" in fraction.differences(analyse(SHARE.format(share=IN_PERCENT, n="20")))
    assert "having" in fraction.differences(analyse(SHARE.format(share=AS_FRACTION, n="0.2")))


def test_a_cast_repeated_to_the_same_type_is_one_cast():
    twice = "CAST(CAST(SUM(CASE WHEN trip_status = 'aborted' THEN 1 ELSE 0 END) AS DOUBLE) AS DOUBLE) / COUNT(*)"
    assert analyse(SHARE.format(share=AS_FRACTION, n="0.05")).differences(analyse(SHARE.format(share=twice, n="0.05"))) == {}
    to_int = "CAST(CAST(SUM(CASE WHEN trip_status = 'aborted' THEN 1 ELSE 0 END) AS DOUBLE) AS INT) / COUNT(*)"
    assert "having" in analyse(SHARE.format(share=AS_FRACTION, n="0.05")).differences(
        analyse(SHARE.format(share=to_int, n="0.05"))
    )


def test_an_exclusion_of_two_values_together_is_one_condition_in_either_order():
    listing = "SELECT payment_id FROM payments WHERE NOT ({})"
    one = analyse(listing.format("`method` = 'paypal' AND status = 'declined'"))
    assert one.differences(analyse(listing.format("status = 'declined' AND `method` = 'paypal'"))) == {}
    apart = analyse("SELECT payment_id FROM payments WHERE `method` <> 'paypal' AND status <> 'declined'")
    assert "filters" in one.differences(apart)


def test_two_event_streams_joined_either_way_round_are_one_join():
    orders_first = (
        "SELECT o.country, COUNT(*) AS n FROM orders AS o JOIN shipments AS s ON s.order_id = o.order_id "
        "AND s.shipment_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR GROUP BY o.country"
    )
    shipments_first = (
        "SELECT o.country, COUNT(*) AS n FROM shipments AS s JOIN orders AS o ON s.order_id = o.order_id "
        "AND o.order_time BETWEEN s.shipment_time - INTERVAL '1' HOUR AND s.shipment_time GROUP BY o.country"
    )
    assert analyse(orders_first).differences(analyse(shipments_first)) == {}
    assert "joins" in analyse(orders_first).differences(analyse(orders_first.replace("shipments", "payments")))


def test_a_filtered_aggregate_is_its_case_form_and_not_a_row_filter():
    written_with_filter = analyse(
        "SELECT `method`, COUNT(*) AS p, COUNT(*) FILTER (WHERE status = 'declined') AS d, "
        "SUM(amount) FILTER (WHERE currency = 'EUR') AS e FROM payments GROUP BY `method`"
    )
    written_with_case = analyse(
        "SELECT `method`, COUNT(*) AS p, COUNT(CASE WHEN status = 'declined' THEN 1 END) AS d, "
        "SUM(CASE WHEN currency = 'EUR' THEN amount END) AS e FROM payments GROUP BY `method`"
    )
    only_declined_rows = analyse("SELECT `method`, COUNT(*) AS p FROM payments WHERE status = 'declined' GROUP BY `method`")
    assert written_with_filter.differences(written_with_case) == {}
    assert written_with_filter.filters == []
    assert written_with_filter.differences(only_declined_rows)
