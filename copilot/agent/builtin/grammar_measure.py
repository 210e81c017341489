"""The grammar's measure passes (`MeasureMixin` of `read.Grammar`): breakdowns ("per country"), aggregates
("average price") and the mentions left over at the end, read as measures or shown fields."""

from __future__ import annotations

import re

from copilot.agent.builtin.grammar_base import FilterSpec, GrammarBase, MeasureSpec, lexicon_role
from copilot.agent.builtin.lexicon import english, word_set
from copilot.agent.builtin.tags import Mention, Tok
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.timewords import GAP
from copilot.agent.builtin.vocab import Element


class MeasureMixin(GrammarBase):
    def _breakdowns(self) -> None:
        key_nouns = {str(w).lower() for w in english()["key_nouns"]}
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
            if m is not None:  # "per type and powertrain": the generic noun passed over is a key too
                self.r.loose_keys += [
                    (t, x)
                    for x in self.toks[j : m.start]
                    if x.low in key_nouns and not x.used and self.toks[x.i + 1].low != "of"  # "each kind of device": the device
                ]
            while m is not None and m.qualifier and self.mention_at(m.end) is not None and self.mention_at(m.end).start == m.end:
                m = self.mention_at(m.end)  # "per order country": the qualified field, not the qualifying topic
            if m is None or m.used and m is not (self.r.rank.target if self.r.rank else None):
                continue
            if m.of("value") and not (m.of("field") or m.of("topic")):
                members = self._members_named_by_value(t, m)
                if members is not None:  # "in each cold store": a filter, and one group per member
                    self.use_phrase(t)
                    self._add_dim(members)
                continue  # "by mobile": a filter, read below
            verbs = {str(w) for w in english()["auxiliary_verbs"]}
            if t.role == "which_words" and any(x.low in verbs for x in self.toks[j : m.start]):
                continue  # "what are our user numbers": asks about the users, names no groups
            if (
                t.role == "which_words"
                and self.r.list_rows
                and self.r.rank is None
                and not any(c.having or c.kind == "count" for c in self.r.compares)
                and not any(x.role in ("agg", "distinct", "share") and not self._percent_unit(x) for x in self.toks)
            ):
                continue  # "which sensors are low on battery? just a live list": their rows, listed
            if t.role == "which_words" and (
                m.of("topic")
                and not m.of("field")
                and self.r.rank is None
                and not self._named_by_compared_rows(m)
                or m.of("metric")
                and not (m.of("field") or m.of("topic"))
                or self._numeric(m)
            ):
                continue  # "which orders …", "what is the revenue": the subject, not a breakdown
            rank = self.r.rank
            if (
                rank is not None
                and rank.by is None
                and rank.target is not None
                and t.low == "by"
                and m.start > rank.target.start
                and (m.of("metric") or self._numeric(m))
            ):
                self.use_phrase(t)  # "the top 3 drivers at each depot by number of stops": what ranks them
                m.used = True
                rank.by = MeasureSpec(None, m, words=m.text)
                continue
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
                word = self.toks[nxt + 1] if nxt + 1 < len(self.toks) else None
                if word is not None and word.mention is None and word.low in key_nouns:
                    self.r.loose_keys.append((self.toks[nxt], word))  # "per site and type": a second key, named loosely
                    break
                clause = self._key_clause(nxt + 1)
                if clause:  # "by starting depot and how they ended": a second key, said as a clause
                    self.use(self.toks[nxt], *clause)
                    named = {id(x.mention): x.mention for x in clause if x.mention is not None}
                    fields = {(e.topic, e.field) for m3 in named.values() for e in m3.elements if e.kind == "value"}
                    if len(named) == 1 and len(fields) == 1 and all(m3.of("value") for m3 in named.values()):
                        m3 = next(iter(named.values()))  # "and how they finished": the field of that value
                        m3.used = True
                        topic, field_name = fields.pop()
                        self._add_dim(Mention(m3.start, m3.end, m3.text, [Element("field", topic, field_name)]))
                    else:
                        self.r.key_clauses.append(clause)
                    break
                m2 = self.next_mention(nxt + 1, extra=("by", "per", "each", "the"))
                while m2 is not None and m2.qualifier and self.mention_at(m2.end) is not None:
                    m2 = self.mention_at(m2.end)  # "and depot country": the qualified field
                if m2 is None or not (m2.of("field") or m2.of("topic")):
                    break
                if m2.of("value"):
                    if not m2.of("field") or self._values_follow(m2):
                        break
                    m2.elements = m2.of("field") + m2.of("topic")  # "per vehicle type and depot": the key, not the value
                self.use(*self.toks[nxt : m2.start])
                self._add_dim(m2)
                nxt = self.skip(m2.end, roles={"function_words"})

    def _values_follow(self, m: Mention) -> bool:
        """ "by country and France or Spain": a value list goes on after the word, so it is a filter."""
        nxt = self.skip(m.end, roles={"function_words", "list_joiners"})
        after = self.mention_at(nxt)
        return after is not None and after.start == nxt and bool(after.of("value"))

    def _key_clause(self, i: int) -> list[Tok]:
        """ "how they ended", "where they live", "how they finished": a question word and the words after it up to the
        end of the phrase, none a time phrase and at most one a catalog word (a value); empty otherwise."""
        if i >= len(self.toks) or self.toks[i].low not in word_set("clause_words"):
            return []
        end, mentions = i + 1, set()
        while end < len(self.toks) and self.toks[end].low != GAP:
            m = self.toks[end].mention
            if m is not None:
                if not m.of("value") or m.of("field") or m.of("topic") or m.used:
                    return []
                mentions.add(id(m))
            elif self.toks[end].role not in ("function_words", "light_words", None):
                return []
            end += 1
        return self.toks[i:end] if end > i + 1 and len(mentions) <= 1 else []

    def _members_named_by_value(self, t, m: Mention) -> Mention | None:
        """ "in each cold store", "for every premium customer": after "each"/"every", a value of a table of things
        names those things one by one, so they are the groups (the value stays a filter). "By mobile" filters only."""
        words = {x.low for x in self.toks if x.phrase_start == t.phrase_start and x.role == t.role}
        topics = {e.topic for e in m.of("value")}
        if not words & {"each", "every"} or len(topics) != 1:
            return None
        topic = next(iter(topics))
        schema = self.vocab.topics[topic]
        if not schema.is_upsert or not schema.primary_key:
            return None
        return Mention(m.start, m.end, m.text, [Element("topic", topic)])

    def _add_dim(self, m: Mention) -> None:
        m.used = True
        if self.r.rank is not None and self.r.rank.target is m:
            return
        rank = self.r.rank
        if rank is not None and self._a_figure(m) and (rank.by is None or rank.by.words.lower() in rank.words.lower()):
            rank.by = MeasureSpec(None, m, words=m.text)  # "best-selling product per category by units": the figure
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

    def _named_by_compared_rows(self, m: Mention) -> bool:
        """ "which products sold fewer than 5 units": a topic the rows compared per group refer to is the key."""
        return self._named_by(
            {e.topic for c in self.r.compares if c.having and c.target is not None for e in c.target.elements}, m
        )

    def _a_figure(self, m: Mention) -> bool:
        """The mention names a figure, never a key: a metric, or a number the catalog adds up."""
        if m.of("topic") or m.of("value"):
            return False
        fields = m.of("field")
        return bool(m.of("metric")) and not fields or (bool(fields) and self._added_up(fields))

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
                self.r.measures.append(
                    MeasureSpec("sum", unit, words=" ".join(x.text for x in self.toks[k : j + 1]), counted=True)
                )
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
                if target is None or func == "count":
                    self.r.agg_only = func  # "count of readings over 80%": the rows the comparison kept, counted
                continue
            target.used = True
            if distinct and func == "count":
                func = "count_distinct"
            counted = func == "count" and self._counts_a_number(target)
            self.r.measures.append(
                MeasureSpec(
                    "sum" if counted else func,
                    target,
                    distinct=distinct,
                    words=" ".join(x.text for x in self.toks[k : target.end]),
                    counted=counted,
                )
            )
        self._average_of_counted()

    def _counts_a_number(self, m: Mention) -> bool:
        """ "how many stops": the mention names only numbers the rows carry and the catalog adds up, not rows or
        keys, so the question counts what those numbers hold (their sum), not the rows."""
        fields = m.of("field")
        if not fields or m.of("topic") or m.of("metric") or m.of("value") or len(fields) != len(m.elements):
            return False
        return self._added_up(fields)

    def _added_up(self, fields: list[Element]) -> bool:
        """Every field is a number of the rows (not a key) that the catalog adds up."""
        return all(
            self.vocab.is_numeric(e.topic, e.field)
            and not self.vocab.is_key(e.topic, e.field or "")
            and self._adds_up(e.topic, e.field or "")
            for e in fields
        )

    def _average_of_counted(self) -> None:
        """ "on average, how many items go into an order": the average names no figure of its own; it is the
        average of the number counted, per row."""
        plain = [s for s in self.r.measures if s.func == "avg" and s.target is None and s.own is None]
        counted = [s for s in self.r.measures if s.counted]
        if len(plain) == 1 and len(counted) == 1:
            counted[0].func = "avg"
            counted[0].words = f"{plain[0].words} {counted[0].words}"
            self.r.measures.remove(plain[0])

    def _counted_in_units(self, j: int) -> bool:
        """Token j is the unit of exactly one catalog number that is added up ("items" of quantity)."""

        if j >= len(self.toks) or self.toks[j].mention is not None or self.toks[j].number is not None:
            return False
        fields = self.vocab.units.get(stem(self.toks[j].low), [])
        if self.toks[j].role not in (None, "function_words", "light_words") or any(
            e not in fields for e in self.vocab.lookup([self.toks[j].low])
        ):
            return False  # a generic noun ("items") is the catalog's unit here: the catalog wins over the lexicon
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
                question = self.r.question.rstrip("?!. ") or " ".join(t.text for t in self.toks)
                options = []
                for x in siblings[:3]:
                    names = [
                        s
                        for s in x.synonyms
                        if stem(s.lower()) != stem(m.text.lower()) and m.text.lower() not in s.lower().split()
                    ]
                    words = (names or [x.name.replace("_", " ")])[0]
                    asked, n = re.subn(rf"(?i)(?<!\w){re.escape(m.text)}(?!\w)", words, question, count=1)
                    if not n:  # the word as read is not in the question as asked (a rewrite changed it)
                        asked = " ".join(t.text for t in self.toks).replace(m.text, words, 1)
                    options.append({"label": words, "question": asked})
                raise AskBack(f"“{m.text}”: {' or '.join(o['label'] for o in options)}?", options)

    def _names_its_rows(self, m: Mention) -> bool:
        """ "shipments delivered within 2 hours": a count metric named with its table's name, and nothing in the
        question asks for a figure (no aggregate word, breakdown, window, ranking or threshold): the rows."""
        words = {stem(t.low) for t in self.toks[m.start : m.end]}
        if not any(stem(e.topic.split("_")[-1]) in words for e in m.of("metric")):
            return False
        figure = any(
            t.role in ("agg", "distinct", "share", "rank_top", "rank_bottom", "breakdown") and not self._percent_unit(t)
            for t in self.toks
        )
        return not (
            figure
            or self.r.window is not None
            or self.r.dims
            or self.r.measures
            or self.r.rank is not None
            or any(c.having or c.kind == "count" for c in self.r.compares)
        )

    def _named_after_its_value(self, m: Mention) -> bool:
        """ "dutch locations": a noun right after a value that names the value's own rows — its topic, that
        topic's count, or a field that refers to it."""
        before = self.mention_at(m.start - 1)
        if before is None or before.end != m.start or not before.used or not before.of("value") or m.of("value"):
            return False
        topics = {e.topic for e in before.of("value")}
        for e in m.elements:
            if e.topic in topics and e.kind == "topic":
                return True
            if e.topic in topics and e.kind == "metric" and self._count_metric(Mention(m.start, m.end, m.text, [e])):
                return True  # "web orders" (a count of the rows), not "web revenue" (a total of their amounts)
            if e.kind == "field" and any(
                rel.field == e.field and rel.target_topic in topics for rel in self.vocab.topics[e.topic].relationships
            ):
                return True
        return False

    def _asks_a_figure(self) -> bool:
        """An aggregate, share, ranking or breakdown word, a window, a measure or a threshold on groups."""
        figure = any(
            t.role in ("agg", "distinct", "share", "rank_top", "rank_bottom", "breakdown") and not self._percent_unit(t)
            for t in self.toks
        )
        return (
            figure
            or self.r.window is not None
            or bool(self.r.dims or self.r.measures or self.r.replaced)
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

    def _rows_beside_a_figure(self) -> None:
        """ "orders and revenue by country", "revenue and orders": the rows named beside a figure of theirs, joined
        by "and", are a figure too (how many), never only the subject."""
        joiners = {str(w) for w in english()["figure_joiners"]}
        for spec in list(self.r.measures):
            f = spec.target
            if f is None:
                continue
            topics = {e.topic for e in f.elements}
            for m in self.r.mentions:
                if m.used or not m.of("topic") or m.of("field") or m.of("value") or m.of("metric"):
                    continue
                if not {e.topic for e in m.of("topic")} & topics:
                    continue
                between = self.toks[m.end : f.start] if m.end <= f.start else self.toks[f.end : m.start]
                joined = self._joined_after_keys(between) if m.end <= f.start else []
                if m.qualifier and not joined:
                    continue  # "app orders per minute together with units sold": the app's orders, counted
                if len(between) == 1 and between[0].low in joiners and between[0].mention is None or joined:
                    m.used = True
                    self.use(*(joined or between[:1]))
                    at = self.r.measures.index(spec) + (0 if m.start < f.start else 1)
                    self.r.measures.insert(at, MeasureSpec("count", m, words=m.text))

    def _joined_after_keys(self, between: list) -> list:
        """ "orders per minute together with units sold", "orders per channel and revenue": the rows, their keys or
        window, then a joiner and the figure — the joiner's tokens, or [] when the words between say more."""
        phrases = sorted((tuple(str(p).lower().split()) for p in english()["figure_joiner_phrases"]), key=len, reverse=True)
        while between and between[-1].low in ("the", "a", "an", "its", "their", "our"):
            between = between[:-1]  # "… and the decline rate"
        low = tuple(t.low for t in between)
        joiner = next((p for p in phrases if len(p) < len(low) and low[-len(p) :] == p), None)
        if joiner is None or any(t.mention is not None for t in between[-len(joiner) :]):
            return []
        keys = {id(m) for m in self.r.dims}
        for t in between[: -len(joiner)]:
            if not (t.low == "timegap" or t.role == "breakdown" or t.mention is not None and id(t.mention) in keys):
                return []
        return between[-len(joiner) :]

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
            if (
                nxt < len(self.toks)
                and self.toks[nxt].low in ("with", "having", "that", "where", "whose", "who", "which")
                and not self.r.dims
            ):
                if not any(c.target is m for c in self.r.compares):
                    self.use(self.toks[nxt])
                    self._add_dim(m)
        first_cmp = next((t.i for t in self.toks if t.role == "cmp" and t.used), None)
        if having and first_cmp is not None and not self.r.dims and self.r.rank is None:
            # "any countries logging over 50 orders": the groups the threshold is about, named before it
            rows = (
                {e.topic for c in having if c.target is not None for e in c.target.elements}
                or {e.topic for m in self.r.mentions if m.used and self._verb(m) for e in m.of("topic")}
                or {e.topic for m in self.r.mentions if m.used and (m.of("value") or m.of("state")) for e in m.elements}
            )  # "which customers ordered over €500": the verb's rows; "any device rebooting more than 5 times": the value's
            before = [
                m
                for m in self.r.mentions
                if not m.used
                and (not m.qualifier or self._heads_values(m))
                and m.end <= first_cmp
                and (
                    m.of("field")
                    and not m.of("topic")
                    or m.of("topic")
                    and self._named_by(rows, m)  # "customers placing over 3 orders"
                )
            ]
            if not before:  # "smb customers with over 5 orders": values said with their things' noun, one word
                before = [
                    Mention(m.start, m.end, m.text, [Element("topic", topic)], used=True)
                    for m in self.r.mentions
                    if m.used
                    and m.end <= first_cmp
                    and (topic := self._things_of_value(m))
                    and self._named_by(rows, Mention(0, 0, "", [Element("topic", topic)]))
                ]
            if len(before) == 1 and not self._numeric(before[0]):
                self._add_dim(before[0])
        for m in self.r.mentions:
            if m.used or m.qualifier:
                continue
            listing = self.r.list_strong or self._names_its_rows(m) or (self.r.list_rows and not self._asks_a_figure())
            if listing and m.of("metric") and self._count_metric(m) and not m.of("value"):
                m.used = True  # "lost parcels from DHL, one by one": a count metric names the rows it counts
                conds = [c for e in m.of("metric") if (c := self._metric_condition(e)) is not None]
                if conds:  # "refunded payments as they come in": and its condition selects them
                    m.elements = conds
                    self.r.filters.append(FilterSpec([m], "=", m.text))
                else:
                    m.elements = m.of("field") or [Element("topic", t) for t in sorted(m.topics())]
                continue
            shown = self.r.list_strong or (self.r.list_rows and self._numeric(m) and not self._asks_a_figure())
            if shown and m.of("field") and not m.of("topic"):
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
            if self._named_after_its_value(m) and not self._asks_a_figure():
                m.used = True  # "only the dutch locations": the things the value picks, not a count of them
                continue
            if self.r.list_rows and m.of("metric") and m.of("value") and not self._asks_a_figure():
                m.used = True  # "stream me the critical stuff": rows with that value, not how many there are
                m.elements = m.of("value")
                self.r.filters.append(FilterSpec([m], "=", m.text))
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
        if not self.r.dims:
            self._key_before_figure()

    def _key_before_figure(self) -> None:
        """ "carrier loss rate": a field with known values right before the figure, and no other breakdown —
        the figure per value of that field."""
        from copilot.agent.builtin import semantic

        figures = {id(s.target) for s in self.r.measures if s.target is not None}
        for m in self.r.mentions:
            if m.used or m.qualifier or m.of("topic") or m.of("value") or m.of("metric") or not m.of("field"):
                continue
            nxt = self.mention_at(m.end)
            if nxt is None or nxt.start != m.end or id(nxt) not in figures:
                continue
            if all(semantic.values(self.vocab.topics[e.topic], e.field or "") for e in m.of("field")):
                self._add_dim(m)
                return
