"""The grammar's value passes (`ValuesMixin` of `read.Grammar`): value lists ("critical or warning"),
"instead of", qualifiers ("customer segment"), value filters, NULL tests and unit words ("km per driver")."""

from __future__ import annotations

from copilot.agent.builtin import semantic
from copilot.agent.builtin.grammar_base import CompareSpec, FilterSpec, GrammarBase
from copilot.agent.builtin.lexicon import english, phrase_set, word_set
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Element


class ValuesMixin(GrammarBase):
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
                        self._key_for_key(k, m)
                    elif self._figure_next(k + n):  # "revenue rather than a count": the figure before goes
                        self.use(*self.toks[k : k + n])
                        self.r.replaces_figure = True
                    elif self.r.window is not None and self._window_next(k + n):
                        end = self._window_next(k + n)  # "per hour rather than per 5 min": the window it replaces
                        self.use(*self.toks[k:end])
                    break

    def _figure_next(self, i: int) -> bool:
        """An aggregate word follows ("rather than a count", "instead of the total"): it names the figure taken out,
        so it is read as no figure of its own."""
        while i < len(self.toks) and self.toks[i].low in ("a", "an", "the", "just"):
            i += 1
        if i >= len(self.toks) or self.toks[i].role != "agg":
            return False
        self.toks[i].role, self.toks[i].used = "function_words", True
        return True

    def _key_for_key(self, k: int, replaced) -> None:
        """ "country instead of channel", "swap channel for country": a field said right before the cue, in place
        of another field that is no number, is the new key, as if said with "by"."""
        new = next((m for m in self.r.mentions if m.end == k), None)
        if new is None or new.used or new in self.r.dims or not new.of("field") or new.of("topic") or new.of("metric"):
            return
        if not replaced.of("field") or self._numeric(new) or self._numeric(replaced):
            return
        if k - new.end == 0 and (new.start == 0 or self.toks[new.start - 1].role in (None, "function_words")):
            self.r.dims.append(new)
            new.used = True

    def _window_next(self, i: int) -> int:
        """The end of a time phrase that follows ("per 5 min", "every hour", or one already read as the window),
        or 0 when none does."""
        from copilot.agent.builtin.lexicon import time_words
        from copilot.agent.builtin.timewords import GAP

        units = {str(w).lower() for items in time_words()["units"].values() for w in items}
        while i < len(self.toks) and self.toks[i].low in ("per", "every", "each", "a", "the"):
            i += 1
        if i < len(self.toks) and self.toks[i].low == GAP:
            return i + 1
        if i < len(self.toks) and self.toks[i].number is not None:
            i += 1
        return i + 1 if i < len(self.toks) and self.toks[i].low in units else 0

    def _value_lists(self) -> None:
        """ "critical or warning events": words joined by "or"/"and"/"," that are values of one field form a value
        list; a metric the catalog also names with one of them (a count of the critical ones) is not meant."""
        from copilot.agent.builtin.timewords import GAP

        joiners = {str(w).lower() for w in english()["list_joiners"]} | {GAP}  # a comma is read as a gap
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

    def _units_said(self) -> None:
        """ "average distance in km", "fuel in litres": a word after "in" that names the number just named is that
        number's unit, not a second figure; "the average trip in km": the unit of one number of the rows."""
        for k, t in enumerate(self.toks):
            if t.low != "in" or t.mention is not None or k == 0 or k + 1 >= len(self.toks):
                continue
            before, after = self.mention_at(k - 1), self.mention_at(k + 1)
            if before is None:
                continue
            if after is None:  # a unit the catalog gives a field ("km"), read only later as a mention
                unit = self.toks[k + 1]
                said = {(e.topic, e.field) for e in self.vocab.units.get(stem(unit.low), [])} if unit.role is None else set()
                end = k + 2
            elif after.start == k + 1 and after.end - after.start <= 2 and not after.of("value") and not after.of("topic"):
                said, end = self._numbers_of(after), after.end
            else:
                continue
            own = self._numbers_of(before)
            rows = [(e.topic, f) for e in before.of("topic") if not before.of("field") for t2, f in said if t2 == e.topic]
            only_rows = len(rows) == 1 and len(before.of("topic")) == len(before.elements)
            if not own & said and not only_rows:  # "the average trip in km": the unit of one number of the rows
                continue
            if after is not None:
                after.used = True
                after.elements = [e for e in after.elements if (e.topic, e.field) in (own & said or set(rows))]
            self.use(t, *self.toks[k + 1 : end])

    def _numbers_of(self, m: Mention) -> set[tuple[str, str | None]]:
        out = {(e.topic, e.field) for e in m.of("field") if self.vocab.is_numeric(e.topic, e.field or "")}
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric is not None else None
            if simple is not None and simple[1]:
                out.add((e.topic, simple[1]))
        return out

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

        self._value_rows(ms)
        self._reference_then_field(ms)
        self._field_of_topic(ms)

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

    def _value_rows(self, ms: list[Mention]) -> None:
        """ "smb clients", "enterprise customers" beside another figure: a count of things right after one of
        their values names those things' rows, not a second figure."""
        for a, b in zip(ms, ms[1:]):
            topics = {e.topic for e in a.of("value")}
            if (
                a.end == b.start
                and len(topics) == 1
                and not (a.of("field") or a.of("topic") or a.of("metric"))
                and b.of("metric")
                and not b.of("value")
                and self._count_metric(b)
                and {e.topic for e in b.of("metric")} == topics
                and self.vocab.topics[next(iter(topics))].is_upsert  # things (customers), not events (visits)
                and any((m.of("metric") or self._numeric(m)) and m is not b for m in ms)  # and another figure is asked
            ):
                b.elements = [Element("topic", next(iter(topics)))]
                b.qualifier = True

    def _reference_then_field(self, ms: list[Mention]) -> None:
        """ "depot country", "buyer's segment": a reference to a table, then a field of that table."""
        for a, b in zip(ms, ms[1:]):
            if a.end != b.start or b.qualifier or a.qualifier or a.of("topic") or b.of("topic") or b.of("value"):
                continue
            targets = {
                rel.target_topic
                for e in a.of("field")
                for rel in self.vocab.topics[e.topic].relationships
                if rel.field == e.field and rel.target_topic
            }
            own = [e for e in b.of("field") if e.topic in targets]
            if len(targets) == 1 and own and len({e.field for e in own}) == 1:
                b.elements = own
                a.qualifier = True

    def _field_of_topic(self, ms: list[Mention]) -> None:
        """ "the country of the order", "the channel of each order": whose field it is."""
        for a, b in zip(ms, ms[1:]):
            between = [t.low for t in self.toks[a.end : b.start]]
            if not between or between[0] != "of" or not set(between[1:]) <= {"the", "each", "every", "its", "their", "that"}:
                continue
            topics = {e.topic for e in b.of("topic")}
            if not topics or a.of("topic") or b.qualifier:
                continue
            own = [e for e in a.elements if e.topic in topics and e.kind == "field"]
            if own:
                a.elements = own
                b.elements = b.of("topic")
                b.qualifier = True
                for t in self.toks[a.end : b.start]:  # "of each" says whose, not "for each"
                    t.used = True

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
            if len(group) > 1 and (
                any(t.role == "versus" for t in self.toks[group[0].end : group[-1].start]) or self._which_of(group)
            ):
                # "paypal vs card": those values, side by side
                field = {(e.topic, e.field) for e in group[0].of("value")}
                dim = Mention(
                    group[0].start, group[0].end, group[0].text, [Element("field", t, f) for t, f in sorted(field)], used=True
                )
                if not any({(e.topic, e.field) for e in d.of("field")} == field for d in self.r.dims):
                    self.r.dims.append(dim)
            words = " ".join(m.text for m in group)
            self.r.filters.append(FilterSpec(group, op, ("not " if negated else "") + words))
        self._excluded_together(groups)

    def _which_of(self, group: list[Mention]) -> bool:
        """ "which brings in more, web or mobile?": values joined by "or" beside a comparative with no number after
        it are compared, side by side; the comparative is then used."""
        if "or" not in {t.low for t in self.toks[group[0].end : group[-1].start]}:
            return False
        comparatives = word_set("comparatives")
        for t in self.toks:
            if t.used or t.mention is not None or t.low not in comparatives:
                continue
            after = self.skip(t.i + 1)
            if after < len(self.toks) and (self.toks[after].number is not None or self.toks[after].low in ("than", "then")):
                continue  # "more than 5": a threshold
            self.use(t)
            return True
        return False

    def _excluded_together(self, groups: list[list[Mention]]) -> None:
        """ "except the declined paypal ones", "excluding mobile orders from Germany": an exclusion word's scope
        is the whole phrase after it, so values of different fields next to each other are left out together
        (NOT (a AND b)), not each on its own. A comma, a breakdown or another construct ends the phrase."""
        specs = {id(f.mentions[0]): f for f in self.r.filters if f.mentions}
        joint = max((f.joint for f in self.r.filters), default=0)
        for a, b in zip(groups, groups[1:]):
            first, second = specs.get(id(a[0])), specs.get(id(b[0]))
            if first is None or second is None or second.op not in ("=", "in"):
                continue
            if first.joint == 0 and (first.op not in ("<>", "not_in") or not self._exclusion_before(a[0].start)):
                continue
            between = self.toks[a[-1].end : b[0].start]
            if not all(self._inside_one_phrase(t) for t in between):
                continue
            if first.joint == 0:
                joint += 1
                first.joint = joint
                first.op = {"<>": "=", "not_in": "in"}[first.op]
                first.words = first.words.removeprefix("not ")
            second.joint = first.joint
            self.use(*between)

    def _exclusion_before(self, i: int) -> bool:
        """The negation before token i is a phrase-level exclusion ("except", "apart from"), not "non"."""
        exclusions = phrase_set("exclusions")
        j = i - 1
        while j >= 0 and self.toks[j].mention is None and self.toks[j].role in ("function_words", "light_words"):
            j -= 1
        if j < 0 or self.toks[j].role != "negations":
            return False
        start = self.toks[j].phrase_start if self.toks[j].phrase_start >= 0 else j
        return tuple(t.low for t in self.toks[start : j + 1]) in exclusions

    def _inside_one_phrase(self, t) -> bool:
        m = t.mention
        if m is not None:  # the rows' own noun: "mobile orders from Germany"
            return bool(m.of("topic")) and not (m.of("field") or m.of("value") or m.of("metric"))
        return t.role in ("function_words", "light_words") and t.low not in word_set("exclusion_enders")

    def _nulls(self) -> None:
        for m in self.r.mentions:  # "without a referrer", "doesn't have a country": the field is missing
            if m.used or m.qualifier or not m.of("field") or m.of("value") or m.of("metric"):
                continue
            if m.of("topic") and not any(
                rel.field == e.field for e in m.of("field") for rel in self.vocab.topics[e.topic].relationships
            ):
                continue  # "without a product": the page's product reference, not the products table
            j = m.start - 1
            while j >= 0 and self.toks[j].mention is None and self.toks[j].low in ("a", "an", "any", "the"):
                j -= 1
            have = j >= 0 and self.toks[j].mention is None and self.toks[j].low in ("have", "has", "had", "having")
            k = j - 1 if have else j
            if (
                k >= 0
                and self.toks[k].mention is None
                and self.toks[k].role == "negations"
                and (have or self.toks[k].low in ("without", "no", "lacking", "lacks", "lack"))
            ):
                self.use(*self.toks[k : m.start])
                m.used = True
                m.elements = m.of("field")
                words = " ".join(t.text for t in self.toks[k : m.end])
                fields = m.of("field")
                if len(fields) == 1 and self._numeric(m) and self._adds_up(fields[0].topic, fields[0].field or ""):
                    # "used no fuel": a number that is added up is zero, not missing
                    self.r.compares.append(CompareSpec("=", 0.0, None, m, "field", words=words))
                    continue
                self.r.filters.append(FilterSpec([m], "is_null", words))
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
            after, before = self.next_mention(k + 1), self.prev_mention(k)
            # "a null fraud score": the field right after the word; else "fraud score is null": the one before
            near = [after] if after is not None and after.start == k + 1 else []
            m = next((x for x in near + [before, after] if x is not None and x.of("field")), None)
            if m is None:
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
            before = self.toks[k - 1].mention if k > 0 else None
            if before is not None and any(e in before.elements for e in fields):
                t.used = True  # "avg payload kg": the unit of the field just named, not a second mention of it
                continue
            if fields and len(t.low) > 1:
                m = Mention(k, k + 1, t.text, list(fields))
                t.mention = m
                self.r.tagged.mentions.append(m)
                self.r.tagged.mentions.sort(key=lambda x: x.start)
