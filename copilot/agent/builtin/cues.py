"""Grammar cues of business questions: aggregate words, grouping words, comparisons, top-N, negation."""

from __future__ import annotations

import re

AGG_CUES: dict[tuple[str, ...], str] = {
    ("how", "many"): "count", ("how", "much"): "sum", ("number", "of"): "count", ("count", "of"): "count",
    ("count",): "count", ("amount", "of"): "sum", ("total",): "sum", ("sum", "of"): "sum", ("sum",): "sum",
    ("overall",): "sum", ("average",): "avg", ("avg",): "avg", ("mean",): "avg", ("typical",): "avg",
    ("maximum",): "max", ("max",): "max", ("highest",): "max", ("largest",): "max", ("biggest",): "max",
    ("peak",): "max", ("minimum",): "min", ("min",): "min", ("lowest",): "min", ("smallest",): "min",
    ("cheapest",): "min",
}
DISTINCT_CUES = {"distinct", "unique", "different", "individual"}
SHARE_CUES = {"share", "rate", "percentage", "percent", "ratio", "proportion", "fraction", "%"}
DIM_CUES = {"by", "per", "each", "across", "every", "which", "what", "grouped", "split", "broken"}
LIST_CUES = {"show", "list", "stream", "display", "give", "find", "arrive", "arriving", "happen", "happens", "individual", "raw", "latest", "get"}
NEGATIONS = {"not", "no", "non", "except", "excluding", "exclude", "without", "outside", "but", "other"}
SELL_VERBS = {"sell", "sells", "sold", "selling", "bestselling", "seller", "sellers"}
SUPERLATIVE_MOST = {"most", "highest", "largest", "biggest", "best", "top", "more"}
SUPERLATIVE_LEAST = {"least", "lowest", "smallest", "fewest", "worst", "bottom"}
FILLER = {"the", "a", "an", "of", "is", "are", "was", "were", "with", "that", "which", "where", "whose",
          "having", "has", "have", "total", "their", "its", "in", "for", "on", "per", "and", "do", "does"}

COMPARATORS: list[tuple[tuple[str, ...], str]] = [
    (("more", "than"), ">"), (("greater", "than"), ">"), (("higher", "than"), ">"), (("larger", "than"), ">"),
    (("bigger", "than"), ">"), (("at", "least"), ">="), (("less", "than"), "<"), (("fewer", "than"), "<"),
    (("lower", "than"), "<"), (("smaller", "than"), "<"), (("at", "most"), "<="), (("no", "more", "than"), "<="),
    (("above",), ">"), (("over",), ">"), (("exceeding",), ">"), (("exceeds",), ">"), (("exceed",), ">"),
    (("below",), "<"), (("under",), "<"), ((">",), ">"), ((">=",), ">="), (("<",), "<"), (("<=",), "<="),
    (("beyond",), ">"),
]
UNIT_WORDS = {"euro", "euros", "eur", "dollar", "dollars", "usd", "$", "€", "pound", "pounds", "gbp", "bucks"}
NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?k?$")
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "twenty": 20, "hundred": 100, "thousand": 1000}


def number_value(token: str) -> float | None:
    t = token.lower()
    if NUMBER_RE.match(t):
        return float(t[:-1]) * 1000 if t.endswith("k") else float(t)
    return float(WORD_NUMBERS[t]) if t in WORD_NUMBERS else None


def match_phrase(low: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(low[i : i + len(phrase)]) == phrase


def agg_before(low: list[str], start: int, reach: int = 3, floor: int = 0) -> tuple[str | None, bool, int]:
    """The aggregate cue in the `reach` tokens before `start` (not before `floor`, the end of the
    previous phrase: a cue belongs to the nearest phrase after it): (func, distinct, cue index)."""
    func, distinct, at = None, False, -1
    for i in range(max(0, floor, start - reach - 1), start):
        if low[i] in DISTINCT_CUES:
            distinct, at = True, i
        for phrase, f in AGG_CUES.items():
            if match_phrase(low, i, phrase) and i + len(phrase) <= start:
                func, at = f, i
    return func, distinct, at


def comparator_at(low: list[str], i: int) -> tuple[str, int] | None:
    """(operator, length) when a comparison phrase starts at token i."""
    for phrase, op in COMPARATORS:
        if match_phrase(low, i, phrase):
            return op, len(phrase)
    return None


def negated(low: list[str], start: int, reach: int = 3) -> bool:
    window = low[max(0, start - reach) : start]
    if "other" in window and "than" in window:
        return True
    return any(w in NEGATIONS - {"other", "but"} for w in window) or (window[-2:] == ["but", "not"])
