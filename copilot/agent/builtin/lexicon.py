"""The generic English the planner knows, loaded once from the data files in `lexicon/`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LEXICON_DIR = Path(__file__).parent / "lexicon"


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    with open(LEXICON_DIR / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def english() -> dict:
    return load("english")


def time_words() -> dict:
    return load("time")


@lru_cache(maxsize=None)
def phrase_set(key: str) -> frozenset[tuple[str, ...]]:
    """One English list as token tuples, built once: for the look-ups made on every question."""
    return frozenset(phrases(english()[key]))


def said(lows: list[str], key: str, unless_next: dict[tuple[str, ...], str] | None = None) -> bool:
    """Whether the lower-cased words hold a phrase of one English list (a phrase followed by the word `unless_next`
    names for it does not count: "together" but not "together with")."""
    for i in range(len(lows)):
        for p in phrase_set(key):
            if tuple(lows[i : i + len(p)]) == p and not (
                unless_next and lows[i + len(p) : i + len(p) + 1] == [unless_next.get(p)]
            ):
                return True
    return False


@lru_cache(maxsize=None)
def word_set(key: str) -> frozenset[str]:
    """One English list of single words, lower case, built once."""
    return frozenset(str(w).lower() for w in english()[key])


def phrases(items) -> list[tuple[str, ...]]:
    """Lexicon entries as token tuples (a phrase may have several words)."""
    return [tuple(str(p).lower().split()) for p in items]
