"""The grammar's share thresholds (`ShareMixin` of `read.Grammar`): a percentage compared with the share of
rows that have one value, per group — "methods whose declined share is above 10 percent", "carriers that
lose more than 5 % of their parcels", "sites where over 20 percent of readings are alarms"."""

from __future__ import annotations

from copilot.agent.builtin import semantic
from copilot.agent.builtin.grammar_base import CompareSpec, GrammarBase
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.vocab import Element

# how far (in tokens) from the comparison the value whose share is compared may stand
REACH = 6


class ShareMixin(GrammarBase):
    def _share_thresholds(self) -> None:
        percent = {str(w).lower() for w in english()["percent_words"]}
        for k, t in enumerate(self.toks):
            if t.role != "cmp" or t.used or t.phrase_start != k:
                continue
            j = k
            while j < len(self.toks) and self.toks[j].role == "cmp" and self.toks[j].phrase_start == k:
                j += 1
            number = self.toks[j].number if j + 1 < len(self.toks) else None
            if number is None or self.toks[j + 1].low not in percent:
                continue
            end = j + 1
            unit = self._unit_at(end)
            value = self._share_value(k, end)
            if unit is not None and (value is None or unit.topics() & value.topics()):
                continue  # "battery below 20 percent": a field measured in percent, compared row by row
            op = str(t.arg)
            if self.negated_before(k):
                op = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "<>"}[op]
            words = " ".join(x.text for x in self.toks[k : end + 1])
            metric = self._share_metric(k)
            if metric is not None:  # "a failure rate above 10 percent": the catalog's share, per group
                metric.used = True
                metric.elements = metric.of("metric")
                self.use(*self.toks[k : end + 1])
                self.r.compares.append(CompareSpec(op, number / 100.0, None, metric, "measure", True, words=words))
                continue
            if value is None:
                continue
            value.used = True
            for x in self.r.mentions:  # a count metric read as its condition's value
                if x.start == value.start and x.end == value.end:
                    x.used = True
            if unit is not None:
                self.toks[end].mention = None  # the percent sign, not the unit of another topic's field
            self.use(*self.toks[k : end + 1])
            for s in self.toks:  # the share word that names the same figure ("declined rate … above 10 %")
                if s.role == "share" and not s.used and s.mention is None and abs(s.i - value.start) <= 2:
                    self.use_phrase(s)
            rest = [t.low for t in self.toks[end + 1 : end + 4]]
            for tail in (["of", "the", "total"], ["of", "all"], ["of", "total"], ["of", "the", "whole"]):
                if rest[: len(tail)] == tail:  # "above 10 percent of the total": of all the rows
                    self.use(*self.toks[end + 1 : end + 1 + len(tail)])
                    break
            after = self.next_mention(end + 1)  # "5 percent of their parcels": the rows the share is of
            if after is not None and not after.used and self._rows_of(after, value):
                after.used = True
            self.r.compares.append(CompareSpec(op, number / 100.0, None, value, "share", True, words=words))

    def _share_value(self, k: int, end: int) -> Mention | None:
        """The value whose share is compared: the nearest one within reach that names one field's value
        of one event topic ("declined", "called off", "lost")."""
        found = []
        for m in self.r.mentions:
            if not m.used and not m.of("value") and m.of("metric"):
                m = self._counted_value(m) or m  # "2 percent of shipments are lost": the count metric's condition
            if m.used or not m.of("value") or m.of("field"):
                continue
            if m.end <= k - REACH or m.start > end + REACH:
                continue
            fields = {(e.topic, e.field) for e in m.of("value")}
            if len(fields) != 1 or self.vocab.topics[next(iter(fields))[0]].is_upsert:
                continue
            found.append((k - m.end if m.end <= k else m.start - end, m))
        found.sort(key=lambda x: x[0])
        return found[0][1] if found else None

    def _counted_value(self, m: Mention) -> Mention | None:
        """A count metric with a condition of one value ("lost parcels": status = 'lost') as that value."""
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            cond = semantic.metric_condition(metric) if metric else None
            if cond and simple and simple[0] in ("count", "count_distinct"):
                value = Element("value", e.topic, cond[0], cond[1])
                return Mention(m.start, m.end, m.text, [value])
        return None

    def _share_metric(self, k: int) -> Mention | None:
        """The catalog metric that is a share of rows, named just before the comparison ("failure rate is
        above 10 percent")."""
        m = self.prev_mention(k)
        if m is None or m.used or m.end < k - 2:
            return None
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            if metric is not None and semantic.is_fraction(metric.expression):
                return m
        return None

    def _rows_of(self, m: Mention, value: Mention) -> bool:
        """ "of their parcels": the topic of the value, named by its name or by its count metric."""
        topics = value.topics()
        if any(e.topic in topics for e in m.of("topic")):
            return True
        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            if e.topic in topics and simple and simple[0] in ("count", "count_distinct"):
                return True
        return False
