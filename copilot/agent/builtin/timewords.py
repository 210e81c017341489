"""Time phrases → window: "every 5 minutes" (TUMBLE), "in the last 10 minutes, updated every minute"
(HOP), "so far today" (CUMULATE), "sessions with a 30 minute gap" (SESSION). Returns the window and the
character ranges it consumed."""

from __future__ import annotations

import math
import re

from copilot.agent.builtin.plan import Duration, Window

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60,
}
UNITS = {
    "second": "SECOND", "seconds": "SECOND", "sec": "SECOND", "secs": "SECOND", "s": "SECOND",
    "minute": "MINUTE", "minutes": "MINUTE", "min": "MINUTE", "mins": "MINUTE",
    "hour": "HOUR", "hours": "HOUR", "hr": "HOUR", "hrs": "HOUR",
    "day": "DAY", "days": "DAY",
}
ADVERBS = {"secondly": "SECOND", "minutely": "MINUTE", "hourly": "HOUR", "daily": "DAY"}

_NUM = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
_UNIT = r"(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")\b"
DURATION = rf"(?:{_NUM}[\s-]*)?{_UNIT}"

HALF_HOUR = re.compile(r"\bhalf (?:an )?hour\b", re.I)
QUARTER_HOUR = re.compile(r"\bquarter(?: of an)? hour\b", re.I)

SLIDE_RE = re.compile(rf"\b(?:updated|refreshed|update|refresh|recomputed|sliding|moving|advancing)\s+(?:every|each|by)\s+{DURATION}")
LAST_RE = re.compile(rf"\b(?:in|over|during|for|within)?\s*(?:the\s+)?(?:last|past|previous|trailing|rolling)\s+{DURATION}")
TODAY_RE = re.compile(r"\b(?:so far today|today so far|since midnight|(?:running|cumulative)(?: \w+)? today|today)\b")
SO_FAR_UNIT_RE = re.compile(rf"\bso far (?:this|in the current) {_UNIT}")
EVERY_RE = re.compile(rf"\b(?:every|each|per|a|in|by the|for every|for each)\s+{DURATION}")
WINDOWS_RE = re.compile(rf"\b{_NUM}[\s-]*{_UNIT}\s+(?:windows?|buckets?|intervals?)")
ADVERB_RE = re.compile(r"\b(" + "|".join(ADVERBS) + r")\b")
_IDLE = r"(?:inactivity|idle(?:ness| time)?|gap|silence|timeout|pause)"
GAP_RE = re.compile(rf"\b(?:(?:with|after)\s+)?(?:a\s+|an\s+)?{DURATION}\s+(?:of\s+)?{_IDLE}\b"
                    rf"|\b(?:with\s+)?(?:a\s+|an\s+)?{_IDLE}\s+(?:of\s+)?{DURATION}")
SESSION_RE = re.compile(r"\bsession[\s-]+windows?\b|\bsessions?\b")
DEFAULT_SESSION_GAP = Duration(30, "MINUTE")


def _duration(num: str | None, unit: str) -> Duration:
    amount = 1 if num is None else int(num) if num.isdigit() else NUMBER_WORDS[num]
    return Duration(amount, UNITS[unit])


def normalise(text: str) -> str:
    text = HALF_HOUR.sub("30 minutes", text)
    return QUARTER_HOUR.sub("15 minutes", text)


def _default_slide(size: Duration) -> Duration:
    """A slide that divides the size (Flink needs size to be a multiple of slide): about 1/10 of it,
    at least a second, preferably whole minutes."""
    s = size.seconds
    for candidate in (60, 30, 10, 5, 1) if s > 60 else (10, 5, 1):
        if candidate < s and s % candidate == 0 and s // candidate <= 60:
            return Duration.from_seconds(candidate)
    return Duration.from_seconds(math.gcd(s, 60) or 1)


def find_window(text: str) -> tuple[Window | None, list[tuple[int, int]]]:
    """The window a question asks for (text lower-cased) and the spans of text that said so."""
    text = normalise(text).lower()
    used: list[tuple[int, int]] = []
    session = _session(text, used)
    if session:
        return session, used
    slide_m = SLIDE_RE.search(text)
    slide = _duration(slide_m.group(1), slide_m.group(2)) if slide_m else None
    if slide_m:
        used.append(slide_m.span())

    today = TODAY_RE.search(text)
    so_far = SO_FAR_UNIT_RE.search(text)
    if today or so_far:
        size = Duration(1, "DAY") if today else Duration(1, UNITS[so_far.group(1)])
        step = slide or _every(text, used) or Duration(1, "MINUTE")
        used.append((today or so_far).span())
        if size.seconds % step.seconds:
            step = Duration(1, "MINUTE")
        return Window("cumulate", size, step), used

    last = LAST_RE.search(text)
    if last:
        size = _duration(last.group(1), last.group(2))
        used.append(last.span())
        step = slide or _every(text, used) or _default_slide(size)
        if step.seconds >= size.seconds or size.seconds % step.seconds:
            step = _default_slide(size)
        return Window("hop", size, step), used

    if slide:
        return Window("tumble", slide), used
    size = _every(text, used)
    if size:
        return Window("tumble", size), used
    return None, used


def _session(text: str, used: list) -> Window | None:
    """A session window when the question names a gap of inactivity, or says "session window".
    "Sessions" alone is not enough: a topic may have a session id to group by."""
    gap = GAP_RE.search(text)
    named = re.search(r"\bsession[\s-]+windows?\b", text)
    if not gap and not named:
        return None
    size = DEFAULT_SESSION_GAP
    if gap:
        num, unit = (gap.group(1), gap.group(2)) if gap.group(2) else (gap.group(3), gap.group(4))
        size = _duration(num, unit)
        used.append(gap.span())
    used.extend(m.span() for m in SESSION_RE.finditer(text))
    return Window("session", size)


def _every(text: str, used: list) -> Duration | None:
    for regex in (WINDOWS_RE, EVERY_RE):
        for m in regex.finditer(text):
            if any(a <= m.start() < b for a, b in used):
                continue
            # "in 5 minutes" without a number is not a window ("in a minute" is ambiguous too)
            if m.group(0).startswith("in ") and m.group(1) is None:
                continue
            used.append(m.span())
            return _duration(m.group(1), m.group(2))
    m = ADVERB_RE.search(text)
    if m:
        used.append(m.span())
        return Duration(1, ADVERBS[m.group(1)])
    return None


def strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out the consumed time phrases so that "per minute" is not read as a dimension."""
    chars = list(normalise(text))
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)
