"""Flink type names and time units, written down once: what is a number, an integer, a point in time,
and how many seconds an interval unit is. Every area (catalog checks, the planner, the charts, the
evaluation's comparison) asks here."""

from __future__ import annotations

import re

INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT"})
NUMERIC_TYPES = INTEGER_TYPES | {"FLOAT", "DOUBLE", "DECIMAL", "DEC", "NUMERIC", "REAL"}
TEMPORAL_TYPES = frozenset({"TIMESTAMP", "TIMESTAMP_LTZ", "DATE", "TIME"})
# the columns a window table function (TUMBLE, HOP, CUMULATE, SESSION) adds to its rows
WINDOW_COLUMNS = ("window_start", "window_end", "window_time")
# seconds in one unit of a Flink INTERVAL (and of a plan's durations)
UNIT_SECONDS: dict[str, int] = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}

_LEADING_WORD = re.compile(r"\s*([A-Za-z_]+)")


def base_type(flink_type: str | None) -> str:
    """The leading keyword of a type, upper-cased: 'DECIMAL' for 'DECIMAL(10, 2)', 'INT' for 'INT NOT NULL',
    'INTERVAL' for 'INTERVAL DAY TO SECOND' (never a prefix match: INTERVAL is not INT)."""
    m = _LEADING_WORD.match(flink_type or "")
    return m.group(1).upper() if m else ""


def is_numeric(flink_type: str | None) -> bool:
    return base_type(flink_type) in NUMERIC_TYPES


def is_integer(flink_type: str | None) -> bool:
    return base_type(flink_type) in INTEGER_TYPES


def is_temporal(flink_type: str | None) -> bool:
    """TIMESTAMP, TIMESTAMP_LTZ, DATE or TIME, with any precision or time zone clause, in DDL spelling or as
    the SQL Gateway names a result column's type (TIMESTAMP_WITH_LOCAL_TIME_ZONE(3), TIME_WITHOUT_TIME_ZONE)."""
    base = base_type(flink_type)
    return base in TEMPORAL_TYPES or base.startswith(("TIMESTAMP_", "TIME_"))
