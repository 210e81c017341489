"""Which chart fits a result, decided from its shape (column names and Flink types), and the data for it.

Rules, first match wins:
- a `window_start` column and a numeric measure: a line over time (one series per category, if any);
- one numeric value and nothing to group by: a single big number;
- a category and a numeric measure: bars (for windowed results, the latest window's bars);
- anything else: the table alone.
The user may switch to any kind `available_charts` offers for the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from copilot.sql.types import WINDOW_COLUMNS, base_type, is_numeric, is_temporal

KIND_LABELS = {"line": "Line over time", "bar": "Bars", "number": "Big number", "table": "Table only"}


@dataclass(frozen=True)
class ResultShape:
    time: str | None  # the window column the line runs over
    categories: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, columns: Sequence[tuple[str, str]]) -> "ResultShape":
        names = [n.lower() for n, _t in columns]
        time = next((n for n, _t in columns if n.lower() == "window_start"), None)
        if time is None and "window_end" in names:
            time = next(n for n, _t in columns if n.lower() == "window_end")
        measures = [n for n, t in columns if is_numeric(t)]
        categories = [n for n, t in columns if n.lower() not in WINDOW_COLUMNS and not is_numeric(t) and not is_temporal(t)]
        # A rank column from top-N queries is a position, not a measure.
        ranks = [m for m in measures if m.lower() in ("rownum", "row_num", "rank", "rn", "position")]
        measures = [m for m in measures if m not in ranks] or measures
        return cls(time, categories, measures)


@dataclass(frozen=True)
class ChartChoice:
    kind: str  # line | bar | number | table
    x: str | None = None
    y: str | None = None
    color: str | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def available_charts(columns: Sequence[tuple[str, str]]) -> list[str]:
    shape = ResultShape.of(columns)
    kinds: list[str] = []
    if shape.time and shape.measures:
        kinds.append("line")
    if shape.measures and not shape.categories:
        kinds.append("number")
    if shape.measures and (shape.categories or shape.time):
        kinds.append("bar")
    kinds.append("table")
    return kinds


def choose_chart(columns: Sequence[tuple[str, str]], preferred: str | None = None) -> ChartChoice:
    """The chart for this shape; `preferred` (the user's switch, or a chart the question asked for)
    wins when the shape allows it."""
    shape = ResultShape.of(columns)
    kinds = available_charts(columns)
    kind = preferred if preferred in kinds else kinds[0]
    measure = shape.measures[0] if shape.measures else None
    category = shape.categories[0] if shape.categories else None
    if kind == "line":
        return ChartChoice("line", shape.time, measure, category, f"{measure} per window over {shape.time}")
    if kind == "number":
        return ChartChoice("number", None, measure, None, f"one value: {measure}")
    if kind == "bar":
        x = category or shape.time
        return ChartChoice("bar", x, measure, None, f"{measure} by {x}")
    return ChartChoice("table", reason="no numeric measure to plot" if not shape.measures else "table chosen")


def _typed_frame(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([list(r) for r in rows], columns=[n for n, _t in columns])
    for name, flink_type in columns:
        if is_numeric(flink_type):
            frame[name] = pd.to_numeric(frame[name], errors="coerce")
        elif is_temporal(flink_type) and base_type(flink_type) != "TIME":
            frame[name] = pd.to_datetime(frame[name], errors="coerce", utc=False)
    return frame


def table_frame(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """The result as a typed table (numbers as numbers, times as times), newest rows first: a
    windowed result shows its latest windows on top, where the eye lands."""
    return _typed_frame(columns, list(reversed(rows)))


def chart_frame(choice: ChartChoice, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """The rows the chart needs, aggregated so each x (and series) has one point."""
    frame = _typed_frame(columns, rows)
    if frame.empty or choice.kind == "table":
        return frame
    shape = ResultShape.of(columns)
    if choice.kind == "line":
        keys = [choice.x] + ([choice.color] if choice.color else [])
        return frame.groupby(keys, as_index=False)[choice.y].sum().sort_values(choice.x)
    latest = _latest_window(frame, shape)
    if choice.kind == "bar":
        return latest.groupby(choice.x, as_index=False)[choice.y].sum().sort_values(choice.y, ascending=False)
    return latest  # number


def _latest_window(frame: pd.DataFrame, shape: ResultShape) -> pd.DataFrame:
    if shape.time and shape.time in frame and frame[shape.time].notna().any():
        return frame[frame[shape.time] == frame[shape.time].max()]
    return frame


def big_number(
    choice: ChartChoice, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> tuple[float | None, float | None]:
    """(current value, change against the previous window or previous row) for the big-number view."""
    frame = _typed_frame(columns, rows)
    if frame.empty or choice.y is None:
        return None, None
    shape = ResultShape.of(columns)
    if shape.time and shape.time in frame:
        per_window = frame.groupby(shape.time)[choice.y].sum().sort_index()
        values = per_window.tolist()
    else:
        values = frame[choice.y].tolist()
    current = values[-1]
    previous = values[-2] if len(values) > 1 else None
    delta = None if previous is None or pd.isna(previous) or pd.isna(current) else current - previous
    return (None if pd.isna(current) else float(current)), (None if delta is None else float(delta))


def line_spec(choice: ChartChoice, frame: pd.DataFrame):
    """An Altair line chart over window start with clock-time ticks (Vega's default shows sub-second ticks)."""
    import altair as alt

    encoding = {
        "x": alt.X(f"{choice.x}:T", title=choice.x, axis=alt.Axis(format="%H:%M:%S", labelAngle=0)),
        "y": alt.Y(f"{choice.y}:Q", title=choice.y),
        "tooltip": [alt.Tooltip(f"{choice.x}:T", format="%H:%M:%S")] + ([choice.color] if choice.color else []) + [choice.y],
    }
    if choice.color:
        encoding["color"] = alt.Color(f"{choice.color}:N", title=choice.color)
    return alt.Chart(frame).mark_line(point=True).encode(**encoding).properties(height=280)
