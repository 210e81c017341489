"""Changelog-aware result comparison, without the stack: final tables, column matching, tolerance."""

from __future__ import annotations

from copilot.eval.compare import FinalTable, compare, normalise


def table(columns, rows, types=None, kinds=None):
    t = FinalTable(columns, types)
    for i, row in enumerate(rows):
        t.apply((kinds or {}).get(i, "+I"), list(row))
    return t


def test_changelog_is_applied_to_a_final_table():
    t = FinalTable(["country", "n"], ["STRING", "BIGINT"])
    t.apply_all(
        [
            ("+I", ["DE", 1]),
            ("+I", ["FR", 1]),
            ("-U", ["DE", 1]),
            ("+U", ["DE", 2]),
            ("-D", ["FR", 1]),
            ("+I", ["NL", 5]),
            ("+I", ["NL", 5]),
        ]
    )
    assert sorted(t.row_list()) == [("DE", 2), ("NL", 5), ("NL", 5)]
    assert len(t) == 3 and t.changes == 7 and t.orphan_retractions == 0


def test_an_updating_result_equals_the_insert_only_result_it_ends_in():
    updating = FinalTable(["c", "n"]).apply_all([("+I", ["DE", 1]), ("-U", ["DE", 1]), ("+U", ["DE", 2])])
    final = table(["country", "orders"], [("DE", 2)])
    assert compare(updating, final).equal


def test_column_names_and_order_are_ignored():
    a = table(
        ["window_start", "country", "revenue"],
        [("2026-12-01 10:00:00", "DE", 10.5), ("2026-12-01 10:00:00", "FR", 3)],
        ["TIMESTAMP(3)", "STRING", "DECIMAL(10, 2)"],
    )
    b = table(
        ["r", "ws", "c"],
        [(3, "2026-12-01T10:00", "FR"), (10.5, "2026-12-01T10:00:00.000", "DE")],
        ["DOUBLE", "TIMESTAMP_LTZ(3)", "STRING"],
    )
    result = compare(a, b)
    assert result.equal, result.reason
    assert result.mapping == {"window_start": "ws", "country": "c", "revenue": "r"}


def test_numbers_compare_with_a_relative_tolerance():
    a = table(["x"], [("12.30",), ("0.3333333",)], ["DECIMAL(10, 2)"])
    b = table(["x"], [(12.3000000001,), (1 / 3,)], ["DOUBLE"])
    assert compare(a, b).equal
    c = table(["x"], [(12.31,), (1 / 3,)], ["DOUBLE"])
    assert not compare(a, c).equal


def test_window_bounds_compare_as_timestamps():
    assert normalise("2026-12-01 10:05:00", "TIMESTAMP(3)") == normalise("2026-12-01T10:05:00.000Z", "TIMESTAMP_LTZ(3)")
    a = table(["ws"], [("2026-12-01 10:05:00",)], ["TIMESTAMP(3)"])
    b = table(["ws"], [("2026-12-01 10:06:00",)], ["TIMESTAMP(3)"])
    assert not compare(a, b).equal


def test_a_ranking_number_only_one_side_has_is_dropped():
    a = table(["country", "revenue", "rn"], [("DE", 10, 1), ("FR", 5, 2)])
    b = table(["country", "revenue"], [("FR", 5), ("DE", 10)])
    result = compare(a, b, derived=["rn"])
    assert result.equal and result.dropped == ["rn"]


def test_a_missing_measure_is_a_difference():
    a = table(["country", "revenue", "orders"], [("DE", 10, 3), ("FR", 5, 2)])
    b = table(["country", "revenue"], [("FR", 5), ("DE", 10)])
    result = compare(a, b)
    assert not result.equal and "orders" in result.reason


def test_a_different_value_gives_a_small_diff():
    a = table(["country", "n"], [("DE", 10), ("FR", 5), ("NL", 1)])
    b = table(["c", "n"], [("DE", 10), ("FR", 6), ("NL", 1)])
    result = compare(a, b)
    assert not result.equal
    assert result.only_left == [["FR", 5]] and result.only_right == [["FR", 6]]


def test_the_rows_shown_in_a_diff_do_not_depend_on_arrival_order():
    rows = [(f"k{i}", i, i * 1.5 if i % 3 else None) for i in range(12)]
    other = [(k, n, None if v is None else v + 1) for k, n, v in rows]
    first = compare(table(["k", "n", "v"], rows), table(["k", "n", "v"], other))
    second = compare(table(["k", "n", "v"], rows[::-1]), table(["k", "n", "v"], other[5:] + other[:5]))
    assert not first.equal and len(first.only_left) == 5
    assert first.to_dict() == second.to_dict()


def test_rows_are_a_multiset():
    a = table(["x"], [(1,), (1,), (2,)])
    b = table(["x"], [(1,), (2,), (2,)])
    result = compare(a, b)
    assert not result.equal and result.only_left == [[1]] and result.only_right == [[2]]


def test_columns_with_the_same_values_are_told_apart_by_rows():
    # two count columns whose values are the same multiset: only one pairing of rows is right
    a = table(["k", "a", "b"], [("x", 1, 2), ("y", 2, 1)])
    b = table(["k", "b", "a"], [("x", 2, 1), ("y", 1, 2)])
    assert compare(a, b).equal
    c = table(["k", "a", "b"], [("x", 1, 2), ("y", 1, 2)])
    assert not compare(a, c).equal


def test_empty_results_are_equal_and_comparison_is_symmetric():
    assert compare(table(["a"], []), table(["b", "c"], [])).equal
    a = table(["country", "n"], [("DE", 10), ("FR", 5)])
    b = table(["country", "n"], [("DE", 10)])
    assert not compare(a, b).equal and not compare(b, a).equal
    assert compare(a, b).to_dict() == compare(a, b).to_dict()


def test_an_attribute_only_one_side_lists_is_left_out_but_not_a_measure():
    from copilot.eval.runner import column_roles, compare_results

    listing = "SELECT order_id, country, amount, channel FROM orders WHERE amount > 100"
    fewer = "SELECT order_id, amount FROM orders WHERE amount > 100"
    assert column_roles(listing, {"order_id"}) == {
        "order_id": "key",
        "country": "attribute",
        "amount": "attribute",
        "channel": "attribute",
    }
    a = table(["order_id", "country", "amount", "channel"], [("o1", "DE", 120, "web"), ("o2", "FR", 300, "store")])
    b = table(["order_id", "amount"], [("o2", 300), ("o1", 120)])
    assert compare_results(a, b, listing, fewer, {"orders": {"order_id"}}).equal
    amounts = table(["amount"], [(300,), (120,)])
    assert not compare_results(a, amounts, listing, "SELECT amount FROM orders", {"orders": {"order_id"}}).equal  # a key
    top = (
        "SELECT window_start, window_end, country, revenue, rn FROM (SELECT window_start, window_end, country, revenue, "
        "ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY revenue DESC) AS rn FROM (SELECT window_start, "
        "window_end, country, SUM(amount) AS revenue FROM t GROUP BY window_start, window_end, country)) WHERE rn <= 1"
    )
    assert column_roles(top) == {"window_start": "key", "window_end": "key", "country": "key", "revenue": "measure", "rn": "rank"}
    grouped = "SELECT country, SUM(amount) AS revenue, COUNT(*) AS n FROM orders GROUP BY country"
    fewer_measures = "SELECT country, SUM(amount) AS revenue FROM orders GROUP BY country"
    c = table(["country", "revenue", "n"], [("DE", 10, 3), ("FR", 5, 2)])
    d = table(["country", "revenue"], [("FR", 5), ("DE", 10)])
    assert not compare_results(c, d, grouped, fewer_measures).equal  # a missing measure


def test_ties_at_a_ranking_cut_off_are_equal_but_swapped_values_are_not():
    w = "2026-12-01 10:00:00"
    a = table(["ws", "product", "n"], [(w, "p1", 9), (w, "p2", 4)], ["TIMESTAMP(3)", "STRING", "BIGINT"])
    b = table(["ws", "product", "n"], [(w, "p1", 9), (w, "p7", 4)], ["TIMESTAMP(3)", "STRING", "BIGINT"])
    assert not compare(a, b).equal
    tied = compare(a, b, ranked=True)
    assert tied.equal and "ties" in tied.reason
    swapped = table(["ws", "product", "n"], [(w, "p1", 4), (w, "p2", 9)], ["TIMESTAMP(3)", "STRING", "BIGINT"])
    assert not compare(a, swapped, ranked=True).equal
