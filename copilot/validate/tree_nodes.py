"""One walk per checked tree: the stages look nodes up by type in a flat list instead of walking the
tree again for each question (a 100 KB statement has some 30,000 nodes; eleven walks cost a second)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from sqlglot import exp

_local = threading.local()


def nodes(tree: exp.Expr) -> list[exp.Expr]:
    """Every node of `tree`, breadth first (the order sqlglot's find_all reports in). Cached for the
    last tree seen by this thread; the tree must not change in between (canonical.py copies first)."""
    cached = getattr(_local, "last", None)
    if cached is not None and cached[0] is tree:
        return cached[1]
    flat = list(tree.walk())
    _local.last = (tree, flat)
    return flat


def find_all(tree: exp.Expr, *types: type) -> Iterator[exp.Expr]:
    return (node for node in nodes(tree) if isinstance(node, types))
