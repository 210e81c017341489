"""The grammar's ranking passes (`RankMixin` of `read.Grammar`): shares ("what share of orders are
refunded"), recency ("the 5 most recent orders"), rankings ("top 3 products by revenue") and a ranked metric."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.grammar_base import FilterSpec, GrammarBase, MeasureSpec, RankSpec
from copilot.agent.builtin.lexicon import english, word_set
from copilot.agent.builtin.outcome import AskBack, Decline, passed
from copilot.agent.builtin.tags import Mention, Tok
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Element


class RankMixin(GrammarBase):
    def _shares(self) -> None:
        for k, t in enumerate(self.toks):
            if t.role != "share" or t.used:
                continue
            if k > 0 and self.toks[k - 1].number is not None and t.low in english()["percent_words"]:
                continue  # "below 20%", "above 10 percent": a unit after a number, not a share
            if t.mention is not None:
                continue
            near = [
                m
                for m in self.r.mentions
                if (m.of("value") or self._counts_one_value(m)) and not m.used and abs(m.start - k) <= 5
            ]
            near.sort(key=lambda m: (abs(m.start - k), m.start > k))
            if not near:
                self._which_share(t)
                raise Decline(
                    f"I can compute the {t.text} of one known value (such as one status), but not the {t.text} asked here"
                )
            m = near[0]
            if t.low in word_set("rate_words"):
                self._which_rate(t, m)
            m.used = True
            self.use_phrase(t)
            self.r.measures.append(MeasureSpec("share", None, condition=m, words=f"{m.text} {t.text}"))

    def _counts_one_value(self, m: Mention) -> bool:
        """ "refunded payments" as the catalog's count of the rows with one value (`COUNT(*)`, `status = 'refunded'`)."""
        metrics = [self.vocab.metric(e.topic, e.metric or "") for e in m.of("metric")]
        return len(metrics) == 1 and all(
            x is not None
            and semantic.simple_metric(x.expression) == ("count", None)
            and semantic.CONDITION_RE.match(str(x.filter or ""))
            for x in metrics
        )

    def _which_rate(self, t: Tok, value: Mention) -> None:
        """ "refund rate per method", "the rate for PayPal": a rate the catalog does not define. Of the value before
        it, a share of rows or a count per unit of time; for the value after it, one of the rates the catalog
        defines on that topic, or the value's share. Asked about, each reading a complete question."""
        if f"rate:{t.low}" in passed.get():
            return
        said = re.compile(rf"\b{re.escape(t.text)}\b", re.I)
        question = self.r.text or " ".join(x.text for x in self.toks)
        rows = " ".join(e.topic.replace("_", " ") for e in value.of("value")[:1])
        options = [{"label": f"{value.text} as a share of all {rows}", "question": said.sub("share", question, 1)}]
        if value.start < t.i:
            timed = "" if self.r.window is not None else " per minute"
            options.append(
                {
                    "label": f"number of {value.text} {rows}{timed}",
                    "question": said.sub("count", question, 1).rstrip("?!. ") + timed,
                }
            )
        else:
            for e in value.of("value")[:1]:
                for metric in self.vocab.metrics.get(e.topic, []):
                    if semantic.fraction_condition(metric.expression) is not None:
                        words = metric.name.replace("_", " ")
                        options.insert(0, {"label": f"{words} of {value.text}", "question": said.sub(words, question, 1)})
        raise AskBack(f"Which {t.text} do you mean?", options, answered_only=True, passable=f"rate:{t.low}")

    def _which_share(self, t: Tok) -> None:
        """ "success rate every 5 minutes": a share, but of which value? Ask, with shares the catalog can compute
        (the values of the topics the question names, else of every topic's first field with values)."""

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
            shown = self._latest_value(k, target) if num is None else None
            if shown is not None:  # "the latest battery level per device": that field of each one's latest row
                target = Mention(shown.start, shown.end, shown.text, [Element("topic", shown.of("field")[0].topic)])
            if target is None or not target.of("topic") or target.used:
                continue
            if num is None and most is None and not (target.start == k + 1 and self._singular(target)):
                continue  # "the latest orders": the rows as they come; "the latest order (per customer)": one
            self.use(t, *[x for x in (num, most) if x is not None])
            if shown is not None:
                shown.used = True
            if most is not None:
                self.use_phrase(most)  # "the most recent payment": "the most" is one phrase
            target.used = True
            self.r.rank = RankSpec(
                int(num.number) if num else 1 if self._singular(target) else int(lex["rank_default_n"]),
                (kinds[t.low] == "newest") != (most is not None and most.low == "least"),  # "least recent": oldest
                target,
                rows=True,
                explicit_n=num is not None,
                words=" ".join(x.text for x in self.toks[k - len(before) : target.end]),
                by_time=True,
                shown=shown,
            )

    def _latest_value(self, k: int, m: Mention | None) -> Mention | None:
        """The field right after a recency word, when it is a number or a state of one event topic that records
        time ("the latest battery level", "the current status"): what is shown of the latest row."""
        if m is None or m.used or m.start != k + 1 or m.of("topic") or m.of("metric") or m.of("value"):
            return None
        topics = {e.topic for e in m.of("field")}
        if len(topics) != 1 or len(m.of("field")) != 1:
            return None
        e = m.of("field")[0]
        schema = self.vocab.topics[e.topic]
        if schema.is_upsert or not schema.event_time or self.vocab.is_key(e.topic, e.field or ""):
            return None
        return m

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
                    or self._with_the_before(k)
                )
            )
            if t.role not in ("rank_top", "rank_bottom") and not size_word:
                continue
            desc = t.role == "rank_top" or t.arg == "max"
            j = k + len([x for x in self.toks[k:] if x.phrase_start == k and x.role == t.role])
            n, explicit = None, False
            before = k > 0 and self.toks[k - 1].number is not None and self.toks[k - 1].mention is None
            if (
                j < len(self.toks)
                and self.toks[j].number is not None
                and self.toks[j].mention is None
                and not (before and self.toks[j].role != "number")  # "the 2 priciest single orders": 2, not "single"
            ):
                n, explicit, j = int(self.toks[j].number), True, j + 1  # "top 5"
                self.use(self.toks[j - 1])
            elif before:
                n, explicit = int(self.toks[k - 1].number), True  # "5 biggest"
                self.use(self.toks[k - 1])
            same = {"rank_top": ("rank_top", "max"), "rank_bottom": ("rank_bottom", "min")}.get(str(t.role), ())
            while (
                j < len(self.toks)
                and self.toks[j].mention is None
                and (self.toks[j].role in same or (self.toks[j].role == "agg" and self.toks[j].arg in same))
            ):
                self.use_phrase(self.toks[j])  # "top 5 highest revenue countries": one ranking said twice
                j += 1 + len([x for x in self.toks[j + 1 :] if x.phrase_start == j and x.role == self.toks[j].role])
            words = t.text
            if self.r.rank is not None and self.r.rank.descending == desc and n is not None:
                later = self.next_mention(j)
                if later is None or later.used:  # "… the most sessions? top 5 each hour": that ranking's size
                    self.use_phrase(t)
                    self.r.rank.n, self.r.rank.explicit_n = n, True
                    continue
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
            numbered = self._numbered_subject(k) if n is None and t.role in ("rank_top", "rank_bottom") else None
            by = self._measured(j) if numbered is not None else None
            if numbered is not None and by is not None:
                # "the 3 warehouses losing the most parcels", "which 5 devices had the most critical events"
                number, subject = numbered
                self.use(number)
                self.use_phrase(t)
                subject.used = True
                self.r.rank = RankSpec(int(number.number or 0), desc, subject, by=by, explicit_n=True, words=words)
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
                if self.r.rank is not None and self.r.rank.descending == desc:
                    self.use_phrase(t)  # "… the most sessions? top 5 each hour": the same ranking, its size
                    if n is not None:
                        self.r.rank.n, self.r.rank.explicit_n = n, True
                    continue
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
            elif (
                target.of("metric")
                and not target.of("topic")
                and (not target.of("field") or self._numeric(target))
                and nxt is not None
                and nxt.start == target.end
                and not nxt.used
                and (nxt.of("topic") or nxt.of("field"))
                and not self._numeric(nxt)
            ):
                by = MeasureSpec(None, target, words=target.text)  # "the 3 best-selling products": ranked by the metric
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

    def _numbered_subject(self, k: int) -> tuple[Tok, Mention] | None:
        """Before a superlative at k: a number right before a word naming what is ranked ("the 3 warehouses"),
        a field that is not a number or a topic."""
        for i in range(k - 1):
            num = self.toks[i]
            if num.number is None or num.mention is not None or num.used or num.role not in ("number", None):
                continue
            m = self.mention_at(i + 1)
            if m is not None and m.start == i + 1 and not m.used and (m.of("topic") or (m.of("field") and not self._numeric(m))):
                return num, m
        return None

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

    def _with_the_before(self, k: int) -> bool:
        """ "the 3 countries with the highest revenue": things named, then "with the" and a size word, rank them."""
        if k < 2 or self.toks[k - 1].low != "the" or self.toks[k - 2].low not in ("with", "having"):
            return False
        subject = self.prev_mention(k - 2)
        return subject is not None and bool(subject.of("field") or subject.of("topic"))

    def _one_row_named(self, k: int) -> bool:
        """ "the cheapest item in each group": a size word before one member of a table of current rows (a
        singular table name, not a field or metric) ranks the members, since the answer is which one; over an
        event stream ("the biggest payment per minute") the size word stays an aggregate of the amount, unless
        the event is said to be one ("the biggest single order per channel": that order)."""
        j = k + len([x for x in self.toks[k:] if x.phrase_start == k and x.role == self.toks[k].role])
        one_event = False
        while j < len(self.toks) and self.toks[j].mention is None and self.toks[j].low in ("single", "one", "individual"):
            one_event = one_event or self.toks[j].low != "one"
            j += 1
        m = self.mention_at(j)
        return (
            m is not None
            and m.start == j
            and not m.used
            and bool(m.of("topic"))
            and (one_event or all(self.vocab.topics[e.topic].is_upsert for e in m.of("topic")))
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
