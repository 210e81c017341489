"""Tokens, stems and edit distance: the morphology the planner uses on questions and catalog words."""

from __future__ import annotations

import re
from functools import lru_cache

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*(?:[km]\b)?|[A-Za-z][A-Za-z0-9_']*|[<>]=?|%|[$€£¥]")


# an identifier as people paste it: capital letters (or one letter), a hyphen, then digits ("C-1042", "ORD-88213",
# "TH-200"); a duration ("10-min") starts with its number, and a word ("top-5") is written in lower case
CODE_RE = re.compile(r"(?<![\w-])(?:[A-Z]{1,5}|[A-Za-z])-\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?![\w-])")


def tokenize(text: str) -> list[str]:
    """Tokens with their original case (short codes like `US` are matched as written); an identifier with a
    hyphen ("AMS-01") is one token."""
    text = text.replace("’", "'")
    out: list[str] = []
    at = 0
    for code in CODE_RE.finditer(text):
        out += _words(text[at : code.start()])
        out.append(code.group())
        at = code.end()
    return out + _words(text[at:])


def _words(text: str) -> list[str]:
    text = text.replace("-", " ").replace("/", " ")
    return [t.rstrip("'") for t in TOKEN_RE.findall(text)]


VERSION_RE = re.compile(r"v?\d+(?:\.\d+){2,3}")


def is_identifier(token: str) -> bool:
    """A pasted identifier ("C-1042") or a version number ("4.2.1")."""
    return bool(CODE_RE.fullmatch(token) or VERSION_RE.fullmatch(token))


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A plural and then an -ing form are taken off, in that order, so that a word and its plural share
    one stem ("warning", "warnings" → "warn")."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 6 and w.endswith("ing") and w[-4] not in "aeiou" and w[-5] != w[-4]:
        return w[:-3]  # ordering → order
    return w


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count once), stopping early above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def letter_mask(word: str) -> int:
    """The letters of `word` as bits (folded into 64): what `letters_within` compares."""
    mask = 0
    for c in word:
        mask |= 1 << (ord(c) & 63)
    return mask


def letters_within(a: int, b: int, limit: int) -> bool:
    """False when the words of letter masks `a` and `b` cannot be within `limit` edits: each edit brings at most
    one letter the other word lacks (a swap brings none), so this is a cheap test before `edit_distance`."""
    return (a & ~b).bit_count() <= limit and (b & ~a).bit_count() <= limit


def typo_limit(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def number_value(token: str, words: dict[str, int], suffixes: dict[str, int]) -> float | None:
    t = token.lower().replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?[km]?", t):
        if t[-1] in suffixes:
            return float(t[:-1]) * suffixes[t[-1]]
        return float(t)
    return float(words[t]) if t in words else None
