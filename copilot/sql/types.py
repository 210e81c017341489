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
# a duration as people write it: '5 s', '500 ms', '2 min', '1h', '1.5 hours', '7 days'
_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(ms|millis?|milli(?:second)?s?|s|secs?|seconds?|m|mins?|minutes?|h|hours?"
    r"|d|days?)?\s*$",
    re.IGNORECASE,
)
# seconds in one unit of a duration as split_duration names it
DURATION_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


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


def split_duration(text: str | None) -> tuple[float, str] | None:
    """(amount, unit) of a duration, unit one of ms, s, m, h, d (seconds when none is written); None when
    `text` is not a duration. The one grammar of the catalog's watermark delays and the CLI's spans."""
    m = _DURATION.match(text or "")
    if not m:
        return None
    word = (m.group(2) or "s").lower()
    unit = "ms" if word == "ms" or word.startswith("milli") else word[0]
    return float(m.group(1)), unit


def duration_seconds(text: str | None) -> float | None:
    split = split_duration(text)
    return None if split is None else split[0] * DURATION_UNIT_SECONDS[split[1]]


# How a catalog writes a field's time unit (`unit: s`) → the interval unit it is (units of a duration field).
_TIME_UNIT_NAMES = {
    "SECOND": ("s", "sec", "secs", "second", "seconds"),
    "MINUTE": ("min", "mins", "minute", "minutes"),
    "HOUR": ("h", "hr", "hrs", "hour", "hours"),
    "DAY": ("d", "day", "days"),
}


def duration_unit(unit: str | None) -> str | None:
    """SECOND / MINUTE / HOUR / DAY for a field unit written as a time unit, else None."""
    low = (unit or "").strip().lower()
    return next((name for name, words in _TIME_UNIT_NAMES.items() if low in words), None)
