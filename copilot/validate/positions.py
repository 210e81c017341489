"""Map sqlglot positions (absolute offsets, token columns) to 1-based line/column of the user's text."""

from __future__ import annotations

import bisect

from sqlglot import exp


class TextPositions:
    def __init__(self, text: str):
        self.text = text
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def at_offset(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def of_node(self, node: exp.Expr | None) -> tuple[int, int]:
        """Where `node` starts: its own position, else its first positioned descendant's."""
        start = _start_offset(node)
        return self.at_offset(start) if start is not None else (1, 1)

    def find(self, needle: str, *, whole_word: bool = True) -> tuple[int, int] | None:
        """The first occurrence of `needle` (case-insensitive) as a word, outside of nothing fancier."""
        lowered, target = self.text.lower(), needle.lower()
        start = 0
        while True:
            index = lowered.find(target, start)
            if index < 0:
                return None
            before = lowered[index - 1] if index else " "
            after = lowered[index + len(target)] if index + len(target) < len(lowered) else " "
            if not whole_word or (not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")):
                return self.at_offset(index)
            start = index + 1


def _start_offset(node: exp.Expr | None) -> int | None:
    if node is None:
        return None
    best = None
    for child in node.walk():
        meta = child.meta if child._meta else None  # reading .meta would create an empty dict
        if meta and "start" in meta:
            if best is None or meta["start"] < best:
                best = meta["start"]
    return best
