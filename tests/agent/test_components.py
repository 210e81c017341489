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
