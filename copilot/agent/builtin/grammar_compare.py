"""The grammar's comparison passes (`CompareMixin` of `read.Grammar`): "within 5 km", ranges ("between 50
and 100 euros"), comparisons ("more than 20 orders", "orders over €500") and unit counts ("orders with 3 items"),
with the currency, duration and unit words that qualify a compared number."""

from __future__ import annotations

from copilot.agent.builtin.grammar_base import CompareSpec, GrammarBase
from copilot.agent.builtin.lexicon import english, phrase_set, word_set
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.timewords import GAP
from copilot.agent.builtin.vocab import Element
from copilot.plan.model import Duration


class CompareMixin(GrammarBase):
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
                timed = self._duration_field_at(end) or self._unit_multiple_at(end)  # "over 3 hours", "3 tonnes"
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
            if after is not None and (
                after.start > skip_from + 1
                or any(x.role == "list_joiners" or x.low == GAP for x in self.toks[skip_from : after.start])
            ):
                after = None  # "at least 5 and amount under 20": the next condition's field, not this number's noun
            counted_rows = (
                unit_target is None
                and after is None
                and distinct_at is None
                and end < len(self.toks)
                and self.toks[end].low in lex.get("count_nouns", ())
            )
            before = self.prev_mention(k)
            spec = CompareSpec(op, num.number * scale, currency, None, "default", words=words)
            pointer = self._figure_pointed_at(k) if unit_target is None and after is None and currency is None else None
            if pointer is not None:
                # "orders per channel, only where it is at least 30": the question's own figure, per group
                spec.kind, spec.having = "figure", True
                self.use(*self.toks[pointer.i : k])
                self.r.compares.append(spec)
                continue
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
                said = self._aggregate_said_before(k)
                if said is not None:  # "sites averaging above 60% humidity": each group's average compared
                    spec.having, spec.func = True, said
                    self.use(self.toks[k - 1])
                    self.r.compares.append(spec)
                    continue
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
                elif self._group_subject(k, unit_target) and self._summed(unit_target):
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
            elif (
                after is not None
                and not after.used
                and (after.of("topic") or after.of("metric"))
                and all(self.vocab.is_key(e.topic, e.field or "") for e in after.of("field"))
            ):  # "more than 3 orders", "over 100 hits" (also a name of the rows' own key)
                spec.target, spec.kind, spec.having = after, "count", True
                after.used = True
                self.r.count_targets.append(after)
            elif (
                after is not None
                and not after.used
                and after.of("value")
                and not after.of("field")
                and len({(e.topic, e.field) for e in after.of("value")}) == 1
                and not self.vocab.topics[after.of("value")[0].topic].is_upsert
                and (self.toks[after.end - 1].low.endswith("s") or self._rows_noun_after(after))
            ):
                spec.target, spec.kind, spec.having = after, "count", True  # "more than 3 reboots": events of that value
                after.used = True
            elif after is not None and not after.used and after.of("field") and self._numeric(after):
                spec.target, spec.kind = after, "field"  # "more than 5 units"
                after.used = True
                if after.of("metric") and self._group_subject(k, after):
                    spec.kind, spec.having = "measure", True  # "which brands sell more than 200 units": per brand
                elif currency and self._summed(after) and self._group_subject(k, after):
                    spec.kind, spec.having, spec.func = "measure", True, "sum"  # "depots that paid over €300 in tolls"
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
                if self._counted_rows(before):  # "how many refunds above 20 euros": the refunds counted, each one compared
                    metric_topics = {e.topic for e in before.of("metric")}
                    before.elements = [e for e in before.of("value") if e.topic in metric_topics] or before.of("value")
                    self.r.compares.append(spec)
                    continue
                spec.target = before
                rows = self._count_metric(before) and before.of("field") and self._numeric(before)
                if rows:  # "readings above 30": the rows' own number compared, not how many readings there are
                    before.elements = before.of("field")
                spec.kind = "measure" if before.of("metric") else "field"
                lead = [x for x in self.toks[max(0, before.start - 2) : before.start]]
                spec.having = spec.kind == "measure" or any(x.role == "agg" for x in lead)
                if not spec.having and not rows and self._summed(before) and self._group_subject(k, before):
                    # "customers who spent over €500": each one's total
                    spec.kind, spec.having, spec.func = "measure", True, "sum"
                before.used = True
            elif (
                before is not None
                and before.of("topic")
                and not before.of("field")
                and not before.of("metric")
                and (before.end == k or self._next_to(before, k))
            ):
                spec.target, spec.kind = before, "field"  # "orders over €500": the amount of the orders named
                said = self.mention_at(before.start - 1)
                if (
                    currency is None
                    and said is not None
                    and said.end == before.start
                    and not said.used
                    and said.of("field")
                    and not said.of("topic")
                    and self._numeric(said)
                    and {self.vocab.original(e.topic) for e in said.of("field")}
                    & {self.vocab.original(e.topic) for e in before.of("topic")}
                ):  # "risky payments over 0.9": the number the rows were described by, not their amount
                    said.elements = said.of("field")
                    said.used = True
                    spec.target = said
                elif currency and self._verb(before) and self._group_subject(k, before):
                    before.used = True  # "which customers ordered more than €5,000": what each one ordered, in total
                    spec.target, spec.kind, spec.having, spec.func = None, "measure", True, "sum"
            if spec.kind == "default" and currency and self._group_subject(k):
                spec.kind, spec.having, spec.func = "measure", True, "sum"  # "which channels took over €5000": each one's total
            self.r.compares.append(spec)

    def _unit_multiple_at(self, j: int) -> tuple[Mention, float] | None:
        """ "more than 3 tonnes" of a field recorded in kg: that field, the number scaled to its unit."""
        if j >= len(self.toks) or self.toks[j].mention is not None or self.toks[j].used:
            return None
        multiple = (english().get("unit_multiples") or {}).get(self.toks[j].low)
        if not multiple:
            return None
        base, factor = str(multiple[0]), float(multiple[1])
        fields = self.vocab.units.get(stem(base), [])
        if not fields:
            return None
        return Mention(j, j + 1, self.toks[j].text, list(fields), used=True), factor

    def _figure_pointed_at(self, k: int):
        """The word before comparison `k` that points back at the question's figure ("it", "the count"), past
        linking words ("is", "where", "only"); None when the comparison has a subject of its own."""
        figures, links = word_set("figure_words"), word_set("figure_links")
        j = k - 1
        while j >= 0 and self.toks[j].low in links and self.toks[j].low not in figures:
            j -= 1
        if j <= 0 or self.toks[j].low not in figures or self.toks[j].mention is not None:
            return None  # at the start ("it is above 30") there is no figure before it to point at
        return self.toks[j]

    def _aggregate_said_before(self, k: int) -> str | None:
        """ "averaging above", "totalling over": an aggregate word right before the comparison, so the comparison
        is on each group's aggregate, not on single rows."""
        prev = self.toks[k - 1] if k > 0 else None
        if prev is None or prev.role != "agg" or prev.arg not in ("avg", "sum", "max", "min") or prev.mention is not None:
            return None
        return str(prev.arg)

    def _counted_rows(self, m) -> bool:
        """A metric that is also a value of the rows ("refunds"), right after words that only ask for a count."""
        if not (m.of("metric") and m.of("value")):
            return False
        plain = phrase_set("count_words")
        j = m.start
        for n in (2, 1):
            if j - n >= 0 and tuple(t.low for t in self.toks[j - n : j]) in plain:
                return True
        return False

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

    def _rows_noun_after(self, value: Mention) -> bool:
        """ "more than 3 aborted trips": the value is followed by the noun of its own rows."""
        noun = self.mention_at(value.end)
        topics = {e.topic for e in value.of("value")}
        return (
            noun is not None
            and noun.start == value.end
            and bool(noun.of("topic"))
            and {e.topic for e in noun.of("topic")} <= topics
        )

    def _group_subject(self, k: int, compared: Mention | None = None) -> bool:
        """ "which brands sell more than …", "channels with over …": the sentence is about groups (its first
        content word names a field that is not a number, and no rows are named before the comparison), so a
        threshold is on each group's total, not on single rows."""
        first = next(
            (
                m
                for m in self.r.mentions
                if (not m.qualifier or self._heads_values(m))
                and (not ((m.of("value") or m.of("state")) and not (m.of("field") or m.of("topic"))) or self._things_of_value(m))
            ),
            None,
        )
        if first is None or first.start >= k:
            return False
        if (things := self._things_of_value(first)) is not None:  # "which smb customers …": those customers
            first = Mention(first.start, first.end, first.text, [Element("topic", things)])
        rows = {e.topic for e in compared.elements} if compared is not None else set()
        referenced = (
            bool(first.of("topic")) and not first.of("field") and self._named_by(rows, first)
        )  # "which products sold fewer than 5 units": the products the compared rows name are the groups
        if not referenced and (not first.of("field") or self._numeric(first)):
            return False
        return not any(
            (m.of("topic") or self._count_metric(m) and self._next_to(m, k))
            and all(self.vocab.is_key(e.topic, e.field or "") for e in m.of("field"))
            and not self._verb(m)
            for m in self.r.mentions
            if first.start <= m.start < k and not (referenced and m.start == first.start)
        )  # "per depot, how many runs were longer than 200 km": the runs counted are named, each one compared

    def _verb(self, m: Mention) -> bool:
        """The mention is a verb the catalog gives a topic's events ("drive", "bought"): it names no rows."""

        toks = self.toks[m.start : m.end]
        if len(toks) == 1 and toks[0].text.lower().endswith("s") and toks[0].text.lower() not in self.vocab.verb_forms:
            return False  # "how many orders had …": the plural noun, not the verb "order"
        return tuple(stem(t.low) for t in toks) in self.vocab.topic_verbs

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

    def _metric_func(self, m: Mention) -> str | None:
        """The aggregate of the mention's metrics when they agree on one (None otherwise)."""
        from copilot.agent.builtin import semantic

        funcs = set()
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            funcs.add(simple[0] if simple else "other")
        return funcs.pop() if len(funcs) == 1 else None

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

    def _currency_value(self, m: Mention | None) -> bool:
        if m is None or not m.of("value"):
            return False
        from copilot.agent.builtin import semantic

        for e in m.of("value"):
            schema = self.vocab.topics[e.topic]
            if any(semantic.currency_field(schema, f.name) == e.field for f in schema.fields):
                return True
        return False

    def _summed(self, m: Mention) -> bool:
        """The mention is one catalog number that is added up (its aggregate is sum)."""

        fields = m.of("field")
        return len(fields) == 1 and self._adds_up(fields[0].topic, fields[0].field or "")
