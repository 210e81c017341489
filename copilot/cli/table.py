"""Plain-text tables of the list commands (`jobs list`, `watch list`): a header and one line per row,
each column left-aligned to its width, the last one unpadded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Column = tuple[str, int, Callable[[dict], Any]]  # header, width, the cell of a row


def table(rows: Sequence[dict], columns: Sequence[Column], empty: str) -> str:
    if not rows:
        return empty

    def line(cells: Sequence[Any]) -> str:
        padded = [f"{str(cell):<{width}}" for cell, (_h, width, _v) in zip(cells[:-1], columns[:-1])]
        return " ".join([*padded, str(cells[-1])])

    return "\n".join(
        [line([header for header, _w, _v in columns])] + [line([value(r) for _h, _w, value in columns]) for r in rows]
    )
