"""The grammar: a tagged question → a `Reading` (measures, breakdowns, filters, comparisons, ranking,
window, joins' time bound), each piece holding the mentions it consumed. Topics are not resolved here;
`build.py` does that against the catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.outcome import Decline
from copilot.agent.builtin.tags import Mention, Tagged, Tok, correct_text, lexicon_table, tag
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.timewords import GAP, find_window, normalise, strip_spans
from copilot.agent.builtin.vocab import Element, Vocabulary
from copilot.plan.model import Duration, Window

SKIP_ROLES = {"function_words", "light_words", "which_words", "list_joiners", "list_cue"}


@dataclass
class MeasureSpec:
    func: str | None  # None: the mention's metric or the field's default aggregate
    target: Mention | None
    condition: Mention | None = None  # share: the value whose share of rows is measured
    distinct: bool = False
    words: str = ""
    own: Mention | None = None  # a value that restricts only this measure's rows ("lowest temperature")


@dataclass
class FilterSpec:
    mentions: list[Mention]  # value mentions (one field), or a field mention for IS NULL tests
    op: str  # = <> in not_in is_null is_not_null
    words: str = ""


@dataclass
class CompareSpec:
    op: str
    value: float
    currency: str | None
    target: Mention | None  # a field/metric/topic mention, or None: the subject's main amount
    kind: str  # field | count | measure | default
    having: bool = False
    words: str = ""
    high: float | None = None  # the upper bound of a range ("between 50 and 100")
    func: str | None = None  # the aggregate compared, when the words name one ("more than 20 different buyers")


@dataclass
class RankSpec:
    n: int
    descending: bool
    target: Mention | None  # what is ranked: a topic (rows), a field (groups)
    by: MeasureSpec | None = None
    rows: bool = False
    partition: list[Mention] = field(default_factory=list)
    explicit_n: bool = True
    words: str = ""
    by_time: bool = False  # rows ranked by event time ("the 5 most recent orders")


@dataclass
class Reading:
    tagged: Tagged
    window: Window | None = None
    measures: list[MeasureSpec] = field(default_factory=list)
    dims: list[Mention] = field(default_factory=list)
    filters: list[FilterSpec] = field(default_factory=list)
    compares: list[CompareSpec] = field(default_factory=list)
    rank: RankSpec | None = None
    list_rows: bool = False
    list_strong: bool = False  # "as they happen", "list": rows even when a count metric is named
    chart: str | None = None
    additive: bool = False
    followup_cue: bool = False
    clear_filters: bool = False
    bound: Duration | None = None
    bound_mention: Mention | None = None
    agg_only: str | None = None  # "now the maximum instead": a function with no target
    count_targets: list[Mention] = field(default_factory=list)
    replaced: list[Mention] = field(default_factory=list)  # "instead of country": what a follow-up takes out
    loose_keys: list[tuple[Tok, Tok]] = field(default_factory=list)  # "by type": a breakdown word and a generic noun

    @property
    def toks(self) -> list[Tok]:
        return self.tagged.toks

    @property
    def mentions(self) -> list[Mention]:
        return self.tagged.mentions


def read(question: str, vocab: Vocabulary) -> Reading:
    early: list[tuple[str, str]] = []
    text = normalise(correct_text(question, vocab, early))
    window, used = find_window(text)
    rest = re.sub(r"(?<!\d),|,(?!\d)", f" {GAP} ", strip_spans(text, used))  # a comma ends a catalog phrase
    r = Reading(tag(rest, vocab), window=window)
    r.tagged.corrections[:0] = early
    lex = english()
    low = [t.low for t in r.toks]
    writes = {tuple(str(w).lower().split()) for w in lex["write_requests"]}
    start = next(
        (
            i
            for i, t in enumerate(r.toks)
            if t.role != "function_words"
            or t.low not in ("please", "pls", "kindly", "can", "could", "you", "would", "hey", "hi", "hello")
        ),
        0,
    )
    head = [t.text.lower() for t in r.toks[start : start + 2]]
    if (tuple(head[:1]) in writes or tuple(head[:2]) in writes) and not any(
        t.role in ("clear_filters", "followup") for t in r.toks[start : start + 3]
    ):
        raise Decline(
            f"I only read the streams and never change data; “{r.toks[start].text}” asks for a change. I can show "
            f"the current values instead"
        )
    for t in r.toks:
        if t.role == "duration_questions":
            _durations_held(vocab, question)
            raise Decline(
                "I cannot compute durations (how long something takes or lasts); I can count, sum, "
                "average or rank per time window"
            )
        if t.role == "long_period":
            raise Decline(
                f"a live window is at most a day long (a week is read as 7 days); “{t.text}” is longer — "
                f"ask per day, or for the last 7 days"
            )
        if t.role == "out_of_scope":
            raise Decline(
                f"I answer from the data as it streams in; “{t.text}” asks about something no topic "
                f"records (forecasts and reasons are not in the data)"
            )
    # a listing word inside a catalog phrase ("list price") asks for nothing
    free = " " + " ".join(t.low if t.mention is None else "\x00" for t in r.toks) + " "
    r.list_rows = any(f" {w} " in free for w in map(str.lower, lex["list_words"] + lex["list_strong"])) and not any(
        t.role == "agg" and t.arg == "count" for t in r.toks
    )
    r.list_strong = (
        r.list_rows
        and any(f" {w} " in free for w in map(str.lower, lex["list_strong"]))
        and not any(
            t.role in ("agg", "distinct", "share")
            and not (t.low in lex["unit_symbols"] and t.i > 0 and r.toks[t.i - 1].number is not None)
            for t in r.toks
        )
        and r.window is None
    )
    chart = [t for t in r.toks if t.role == "chart"]
    if chart:
        kinds = {k: set(map(str.lower, v)) for k, v in lex["chart_kinds"].items()}
        r.chart = next((k for k, words in kinds.items() if words & set(low)), "auto")
        for t in chart:
            t.used = True
        for t in r.toks:
            if any(t.low in w for w in kinds.values()):
                t.used = True
    r.clear_filters = any(t.role == "clear_filters" for t in r.toks)
    first = next((t for t in r.toks if t.role != "function_words" or t.low in ("now", "only", "just", "also", "instead")), None)
    opener = {tuple(str(w).lower().split()) for w in lex["followup"]}
    r.followup_cue = bool(r.toks) and (
        any(tuple(low[:n]) in opener for n in (1, 2, 3)) or (first is not None and first.role == "followup") or "instead" in low
    )
    r.additive = (
        any(tuple(low[:n]) in {tuple(str(w).lower().split()) for w in lex["followup_additive"]} for n in (1, 2)) or "also" in low
    )
    Grammar(r, vocab).run()
    return r


class Grammar:
    def __init__(self, r: Reading, vocab: Vocabulary):
        self.r, self.vocab, self.toks = r, vocab, r.toks

    def run(self) -> None:
        self._value_lists()
        self._instead_of()
        self._qualifiers()
        self._within()
        self._ranges()
        self._comparisons()
        self._unit_counts()
        self._shares()
        self._recency()
        self._rankings()
        self._ranked_metric()
        self._breakdowns()
        self._aggregates()
        self._values()
        self._nulls()
        self._unit_words()
        self._rest()

    # -- helpers ----------------------------------------------------------------------------
    def skip(self, i: int, roles=SKIP_ROLES, extra=()) -> int:
        while i < len(self.toks) and self.toks[i].mention is None and (self.toks[i].role in roles or self.toks[i].low in extra):
            i += 1
        return i

    def mention_at(self, i: int) -> Mention | None:
        return self.toks[i].mention if 0 <= i < len(self.toks) else None

    def next_mention(self, i: int, extra=()) -> Mention | None:
        j = self.skip(i, extra=extra)
        m = self.mention_at(j)
        return m if m is not None and m.start == j else None

    def prev_mention(self, i: int) -> Mention | None:
        j = i - 1
        while j >= 0 and self.toks[j].mention is None and self.toks[j].role in SKIP_ROLES:
            j -= 1
        return self.mention_at(j)

    def use(self, *toks: Tok) -> None:
        for t in toks:
            t.used = True

    def use_phrase(self, t: Tok) -> None:
        for u in self.toks:
            if u.phrase_start == t.phrase_start and u.role == t.role and t.phrase_start >= 0:
                u.used = True
        t.used = True

    def negated_before(self, i: int) -> bool:
        j = i - 1
        while (
            j >= 0
            and self.toks[j].mention is None
            and (
                self.toks[j].role in ("function_words", "which_words", "light_words")
                or self.toks[j].low in ("by", "just", "only", "really", "even", "actually")
            )
        ):
            j -= 1
        if j >= 0 and self.toks[j].role == "negations":
            self.use_phrase(self.toks[j])
            return True
        return False

    # -- passes -----------------------------------------------------------------------------
    def _instead_of(self) -> None:
        """ "by country rather than channel", "instead of web": the catalog name after it is taken out."""
        cues = {tuple(str(w).lower().split()) for w in english()["replace_words"]}
        for k in range(len(self.toks)):
            for n in (3, 2, 1):
                if tuple(t.low for t in self.toks[k : k + n]) in cues and all(t.mention is None for t in self.toks[k : k + n]):
                    m = self.next_mention(k + n, extra={"per", "by", "each", "for"})  # "instead of per vehicle"
                    if m is not None and not m.used:
                        self.use(*self.toks[k : m.start])
                        m.used = True
                        self.r.replaced.append(m)
                    break

    def _value_lists(self) -> None:
        """ "critical or warning events": words joined by "or"/"and"/"," that are values of one field form a value
        list; a metric the catalog also names with one of them (a count of the critical ones) is not meant."""
        joiners = {str(w).lower() for w in english()["list_joiners"]}
        ms = self.r.mentions
        for a, b in zip(ms, ms[1:]):
            between = self.toks[a.end : b.start]
            if not between or len(between) > 2 or any(t.low not in joiners for t in between):
                continue
            fa = {(e.topic, e.field) for e in a.of("value")}
            fb = {(e.topic, e.field) for e in b.of("value")}
            shared = fa & fb
            if not shared:
                continue
            for m in (a, b):
                if m.of("metric"):
                    m.elements = [e for e in m.elements if e.kind != "metric"]

    def _qualifiers(self) -> None:
        """A topic name next to a field or value of that topic says whose it is ("customer segment",
        "enterprise customers", "order amount")."""
        ms = self.r.mentions
        for a, b in zip(ms, ms[1:]):
            if a.end != b.start:
                continue
            for topic_m, other in ((a, b), (b, a)):
                topics = {e.topic for e in topic_m.of("topic")}
                if not topics or topic_m.of("field") or other.of("topic"):
                    continue
                own = [e for e in other.elements if e.topic in topics]
                if own and other.of("field") + other.of("value") + other.of("metric"):
                    other.elements = own
                    topic_m.qualifier = True
                    break

        from copilot.agent.builtin import semantic

        for a, b in zip(ms, ms[1:]):
            if a.end != b.start or not a.of("metric") or not b.of("field"):
                continue
            for e in a.of("metric"):
                metric = self.vocab.metric(e.topic, e.metric or "")
                simple = semantic.simple_metric(metric.expression) if metric else None
                if simple and any(f.topic == e.topic and f.field == simple[1] for f in b.of("field")):
                    b.qualifier = True
                    b.used = True

    def _within(self) -> None:
        """'delivered within 2 hours of the order': the time bound of an interval join."""
        units = {"second": "SECOND", "minute": "MINUTE", "hour": "HOUR", "day": "DAY"}
        for k, t in enumerate(self.toks):
            if t.role != "within" or k + 2 >= len(self.toks):
                continue
            num, unit = self.toks[k + 1], self.toks[k + 2]
            u = units.get(stem(unit.low))
            if num.number is None or u is None:
                continue
            j = self.skip(k + 3, roles={"function_words", "light_words"})
            target = self.mention_at(j)
            if target is None or not target.of("topic"):
                if j < len(self.toks) and self.toks[j].mention is not None:
                    continue
                # "paid within 10 minutes of being placed": the event it is timed from is the topic named before
                before = [m for m in self.r.mentions if m.end <= k and m.of("topic") and not m.of("field")]
                if not before:
                    continue
                target = before[-1]
            self.r.bound = Duration(amount=int(num.number), unit=u)  # type: ignore[arg-type]
            self.r.bound_mention = target
            target.qualifier = True
            self.use(t, num, unit, *self.toks[k + 3 : j])

    def _ranges(self) -> None:
        """ "between 50 and 100 euros": a range on the field after it, or the subject's amount."""
        ranges = {str(w).lower() for w in english()["ranges"]}
        for k, t in enumerate(self.toks):
            if t.low not in ranges or t.used or k + 3 >= len(self.toks):
                continue
            j = k + 1
            hit = self._currency_at(j)
            currency = None
            if hit:
                currency, j = hit
            lo = self.toks[j] if j < len(self.toks) else None
            if lo is None or lo.number is None or j + 2 >= len(self.toks) or self.toks[j + 1].low != "and":
                continue
            j2 = j + 2
            hit = self._currency_at(j2)
            if hit:
                currency, j2 = hit
            hi = self.toks[j2] if j2 < len(self.toks) else None
            if hi is None or hi.number is None:
                continue
            end = j2 + 1
            hit = self._currency_at(end)
            if hit:
                currency, end = hit
            negated = self.negated_before(k)
            self.use(t, lo, self.toks[j + 1], hi)
            target = self._unit_at(end) or (
                self.prev_mention(k)
                if self.prev_mention(k) is not None and self._numeric(self.prev_mention(k)) and not self.prev_mention(k).used
                else None
            )
            if target is not None and target.start >= end:
                self.use(self.toks[end])
            if target is not None:
                target.used = True
            spec = CompareSpec(
                "not_between" if negated else "between",
                lo.number,
                currency,
                target,
                "field" if target is not None else "default",
                words=" ".join(x.text for x in self.toks[k:end]),
            )
            spec.high = hi.number
            self.r.compares.append(spec)

    def _comparisons(self) -> None:
        lex = english()
        for k, t in enumerate(self.toks):
            if (
                t.role != "cmp"
                or t.used
                or (k > 0 and self.toks[k - 1].role == "cmp" and self.toks[k - 1].phrase_start == t.phrase_start)
            ):
                continue
            if t.phrase_start != k:
                continue
            j = k
            while j < len(self.toks) and self.toks[j].role == "cmp" and self.toks[j].phrase_start == k:
                j += 1
            currency = None
            hit = self._currency_at(j)
            while hit is not None:
                currency, j = hit
                hit = self._currency_at(j)
            if j >= len(self.toks) or self.toks[j].number is None:
                continue
            num = self.toks[j]
            end = j + 1
            hit = self._currency_at(end)
            while hit is not None:
                currency, end = hit
                hit = self._currency_at(end)
            unit_target = self._unit_at(end)
            scale = 1.0
            if unit_target is None:
                timed = self._duration_field_at(end)  # "lasted over 3 hours": the field that holds a duration
                if timed is not None:
                    unit_target, scale = timed
            op = str(t.arg)
            negated = self.negated_before(k)
            if negated:
                op = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "<>"}[op]
            self.use(*self.toks[k:j], num)
            words = " ".join(x.text for x in self.toks[max(0, k - 1) : end])
            distinct_at = end if end < len(self.toks) and self.toks[end].role == "distinct" else None
            skip_from = end + 1 if distinct_at is not None else end
            after = self.next_mention(skip_from, extra=set(lex["function_words"]) - {"per", "by", "each", "in", "from", "on"})
            if after is not None and after.start > skip_from + 1:
                after = None
            counted_rows = (
                unit_target is None
                and after is None
                and distinct_at is None
                and end < len(self.toks)
                and self.toks[end].low in lex.get("count_nouns", ())
            )
            before = self.prev_mention(k)
            spec = CompareSpec(op, num.number * scale, currency, None, "default", words=words)
            if distinct_at is not None and after is not None and not after.used:
                # "more than 20 different buyers": the number of distinct ones, compared per group
                spec.target, spec.kind, spec.having, spec.func = after, "measure", True, "count_distinct"
                self.use(self.toks[distinct_at])
                after.used = True
                spec.words = " ".join(x.text for x in self.toks[max(0, k - 1) : after.end])
            elif counted_rows:
                spec.kind, spec.having = "count", True  # "more than 3 times": rows counted per group
                self.use(self.toks[end])
            elif unit_target is not None:
                spec.target, spec.kind = unit_target, "field"  # "more than 5 items": the field counted in items
                self.use(self.toks[end])
                if before is not None and not before.used and set(before.of("field")) & set(unit_target.elements):
                    before.used = True  # "battery below 20 percent"
                if (
                    before is not None
                    and not before.used
                    and before.of("metric")
                    and (
                        self._metric_field(before) in {(e.topic, e.field) for e in unit_target.of("field")}
                        or self._units_vary(self._metric_field(before))
                        and self._next_to(before, k)
                    )
                ):
                    spec.target, spec.kind, spec.having = before, "measure", True  # "average temperature above 8 degrees"
                    before.used = True
                elif self._group_subject(k) and self._summed(unit_target):
                    spec.kind, spec.having, spec.func = "measure", True, "sum"  # "depots that drive over 500 km"
                elif before is not None:  # "whose average temperature is above 8 degrees": the average, per group
                    lead = self.toks[max(0, before.start - 2) : before.start]
                    agg = next((x for x in lead if x.role == "agg" and x.arg not in ("count",)), None)
                    if agg is not None and not agg.used:
                        spec.having, spec.func = True, str(agg.arg)
                        self.use(agg)
                        before.used = True
            elif (
                after is not None
                and not after.used
                and after.of("metric")
                and not after.of("topic")
                and not after.of("field")
                and self._metric_func(after) not in (None, "count")
            ):
                spec.target, spec.kind, spec.having = after, "measure", True  # "more than 20 unique buyers": the metric
                after.used = True
            elif after is not None and not after.used and (after.of("topic") or after.of("metric")) and not after.of("field"):
                spec.target, spec.kind, spec.having = after, "count", True  # "more than 3 orders"
                after.used = True
                self.r.count_targets.append(after)
            elif after is not None and not after.used and after.of("field") and self._numeric(after):
                spec.target, spec.kind = after, "field"  # "more than 5 units"
                after.used = True
                if after.of("metric") and self._group_subject(k):
                    spec.kind, spec.having = "measure", True  # "which brands sell more than 200 units": per brand
                if before is not None and not before.used and set(before.elements) & set(after.elements):
                    before.used = True  # "a quantity of more than 3 units"
            elif (
                before is not None
                and not before.used
                and not before.of("topic")
                and (
                    before.of("metric")
                    and not (currency and self._count_metric(before))
                    or (before.of("field") and self._numeric(before))
                )
            ):
                spec.target = before
                spec.kind = "measure" if before.of("metric") else "field"
                lead = [x for x in self.toks[max(0, before.start - 2) : before.start]]
                spec.having = spec.kind == "measure" or any(x.role == "agg" for x in lead)
                before.used = True
            elif (
                before is not None
                and before.of("topic")
                and not before.of("field")
                and not before.of("metric")
                and before.end == k
            ):
                spec.target, spec.kind = before, "field"  # "orders over €500": the amount of the orders named
            self.r.compares.append(spec)

    def _units_vary(self, ref: tuple[str, str] | None) -> bool:
        """The field's unit is given per row by another field (`unit_field`): any unit word may be its unit."""
        from copilot.agent.builtin import semantic

        return ref is not None and bool(semantic.field_annotation(self.vocab.topics[ref[0]], ref[1], "unit_field"))

    def _next_to(self, m: Mention, k: int) -> bool:
        """Only function words between the mention and token k ("average humidity is over …")."""
        return all(t.mention is None and t.role == "function_words" for t in self.toks[m.end : k])

    def _metric_field(self, m: Mention) -> tuple[str, str] | None:
        """(topic, field) a mention's metric aggregates, when its metrics agree on one plain aggregate of a field."""
        from copilot.agent.builtin import semantic

        found = set()
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            found.add((e.topic, simple[1]) if simple and simple[1] else None)
        return found.pop() if len(found) == 1 else None

    def _group_subject(self, k: int) -> bool:
        """ "which brands sell more than …", "channels with over …": the sentence is about groups (its first
        content word names a field that is not a number, and no rows are named before the comparison), so a
        threshold is on each group's total, not on single rows."""
        first = next(
            (m for m in self.r.mentions if not m.qualifier and not ((m.of("value") or m.of("state")) and not m.of("field"))),
            None,
        )
        if first is None or first.start >= k or not first.of("field") or self._numeric(first):
            return False
        return not any(m.of("topic") and not m.of("field") for m in self.r.mentions if first.start <= m.start < k)

    def _unit_counts(self) -> None:
        """ "single-item orders", "orders with 3 items": a number with the unit a catalog field is counted in,
        and no comparison word, is that field's value."""
        for k, t in enumerate(self.toks):
            if t.used or t.number is None or t.mention is not None or k + 1 >= len(self.toks):
                continue
            if k > 0 and self.toks[k - 1].role in ("rank_top", "rank_bottom", "cmp"):
                continue
            target = self._unit_at(k + 1)
            if target is None:
                continue
            self.use(t, self.toks[k + 1])
            value = t.number
            self.r.compares.append(CompareSpec("=", value, None, target, "field", words=f"{t.text} {self.toks[k + 1].text}"))

    def _filter_cue_before(self, m: Mention) -> bool:
        j = m.start - 1
        while (
            j >= 0
            and self.toks[j].mention is None
            and self.toks[j].role in ("function_words", "light_words")
            and self.toks[j].low not in ("only", "just", "for", "from", "in", "with")
        ):
            j -= 1
        return (
            j >= 0
            and self.toks[j].mention is None
            and (self.toks[j].role == "negations" or self.toks[j].low in ("only", "just", "for", "from", "in", "with"))
        )

    def _metric_func(self, m: Mention) -> str | None:
        """The aggregate of the mention's metrics when they agree on one (None otherwise)."""
        from copilot.agent.builtin import semantic

        funcs = set()
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            funcs.add(simple[0] if simple else "other")
        return funcs.pop() if len(funcs) == 1 else None

    def _count_metric(self, m: Mention) -> bool:
        from copilot.agent.builtin import semantic

        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            if simple is not None and simple[0] in ("count", "count_distinct"):
                return True
        return False

    def _currency_at(self, j: int) -> tuple[str, int] | None:
        """(ISO code, next index) when a currency word, symbol or currency value is at token j."""
        if j >= len(self.toks):
            return None
        t = self.toks[j]
        if t.role == "currency" and t.mention is None:
            self.use(t)
            return str(t.arg), j + 1
        m = self.mention_at(j)
        if m is not None and m.start == j and self._currency_value(m):
            m.used = True
            return str(m.of("value")[0].value), m.end
        return None

    def _duration_field_at(self, j: int) -> tuple[Mention, float] | None:
        """A time unit after a compared number ("under 4 hours") and exactly one catalog field that holds a
        duration (its unit is a time unit): that field, and the factor from the question's unit to the field's."""
        if j >= len(self.toks) or self.toks[j].role != "time_unit":
            return None
        from copilot.agent.builtin.lexicon import time_words
        from copilot.plan.model import UNIT_SECONDS

        units = {str(w).lower(): u for u, words in time_words()["units"].items() for w in words}
        fields = [(e, units[u]) for u, es in self.vocab.units.items() if u in units for e in es]
        topics = {e.topic for m in self.r.mentions for e in m.elements}
        near = [(e, u) for e, u in fields if e.topic in topics] or fields
        if len(near) != 1:
            return None
        e, field_unit = near[0]
        asked = UNIT_SECONDS[str(self.toks[j].arg)]
        self.use(self.toks[j])
        return Mention(j, j + 1, self.toks[j].text, [e], used=True), asked / UNIT_SECONDS[field_unit]

    def _unit_at(self, j: int) -> Mention | None:
        """A field whose catalog unit is the word at j ("5 items" → the field counted in items)."""
        if j >= len(self.toks):
            return None
        m = self.toks[j].mention
        if m is not None:  # "1200 ppm": a value of a unit field, right after a compared number, is that unit
            fields = self.vocab.unit_words.get(stem(self.toks[j].low), []) if m.start == j and m.end == j + 1 else []
            if not fields:
                return None
            m.used = True
            return Mention(j, j + 1, self.toks[j].text, list(fields), used=True)
        word = str(english()["unit_symbols"].get(self.toks[j].low, self.toks[j].low))  # "20%": percent
        fields = self.vocab.units.get(stem(word), [])
        kinds = self.vocab.unit_words.get(stem(word), [])
        if (
            fields
            and kinds
            and any(
                e.kind == "value" and e.topic in {k.topic for k in kinds}
                for m in self.r.mentions
                for e in m.elements
                if m.of("value") and not m.of("field")
            )
        ):
            fields = kinds  # "humidity over 80 percent": the measured value, in the unit of that kind
        if not fields and word != self.toks[j].low:
            fields = [e for u, es in self.vocab.units.items() if u.startswith(stem(word)[:3]) for e in es]
        if not fields:  # "12 degrees", "1200 ppm": a unit the field's unit_field names as one of its values
            fields = self.vocab.unit_words.get(stem(word), [])
        if not fields:
            return None
        return Mention(j, j + 1, self.toks[j].text, list(fields), used=True)

    def _currency_value(self, m: Mention | None) -> bool:
        if m is None or not m.of("value"):
            return False
        from copilot.agent.builtin import semantic

        for e in m.of("value"):
            schema = self.vocab.topics[e.topic]
            if any(semantic.currency_field(schema, f.name) == e.field for f in schema.fields):
                return True
        return False

    def _numeric(self, m: Mention) -> bool:
        return any(self.vocab.is_numeric(e.topic, e.field) for e in m.of("field"))

    def _shares(self) -> None:
        for k, t in enumerate(self.toks):
            if t.role != "share" or t.used:
                continue
            if k > 0 and self.toks[k - 1].number is not None and t.low in english()["unit_symbols"]:
                continue  # "below 20%": a unit after a number, not a share
            if t.mention is not None:
                continue
            near = [m for m in self.r.mentions if m.of("value") and not m.used and abs(m.start - k) <= 5]
            near.sort(key=lambda m: (abs(m.start - k), m.start > k))
            if not near:
                self._which_share(t)
                raise Decline(
                    f"I can compute the {t.text} of one known value (such as one status), but not the {t.text} asked here"
                )
            m = near[0]
            m.used = True
            self.use_phrase(t)
            self.r.measures.append(MeasureSpec("share", None, condition=m, words=f"{m.text} {t.text}"))

    def _which_share(self, t: Tok) -> None:
        """ "success rate every 5 minutes": a share, but of which value? Ask, with shares the catalog can compute
        (the values of the topics the question names, else of every topic's first field with values)."""
        from copilot.agent.builtin.outcome import AskBack

        if len({e.topic for m in self.r.mentions for e in m.of("topic")}) > 1:
            return  # "ratio of payments to orders": a ratio between topics, which a share is not
        named = [e.topic for m in self.r.mentions for e in m.elements]
        topics = list(dict.fromkeys(named)) or [n for n in self.vocab.topics if n not in self.vocab.twins]
        when = f" {self.r.window.words}" if self.r.window is not None and self.r.window.words else ""
        options = []
        for topic in topics:
            schema = self.vocab.topics[topic]
            field = next((f for f in schema.fields if f.values and f.name not in (schema.primary_key or [])), None)
            if field is None or (when and schema.is_upsert):
                continue
            value = sorted(field.values)[0]
            q = f"share of {value.replace('_', ' ')} {topic.replace('_', ' ')}{when}"
            options.append({"label": q, "question": q})
            if len(options) >= 3:
                break
        if len(options) >= 2:
            raise AskBack(f"“{t.text}”: the share of which rows?", options)

    def _recency(self) -> None:
        """ "the 5 most recent orders", "the 3 latest payments": rows ranked by event time."""
        lex = english()
        kinds = {str(w).lower(): kind for kind, words in lex["recency"].items() for w in words}
        for k, t in enumerate(self.toks):
            if t.low not in kinds or t.used or t.mention is not None:
                continue
            before = [x for x in self.toks[max(0, k - 2) : k] if not x.used]
            num = next((x for x in reversed(before) if x.number is not None and x.mention is None), None)
            most = next((x for x in before if x.low in ("most", "least")), None)
            target = self.next_mention(k + 1)
            if (num is None and most is None) or target is None or not target.of("topic") or target.used:
                continue
            self.use(t, *[x for x in (num, most) if x is not None])
            target.used = True
            self.r.rank = RankSpec(
                int(num.number) if num else 1,
                kinds[t.low] == "newest",
                target,
                rows=True,
                explicit_n=num is not None,
                words=" ".join(x.text for x in self.toks[k - len(before) : target.end]),
                by_time=True,
            )

    def _rankings(self) -> None:
        lex = english()
        default_n = int(lex["rank_default_n"])
        self._numbered_metric()
        if self.r.rank is not None:
            return
        for k, t in enumerate(self.toks):
            if t.used or t.phrase_start != k:
                continue
            size_word = (
                t.role == "agg"
                and t.arg in ("max", "min")
                and (
                    (k > 0 and self.toks[k - 1].number is not None and self.toks[k - 1].mention is None)
                    or self._which_before(k)
                    or self._one_row_named(k)
                )
            )
            if t.role not in ("rank_top", "rank_bottom") and not size_word:
                continue
            desc = t.role == "rank_top" or t.arg == "max"
            j = k + len([x for x in self.toks[k:] if x.phrase_start == k and x.role == t.role])
            n, explicit = None, False
            if j < len(self.toks) and self.toks[j].number is not None and self.toks[j].mention is None:
                n, explicit, j = int(self.toks[j].number), True, j + 1  # "top 5"
                self.use(self.toks[j - 1])
            elif k > 0 and self.toks[k - 1].number is not None and self.toks[k - 1].mention is None:
                n, explicit = int(self.toks[k - 1].number), True  # "5 biggest"
                self.use(self.toks[k - 1])
            words = t.text
            # "the 3 carriers with the most lost parcels": the ranked thing comes before "with"
            w = (
                k - 1
                if k > 0 and self.toks[k - 1].low in ("with", "having")
                else k - 2
                if k > 1 and self.toks[k - 1].low == "the" and self.toks[k - 2].low in ("with", "having")
                else None
            )
            if w is not None:
                subject = self.prev_mention(w)
                if subject is not None and (subject.of("field") or subject.of("topic")):
                    p = subject.start - 1
                    if n is None and p >= 0 and self.toks[p].number is not None and self.toks[p].mention is None:
                        n, explicit = int(self.toks[p].number), True
                        self.use(self.toks[p])
                    by = self._measured(j)
                    self.use_phrase(t)
                    self.use(*self.toks[w:k])
                    subject.used = True
                    self.r.rank = RankSpec(
                        n or (1 if self._singular(subject) else default_n), desc, subject, by=by, explicit_n=explicit, words=words
                    )
                    continue
            if self._which_before(k) and self._which_subject(k) is not None:
                # "which carrier loses the most parcels", "which country has the highest revenue"
                subject = self._which_subject(k)
                by = self._measured(j)
                self.use_phrase(t)
                if subject is not None:
                    subject.used = True
                self.r.rank = RankSpec(
                    n or (1 if subject is None or self._singular(subject) else default_n),
                    desc,
                    subject,
                    by=by,
                    explicit_n=explicit,
                    words=words,
                )
                continue
            target = self.next_mention(j)
            if target is not None and target.of("value") and not (target.of("topic") or target.of("field")):
                nxt = self.next_mention(target.end)  # "the most lost parcels"
                if nxt is not None:
                    target = nxt
            if target is None:
                # "used most", "make it the top 5": a ranking of what was asked about
                if n is not None or t.role in ("rank_top", "rank_bottom"):
                    self.use_phrase(t)
                    self.r.rank = RankSpec(n or 1, desc, None, explicit_n=n is not None, words=words)
                continue
            if t.role == "agg" and n is None and not self._one_row_named(k):
                continue
            self.use_phrase(t)
            by = None
            nxt = self.mention_at(target.end)
            if target.of("topic") and nxt is not None and nxt.start == target.end and (nxt.of("topic") or nxt.of("field")):
                by = MeasureSpec("count", target, words=target.text)  # "most viewed products": views counted
                target.used = True
                target = nxt
            spec = RankSpec(
                n or 0, desc, target, by=by, explicit_n=explicit, words=" ".join(x.text for x in self.toks[k : target.end])
            )
            # "top 5 products by revenue"
            after = self.skip(target.end)
            nx = self.toks[after] if after < len(self.toks) else None
            if (by is None or by.func == "count") and nx is not None and nx.role == "breakdown" and nx.low == "by":
                # "the most ordered products by units": the number named after "by" is what ranks them
                m = self.next_mention(after + 1)
                if m is not None and (m.of("metric") or self._numeric(m) or (by is None and m.of("topic"))):
                    self.use(nx)
                    m.used = True
                    spec.by = MeasureSpec(None, m, words=m.text)
            if n is None:
                spec.n = 1 if self._singular(target) else default_n
            target.used = True
            self.r.rank = spec

    def _numbered_metric(self) -> None:
        """ "the 2 hottest sites": a number, a metric named by a superlative, then what is ranked by it."""
        lex = english()
        bottom = {str(w).lower() for w in lex["rank_bottom"]} | {str(w).lower() for w in lex["aggregates"]["min"]}
        for k, t in enumerate(self.toks):
            if t.used or t.number is None or t.mention is not None:
                continue
            metric = self.mention_at(k + 1)
            if (
                metric is None
                or metric.start != k + 1
                or metric.used
                or not metric.of("metric")
                or metric.of("field")
                or metric.of("topic")
            ):
                continue
            target = self.mention_at(metric.end)
            if target is None or target.start != metric.end or target.used or not (target.of("field") or target.of("topic")):
                continue
            self.use(t)
            metric.used = target.used = True
            desc = not (set(metric.text.lower().split()) & bottom)
            self.r.rank = RankSpec(
                int(t.number),
                desc,
                target,
                by=MeasureSpec(None, metric, words=metric.text),
                words=" ".join(x.text for x in self.toks[k : target.end]),
            )
            return

    def _measured(self, j: int) -> MeasureSpec | None:
        """What a ranking is by, after its ranking word: "the most lost parcels", "the highest revenue"."""
        by = self.next_mention(j)
        while by is not None and by.of("value") and not (by.of("topic") or by.of("field") or by.of("metric")):
            self.r.filters.append(FilterSpec([by], "=", by.text))
            by.used = True
            by = self.next_mention(by.end)
        if by is None:
            return None
        by.used = True
        return MeasureSpec(None, by, words=by.text)

    def _which_subject(self, k: int) -> Mention | None:
        for i in range(k):
            if self.toks[i].role == "which_words":
                m = self.next_mention(i + 1)
                if m is not None and m.start < k and (m.of("field") or m.of("topic")) and not m.of("metric"):
                    return m
        return None

    def _which_before(self, k: int) -> bool:
        return any(t.role == "which_words" for t in self.toks[:k])

    def _one_row_named(self, k: int) -> bool:
        """ "the cheapest item in each group": a size word before one member of a table of current rows (a
        singular table name, not a field or metric) ranks the members, since the answer is which one; over an
        event stream ("the biggest payment per minute") the size word stays an aggregate of the amount."""
        j = k + len([x for x in self.toks[k:] if x.phrase_start == k and x.role == self.toks[k].role])
        while j < len(self.toks) and self.toks[j].mention is None and self.toks[j].low in ("single", "one", "individual"):
            j += 1
        m = self.mention_at(j)
        return (
            m is not None
            and m.start == j
            and not m.used
            and bool(m.of("topic"))
            and all(self.vocab.topics[e.topic].is_upsert for e in m.of("topic"))
            and not m.of("field")
            and not m.of("metric")
            and self._singular(m)
        )

    def _singular(self, m: Mention) -> bool:
        last = m.text.split()[-1].lower()
        return stem(last) == last or last.endswith(("ss", "us", "is"))

    def _ranked_metric(self) -> None:
        lex = english()
        top = {str(w).lower() for w in lex["rank_top"]} | {str(w).lower() for w in lex["aggregates"]["max"]}
        bottom = {str(w).lower() for w in lex["rank_bottom"]} | {str(w).lower() for w in lex["aggregates"]["min"]}
        if self.r.rank is not None or not any(t.role == "which_words" for t in self.toks):
            return
        for m in self.r.mentions:
            words = set(m.text.lower().split())
            if m.of("metric") and not m.used and (words & top or words & bottom):
                k = m.start
                subject = self._which_subject(k)
                if subject is None:
                    return
                subject.used = True
                m.used = True
                self.r.rank = RankSpec(
                    1 if self._singular(subject) else int(lex["rank_default_n"]),
                    not (words & bottom),
                    subject,
                    by=MeasureSpec(None, m, words=m.text),
                    explicit_n=False,
                    words=m.text,
                )
                return

    def _breakdowns(self) -> None:
        for k, t in enumerate(self.toks):
            if t.role not in ("breakdown", "which_words") or t.used:
                continue
            if t.phrase_start != k and t.phrase_start >= 0:
                continue
            j = k + len([x for x in self.toks[k:] if x.phrase_start == k and x.role == t.role])
            m = self.next_mention(j, extra=("each", "every", "all", "of", "the", "a"))
            if (
                m is None
                and t.role == "breakdown"
                and j < len(self.toks)
                and self.toks[j].mention is None
                and self.toks[j].role == "function_words"
                and len(self.toks[j].low) > 2
            ):
                self.r.loose_keys.append((t, self.toks[j]))  # "by type": the subject's one field called "… type"
            while m is not None and m.qualifier and self.mention_at(m.end) is not None and self.mention_at(m.end).start == m.end:
                m = self.mention_at(m.end)  # "per order country": the qualified field, not the qualifying topic
            if m is None or m.used and m is not (self.r.rank.target if self.r.rank else None):
                continue
            if m.of("value") and not (m.of("field") or m.of("topic")):
                continue  # "by mobile": a filter, read below
            if t.role == "which_words" and (
                m.of("topic")
                and not m.of("field")
                and self.r.rank is None
                or m.of("metric")
                and not (m.of("field") or m.of("topic"))
                or self._numeric(m)
            ):
                continue  # "which orders …", "what is the revenue": the subject, not a breakdown
            self.use_phrase(t)
            self._add_dim(m)
            # a second key with "and": "by country and channel"
            nxt = self.skip(m.end, roles={"function_words"})
            if (
                nxt > m.end
                and self.toks[nxt - 1].low == GAP
                and self.mention_at(nxt) is not None
                and self.mention_at(nxt).of("field")
                and not self.mention_at(nxt).used
                and not self.mention_at(nxt).of("value")
            ):
                nxt -= 1  # "by country, channel": the comma joins a second key
            while nxt < len(self.toks) and self.toks[nxt].low in ("and", ",", "&", GAP) and self.toks[nxt].mention is None:
                m2 = self.next_mention(nxt + 1, extra=("by", "per", "each", "the"))
                if m2 is None or not (m2.of("field") or m2.of("topic")) or m2.of("value"):
                    break
                self.use(*self.toks[nxt : m2.start])
                self._add_dim(m2)
                nxt = self.skip(m2.end, roles={"function_words"})

    def _add_dim(self, m: Mention) -> None:
        m.used = True
        if self.r.rank is not None and self.r.rank.target is m:
            return
        if (
            self.r.rank is not None
            and self.r.rank.target is not None
            and self.r.rank.target.of("topic")
            and not self.r.rank.target.of("field")
        ):
            self.r.rank.partition.append(m)  # "the 3 biggest orders in each channel"
            self.r.rank.rows = True
            return
        if self.r.rank is not None and self.r.rank.target is not None and m.start > self.r.rank.target.start:
            self.r.rank.partition.append(m)  # "the top 2 channels in each country": ranked within each country
            return
        if m not in self.r.dims:
            self.r.dims.append(m)

    def _aggregates(self) -> None:
        for k, t in enumerate(self.toks):
            if (
                t.role not in ("agg", "rank_top", "rank_bottom", "distinct")
                or t.used
                or (t.phrase_start >= 0 and t.phrase_start != k)
            ):
                continue
            if t.role in ("rank_top", "rank_bottom"):
                func = "max" if t.role == "rank_top" else "min"
                if t.low in ("top", "bottom", "most", "least", "the", "leading"):
                    continue
            elif t.role == "distinct":
                func = "count_distinct"
            else:
                func = str(t.arg)
            j = k + max(1, len([x for x in self.toks[k:] if x.phrase_start == k and x.role == t.role]))
            distinct = False
            while j < len(self.toks) and self.toks[j].role == "distinct" and self.toks[j].mention is None:
                distinct, j = True, j + 1
                self.use(self.toks[j - 1])
            chain, swallowed = self._agg_chain(j)
            if chain or swallowed:  # "lowest and highest unit price", "min and max battery": one target, several aggregates
                end = j
                while (
                    end < len(self.toks)
                    and self.toks[end].mention is None
                    and (self.toks[end].role in ("list_joiners", "function_words") or self.toks[end] in chain)
                ):
                    end += 1
                shared = self.mention_at(end)
                if shared is not None and shared.start == end and not shared.used and (shared.of("metric") or shared.of("field")):
                    self.use_phrase(t)
                    shared.used = True
                    words = " ".join(x.text for x in self.toks[k : shared.end])
                    self.r.measures.append(MeasureSpec(func, shared, words=words))
                    for c in chain:
                        self.use_phrase(c)
                        self.r.measures.append(MeasureSpec(str(c.arg), shared, words=words))
                    if swallowed:
                        self.r.measures.append(MeasureSpec(None, shared, words=shared.text))
                    self.use(*[x for x in self.toks[j:end] if x.role == "list_joiners"])
                    continue
            if func == "count" and not distinct and self._counted_in_units(j):
                unit = self._unit_at(j)  # "how many items": the number the catalog counts in items, added up
                assert unit is not None
                self.use_phrase(t)
                self.use(self.toks[j])
                self.r.measures.append(MeasureSpec("sum", unit, words=" ".join(x.text for x in self.toks[k : j + 1])))
                continue
            target = self.next_mention(j)
            own = counted = None
            while target is not None and (
                target.qualifier
                or (target.of("value") or target.of("state"))
                and not (target.of("field") or target.of("topic") or target.of("metric"))
            ):
                nxt = self.next_mention(target.end)  # "how many declined payments", "largest order amount"
                if nxt is not None and nxt.start != target.end and not target.qualifier:
                    nxt = None  # not next to it: "lowest humidity and average temperature"
                if (
                    nxt is not None
                    and target.of("state")
                    and {(e.topic, e.field) for e in target.of("state")} & {(e.topic, e.field) for e in nxt.of("field")}
                ):
                    break  # "anonymous visitors": the visitors are the ones whose id is missing, not a count of ids
                if nxt is None:
                    if not target.qualifier and func not in ("count", "count_distinct"):
                        own = target  # "lowest temperature": the subject's amount where kind is that value
                    elif not target.qualifier and func == "count":
                        counted = target  # "how many were refunded": the rows with that value, counted
                    target = None if not target.qualifier else target
                    break
                target = nxt
            self.use_phrase(t)
            if target is None and func not in ("count", "count_distinct"):
                if own is not None:
                    own.used = True
                    own.elements = own.of("value")
                self.r.measures.append(MeasureSpec(func, None, words=t.text + (f" {own.text}" if own else ""), own=own))
                continue
            if target is None and counted is not None:
                self.r.measures.append(MeasureSpec("count", None, words=f"{t.text} {counted.text}"))
                continue
            if target is None or target.used and not target.qualifier:
                if target is None:
                    self.r.agg_only = func
                continue
            target.used = True
            if distinct and func == "count":
                func = "count_distinct"
            self.r.measures.append(
                MeasureSpec(func, target, distinct=distinct, words=" ".join(x.text for x in self.toks[k : target.end]))
            )

    def _summed(self, m: Mention) -> bool:
        """The mention is one catalog number that is added up (its aggregate is sum)."""

        fields = m.of("field")
        return len(fields) == 1 and self._adds_up(fields[0].topic, fields[0].field or "")

    def _adds_up(self, topic: str, field: str) -> bool:
        """The catalog adds this number up: its aggregate is sum, or a metric of its topic is its SUM."""
        from copilot.agent.builtin import semantic

        if semantic.default_aggregate(self.vocab.topics[topic], field) == "sum":
            return True
        return any(
            (simple := semantic.simple_metric(m.expression)) is not None and simple == ("sum", field)
            for m in self.vocab.metrics.get(topic, [])
        )

    def _counted_in_units(self, j: int) -> bool:
        """Token j is the unit of exactly one catalog number that is added up ("items" of quantity)."""

        if j >= len(self.toks) or self.toks[j].mention is not None or self.toks[j].number is not None:
            return False
        fields = self.vocab.units.get(stem(self.toks[j].low), [])
        if self.toks[j].role is not None or any(e not in fields for e in self.vocab.lookup([self.toks[j].low])):
            return False  # "items" is a generic noun too (rows, products): which is meant is asked elsewhere
        return len(fields) == 1 and self._adds_up(fields[0].topic, fields[0].field or "")

    def _one_measure_of_value(self, m: Mention) -> None:
        """ "refunds": a word the catalog gives to a value and to one of several measures of that value (the
        refunded amount, the number of refunds). No clear winner: ask which."""
        from copilot.agent.builtin.outcome import AskBack

        values = {(e.topic, e.field, e.value) for e in m.of("value")}
        if not values:
            return
        for e in m.of("metric"):
            cond = self._metric_condition(e)
            if cond is None or (cond.topic, cond.field, cond.value) not in values:
                continue
            siblings = [
                x
                for x in self.vocab.metrics.get(e.topic, [])
                if (c := self._metric_condition(Element("metric", e.topic, metric=x.name))) is not None
                and (c.field, c.value) == (cond.field, cond.value)
            ]
            if len(siblings) > 1:
                question = " ".join(t.text for t in self.toks)
                options = []
                for x in siblings[:3]:
                    names = [
                        s
                        for s in x.synonyms
                        if stem(s.lower()) != stem(m.text.lower()) and m.text.lower() not in s.lower().split()
                    ]
                    words = (names or [x.name.replace("_", " ")])[0]
                    options.append({"label": words, "question": question.replace(m.text, words, 1)})
                raise AskBack(f"“{m.text}”: {' or '.join(o['label'] for o in options)}?", options)

    def _names_its_rows(self, m: Mention) -> bool:
        """ "shipments delivered within 2 hours": a count metric named with its table's name, and nothing in the
        question asks for a figure (no aggregate word, breakdown, window, ranking or threshold): the rows."""
        words = {stem(t.low) for t in self.toks[m.start : m.end]}
        if not any(stem(e.topic.split("_")[-1]) in words for e in m.of("metric")):
            return False
        figure = any(t.role in ("agg", "distinct", "share", "rank_top", "rank_bottom", "breakdown") for t in self.toks)
        return not (
            figure
            or self.r.window is not None
            or self.r.dims
            or self.r.measures
            or self.r.rank is not None
            or any(c.having or c.kind == "count" for c in self.r.compares)
        )

    def _metric_condition(self, e: Element) -> Element | None:
        """The value a metric's own equality condition selects (`filter: status = 'refunded'`), as a value element."""
        from copilot.agent.builtin.build import FILTER_RE

        metric = self.vocab.metric(e.topic, e.metric or "")
        cond = FILTER_RE.match(str(metric.filter or "")) if metric else None
        if cond is None or self.vocab.topics[e.topic].field(cond.group(1)) is None:
            return None
        return Element("value", e.topic, cond.group(1), cond.group(2))

    def _agg_chain(self, j: int) -> tuple[list[Tok], bool]:
        """After an aggregate word: the further aggregate words joined to it by "and"/"or" ("min and max"),
        and whether the last one was read into a catalog phrase that starts with it ("max temperature")."""
        chain: list[Tok] = []
        i = j
        while (
            i < len(self.toks)
            and self.toks[i].mention is None
            and self.toks[i].role == "list_joiners"
            and self.toks[i].low in ("and", "or", ",")
        ):
            i += 1
            if (
                i < len(self.toks)
                and self.toks[i].mention is None
                and self.toks[i].role == "agg"
                and not self.toks[i].used
                and self.toks[i].arg not in ("count",)
            ):
                chain.append(self.toks[i])
                i += 1 + len([x for x in self.toks[i + 1 :] if x.phrase_start == i and x.role == "agg"])
                continue
            m = self.mention_at(i)
            first = self.toks[i] if i < len(self.toks) else None
            if m is not None and m.start == i and m.of("metric") and first is not None and (lexicon_role(first.low) == "agg"):
                return chain, True
            break
        return chain, False

    def _values(self) -> None:
        measured = (
            bool(self.r.measures) or any(m.of("metric") and not m.of("value") for m in self.r.mentions) or self.r.list_strong
        )
        # "critical alarms": two words that are each a value and a count of it, side by side, describe one kind
        # of row (counted once), not two counts
        measured = measured or any(
            a.end == b.start
            and a.of("metric")
            and a.of("value")
            and b.of("metric")
            and b.of("value")
            and self._count_metric(a)
            and self._count_metric(b)
            for a, b in zip(self.r.mentions, self.r.mentions[1:])
        )
        for a, b in zip(self.r.mentions, self.r.mentions[1:]):
            # "diesel trucks": a word that is a field and a value reads as the value when the value before it
            # belongs to the same topic (two values of one table describe the same rows)
            if a.end == b.start and not b.used and b.of("value") and b.of("field") and a.of("value") and not a.of("field"):
                shared = {e.topic for e in a.of("value")} & {e.topic for e in b.of("value")}
                if shared:
                    b.elements = [e for e in b.of("value") if e.topic in shared]
        ms = [
            m
            for m in self.r.mentions
            if m.of("value")
            and not m.used
            and not m.qualifier
            and not m.of("topic")
            and not m.of("field")
            and (not m.of("metric") or measured or self._filter_cue_before(m))
        ]
        for m in ms:  # a word that is a value and a metric ("critical"): here it filters
            m.elements = [e for e in m.elements if e.kind != "metric"]
        groups: list[list[Mention]] = []
        for m in ms:
            if groups:
                prev = groups[-1][-1]
                between = self.toks[prev.end : m.start]
                same_field = {(e.topic, e.field) for e in prev.of("value")} & {(e.topic, e.field) for e in m.of("value")}
                if same_field and all(
                    t.role in ("list_joiners", "function_words", "negations", "versus")
                    and t.low not in ("with", "by", "per", "from", "in")
                    or t.low in ("or", "and", ",", "nor")
                    for t in between
                ):
                    groups[-1].append(m)
                    self.use(*between)
                    continue
            groups.append([m])
        for group in groups:
            b = group[0].start - 1
            if b >= 0 and self.toks[b].mention is None and self.toks[b].low in ("by", "via", "through", "with"):
                self.use(self.toks[b])
            negated = self.negated_before(group[0].start)
            j = group[0].start - 1
            while j >= 0 and self.toks[j].mention is None and self.toks[j].role in ("function_words", "negations", "light_words"):
                j -= 1
            named = self.mention_at(j)
            if named is not None and not named.used and named.of("field"):
                fields = {(e.topic, e.field) for e in named.of("field")}
                if any((e.topic, e.field) in fields for e in group[0].of("value")):
                    named.used = True  # "from countries other than …", "method klarna"
                    if not negated:
                        negated = any(t.role == "negations" for t in self.toks[named.end : group[0].start])
            after = self.mention_at(group[-1].end)
            if (
                after is not None
                and after.start == group[-1].end
                and not after.used
                and not after.of("topic")
                and after.of("field")
            ):
                fields = {(e.topic, e.field) for e in after.of("field")}
                own = [e for e in group[-1].of("value") if (e.topic, e.field) in fields]
                if own:  # "mobile devices", "premium plans": the value's own field named after it
                    after.used = True
                    for m in group:
                        m.elements = [e for e in m.elements if e.kind != "value" or (e.topic, e.field) in fields] or m.elements
            for m in group:
                m.used = True
                if len(group) > 1:
                    keep = set.intersection(*[{(e.topic, e.field) for e in g.of("value")} for g in group])
                    m.elements = [e for e in m.elements if e.kind == "value" and (e.topic, e.field) in keep]
            op = ("not_in" if negated else "in") if len(group) > 1 else ("<>" if negated else "=")
            if len(group) > 1 and any(t.role == "versus" for t in self.toks[group[0].end : group[-1].start]):
                # "paypal vs card": those values, side by side
                field = {(e.topic, e.field) for e in group[0].of("value")}
                dim = Mention(
                    group[0].start, group[0].end, group[0].text, [Element("field", t, f) for t, f in sorted(field)], used=True
                )
                if not any({(e.topic, e.field) for e in d.of("field")} == field for d in self.r.dims):
                    self.r.dims.append(dim)
            words = " ".join(m.text for m in group)
            self.r.filters.append(FilterSpec(group, op, ("not " if negated else "") + words))

    def _nulls(self) -> None:
        for m in self.r.mentions:  # "without a referrer", "doesn't have a country": the field is missing
            if m.used or m.qualifier or not m.of("field") or m.of("topic") or m.of("value") or m.of("metric") or self._numeric(m):
                continue
            j = m.start - 1
            while j >= 0 and self.toks[j].mention is None and self.toks[j].low in ("a", "an", "any", "the"):
                j -= 1
            have = j >= 0 and self.toks[j].mention is None and self.toks[j].low in ("have", "has", "had", "having")
            k = j - 1 if have else j
            if (
                k >= 0
                and self.toks[k].mention is None
                and self.toks[k].role == "negations"
                and (have or self.toks[k].low == "without")
            ):
                self.use(*self.toks[k : m.start])
                m.used = True
                m.elements = m.of("field")
                self.r.filters.append(FilterSpec([m], "is_null", " ".join(t.text for t in self.toks[k : m.end])))
        for m in self.r.mentions:  # "logged in", "anonymous": the catalog's words for a field being set or not
            if m.used or not m.of("state") or m.of("topic") or m.of("value"):
                continue
            state = m.of("state")[0].value
            negated = self.negated_before(m.start)
            op = state if not negated else {"is_null": "is_not_null", "is_not_null": "is_null"}[state or "is_null"]
            m.used = True
            m.elements = m.of("state")
            self.r.filters.append(FilterSpec([m], op, ("not " if negated else "") + m.text))
            j = m.start - 1
            while (
                j >= 0
                and self.toks[j].mention is None
                and self.toks[j].role in ("function_words", "negations", "light_words", "which_words")
            ):
                j -= 1
            prev = self.mention_at(j)
            if (
                prev is not None
                and not prev.used
                and not prev.of("topic")
                and {(e.topic, e.field) for e in prev.of("field")} & {(e.topic, e.field) for e in m.elements}
            ):
                prev.used = True  # "visitors who aren't logged in": the field named before its state
            nxt = self.mention_at(m.end)
            if (
                nxt is not None
                and nxt.start == m.end
                and not nxt.used
                and {(e.topic, e.field) for e in nxt.of("field")} & {(e.topic, e.field) for e in m.elements}
            ):
                nxt.used = True  # "anonymous visitors"
        for k, t in enumerate(self.toks):
            if t.role not in ("null_words", "present_words") or t.used:
                continue
            m = self.prev_mention(k) or self.next_mention(k + 1)
            if m is None or not m.of("field"):
                continue
            absent = (t.role == "null_words") != self.negated_before(k)
            self.use_phrase(t)
            m.used = True
            self.r.filters.append(FilterSpec([m], "is_null" if absent else "is_not_null", f"{m.text} {t.text}"))

    def _unit_words(self) -> None:
        """ "km per driver": a field's unit, not after a number, names that field."""
        for k, t in enumerate(self.toks):
            if t.used or t.mention is not None or t.role is not None or t.number is not None:
                continue
            if k > 0 and self.toks[k - 1].number is not None:
                continue
            fields = self.vocab.units.get(stem(t.low), [])
            if fields and len(t.low) > 1:
                m = Mention(k, k + 1, t.text, list(fields))
                t.mention = m
                self.r.tagged.mentions.append(m)
                self.r.tagged.mentions.sort(key=lambda x: x.start)

    def _rest(self) -> None:
        changes = {str(w).lower() for w in english()["change_nouns"]}
        for m in self.r.mentions:  # "status changes", "price updates": the events in which the field changes
            nxt = self.toks[m.end] if m.end < len(self.toks) else None
            if (
                not m.used
                and m.of("field")
                and not m.of("topic")
                and nxt is not None
                and nxt.mention is None
                and nxt.text.lower() in changes
            ):
                m.used = True
                self.use(nxt)
        having = [c for c in self.r.compares if c.having or c.kind == "count"]
        for m in self.r.mentions:
            if m.used or m.qualifier or not having or not (m.of("field") or m.of("topic")) or self._numeric(m):
                continue
            nxt = self.skip(m.end, roles={"light_words"})
            if nxt < len(self.toks) and self.toks[nxt].low in ("with", "having", "that", "where", "whose") and not self.r.dims:
                if not any(c.target is m for c in self.r.compares):
                    self.use(self.toks[nxt])
                    self._add_dim(m)
        for m in self.r.mentions:
            if m.used or m.qualifier:
                continue
            if (self.r.list_strong or self._names_its_rows(m)) and m.of("metric") and self._count_metric(m) and not m.of("value"):
                m.used = True  # "lost parcels from DHL, one by one": a count metric names the rows it counts
                conds = [c for e in m.of("metric") if (c := self._metric_condition(e)) is not None]
                if conds:  # "refunded payments as they come in": and its condition selects them
                    m.elements = conds
                    self.r.filters.append(FilterSpec([m], "=", m.text))
                else:
                    m.elements = m.of("field") or [Element("topic", t) for t in sorted(m.topics())]
                continue
            if self.r.list_strong and m.of("field") and not m.of("topic"):
                m.used = True  # "list prices of books as they change": a field shown with the rows, not aggregated
                m.elements = m.of("field")
                continue
            refs = [e for e in m.of("field") if any(rel.field == e.field for rel in self.vocab.topics[e.topic].relationships)]
            if self.r.list_rows and refs and not m.of("metric") and not self._numeric(m):
                m.used = True  # "list readings from sensors with battery under 10%": the rows' own device, shown
                m.elements = refs
                continue
            if (
                m.of("metric")
                and not m.of("topic")
                and (self.r.measures or any(c.target is not None and c.target.of("metric") for c in self.r.compares))
                and stem(m.text.lower()) in self.vocab.verb_words
            ):
                m.used = True  # "how many products get sold": the verb of the events counted, not a second measure
                continue
            if m.of("metric") and not m.of("topic"):
                self._one_measure_of_value(m)
                m.used = True
                self.r.measures.append(MeasureSpec(None, m, words=m.text))
            elif (
                m.of("field")
                and not m.of("topic")
                and self._numeric(m)
                and all(self.vocab.is_numeric(e.topic, e.field) for e in m.of("field"))
            ):
                m.used = True
                self.r.measures.append(MeasureSpec(None, m, words=m.text))


def _durations_held(vocab: Vocabulary, question: str) -> None:
    """ "How long …": when the catalog records durations (a field whose unit is a time unit), ask which one,
    rather than declining; the options are complete questions about those fields."""
    from copilot.agent.builtin.lexicon import time_words
    from copilot.agent.builtin.outcome import AskBack

    units = {str(w).lower() for words in time_words()["units"].values() for w in words}
    fields = [e for u, es in vocab.units.items() if u in units for e in es]
    if not fields:
        return
    options = [
        {
            "label": f"average {e.field.replace('_', ' ')} of {e.topic.replace('_', ' ')}",
            "question": f"average {e.field.replace('_', ' ')} of {e.topic.replace('_', ' ')}",
        }
        for e in fields[:3]
    ]
    raise AskBack(
        f"“{question.strip()}”: the catalog records durations as {', '.join(o['label'][8:] for o in options)}. "
        f"Which figure do you mean?",
        options,
    )


def lexicon_role(word: str) -> str | None:
    hit = lexicon_table().get((word,))
    return hit[0] if hit else None
