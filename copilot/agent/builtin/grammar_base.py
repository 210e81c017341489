"""The grammar's shared ground: what it reads into (`Reading` and its specs) and `GrammarBase`, the helpers
every construct pass of `read.Grammar` uses (token walking, marking words used, the catalog tests several
constructs share). The passes themselves are the mixins of `grammar_compare`, `grammar_rank`,
`grammar_measure` and `grammar_values`."""

from __future__ import annotations

from dataclasses import dataclass, field

from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.tags import Mention, Tagged, Tok, lexicon_table
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Vocabulary
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
    counted: bool = False  # "how many items", "how many stops": a number the rows carry, added up


@dataclass
class FilterSpec:
    mentions: list[Mention]  # value mentions (one field), or a field mention for IS NULL tests
    op: str  # = <> in not_in is_null is_not_null
    words: str = ""
    joint: int = 0  # filters with the same number > 0 leave out the rows that meet them all together


@dataclass
class CompareSpec:
    op: str
    value: float
    currency: str | None
    target: Mention | None  # a field/metric/topic mention, or None: the subject's main amount
    kind: str  # field | count | measure | figure (the question's own, per group) | default
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
    shown: Mention | None = None  # the one field shown of the latest row ("the latest battery level per device")


@dataclass
class Reading:
    tagged: Tagged
    window: Window | None = None
    question: str = ""  # as asked: options of a question back are built from it (the tokens lack the time words)
    text: str = ""  # the question spelling-corrected and normalised (numbers, time words), before tagging
    measures: list[MeasureSpec] = field(default_factory=list)
    dims: list[Mention] = field(default_factory=list)
    filters: list[FilterSpec] = field(default_factory=list)
    compares: list[CompareSpec] = field(default_factory=list)
    rank: RankSpec | None = None
    list_rows: bool = False
    list_strong: bool = False  # "as they happen", "list": rows even when a count metric is named
    chart: str | None = None
    side_by_side: bool = False  # "side by side", "two lines": compared values as columns of one row
    additive: bool = False
    replaces_figure: bool = False  # "rather than a count": the figure of the answer before is replaced
    followup_cue: bool = False
    clear_filters: bool = False
    bound: Duration | None = None
    bound_mention: Mention | None = None
    agg_only: str | None = None  # "now the maximum instead": a function with no target
    count_targets: list[Mention] = field(default_factory=list)
    replaced: list[Mention] = field(default_factory=list)  # "instead of country": what a follow-up takes out
    loose_keys: list[tuple[Tok, Tok]] = field(default_factory=list)  # "by type": a breakdown word and a generic noun
    key_clauses: list[list[Tok]] = field(default_factory=list)  # "by depot and how they ended": a key said as a clause

    @property
    def toks(self) -> list[Tok]:
        return self.tagged.toks

    @property
    def mentions(self) -> list[Mention]:
        return self.tagged.mentions


def lexicon_role(word: str) -> str | None:
    hit = lexicon_table().get((word,))
    return hit[0] if hit else None


class GrammarBase:
    r: Reading
    vocab: Vocabulary
    toks: list[Tok]

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

    def _percent_unit(self, t: Tok) -> bool:
        """ "under 15 percent": a share word after a number is the number's unit, not a share asked for."""
        return t.low in english()["percent_words"] and t.i > 0 and self.toks[t.i - 1].number is not None

    def use_phrase(self, t: Tok) -> None:
        for u in self.toks:
            if u.phrase_start == t.phrase_start and u.role == t.role and t.phrase_start >= 0:
                u.used = True
        t.used = True

    def negated_before(self, i: int) -> bool:
        j = i - 1
        while j >= 0:
            m = self.toks[j].mention
            if (
                m is not None
                and m.end == j + 1
                and tuple(stem(t.low) for t in self.toks[m.start : m.end]) in self.vocab.topic_verbs
            ):
                j = m.start - 1  # "wasn't bought in a store": the verb of the rows, between the negation and its value
                continue
            if m is None and (
                self.toks[j].role in ("function_words", "which_words", "light_words")
                or self.toks[j].low in ("by", "just", "only", "really", "even", "actually")
            ):
                j -= 1
                continue
            break
        if j >= 0 and self.toks[j].role == "negations":
            self.use_phrase(self.toks[j])
            return True
        return False

    def _count_metric(self, m: Mention) -> bool:
        from copilot.agent.builtin import semantic

        for e in m.of("metric"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            if simple is not None and simple[0] in ("count", "count_distinct"):
                return True
        return False

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

    def _named_by(self, rows: set[str], m: Mention) -> bool:
        """Every topic of the mention is another topic that the rows' topics refer to ("products" for orders)."""
        return bool(rows) and all(
            e.topic not in rows and any(self.vocab.references(t, e.topic) for t in rows) for e in m.of("topic")
        )

    def _heads_values(self, m: Mention) -> bool:
        """ "enterprise customers", "german customers": a topic right after values of its own rows is the noun
        they describe — the things asked about, not only whose values they are."""
        if not m.qualifier or not m.of("topic") or m.of("field") or m.of("value"):
            return False
        before = self.mention_at(m.start - 1)
        topics = {e.topic for e in m.of("topic")}
        return (
            before is not None
            and before.end == m.start
            and bool(before.of("value"))
            and not (before.of("field") or before.of("topic"))
            and {e.topic for e in before.of("value")} <= topics
        )

    def _things_of_value(self, m: Mention) -> str | None:
        """ "smb customers", "enterprise accounts": a value whose words end with the noun of its own topic's
        rows (things, not events) — the topic, or None."""
        topics = {e.topic for e in m.of("value")}
        if len(topics) != 1 or m.of("field") or m.of("topic") or m.end - m.start < 2:
            return None
        topic = next(iter(topics))
        if not self.vocab.topics[topic].is_upsert:
            return None
        for k in range(m.start + 1, m.end):
            if any(e.kind == "topic" and e.topic == topic for e in self.vocab.lookup([t.low for t in self.toks[k : m.end]])):
                return topic
        return None

    def _numeric(self, m: Mention) -> bool:
        return any(self.vocab.is_numeric(e.topic, e.field) for e in m.of("field"))

    def _adds_up(self, topic: str, field: str) -> bool:
        """The catalog adds this number up: its aggregate is sum, or a metric of its topic is its SUM."""
        from copilot.agent.builtin import semantic

        if semantic.default_aggregate(self.vocab.topics[topic], field) == "sum":
            return True
        return any(
            (simple := semantic.simple_metric(m.expression)) is not None and simple == ("sum", field)
            for m in self.vocab.metrics.get(topic, [])
        )
