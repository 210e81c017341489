"""Changelog-aware comparison of two query results.

Each result's changelog (+I/-U/+U/-D) is applied to a final table; the two final tables are then
compared as multisets of rows, ignoring column names and column order. A column only one side has is
dropped when it is a ranking number or `window_time` (derived columns: they add no information); any
other column one side lacks — a measure or a key — makes the results different. Numbers compare with a
relative tolerance (DECIMAL 12.30 equals DOUBLE 12.3), timestamps as instants (window bounds written as
TIMESTAMP or TIMESTAMP_LTZ, with or without a `T` or a zone, are the same bound)."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Sequence

from copilot.eval.instants import parse_iso
from copilot.sql.types import is_numeric, is_temporal

REL_TOL = 1e-6
DIFF_ROWS = 5  # rows shown per side in a diff
MAX_MAPPINGS = 2000  # column assignments tried before giving up (columns with identical values)
DERIVED_COLUMNS = {"window_time"}


class ChangelogError(ValueError):
    """A retraction of a row the table never held: the changelog is not consistent."""


class FinalTable:
    """The table a changelog ends in: +I and +U add a row, -U and -D remove one equal row."""

    def __init__(self, columns: list[str], types: list[str] | None = None):
        self.columns = list(columns)
        self.types = list(types or [""] * len(columns))
        self.rows: Counter = Counter()
        self.changes = 0
        self.orphan_retractions = 0

    def apply(self, kind: str, fields: list[Any]) -> None:
        key = tuple(_hashable(v) for v in fields)
        self.changes += 1
        if kind in ("+I", "+U"):
            self.rows[key] += 1
        elif kind in ("-U", "-D"):
            if self.rows[key] <= 0:
                self.orphan_retractions += 1
                del self.rows[key]
                return
            self.rows[key] -= 1
            if not self.rows[key]:
                del self.rows[key]
        else:
            raise ChangelogError(f"unknown change kind {kind!r}")

    def apply_all(self, changes: Iterable[tuple[str, list[Any]]]) -> "FinalTable":
        for kind, fields in changes:
            self.apply(kind, fields)
        return self

    def __len__(self) -> int:
        return sum(self.rows.values())

    def row_list(self) -> list[tuple]:
        return list(self.rows.elements())


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


# ---- value normalisation ------------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    moment = value if isinstance(value, datetime) else parse_iso(value) if isinstance(value, str) else None
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def normalise(value: Any, type_name: str = "") -> Any:
    """A comparable form: ('n', float) for numbers, ('t', datetime) for instants, else the value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return ("n", float(value))
    if isinstance(value, str):
        if is_numeric(type_name):
            try:
                return ("n", float(Decimal(value)))
            except (InvalidOperation, ValueError):
                return value
        if is_temporal(type_name) or (len(value) >= 19 and value[4:5] == "-" and value[10:11] in (" ", "T")):
            moment = _parse_time(value)
            if moment is not None:
                return ("t", moment)
    return value


def values_equal(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, tuple) and isinstance(b, tuple) and a[:1] == b[:1] == ("n",):
        x, y = a[1], b[1]
        if math.isnan(x) and math.isnan(y):
            return True
        return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12)
    return False


def _bucket(value: Any) -> Any:
    """A coarse key that equal values share (numbers rounded well below the tolerance's scale)."""
    if isinstance(value, tuple) and value[:1] == ("n",):
        x = value[1]
        if x == 0 or math.isnan(x) or math.isinf(x):
            return ("n", x)
        return ("n", float(f"{x:.5g}"))
    return value


# ---- comparison ---------------------------------------------------------------------------------


@dataclass
class Comparison:
    equal: bool
    reason: str
    rows: tuple[int, int] = (0, 0)
    only_left: list[list[Any]] = field(default_factory=list)  # a few rows only the first result has
    only_right: list[list[Any]] = field(default_factory=list)  # a few rows only the second result has
    dropped: list[str] = field(default_factory=list)  # derived columns left out
    mapping: dict[str, str] = field(default_factory=dict)  # left column -> right column

    def to_dict(self) -> dict:
        return {
            "equal": self.equal,
            "reason": self.reason,
            "rows": list(self.rows),
            "only_left": self.only_left,
            "only_right": self.only_right,
            "dropped": self.dropped,
            "mapping": self.mapping,
        }


def _table(result: "FinalTable") -> tuple[list[str], list[list[Any]]]:
    rows = [[normalise(v, t) for v, t in zip(row, result.types)] for row in result.row_list()]
    return result.columns, rows


def _column_signature(rows: list[list[Any]], i: int) -> list[Any]:
    return sorted((_bucket(r[i]) for r in rows), key=_sort_key)


def _sort_key(value: Any) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("n", "t"):
        return (1, value[0], value[1]) if value[0] == "n" else (2, value[1].isoformat())
    return (3, str(value))


def _signatures_match(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(x == y or values_equal(x, y) for x, y in zip(a, b))


def _multiset_diff(left: list[tuple], right: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Rows of each side with no equal row (within the tolerance) on the other side."""
    exact_l, exact_r = Counter(left), Counter(right)
    common = exact_l & exact_r
    rest_l, rest_r = list((exact_l - common).elements()), list((exact_r - common).elements())
    if not rest_l or not rest_r:
        return rest_l, rest_r
    by_bucket: dict[tuple, list[int]] = {}
    for j, row in enumerate(rest_r):
        by_bucket.setdefault(tuple(_bucket(v) for v in row), []).append(j)
    used: set[int] = set()
    unmatched_l = []
    for row in rest_l:
        candidates = by_bucket.get(tuple(_bucket(v) for v in row), [])
        hit = next((j for j in candidates if j not in used and all(values_equal(a, b) for a, b in zip(row, rest_r[j]))), None)
        if hit is None and len(rest_r) <= 2000:  # a value right at a rounding edge: look at every row
            hit = next(
                (j for j in range(len(rest_r)) if j not in used and all(values_equal(a, b) for a, b in zip(row, rest_r[j]))), None
            )
        if hit is None:
            unmatched_l.append(row)
        else:
            used.add(hit)
    return unmatched_l, [r for j, r in enumerate(rest_r) if j not in used]


def compare(
    left: FinalTable,
    right: FinalTable,
    *,
    derived: Iterable[str] = (),
    left_droppable: Iterable[str] = (),
    right_droppable: Iterable[str] = (),
    ranked: bool = False,
) -> Comparison:
    """Compare two final tables as multisets. A column only one side has is left out when its name is
    in `derived` (both sides: ranking numbers) or in that side's `*_droppable` (columns that are
    neither a measure nor a key, e.g. extra attributes of listed rows); `window_time` always may be.
    With `ranked` (the queries rank rows), rows that differ only in which of two tied keys made the
    cut-off count as equal, and the reason says so."""
    both = {d.lower() for d in derived} | DERIVED_COLUMNS
    drop_l = both | {d.lower() for d in left_droppable}
    drop_r = both | {d.lower() for d in right_droppable}
    lcols, lrows = _table(left)
    rcols, rrows = _table(right)
    counts = (len(lrows), len(rrows))
    if not lrows and not rrows:
        return Comparison(True, "both results are empty", counts)
    lsig = [_column_signature(lrows, i) for i in range(len(lcols))]
    rsig = [_column_signature(rrows, j) for j in range(len(rcols))]
    candidates = {i: [j for j in range(len(rcols)) if _signatures_match(lsig[i], rsig[j])] for i in range(len(lcols))}

    best: tuple[int, dict[int, int], list[tuple], list[tuple]] | None = None
    tried = 0
    for mapping in _assignments(lcols, rcols, candidates, drop_l):
        tried += 1
        if tried > MAX_MAPPINGS:
            break
        missing = [lcols[i] for i in range(len(lcols)) if i not in mapping and lcols[i].lower() not in drop_l]
        missing += [rcols[j] for j in range(len(rcols)) if j not in mapping.values() and rcols[j].lower() not in drop_r]
        keys = sorted(mapping)
        pl = [tuple(r[i] for i in keys) for r in lrows]
        pr = [tuple(r[mapping[i]] for i in keys) for r in rrows]
        only_l, only_r = _multiset_diff(pl, pr)
        if not missing and not only_l and not only_r:
            dropped = [lcols[i] for i in range(len(lcols)) if i not in mapping]
            dropped += [rcols[j] for j in range(len(rcols)) if j not in mapping.values()]
            return Comparison(
                True,
                "same rows" + (f" (left out {', '.join(dropped)})" if dropped else ""),
                counts,
                dropped=dropped,
                mapping={lcols[i]: rcols[j] for i, j in mapping.items()},
            )
        score = len(missing) * 10**9 + len(only_l) + len(only_r)
        if best is None or score < best[0]:
            best = (score, mapping, only_l, only_r)
    return _difference(lcols, rcols, lrows, rrows, (drop_l, drop_r), best, counts, ranked)


def _assignments(lcols, rcols, candidates, droppable):
    """Injective maps left column -> right column; first those covering the most columns."""
    order = sorted(range(len(lcols)), key=lambda i: len(candidates[i]))
    seen: set[tuple] = set()

    def extend(k: int, mapping: dict[int, int]):
        if k == len(order):
            key = tuple(sorted(mapping.items()))
            if key not in seen:
                seen.add(key)
                yield dict(mapping)
            return
        i = order[k]
        for j in candidates[i]:
            if j not in mapping.values():
                mapping[i] = j
                yield from extend(k + 1, mapping)
                del mapping[i]
        if not candidates[i] or lcols[i].lower() in droppable:
            yield from extend(k + 1, mapping)  # leave column i unmatched (dropped, or missing)

    yield from itertools.islice(extend(0, {}), MAX_MAPPINGS + 1)


def _difference(lcols, rcols, lrows, rrows, droppable, best, counts, ranked) -> Comparison:
    drop_l, drop_r = droppable
    if best is None:
        return Comparison(
            False,
            "no column of one result matches a column of the other",
            counts,
            only_left=_sample(lrows),
            only_right=_sample(rrows),
        )
    _score, mapping, only_l, only_r = best
    # columns whose values differ have no signature match: pair them by kind (same name first) to show rows
    paired = dict(mapping)
    free_r = [j for j in range(len(rcols)) if j not in mapping.values() and rcols[j].lower() not in drop_r]
    for i in (i for i in range(len(lcols)) if i not in mapping and lcols[i].lower() not in drop_l):
        kind = _kind(lrows, i)
        pick = next((j for j in free_r if rcols[j].lower() == lcols[i].lower() and _kind(rrows, j) == kind), None)
        pick = pick if pick is not None else next((j for j in free_r if _kind(rrows, j) == kind), None)
        if pick is not None:
            paired[i] = pick
            free_r.remove(pick)
    extra_l = [lcols[i] for i in range(len(lcols)) if i not in paired and lcols[i].lower() not in drop_l]
    extra_r = [rcols[j] for j in free_r]
    keys = sorted(paired)
    pl = [tuple(r[i] for i in keys) for r in lrows]
    pr = [tuple(r[paired[i]] for i in keys) for r in rrows]
    if paired != mapping:
        only_l, only_r = _multiset_diff(pl, pr)
    if ranked and not extra_l and not extra_r and counts[0] == counts[1] and only_l and _ties_only(only_l, only_r, pl, pr):
        return Comparison(
            True,
            f"same rows up to ties at a ranking cut-off ({len(only_l)} tied rows differ in their key)",
            counts,
            only_left=_sample(only_l),
            only_right=_sample(only_r),
            mapping={lcols[i]: rcols[j] for i, j in paired.items()},
        )
    reasons = []
    if counts[0] != counts[1]:
        reasons.append(f"{counts[0]} rows vs {counts[1]} rows")
    if extra_l:
        reasons.append(f"a measure or key only the first result has: {', '.join(extra_l)}")
    if extra_r:
        reasons.append(f"a measure or key only the second result has: {', '.join(extra_r)}")
    differing = [f"{lcols[i]}/{rcols[j]}" for i, j in paired.items() if i not in mapping]
    if differing and counts[0] == counts[1]:
        reasons.append(f"values differ in {', '.join(differing)}")
    if only_l or only_r:
        reasons.append(f"{len(only_l)} rows only in the first, {len(only_r)} only in the second")
    return Comparison(
        False,
        "; ".join(reasons) or "different rows",
        counts,
        only_left=_sample(only_l),
        only_right=_sample(only_r),
        mapping={lcols[i]: rcols[j] for i, j in paired.items()},
    )


def _ties_only(only_l: list[tuple], only_r: list[tuple], pl: list[tuple], pr: list[tuple]) -> bool:
    """The differing rows carry the same numbers and times (tied ranked values) and differ only in keys
    that the other side does not have in the same window: which tied key made the cut-off."""
    kinds = [_kind(pl, i) for i in range(len(pl[0]))] if pl else []
    value_idx = [i for i, k in enumerate(kinds) if k in ("n", "t")]
    time_idx = [i for i, k in enumerate(kinds) if k == "t"]
    key_idx = [i for i, k in enumerate(kinds) if k not in ("n", "t")]
    if not key_idx or not value_idx:
        return False
    a, b = _multiset_diff([tuple(r[i] for i in value_idx) for r in only_l], [tuple(r[i] for i in value_idx) for r in only_r])
    if a or b:
        return False

    def where(r):
        return tuple(r[i] for i in time_idx), tuple(r[i] for i in key_idx)

    left_keys, right_keys = {where(r) for r in pl}, {where(r) for r in pr}
    return all(where(r) not in right_keys for r in only_l) and all(where(r) not in left_keys for r in only_r)


def _kind(rows: Sequence[Sequence[Any]], i: int) -> str:
    value = next((r[i] for r in rows if r[i] is not None), None)
    return value[0] if isinstance(value, tuple) and len(value) == 2 and value[0] in ("n", "t") else type(value).__name__


def _sample(rows: list) -> list[list[Any]]:
    """The first DIFF_ROWS rows in a fixed order, so a diff reads the same whatever order Flink emitted them in."""
    return [_show(r) for r in sorted(rows, key=_row_order)[:DIFF_ROWS]]


def _row_order(row) -> tuple:
    def value(v) -> tuple:
        if v is None:
            return (0, "")
        if isinstance(v, tuple) and len(v) == 2 and v[0] in ("n", "t"):
            return (1, v[1]) if v[0] == "n" else (2, v[1].isoformat())
        return (3, str(v))

    return tuple(value(v) for v in row)


def _show(row) -> list[Any]:
    out = []
    for v in row:
        if isinstance(v, tuple) and len(v) == 2 and v[0] == "n":
            out.append(int(v[1]) if float(v[1]).is_integer() else v[1])
        elif isinstance(v, tuple) and len(v) == 2 and v[0] == "t":
            out.append(v[1].isoformat(sep=" "))
        else:
            out.append(v)
    return out
