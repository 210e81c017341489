"""Time phrases → window: "every 5 minutes" (tumble), "in the last 10 minutes, updated every minute"
(hop), "so far today" / "since the top of the hour" (cumulate), "sessions with a 30 minute gap"
(session). Returns the window and the character ranges of the question it consumed. The words come
from `lexicon/time.yaml`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from copilot.agent.builtin.lexicon import english, time_words
from copilot.plan.model import Duration, Window


@dataclass
class _Grammar:
    units: dict[str, str]
    numbers: dict[str, int]
    adverbs: dict[str, str]
    rewrites: list[tuple[re.Pattern, str]]
    res: dict[str, re.Pattern]
    default_gap: Duration


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    data = time_words()
    units = {w: unit for unit, words in data["units"].items() for w in words}
    numbers = {str(k): int(v) for k, v in data["number_words"].items()}
    # a number word is a word of its own ("one hour", never the "one" of "ones")
    num = r"(\d+|(?:" + "|".join(sorted(map(re.escape, numbers), key=len, reverse=True)) + r")(?![a-z]))"
    unit = r"(" + "|".join(sorted(map(re.escape, units), key=len, reverse=True)) + r")\b"
    duration = rf"(?:{num}[\s-]*)?{unit}"
    idle = data["idle"]

    def compile_(pattern: str) -> re.Pattern:
        return re.compile(
            pattern.replace("{DURATION}", duration).replace("{UNIT}", unit).replace("{NUM}", num).replace("{IDLE}", idle)
        )

    names = (
        "slide",
        "slide_bare",
        "last",
        "today",
        "so_far_unit",
        "every",
        "windows",
        "gap",
        "session_named",
        "session_words",
        "bare",
        "adjective",
    )
    res = {name: compile_(data[name]) for name in names}
    res["adverb"] = re.compile(r"\b(" + "|".join(map(re.escape, data["adverbs"])) + r")\b")
    rewrites = [(re.compile(k, re.I), v) for k, v in data["rewrites"].items()]
    gap = data["default_session_gap"]
    return _Grammar(units, numbers, dict(data["adverbs"]), rewrites, res, Duration(amount=gap[0], unit=gap[1]))


def _duration(num: str | None, unit: str) -> Duration:
    g = grammar()
    amount = 1 if num is None else int(num) if num.isdigit() else g.numbers[num]
    return Duration(amount=max(amount, 1), unit=g.units[unit])  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _compound_numbers() -> tuple[re.Pattern, dict[str, int]]:
    """ "two hundred", "five thousand", "twenty five": number words said as one number (the lexicon's `numbers`)."""
    numbers = {str(k).lower(): int(v) for k, v in english()["numbers"].items()}
    words = {k: v for k, v in numbers.items() if v >= 2}
    scales = sorted((k for k, v in numbers.items() if v in (100, 1000)), key=len, reverse=True)
    tens = sorted((k for k, v in numbers.items() if v >= 20 and v % 10 == 0 and v < 100), key=len, reverse=True)
    units = sorted((k for k, v in numbers.items() if 1 <= v <= 9 and len(k) > 2), key=len, reverse=True)  # not "a"

    def alternatives(names) -> str:
        return "|".join(map(re.escape, names))

    word = alternatives(sorted(words, key=len, reverse=True))
    return re.compile(
        rf"\b(\d+|{word})(?:[ -]({word}))?[ -]({alternatives(scales)})\b|\b({alternatives(tens)})[ -]({alternatives(units)})\b",
        re.I,
    ), numbers


def _number(match: re.Match) -> str:
    _regex, words = _compound_numbers()
    if match.group(4):  # "twenty five"
        return str(words[match.group(4).lower()] + words[match.group(5).lower()])
    head = match.group(1).lower()
    value = int(head) if head.isdigit() else words[head]
    if match.group(2):  # "twenty five thousand"
        value += words[match.group(2).lower()]
    return str(value * words[match.group(3).lower()])


def normalise(text: str) -> str:
    """Fractions of an hour and glued units rewritten; the case is kept (codes such as `US`)."""
    for regex, repl in grammar().rewrites + _english_rewrites():
        text = regex.sub(repl, text)
    return _compound_numbers()[0].sub(_number, text)


@lru_cache(maxsize=1)
def _english_rewrites() -> list[tuple[re.Pattern, str]]:
    """Generic English constructions read as a plainer form (a split phrasal verb: "leaving X out")."""
    return [(re.compile(k, re.I), v) for k, v in (english().get("rewrites") or {}).items()]


def default_slide(size: Duration) -> Duration:
    """A slide that divides the size (Flink needs size to be a multiple of slide): a minute up to two hours (the
    catalog examples' "in the last hour", slid every minute), then coarser, at least a second."""
    s = size.seconds
    steps = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400) if s > 60 else (10, 5, 1)
    for candidate in steps:  # the finest step that keeps at most 120 windows per row
        if candidate < s and s % candidate == 0 and s // candidate <= 120:
            return Duration.of_seconds(candidate)
    for candidate in (30, 10, 5, 1):
        if candidate < s and s % candidate == 0 and s // candidate <= 60:
            return Duration.of_seconds(candidate)
    return Duration.of_seconds(math.gcd(s, 60) or 1)


def find_window(text: str) -> tuple[Window | None, list[tuple[int, int]]]:
    """The window a question asks for (`text` already normalised) and the spans of text that said so."""
    g = grammar()
    text = text.lower()
    used: list[tuple[int, int]] = []
    session = _session(text, used)
    if session:
        return session, used
    slide_m = g.res["slide"].search(text)
    slide = _duration(slide_m.group(1), slide_m.group(2)) if slide_m else None
    bare = None if slide_m else g.res["slide_bare"].search(text)
    if slide_m:
        used.append(slide_m.span())

    today = g.res["today"].search(text)
    so_far = g.res["so_far_unit"].search(text)
    if today or so_far:
        size = (
            Duration(amount=1, unit="DAY") if today else Duration(amount=1, unit=g.units[next(u for u in so_far.groups() if u)])
        )
        step = slide or _every(text, used) or Duration(amount=1, unit="MINUTE")
        used.append((today or so_far).span())
        if size.seconds % step.seconds or step.seconds > size.seconds:
            step = Duration(amount=1, unit="MINUTE")
        return Window(kind="cumulate", size=size, step=step, words=text[slice(*(today or so_far).span())]), used

    last = g.res["last"].search(text)
    if last:
        size = _duration(last.group(1), last.group(2))
        if slide_m and slide_m.start() < last.end() and last.start() < slide_m.end():
            # "a moving 30 minutes average, updating every 5 minutes": "moving" named the window, not its step
            used.remove(slide_m.span())
            later = next((m for m in g.res["slide"].finditer(text) if m.start() >= last.end()), None)
            slide = _duration(later.group(1), later.group(2)) if later else None
            if later:
                used.append(later.span())
            else:
                bare = g.res["slide_bare"].search(text)
        used.append(last.span())
        if bare is not None:  # "rolling 15 minutes refreshed every 5": the number takes the window's unit
            used.append(bare.span())
            n = bare.group(1)
            slide = Duration(amount=int(n) if n.isdigit() else g.numbers[n], unit=size.unit)
        step = slide
        if step is None:
            step = _every(text, used)
            said = text[slice(*used[-1])].strip() if step is not None else ""
            if (
                step is not None
                and not said.startswith(tuple(str(w) for w in english()["refresh_words"]))
                and step.seconds < size.seconds
            ):
                _per_unit_or_refresh(text, last, used[-1], said)
        step = step or default_slide(size)
        if step.seconds >= size.seconds or size.seconds % step.seconds:
            step = default_slide(size)
        return Window(kind="hop", size=size, slide=step, words=text[slice(*last.span())].strip()), used

    if slide:
        size = _every(text, used)  # "30 minute windows sliding every 5 minutes": windows of 30, stepped by 5
        if size is not None and size.seconds > slide.seconds and size.seconds % slide.seconds == 0:
            return Window(kind="hop", size=size, slide=slide, words=text[slice(*used[-1])].strip()), used
        if size is not None:
            used.pop()
        return Window(kind="tumble", size=slide, words=slide_m.group(0)), used
    size = _every(text, used)
    if size:
        return Window(kind="tumble", size=size, words=text[slice(*used[-1])].strip()), used
    bare = g.res["bare"].search(text)
    if bare and bare.group(1) is not None:
        before = text[: bare.start()].split()
        if not before or before[-1] not in set(time_words()["bare_not_after"]):
            used.append((bare.start(), bare.start() + len(bare.group(0).rstrip(",.?! "))))
            return Window(kind="tumble", size=_duration(bare.group(1), bare.group(2)), words=bare.group(0).strip(" ,.?!")), used
    for adjective in g.res["adjective"].finditer(text):
        before = text[: adjective.start()].split()
        if adjective.group(2).endswith("s") or (before and before[-1] in set(time_words()["bare_not_after"])):
            continue  # "30 minutes of", "within 2 hour": a length, not the window's size
        used.append((adjective.start(), adjective.start() + len(adjective.group(0).rstrip())))
        return Window(
            kind="tumble", size=_duration(adjective.group(1), adjective.group(2)), words=adjective.group(0).strip()
        ), used
    return None, used


def _session(text: str, used: list) -> Window | None:
    """A session window when the question names a gap of inactivity, or says "session window"."""
    g = grammar()
    gap = g.res["gap"].search(text)
    named = g.res["session_named"].search(text)
    if not gap and not named:
        return None
    size = g.default_gap
    if gap:
        groups = gap.groups()  # (number, unit) of whichever form matched
        num, unit = next((groups[i], groups[i + 1]) for i in range(0, len(groups), 2) if groups[i + 1])
        size = _duration(num, unit)
        used.append(gap.span())
    used.extend(m.span() for m in g.res["session_words"].finditer(text))
    return Window(kind="session", gap=size, words=(gap or named).group(0).strip())


def _per_unit_or_refresh(text: str, last: re.Match, step_span: tuple[int, int], said: str) -> None:
    """ "orders per minute over the last hour", "hourly revenue for the past day": one figure per minute (or hour)
    of that span, or one rolling total of the span refreshed each minute? Both are read; ask which."""
    from copilot.agent.builtin.outcome import AskBack

    def without(span: tuple[int, int], put: str = "") -> str:
        return " ".join(f"{text[: span[0]]} {put} {text[span[1] :]}".split())

    span_words = text[slice(*last.span())].strip()
    unit = _unit_of(said)
    raise AskBack(
        f"“{said}” and “{span_words}”: a figure for each {unit}, or one total {span_words} refreshed every {unit}?",
        [
            {"label": f"a figure for each {unit}", "question": without(last.span())},
            {
                "label": f"one total {span_words}, refreshed every {unit}",
                "question": without(step_span) + f", updated every {unit}",
            },
        ],
    )


def _unit_of(said: str) -> str:
    g = grammar()
    words = said.split()
    adverb = g.adverbs.get(words[-1]) if words else None
    if adverb:
        return str(adverb).lower()
    return " ".join(words[1:]) or said


def _every(text: str, used: list) -> Duration | None:
    g = grammar()
    for name in ("windows", "every"):
        for m in g.res[name].finditer(text):
            if any(a <= m.start() < b for a, b in used):
                continue
            if m.group(1) is None and m.group(0).split()[0] in ("in", "a", "an"):
                continue  # "in a minute", "a minute" without a number is not a window
            used.append(m.span())
            return _duration(m.group(1), m.group(2))
    m = g.res["adverb"].search(text)
    if m:
        used.append(m.span())
        return Duration(amount=1, unit=g.adverbs[m.group(1)])  # type: ignore[arg-type]
    return None


GAP = "timegap"  # what stands where a time phrase was: a word no catalog phrase can run across


def strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Take out the consumed time phrases so that "per minute" is not read as a breakdown; a marker word stays
    in their place, so that the words on either side are not read as one phrase ("site [every 10 minutes], count")."""
    out, last = [], 0
    for a, b in sorted(spans):
        if a < last:
            a = last
        if a >= b:
            continue
        out.append(text[last:a])
        out.append(f" {GAP} ")
        last = b
    out.append(text[last:])
    return "".join(out)
