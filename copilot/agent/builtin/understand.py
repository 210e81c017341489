"""Read a business question into plan pieces, resolved against the catalog.

`read()` finds measures, dimensions, filters, comparisons, a window and top-N in the question and
decides the main topic; it does not fill defaults, so a follow-up can tell what it changed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.agent.builtin import cues
from copilot.agent.builtin.plan import FieldRef, Filter, Measure, TopN, Window
from copilot.agent.builtin.timewords import find_window, normalise, strip_spans
from copilot.agent.builtin.vocabulary import Mention, Span, Vocabulary, stem, tokenize


class NotUnderstood(Exception):
    """The question cannot be answered with confidence; `reason` says what was missing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class PendingComparison:
    op: str
    value: float
    target: str  # "field" | "count" | "default"
    span: Span | None = None
    topic: str | None = None
    having: bool = False


@dataclass
class Reading:
    """What one question said, before defaults: the follow-up logic merges these into a plan."""

    source: str | None = None
    measures: list[Measure] = field(default_factory=list)
    dimensions: list[FieldRef] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    having: list[tuple[str, float, Measure]] = field(default_factory=list)  # (op, value, measure)
    window: Window | None = None
    top_n: TopN | None = None
    top_dimension_only: bool = False
    list_rows: bool = False
    chart: str | None = None
    additive: bool = False  # "also", "and", "add": extend rather than replace
    clear_filters: bool = False
    mentioned_topics: set[str] = field(default_factory=set)
    tokens: list[str] = field(default_factory=list)
    row_order: tuple[FieldRef, bool] | None = None  # for "5 biggest orders"


def _alias_word(text: str) -> str:
    word = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return word if re.fullmatch(r"[a-z][a-z0-9_]*", word or "") else "value"


class Reader:
    def __init__(self, vocab: Vocabulary, topic_rank: list[str]):
        self.vocab = vocab
        self.rank = topic_rank  # retrieval order, best first: breaks ties between topics

    # -- entry point ----------------------------------------------------------------------
    def read(self, question: str, context_source: str | None = None) -> Reading:
        text = normalise(question)
        window, used = find_window(text)
        rest = strip_spans(text, used)
        tokens = tokenize(rest)
        low = [t.lower() for t in tokens]
        spans = self.vocab.spans(tokens)
        named_number = any(self.vocab.is_numeric(m.topic, m.field) for s in spans for m in s.of_kind("field"))
        if not named_number and cues.SELL_VERBS & set(low):  # "sells the most" means sales
            low = ["sales" if w in cues.SELL_VERBS else w for w in low]
            tokens = [("sales" if t.lower() in cues.SELL_VERBS else t) for t in tokens]
            spans = self.vocab.spans(tokens)
        if ("how", "long") in zip(low, low[1:]):
            raise NotUnderstood("I cannot compute durations (how long something takes or lasts); "
                                "I can count, sum, average or rank per time window")
        r = Reading(window=window, tokens=low)
        r.mentioned_topics = {m.topic for s in spans for m in s.of_kind("topic")}
        self._current_tokens = low
        r.additive = bool({"also", "add", "plus"} & set(low)) or (low[:1] == ["and"])
        r.clear_filters = bool(re.search(r"\b(all (countries|channels|markets|methods|carriers|devices)|remove the filters?|no filters?|without (the )?filters?|everything|everywhere)\b", rest.lower()))
        if "chart" in low or "graph" in low or "plot" in low:
            r.chart = "line" if "line" in low else "bar" if "bar" in low else "auto"
        r.list_rows = bool(cues.LIST_CUES & set(low)) and not any(a in " ".join(low) for a in ("how many", "number of"))

        # a topic written by its exact identifier ("job_revenue_by_country") is the one meant
        self._exact_topics = {t for t in self.vocab.topics
                              if "_" in t and re.search(rf"(?<![\w.]){re.escape(t.lower())}(?![\w])", question.lower())}
        self.source = self._choose_source(spans, context_source)
        r.source = self.source
        self.low, self.spans, self.consumed = low, spans, set()
        self._share_measures(r)
        self._comparisons(r)
        self._top_n(r)
        self._dimensions(r)
        self._measures(r)
        self._filters(r)
        self._finish_comparisons(r)
        return r

    # -- which topic the question is about ------------------------------------------------
    def _choose_source(self, spans: list[Span], context: str | None) -> str | None:
        scores: dict[str, float] = {}
        for s in spans:
            topics = s.topics()
            for m in s.mentions:
                weight = 3.0 if m.kind == "topic" else 2.0 if m.kind == "field" else 1.0
                scores[m.topic] = scores.get(m.topic, 0.0) + weight / len(topics)
        measure_topics = self._measure_topics(spans)
        if measure_topics:
            for t in measure_topics:
                scores[t] = scores.get(t, 0.0) + 4.0
        low = self._current_tokens
        for s in spans:  # "more than 3 orders": orders are counted
            if s.start >= 2 and cues.number_value(low[s.start - 1]) is not None and s.of_kind("topic"):
                if any(cues.comparator_at(low, j) for j in range(max(0, s.start - 4), s.start - 1)):
                    for m in s.of_kind("topic"):
                        scores[m.topic] = scores.get(m.topic, 0.0) + 4.0
        for t in list(scores):  # events that reference a named lookup table are the subject, not the lookup
            if any(self.vocab.references(t, other) for other in scores if other != t):
                scores[t] += 1.5
        for t in list(scores):  # topics nobody described (added by sync) only win when clearly named
            if not self.vocab.topics[t].description:
                scores[t] *= 0.5
        if context:
            scores[context] = scores.get(context, 0.0) + 2.5
        for t in getattr(self, "_exact_topics", ()):
            scores[t] = scores.get(t, 0.0) + 10.0
        if not scores:
            return context
        named = {m.topic for s in spans for m in s.mentions if m.kind in ("topic", "field")}
        if not context and not named:
            valued = {m.topic for s in spans for m in s.of_kind("value")}
            if len(valued) > 1:  # "only France": orders, page views or customers? Ask rather than guess.
                raise NotUnderstood(f"“{spans[0].text}” could be about {', '.join(sorted(valued))}; say which")
        for i, t in enumerate(self.rank[:3]):
            if t in scores:
                scores[t] += 0.3 * (3 - i) / 3
        # an upsert table is a lookup table: the facts that reference it come first when both are named
        best = max(scores, key=lambda t: scores[t])
        return best

    def _measure_topics(self, spans: list[Span]) -> set[str]:
        """Topics holding a measured field: a numeric field named right after an aggregate word,
        a counted topic, or a numeric business word (revenue)."""
        low = [t.lower() for t in self._tokens_for(spans)]
        found: set[str] = set()
        for s in spans:
            func, distinct, _ = cues.agg_before(low, s.start) if low else (None, False, -1)
            numeric = [m for m in s.of_kind("field") if self.vocab.is_numeric(m.topic, m.field)]
            if numeric and len({m.topic for m in numeric}) == 1:
                found.add(numeric[0].topic)
            if func == "count":
                for m in s.of_kind("topic"):
                    # "unique customers ordering": counted through the facts that reference them
                    facts = [t for t in self._named_topics(spans) if t != m.topic and self.vocab.references(t, m.topic)]
                    found |= set(facts) if (distinct and facts) else {m.topic}
        return found

    @staticmethod
    def _named_topics(spans: list[Span]) -> list[str]:
        return [m.topic for s in spans for m in s.of_kind("topic")]

    def _tokens_for(self, spans):  # the tokens of the question being read (set in read())
        return getattr(self, "_current_tokens", [])

    # -- resolving a mention to a field of the main topic or a joinable one -------------------
    def resolve(self, span: Span, kind: str = "field", qualifier: str | None = None) -> Mention | None:
        mentions = span.of_kind(kind)
        if not mentions:
            return None
        order = [qualifier] if qualifier else []
        order += [self.source] + self._joinable(self.source)
        for topic in order:
            for m in mentions:
                if m.topic == topic:
                    return m
        return None

    def _joinable(self, source: str | None, hops: int = 2) -> list[str]:
        """Topics a query over `source` can join: related ones first, then those one topic further."""
        if not source:
            return []
        out = []
        for rel in self.vocab.topics[source].relationships:
            if rel.target_topic in self.vocab.topics:
                out.append(rel.target_topic)
        for name, schema in self.vocab.topics.items():
            if any(rel.target_topic == source for rel in schema.relationships) and name not in out:
                out.append(name)
        if hops > 1:
            for middle in list(out):
                out += [t for t in self._joinable(middle, hops - 1) if t != source and t not in out]
        return out

    def _qualifier(self, span: Span) -> str | None:
        """A topic noun right before a field ("customer country") says whose field it is."""
        for s in self.spans:
            if s.end == span.start and s.of_kind("topic"):
                return s.of_kind("topic")[0].topic
        return None

    def _span_at(self, i: int) -> Span | None:
        return next((s for s in self.spans if s.start == i), None)

    def _next_span(self, i: int, skip=("the", "a", "an", "each", "every", "of", "all")) -> Span | None:
        while i < len(self.low) and self.low[i] in skip:
            i += 1
        s = self._span_at(i)
        if s and s.of_kind("topic") and not s.of_kind("field"):
            nxt = self._span_at(s.end)  # "customer segment" written as two spans
            if nxt and nxt.of_kind("field"):
                return nxt
        return s

    # -- pieces ------------------------------------------------------------------------------
    def _share_measures(self, r: Reading) -> None:
        for i, w in enumerate(self.low):
            if w not in cues.SHARE_CUES:
                continue
            near = [s for s in self.spans if s.of_kind("value") and abs(s.start - i) <= 5 and id(s) not in self.consumed]
            near.sort(key=lambda s: abs(s.start - i))
            for s in near:
                m = self.resolve(s, "value")
                if m:
                    ref = FieldRef(m.topic, m.field)
                    alias = _alias_word(f"{s.text} {'rate' if w == 'rate' else 'share'}")
                    r.measures.append(Measure("share", None, alias, Filter(ref, "=", [m.value], s.text)))
                    self.consumed.add(id(s))
                    break
        asked = [w for w in self.low if w in cues.SHARE_CUES]
        if asked and not any(m.func == "share" for m in r.measures):
            # a rate between two streams ("conversion from page views to orders") or of a value the
            # catalog does not know: answering with a plain count would look right and be wrong
            raise NotUnderstood(f"I can compute the {asked[0]} of one known value (such as declined payments), "
                                f"but not the {asked[0]} asked here")

    def _comparisons(self, r: Reading) -> None:
        self.pending: list[PendingComparison] = []
        for i in range(len(self.low)):
            hit = cues.comparator_at(self.low, i)
            if not hit:
                continue
            op, length = hit
            j = i + length
            if j >= len(self.low):
                continue
            value = cues.number_value(self.low[j])
            if value is None:
                continue
            k = j + 1
            while k < len(self.low) and self.low[k] in cues.UNIT_WORDS:
                unit = self._span_at(k)
                if unit is not None:
                    self.consumed.add(id(unit))  # "500 euros" is a unit, not a currency filter
                k += 1
            after = self._span_at(k)
            if after and after.of_kind("field") and not after.of_kind("topic"):
                same = next((s for s in reversed(self.spans) if s.end <= i and all(w in cues.FILLER for w in self.low[s.end : i])), None)
                if same is not None and self.resolve(same) == self.resolve(after):
                    self.consumed.add(id(after))  # "a quantity of more than 3 units"
                    after = None
            if after and after.of_kind("topic") and not after.of_kind("field"):
                self.consumed.add(id(after))
                self.pending.append(PendingComparison(op, value, "count", topic=after.of_kind("topic")[0].topic, having=True))
                continue
            if after and self.resolve(after) and self.vocab.is_numeric(*self._ft(self.resolve(after))):
                self.consumed.add(id(after))
                self.pending.append(PendingComparison(op, value, "field", span=after))
                continue
            before = None
            for s in reversed(self.spans):
                if s.end <= i and all(w in cues.FILLER for w in self.low[s.end : i]):
                    before = s
                    break
            if before and before.of_kind("field") and id(before) not in self.consumed:
                m = self.resolve(before)
                if m and self.vocab.is_numeric(m.topic, m.field):
                    func, _, _ = cues.agg_before(self.low, before.start)
                    lead = self.low[max(0, before.start - 2) : before.start]
                    prev_dim = any(
                        s.end <= before.start and s.end >= before.start - 2 and s.of_kind("field") and not any(self.vocab.is_numeric(x.topic, x.field) for x in s.of_kind("field"))
                        for s in self.spans
                    ) or self.low[before.start - 1 : before.start] in (["having"],)
                    having = bool(func) or prev_dim or "having" in lead
                    self.consumed.add(id(before))
                    self.pending.append(PendingComparison(op, value, "field", span=before, having=having))
                    continue
            self.pending.append(PendingComparison(op, value, "default"))

    def _ft(self, m: Mention) -> tuple[str, str]:
        return m.topic, m.field

    def _top_n(self, r: Reading) -> None:
        low = self.low
        for i, w in enumerate(low):
            n, desc, start = None, True, None
            if w in ("top", "bottom") :
                desc = w == "top"
                if i + 1 < len(low) and cues.number_value(low[i + 1]) is not None:
                    n, start = int(cues.number_value(low[i + 1])), i + 2
                else:
                    n, start = 1, i + 1
            elif cues.number_value(w) is not None and i + 1 < len(low) and low[i + 1] in cues.SUPERLATIVE_MOST | cues.SUPERLATIVE_LEAST | {"best"}:
                if i > 0 and cues.comparator_at(low, i - 1) or (i > 1 and cues.comparator_at(low, i - 2)):
                    continue
                n, desc, start = int(cues.number_value(w)), low[i + 1] not in cues.SUPERLATIVE_LEAST, i + 2
            elif cues.number_value(w) is not None and self._span_at(i + 1) is not None and \
                    low[self._span_at(i + 1).end : self._span_at(i + 1).end + 3][:1] == ["with"] and \
                    set(low[self._span_at(i + 1).end : self._span_at(i + 1).end + 4]) & (cues.SUPERLATIVE_MOST | cues.SUPERLATIVE_LEAST):
                after = low[self._span_at(i + 1).end : self._span_at(i + 1).end + 4]
                n, desc, start = int(cues.number_value(w)), not (set(after) & cues.SUPERLATIVE_LEAST), i + 1
            elif w in ("most", "least") and i + 2 < len(low) and low[i + 1] in self.vocab.event_verbs:
                # "most viewed products": a ranking of the noun; "the most ordered product": its winner
                noun = low[i + 2]
                n, desc, start = (10 if stem(noun) != noun else 1), w == "most", i + 1
            elif w in ("which", "what") and i + 1 < len(low):
                rest = low[i + 1 : i + 9]
                sup = [x for x in rest if x in (cues.SUPERLATIVE_MOST | cues.SUPERLATIVE_LEAST) - {"more", "top"}]
                if sup:
                    n, desc, start = 1, sup[0] not in cues.SUPERLATIVE_LEAST, i + 1
                    if cues.number_value(low[i + 1]) is not None:
                        n, start = int(cues.number_value(low[i + 1])), i + 2
            if n is None:
                continue
            while start < len(low) and (low[start] in cues.SUPERLATIVE_MOST | cues.SUPERLATIVE_LEAST | {"the", "best", "selling", "sales"}
                                        or low[start] in self.vocab.event_verbs):
                start += 1
            target = self._next_span(start)
            r.top_n = TopN(n, "", desc)
            if target is not None:
                dim = self._as_dimension(target)
                if dim:
                    if dim not in r.dimensions:
                        r.dimensions.append(dim)
                    self.consumed.add(id(target))
                elif target.of_kind("topic") and (target.topics() & {self.source}):
                    # "5 biggest orders": rows of the main topic, ordered by its main number
                    r.top_n = TopN(n, "", desc)
                    r.list_rows = True
                    self.consumed.add(id(target))
            return

    def _as_dimension(self, span: Span) -> FieldRef | None:
        qualifier = self._qualifier(span)
        m = self.resolve(span, "field", qualifier)
        if m and not self.vocab.is_numeric(m.topic, m.field) and not self.vocab.is_time(m.topic, m.field):
            if self.vocab.is_key(m.topic, m.field) and m.topic == self.source and not self.vocab.topics[m.topic].is_upsert:
                return None  # grouping events by their own id is not a breakdown (an upsert table's key is)
            return FieldRef(m.topic, m.field)
        topics = span.of_kind("topic")
        if topics and not span.of_kind("field") and self.source:
            target = topics[0].topic
            schema = self.vocab.topics[target]
            if target == self.source and schema.is_upsert and len(schema.primary_key or []) == 1:
                return FieldRef(target, schema.primary_key[0])  # "price of each product": one row per key
            if target != self.source:
                rel = self.vocab.relationship(self.source, target)
                if rel and self.vocab.references(self.source, target):
                    return FieldRef(self.source, rel[0])  # "per customer" → customer_id
        return None

    def _dimensions(self, r: Reading) -> None:
        low = self.low
        for s in self.spans:  # "countries with more than 100 orders": the field before "with" is grouped
            if id(s) not in self.consumed and s.end < len(low) and low[s.end] in ("with", "having", "that", "where", "whose"):
                dim = self._as_dimension(s)
                if dim and not s.of_kind("value") and dim not in r.dimensions:
                    r.dimensions.append(dim)
                    self.consumed.add(id(s))
        for i, w in enumerate(low):
            if w not in cues.DIM_CUES:
                continue
            if w in ("which", "what") and i + 1 < len(low) and low[i + 1] in ("is", "are", "was"):
                continue
            j = i + 1
            if w in ("split", "broken", "grouped"):
                j = i + 2 if i + 1 < len(low) and low[i + 1] in ("by", "down") else i + 1
                if j < len(low) and low[j] == "by":
                    j += 1
            target = self._next_span(j)
            if target is None:
                nxt = next((x for x in low[j:] if x not in ("the", "a", "an", "each", "every", "of")), None)
                if w in ("by", "per") and nxt and cues.number_value(nxt) is None and nxt not in cues.FILLER | {"minute", "hour", "second", "day"} and not cues.comparator_at(low, low.index(nxt, j)):
                    raise NotUnderstood(f"I could not find “{nxt}” in the catalog to group by")
                continue
            if id(target) in self.consumed:
                continue
            dim = self._as_dimension(target)
            if dim:
                if dim not in r.dimensions:
                    r.dimensions.append(dim)
                self.consumed.add(id(target))
            elif w in ("by", "per") and not target.of_kind("field") and not target.of_kind("topic") and target.of_kind("value"):
                continue
            elif w in ("by", "per") and target.of_kind("field") and self.resolve(target, "field", self._qualifier(target)) is None:
                raise NotUnderstood(f"“{target.text}” is not something I can combine with {self.source}")

    def _check_counted_words(self) -> None:
        """"How many employees ...": the thing counted or averaged must be something the catalog knows."""
        low = self.low
        for i in range(len(low)):
            for phrase in (("how", "many"), ("number", "of"), ("count", "of"), ("average",), ("avg",), ("mean",)):
                if not cues.match_phrase(low, i, phrase):
                    continue
                j = i + len(phrase)
                while j < len(low) and low[j] in cues.DISTINCT_CUES | {"the", "a", "an", "of", "our", "all"}:
                    j += 1
                if j >= len(low) or not low[j].isalpha() or low[j] in cues.FILLER | cues.DIM_CUES:
                    continue
                if not any(s.start <= j < s.end for s in self.spans) and not cues.comparator_at(low, j):
                    raise NotUnderstood(f"I could not find “{low[j]}” in the catalog")

    def _measures(self, r: Reading) -> None:
        self._check_counted_words()
        floor = 0
        for idx, s in enumerate(self.spans):
            prev_floor, floor = floor, s.end
            if id(s) in self.consumed:
                continue
            nxt = self.spans[idx + 1] if idx + 1 < len(self.spans) else None
            if s.of_kind("topic") and not s.of_kind("field") and nxt and nxt.start == s.end and nxt.of_kind("field") \
                    and s.topics() & nxt.topics():
                floor = prev_floor  # "payment amount": the topic word qualifies the field after it
                continue
            func, distinct, at = cues.agg_before(self.low, s.start, floor=prev_floor)
            if r.top_n and func in ("max", "min") and self.low[at] in cues.SUPERLATIVE_MOST | cues.SUPERLATIVE_LEAST:
                func = None  # "which country has the highest revenue": a ranking, not MAX()
            fields = s.of_kind("field")
            topics = s.of_kind("topic")
            m = self.resolve(s, "field", self._qualifier(s)) if fields else None
            if (func == "count" or distinct) and topics and not fields:
                target = topics[0].topic
                if target == self.source and not distinct:
                    r.measures.append(Measure("count", None, f"{stem(s.text.split()[-1])}_count"))
                elif target == self.source:
                    key = (self.vocab.topics[target].primary_key or [None])[0]
                    r.measures.append(Measure("count_distinct", FieldRef(target, key), f"unique_{_alias_word(s.text)}"))
                else:
                    rel = self.vocab.relationship(self.source, target) if self.source else None
                    if rel and self.vocab.references(self.source, target):
                        r.measures.append(Measure("count_distinct", FieldRef(self.source, rel[0]), f"unique_{_alias_word(s.text)}"))
                    else:
                        continue
                self.consumed.add(id(s))
            elif m and (func or distinct) :
                numeric = self.vocab.is_numeric(m.topic, m.field)
                if func == "count" or distinct or not numeric:
                    counts_rows = self.vocab.is_key(m.topic, m.field) or self.vocab.is_time(m.topic, m.field)
                    if counts_rows and not distinct:  # "how many parcels" / "how many new customers"
                        r.measures.append(Measure("count", None, f"{_alias_word(stem(s.text))}_count"))
                    else:
                        r.measures.append(Measure("count_distinct", FieldRef(m.topic, m.field), f"unique_{_alias_word(s.text)}"))
                elif numeric:
                    r.measures.append(Measure(func, FieldRef(m.topic, m.field), self._agg_alias(func, s, m)))
                self.consumed.add(id(s))
            elif m and self.vocab.is_numeric(m.topic, m.field):
                agg = "avg" if "price" in m.field else "sum"
                r.measures.append(Measure(agg, FieldRef(m.topic, m.field), self._agg_alias(agg, s, m)))
                self.consumed.add(id(s))
            elif func and topics and topics[0].topic == self.source and func in ("sum", "avg", "min", "max"):
                numeric = self._main_number(self.source)
                if numeric:
                    r.measures.append(Measure(func, FieldRef(self.source, numeric), f"{func}_{numeric}"))
                    self.consumed.add(id(s))
        unique: list[Measure] = []
        for m in r.measures:  # "average payment amount": the topic word and the field name the same measure
            if not any(u.func == m.func and u.ref == m.ref and u.condition == m.condition for u in unique):
                unique.append(m)
        r.measures[:] = unique
        if ("how", "much") in zip(self.low, self.low[1:]) and not r.measures and self.source:
            number = self._main_number(self.source)
            if number:
                r.measures.append(Measure("sum", FieldRef(self.source, number), f"total_{number}"))
        if any(w in ("how", "count", "number") for w in self.low) and not r.measures and not r.list_rows:
            if ("how", "many") in zip(self.low, self.low[1:]) or "count" in self.low or ("number", "of") in zip(self.low, self.low[1:]):
                r.measures.append(Measure("count", None, f"{stem(self.source or 'row').split('_')[-1]}_count"))

    def _agg_alias(self, func: str, span: Span, m: Mention) -> str:
        words = span.text.lower().split()
        if func == "sum" and len(words) == 1 and words[0] != m.field and words[0].isalpha():
            return words[0]  # the user's own word: revenue, sales, turnover
        prefix = {"sum": "total", "avg": "avg", "min": "min", "max": "max"}[func]
        return f"{prefix}_{m.field}"

    def _main_number(self, topic: str) -> str | None:
        return self.vocab.main_number(topic)

    def _filters(self, r: Reading) -> None:
        grouped: dict[tuple[FieldRef, bool], list[tuple[str, str]]] = {}
        for s in self.spans:
            if id(s) in self.consumed or not s.of_kind("value"):
                continue
            if s.of_kind("topic"):
                continue  # "products" names the topic, not the page type 'product'
            m = self.resolve(s, "value", self._qualifier(s))
            if not m:
                if s.of_kind("field") or s.of_kind("topic"):
                    continue
                raise NotUnderstood(f"“{s.text}” is a value of {', '.join(sorted(s.topics()))}, which I cannot combine with {self.source}")
            neg = cues.negated(self.low, s.start)
            grouped.setdefault((FieldRef(m.topic, m.field), neg), []).append((m.value, s.text))
            self.consumed.add(id(s))
        for (ref, neg), items in grouped.items():
            values = list(dict.fromkeys(v for v, _ in items))
            label = " or ".join(dict.fromkeys(t for _, t in items))
            op = ("NOT IN" if neg else "IN") if len(values) > 1 else ("<>" if neg else "=")
            r.filters.append(Filter(ref, op, values, label))

    def _finish_comparisons(self, r: Reading) -> None:
        for p in self.pending:
            if p.target == "count":
                existing = next((m for m in r.measures if m.func == "count"), None)
                if p.topic == self.source:
                    measure = existing or Measure("count", None, f"{stem(p.topic).split('_')[-1]}_count")
                else:
                    rel = self.vocab.relationship(self.source, p.topic) if self.source else None
                    if not rel:
                        raise NotUnderstood(f"I cannot count {p.topic} together with {self.source}")
                    measure = Measure("count_distinct", FieldRef(self.source, rel[0]), f"unique_{p.topic}")
                r.having.append((p.op, p.value, measure))
                continue
            if p.target == "default":
                number = self._main_number(self.source) if self.source else None
                if not number:
                    raise NotUnderstood("I could not tell which number the comparison is about")
                r.filters.append(Filter(FieldRef(self.source, number), p.op, [p.value], f"{number} {p.op} {p.value:g}"))
                continue
            m = self.resolve(p.span, "field", self._qualifier(p.span))
            if not m:
                raise NotUnderstood(f"“{p.span.text}” is not part of {self.source}")
            ref = FieldRef(m.topic, m.field)
            if p.having:
                func, _, _ = cues.agg_before(self.low, p.span.start)
                func = func if func in ("sum", "avg", "min", "max") else ("avg" if "price" in m.field else "sum")
                measure = next((x for x in r.measures if x.ref == ref and x.func == func), None)
                measure = measure or Measure(func, ref, self._agg_alias(func, p.span, m))
                r.having.append((p.op, p.value, measure))
            else:
                r.filters.append(Filter(ref, p.op, [p.value], f"{p.span.text} {p.op} {p.value:g}"))
