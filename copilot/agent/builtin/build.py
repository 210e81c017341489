"""A `Reading` resolved against the catalog into a `QueryPlan`: the subject topic, each mention's
field on that topic or on one reachable along relationships (joins), defaults that are stated in the
explanation, and the check that every content word of the question was used."""

from __future__ import annotations

import re

from copilot.agent.builtin import semantic
from copilot.agent.builtin.lexicon import phrase_set
from copilot.agent.builtin.numbers import length_or_duration, level, which_number
from copilot.agent.builtin.outcome import AskBack, Decline
from copilot.agent.builtin.read import MeasureSpec, Reading
from copilot.agent.builtin.tags import Mention
from copilot.agent.builtin.text import stem
from copilot.agent.builtin.vocab import Element, Vocabulary
from copilot.plan.model import Dimension, Duration, FieldRef, Filter, Join, Measure, QueryPlan

FILTER_RE = semantic.CONDITION_RE  # a metric's own condition of one equality (`status = 'lost'`)
DEFAULT_BOUND = Duration(amount=1, unit="HOUR")


_BARE_AGGS = {"avg", "average", "mean", "the average", "the avg", "the mean"}


def _twin_named(r: Reading, vocab: Vocabulary, scores: dict[str, float]) -> None:
    """A field only a topic's twin has (the same records with more fields, `same_records_as`) makes the twin the
    subject: its original cannot answer it, and reading both would join each record to itself."""
    from copilot.catalog.semantic import twins

    for twin, original in twins(vocab.topics).items():
        if twin not in scores or original not in scores:
            continue
        names = {f.name for f in vocab.topics[original].fields}
        if any(e.topic == twin and e.field and e.field not in names for m in r.mentions for e in m.elements) or any(
            e.topic == twin and e.kind == "topic" for m in r.mentions for e in m.elements
        ):  # or the twin named by its qualifier ("lost parcels from the avro stream")
            scores[twin] = max(scores[twin], scores[original]) + 1.0


def _naming(m: Mention, vocab: Vocabulary) -> list[Element]:
    """The elements a word names rows by: a field that refers to a table named by the same word ("vans": a trip's
    vehicle, and the vehicles of type van) names that table's rows, not the referring topic's."""
    named = m.topics()
    out = []
    for e in m.elements:
        rel = vocab.relationship(e.topic, next(iter(named - {e.topic}))) if e.kind == "field" and len(named) == 2 else None
        if rel is None or rel[0] != e.field:
            out.append(e)
    return out or list(m.elements)


def choose_source(r: Reading, vocab: Vocabulary, rank: list[str], context: str | None, question: str = "") -> str:
    scores: dict[str, float] = {}

    def add(topic: str, w: float) -> None:
        scores[topic] = scores.get(topic, 0.0) + w

    for m in r.mentions:
        keyish = m in r.dims and bool(m.of("field"))  # "per site": a key of an event topic as well as a topic
        if m.of("topic") and not keyish:
            for e in m.of("topic"):
                add(e.topic, 3.0 / len(m.of("topic")) * (0.6 if m.qualifier else 1.0))
            continue
        if keyish:  # a breakdown names a key, not the subject ("per site"); as a key, its value readings do not count
            topics = {e.topic for e in m.elements if e.kind in ("field", "topic")}
            for t in topics:
                add(t, 1.0 / len(topics))
            continue
        counted = any(s.target is m and s.func in (None, "count") for s in r.measures)
        elements = _naming(m, vocab) if counted else m.elements
        topics = {e.topic for e in elements}
        for e in elements:
            w = {"metric": 4.0, "field": 2.0, "value": 1.0, "state": 1.0}[e.kind]
            add(e.topic, w / max(1, len(topics)) / max(1, sum(1 for x in elements if x.topic == e.topic)))
    for spec in r.measures:
        if spec.target is not None:
            counted = spec.func in (None, "count")
            for t in {e.topic for e in (_naming(spec.target, vocab) if counted else spec.target.elements)}:
                evidence = {
                    e.topic
                    for m in r.mentions
                    if m is not spec.target and m not in r.dims
                    for e in m.elements
                    if e.kind in ("value", "metric", "state") and t not in m.topics()
                }
                counted_through = vocab.topics[t].is_upsert and any(vocab.references(o, t) for o in evidence)
                if not counted_through:  # "how many devices went offline": counted through their events
                    add(t, 2.0 / len(spec.target.topics()))
    for m in r.count_targets:
        for e in m.of("topic"):
            add(e.topic, 3.0)
    for c in r.compares:  # "customers who spent over €500": the total compared per group is a measure of its rows
        if c.having and c.func == "sum" and c.target is not None and c.target not in r.dims:
            for t in c.target.topics():
                add(t, 2.0 / len(c.target.topics()))
    inside = _topics_inside(r, vocab)
    for t in inside:  # "enterprise customers" (a value's synonym): the phrase names its table too
        add(t, 3.0)
    if r.bound_mention is not None:
        for t in r.bound_mention.topics():
            scores[t] = scores.get(t, 0.0) - 3.0
    said = [m for m in r.mentions if m not in r.dims]  # a breakdown key names no subject ("per site")
    own = {next(iter(m.topics())) for m in said if len(m.topics()) == 1}  # topics a word names alone
    own |= {e.topic for m in said for e in m.of("topic")}  # or names as a topic
    alone = (
        {next(iter(m.topics())) for m in r.mentions if len(m.topics()) == 1}
        | {e.topic for m in r.mentions for e in m.of("topic")}
        | {t for s in r.measures if s.target is not None for t in s.target.topics()}
    )
    for t in list(scores):
        if t not in alone and not r.measures and not r.window:
            continue  # "electric vans by home site": no word names these events, so they are not what is counted
        referenced = [o for o in scores if o != t and scores[o] > 0 and vocab.references(t, o) and o in own and not r.list_strong]
        # events that name a mentioned table are the subject ("devices that went offline")
        if referenced and not _named_only_by_reference(r, vocab, t):
            if vocab.topics[t].is_upsert:
                scores[t] += 0.5  # a table naming another table is rarely what is counted through
            else:
                scores[t] += 2.5 if any(vocab.topics[o].is_upsert for o in referenced) else 1.5
    which = next((t for t in r.toks if t.role != "function_words"), None)
    if which is not None and which.role == "which_words" and not (r.measures or r.rank or r.window or r.compares):
        first = next((m for m in r.mentions if m.start > which.i), None)  # "which devices have no site assigned"
        if first is not None and len(first.of("topic")) == 1 and not r.agg_only:
            add(first.of("topic")[0].topic, 3.0)
    if r.list_rows and not r.measures and r.rank is None:
        subject = _listed_subject(r, vocab)
        if subject is not None:  # "lost parcels of orders over £300, as they happen": the parcels are listed
            add(subject, 3.0)
    _twin_named(r, vocab, scores)
    if context:
        add(context, 2.5)
    evidence = dict(scores)  # what the question's words say, before retrieval's order breaks ties
    for i, t in enumerate(rank[:3]):
        if t in scores:
            scores[t] += 0.3 * (3 - i) / 3
    if not scores:
        if r.rank is not None or r.window is not None or r.measures or r.agg_only:
            _ask_subject(r, vocab)  # "bottom 3 per day": the shape is clear, the subject is not
        raise AskBack_no_subject(vocab)
    named = (
        any(m.of("topic") or m.of("field") or m.of("metric") for m in r.mentions)
        or any(s.target for s in r.measures)
        or bool(inside)
    )
    valued = sorted({e.topic for m in r.mentions for e in m.elements})
    shared = set.intersection(*[{e.topic for e in m.elements} for m in r.mentions]) if r.mentions else set()
    if not named and not context and len(valued) > 1 and len(shared) != 1:  # "refunds in euros": only payments has both
        # only values ("now only France"): orders, page views or customers? Ask rather than guess.
        q = question.rstrip("?!. ") or " ".join(t.text for t in r.toks)
        raise AskBack(
            f"“{r.mentions[0].text}” appears in several topics: which one?",
            [
                {"label": t.replace("_", " "), "question": f"{q} ({t.replace('_', ' ')})"}
                for t in sorted(valued, key=lambda t: -scores.get(t, 0))[:4]
            ],
        )
    first = {}  # a tie goes to the topic named first, the same way in every process (never a set's order)
    for m in r.mentions:
        for t in sorted(m.topics()):
            first.setdefault(t, m.start)
    order = {t: (-scores[t], first.get(t, len(r.toks)), t) for t in scores}
    best = sorted(scores, key=order.__getitem__)
    if best and vocab.topics[best[0]].is_upsert and not r.list_rows:
        # "devices rebooting per site": a table named with what happened to its members, which
        # only an event topic records: the events are read, and the table's members counted through them
        happened = {
            e.topic
            for m in r.mentions
            if (m.of("value") or m.of("state"))
            and not m.of("topic")
            and m not in r.dims
            and not any(x.topic == best[0] for x in m.elements)
            for e in m.elements
            if not vocab.topics[e.topic].is_upsert
        }
        only = [
            t
            for t in happened
            if (vocab.references(t, best[0]) or vocab.path(t, best[0]) is not None)
            and all(t in m.topics() or not (m.of("value") or m.of("state")) or not (m.topics() - {best[0]}) for m in r.mentions)
        ]
        if len(only) == 1:
            best = only + [t for t in best if t != only[0]]
            scores[only[0]] = scores.get(best[1], 0.0) + 1.0
            evidence[only[0]] = scores[only[0]]
    tied = sorted(evidence, key=lambda t: (-evidence[t], first.get(t, len(r.toks)), t))[:2]
    if len(tied) > 1 and abs(evidence[tied[0]] - evidence[tied[1]]) < 0.05 and set(tied) != set(best[:2]):
        best = tied + [t for t in best if t not in tied]
    if len(best) > 1 and abs(evidence.get(best[0], 0) - evidence.get(best[1], 0)) < 0.05 and not context:
        a, b = best[0], best[1]
        if not (vocab.path(a, b) or vocab.path(b, a)) or not vocab.topics[a].is_upsert ^ vocab.topics[b].is_upsert:
            q = question.rstrip("?!. ") or " ".join(t.text for t in r.toks)
            raise AskBack(
                "Which data do you mean?",
                [{"label": t.replace("_", " "), "question": f"{q} ({t.replace('_', ' ')})"} for t in best[:3]],
            )
    return best[0]


def _named_only_by_reference(r: Reading, vocab: Vocabulary, topic: str) -> bool:
    """ "how many electric vans": the events (trips) are named only by a field that refers to the table ("van" is a
    trip's vehicle) — the words are about the table's rows, not what happened to them."""
    refs = {rel.field for rel in vocab.topics[topic].relationships}
    own = [e for m in r.mentions for e in m.elements if e.topic == topic]
    return bool(own) and all(e.kind == "field" and e.field in refs for e in own) and not (r.window or r.compares or r.rank)


def _listed_subject(r: Reading, vocab: Vocabulary) -> str | None:
    """The rows a listing asks for: the first word that names one event topic's rows (the topic, or the key
    field its rows are named by), before any other topic is named."""
    for m in r.mentions:
        if m.qualifier or m in r.dims:
            continue
        topics = {e.topic for e in m.of("topic")}
        topics |= {e.topic for e in m.of("field") if e.field in (vocab.topics[e.topic].primary_key or [e.field])[:1]}
        topics |= {e.topic for e in m.of("field") if vocab.topics[e.topic].key == e.field}
        if not topics and m.of("value") and len(m.text.split()) > 1:  # "lost parcels": a value phrase ending in its rows' name
            head = vocab.lookup([m.text.split()[-1].lower()])
            values = {e.topic for e in m.of("value")}
            topics = {e.topic for e in head if e.topic in values and (e.kind == "topic" or e.field == vocab.topics[e.topic].key)}
        if len(topics) == 1:
            t = next(iter(topics))
            if not vocab.topics[t].is_upsert:
                return t
            # "devices that have no site assigned, list them": a table's own rows, when a condition is on its fields
            own = any(
                e.topic == t for f in r.filters for x in f.mentions for e in x.elements if e.kind in ("field", "value", "state")
            )
            return t if own else None
        if topics:
            return None
    return None


def _topics_inside(r: Reading, vocab: Vocabulary) -> set[str]:
    """Tables named by a word inside a value's phrase ("smb customers"): the phrase's words include the name of
    the table the value belongs to."""
    out = set()
    for m in r.mentions:
        if m.end - m.start < 2 or not m.of("value") or m.of("topic"):
            continue
        words = {stem(t.low) for t in r.toks[m.start : m.end]}
        for e in m.of("value"):
            if stem(e.topic.split("_")[-1]) in words:
                out.add(e.topic)
    return out


def _ask_subject(r: Reading, vocab: Vocabulary) -> None:
    when = f" {r.window.words}" if r.window is not None and r.window.words else ""
    top = f"top {r.rank.n} " if r.rank is not None else ""
    options = []
    for t, schema in vocab.topics.items():
        metric = next(iter(vocab.metrics.get(t, [])), None)
        field = next((f for f in schema.fields if f.values and f.name not in (schema.primary_key or [])), None)
        if t in vocab.twins or metric is None or field is None or (when and (schema.is_upsert or not schema.event_time)):
            continue
        q = (
            f"{top}{field.name.replace('_', ' ')} by {metric.name.replace('_', ' ')}{when}"
            if top
            else f"{metric.name.replace('_', ' ')}{when}"
        )
        options.append({"label": q, "question": q})
        if len(options) >= 3:
            break
    if len(options) >= 2:
        raise AskBack("Of what? The question names nothing the catalog holds.", options)


def AskBack_no_subject(vocab: Vocabulary) -> Decline:
    names = ", ".join(sorted(vocab.topics))
    return Decline(f"the question names nothing the catalog holds (its topics: {names})")


class Builder:
    def __init__(self, r: Reading, vocab: Vocabulary, source: str, question: str, rank: list[str] | None = None):
        self.r, self.vocab, self.source, self.question = r, vocab, source, question
        self.rank = rank or []  # topics in retrieval order, best first
        self.joins: list[Join] = []
        self.notices: list[str] = []
        self.aliases: set[str] = set()
        self.extra_filters: list[Filter] = []
        self.counted_values: list[Filter] = []  # "how many vans": the source's rows of a value, counted
        self.fanout: list[str] = []  # joined topics with several rows per source row
        self.measures_built: list[Measure] = []
        self.keyed_by: set[str] = set()  # related topics named as a key ("per order"): read from the source's own field

    # -- resolving ---------------------------------------------------------------------------
    def _on_twin(self, e: Element) -> Element:
        """A field or value of the original read from its twin when the twin is the subject (the same records):
        "per method" over the Avro edition is that edition's own method, never a join back to the original."""
        from copilot.catalog.semantic import same_records_as

        schema = self.vocab.topics.get(self.source)
        if schema is None or e.topic == self.source or same_records_as(schema) != e.topic:
            return e
        if e.kind == "topic":
            return Element("topic", self.source)
        if e.kind == "metric" and self.vocab.metric(self.source, e.metric or "") is not None:
            return Element("metric", self.source, metric=e.metric)  # the edition's own copy of the metric
        if e.kind not in ("field", "value") or not e.field or schema.field(e.field) is None:
            return e
        return Element(e.kind, self.source, e.field, e.value, e.metric)

    def resolve(self, m: Mention, kinds=("field", "value", "metric", "topic")) -> Element:
        cands = [self._on_twin(e) for e in m.elements if e.kind in kinds]
        if not cands:
            raise AskBack(f"What should “{m.text}” mean here?", [])
        ranked: dict[int, list[Element]] = {}
        for e in cands:
            d = 0 if e.topic == self.source else len(self.vocab.path(self.source, e.topic) or []) or 99
            ranked.setdefault(d, []).append(e)
        best_d = min(ranked)
        if best_d >= 2 and "field" in kinds:  # "per site" from events: devices.site_id, no lookup of sites itself
            via = self._key_via_table(cands)
            if via is not None:
                self.join_to(via.topic)
                return via
        if best_d == 99 and "field" in kinds:
            via = self._key_via_table(cands)
            if via is not None:  # "critical events per site": the site of the device, looked up in devices
                self.join_to(via.topic)
                return via
        if best_d == 99:
            where = ", ".join(sorted({e.topic for e in cands}))
            raise Decline(f"“{m.text}” is in {where}, which is not related to {self.source} in the catalog")
        best = ranked[best_d]
        same = {(e.field, e.kind, e.metric, e.value) for e in best}
        if len(best) > 1 and len(same) == 1 and self.rank:
            # the same field in topics holding the same records: the one retrieval ranks first, said so
            ordered = sorted(best, key=lambda e: self.rank.index(e.topic) if e.topic in self.rank else len(self.rank))
            if ordered[0].topic in self.rank:
                others = ", ".join(sorted(e.topic for e in ordered[1:]))
                self.notices.append(f"“{m.text}” read from {ordered[0].topic} (also in {others})")
                best = [ordered[0]]
        fields = {(e.topic, e.field, e.kind, e.metric) for e in best}
        if len(fields) > 1:
            kinds_here = {e.kind for e in best}
            if "topic" in kinds_here:
                return next(e for e in best if e.kind == "topic")
            if "metric" in kinds_here and "field" in kinds_here:
                return next(e for e in best if e.kind == "metric")
            options = [{"label": e.label(), "question": self._replace(m, e)} for e in best[:4]]
            raise AskBack(f"“{m.text}” can mean several things: which one?", options)
        e = best[0]
        if e.topic != self.source and not (e.kind == "metric" and self._edition_computes(e)):
            self.join_to(e.topic)
        return e

    def _edition_computes(self, e: Element) -> bool:
        """The original's metric can be computed on its twin, the subject (see `_metric_on_edition`)."""
        from copilot.catalog.semantic import same_records_as

        schema = self.vocab.topics[self.source]
        metric = self.vocab.metric(e.topic, e.metric or "")
        if metric is None or same_records_as(schema) != e.topic:
            return False
        simple = semantic.simple_metric(metric.expression)
        if simple is not None:
            fields_ok = simple[1] is None or schema.field(simple[1]) is not None
            return fields_ok and (not metric.filter or self._metric_filter(self.source, metric) is not None)
        cond = semantic.fraction_condition(metric.expression)
        return cond is not None and schema.field(cond[0]) is not None

    def _key_via_table(self, cands: list[Element]) -> Element | None:
        """A topic the source cannot reach, named as a key: the field of a table the source looks up that
        references it (device events → devices.site_id → sites), when exactly one such field exists."""
        found = []
        for e in cands:
            if e.kind != "topic":
                continue
            for t, schema in self.vocab.topics.items():
                if t == self.source or not schema.is_upsert or self.vocab.path(self.source, t) != [t]:
                    continue
                for rel in schema.relationships:
                    if rel.target_topic == e.topic:
                        found.append(Element("field", t, rel.field))
        return found[0] if len(found) == 1 else None

    def _replace(self, m: Mention, e: Element) -> str:
        words = e.value if e.kind == "value" else (e.metric or e.field or e.topic or "")
        name = words.replace("_", " ")
        if e.topic != self.source:
            name = f"{e.topic.replace('_', ' ')} {name}"
        return re.sub(re.escape(m.text), name, self.question, count=1, flags=re.I)

    def _reference_to(self, topic: str) -> FieldRef | None:
        """The field that names one of `topic`'s things in the rows: the source's own reference (no lookup needed), or
        the reference of a topic on the way ("how many customers paid by klarna": the orders' customer_id)."""
        rel = self.vocab.relationship(self.source, topic)
        if rel:
            self.keyed_by.add(topic)
            return FieldRef(topic=self.source, field=rel[0])
        path = self.vocab.path(self.source, topic)
        if path and len(path) > 1 and self.vocab.references(path[-2], topic):
            link = self.vocab.relationship(path[-2], topic)
            self.join_to(path[-2])
            self.keyed_by.add(topic)
            return FieldRef(topic=path[-2], field=link[0])  # type: ignore[index]
        return None

    def join_to(self, topic: str) -> None:
        path = self.vocab.path(self.source, topic) or []
        left = self.source
        for t in path:
            if t not in {j.topic for j in self.joins}:
                lf, rf = self.vocab.relationship(left, t)  # type: ignore[misc]
                schema = self.vocab.topics[t]
                left_schema = self.vocab.topics[left]
                as_of = None
                source_schema = self.vocab.topics[self.source]
                if left != self.source and left_schema.is_upsert and schema.is_upsert and source_schema.event_time:
                    kind, bound = "temporal", None  # events → devices → sites: looked up as of the event's time
                    as_of = FieldRef(topic=self.source, field=source_schema.event_time)
                elif left_schema.is_upsert or not left_schema.event_time:
                    kind, bound = "regular", None  # a table's current rows joined with another's
                elif schema.is_upsert:
                    kind, bound = "temporal", None
                else:
                    kind = "interval"
                    bound = self.r.bound or DEFAULT_BOUND
                    if self.r.bound is None:
                        span = f"{bound.amount} {bound.unit.lower()}{'' if bound.amount == 1 else 's'}"
                        self.notices.append(
                            f"{t.replace('_', ' ')} are matched within {span} of their "
                            f'{left.replace("_", " ")} event; say "within N hours" to change it'
                        )
                direction = "before" if self.vocab.references(left, t) else "after"
                if not self.vocab.references(left, t):
                    self.fanout.append(t)  # several joined rows per row of the left side
                self.joins.append(
                    Join(
                        topic=t,
                        kind=kind,
                        left=FieldRef(topic=left, field=lf),
                        right=FieldRef(topic=t, field=rf),
                        bound=bound,
                        direction=direction,
                        as_of=as_of,
                    )
                )
            left = t

    def plan(self, **parts) -> QueryPlan:
        """The plan of these parts and the builder's joins, less the joins of topics named only as a key ("payments
        per order" reads order_id from the payments); such a join stays when another part reads that topic ("by the
        country of the order")."""
        keys: list[Dimension] = []
        for d in parts.get("dimensions") or []:  # "each of our freezer sites … per site": one key said twice
            if all(d.field != k.field for k in keys):
                keys.append(d)
        if "dimensions" in parts:
            parts["dimensions"] = keys
        draft = QueryPlan.model_construct(**parts, joins=self.joins)
        ends = {id(x) for j in self.joins for x in (j.left, j.right)}
        read = {ref.topic for ref in draft.field_refs() if id(ref) not in ends} | {j.left.topic for j in self.joins}
        self.joins = [j for j in self.joins if j.topic not in self.keyed_by or j.topic in read]
        return QueryPlan(**parts, joins=self.joins)

    def ref(self, e: Element) -> FieldRef:
        return FieldRef(topic=e.topic, field=e.field or "")

    def alias(self, base: str) -> str:
        word = re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_") or "value"
        if not re.match(r"[a-z_]", word):
            word = "v_" + word
        out, n = word, 2
        while out in self.aliases:
            out, n = f"{word}_{n}", n + 1
        self.aliases.add(out)
        return out

    # -- pieces ------------------------------------------------------------------------------
    def measure(self, spec: MeasureSpec) -> Measure:
        if spec.func == "share":
            if not spec.condition.of("value"):  # "the share of refunded payments": a count metric of one value
                e = self.resolve(spec.condition, ("metric",))
                counted = self._metric_filter(e.topic, self.vocab.metric(e.topic, e.metric or ""))
                assert counted is not None  # the grammar takes only such metrics
                cond = counted.model_copy(update={"words": spec.condition.text})
                return Measure(alias=self.alias(f"{counted.values[0]}_share"), func="share", condition=cond, words=spec.words)
            e = self.resolve(spec.condition, ("value",))
            cond = Filter(field=self.ref(e), op="=", values=[e.value], words=spec.condition.text)
            return Measure(alias=self.alias(f"{e.value}_share"), func="share", condition=cond, words=spec.words)
        m = spec.target
        if m is None:  # "how much was refunded": the subject's amount
            if spec.func in (None, "count", "count_distinct"):
                return self._agg("count", None, spec, None)
            amount = self.vocab.main_amount(self.source)
            numbers = [
                f.name
                for f in self.vocab.topics[self.source].fields
                if semantic.is_numeric(f.type) and not self.vocab.is_key(self.source, f.name)
            ]
            if amount is None or (spec.own is None and spec.words.strip().lower() in _BARE_AGGS and len(numbers) > 1):
                # "the average per order": an aggregate word alone, over a topic with several numbers: which one?
                raise AskBack(
                    f"Which number of {self.source.replace('_', ' ')} do you mean?", self._number_options(self.source, spec.words)
                )
            own = None
            if spec.own is not None:
                e = self.resolve(spec.own, ("value",))
                own = Filter(field=self.ref(e), op="=", values=[e.value], words=spec.own.text)
            return self._agg(spec.func, FieldRef(topic=self.source, field=amount), spec, None, own)
        value = self._counted_value(spec)
        if value is not None:
            self.counted_values.append(Filter(field=self.ref(value), op="=", values=[value.value], words=m.text))
            return self._agg("count", None, spec, None)
        e = self.resolve(m, ("metric", "field", "topic"))
        func = spec.func
        if e.kind == "metric" and func in ("max", "min", "avg"):
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            if simple is not None and simple[0] in ("count", "count_distinct"):
                # "the highest reading": a size word over a word that is a count and a number reads the number
                numbers = [x for x in m.of("field") if self.vocab.is_numeric(x.topic, x.field or "")]
                if len(numbers) == 1:
                    e = numbers[0]
                else:
                    raise AskBack(
                        f"“{spec.words}”: the {func} of which number?",
                        self._number_options(e.topic, spec.words),
                    )
        if e.kind == "metric":
            metric = self.vocab.metric(e.topic, e.metric or "")
            simple = semantic.simple_metric(metric.expression) if metric else None
            if (
                func in (None, "sum")
                or simple is None
                or (func in ("count", "count_distinct") and simple[0] in ("count", "count_distinct"))
                or (func == "count" and simple[0] == "sum")  # "how many units": the metric that adds the units up
            ):
                if e.topic != self.source:
                    edition = self._metric_on_edition(e, metric, spec)
                    if edition is not None:
                        return edition
                    if simple is None:
                        raise Decline(f"the metric {e.metric} belongs to {e.topic}, not to {self.source}")
                    counted = func in ("count", "count_distinct") or _says_count(spec.words)
                    if counted and simple == ("count", None) and not metric.filter:  # type: ignore[union-attr]
                        # "number of devices that went offline": the things the rows refer to, not the rows
                        reference = self._reference_to(e.topic)
                        if reference is not None:
                            return self._agg("count_distinct", reference, spec, e.metric)
                    return self._agg(simple[0], FieldRef(topic=e.topic, field=simple[1]) if simple[1] else None, spec, e.metric)
                return Measure(alias=self.alias(e.metric or "value"), metric=e.metric, words=spec.words)
            own = self._metric_filter(e.topic, metric)  # "min temperature": the metric's own condition stays
            if simple[1]:
                return self._agg(func, FieldRef(topic=e.topic, field=simple[1]), spec, None, own)
            return self._agg("count", None, spec, None, own)
        if e.kind == "topic":
            if func == "sum" and spec.words.split()[:1] == ["total"] and self._plural_rows(spec.target):
                func = "count"  # "total orders", "running total of orders": how many there are, not an amount
            if func in (None, "count", "count_distinct"):
                if e.topic == self.source:
                    return self._agg("count", None, spec, None)
                reference = self._reference_to(e.topic)  # "how many different products": each product once
                if reference is not None:
                    return self._agg("count_distinct", reference, spec, None)
                return self._agg("count", None, spec, None)
            amount = self.vocab.main_amount(e.topic)
            if amount is None:
                raise AskBack(
                    f"Which number of {e.topic.replace('_', ' ')} do you mean?", self._number_options(e.topic, spec.words)
                )
            length_or_duration(self, e.topic, amount, spec)
            amount = which_number(self, e.topic, amount, spec)
            return self._agg(func, FieldRef(topic=e.topic, field=amount), spec, None)
        ref = self.ref(e)
        numeric = self.vocab.is_numeric(e.topic, e.field or "")
        if func is None:
            func = (
                semantic.default_aggregate(self.vocab.topics[e.topic], e.field or "")
                or level(self, e)
                or ("sum" if numeric else "count_distinct")
            )
        if func in ("count", "count_distinct") and not numeric or func == "count_distinct":
            if self.vocab.is_key(e.topic, e.field or "") or semantic.is_time(self.vocab.ftype(e.topic, e.field or "")):
                return self._agg("count", None, spec, None)
            return self._agg("count_distinct", ref, spec, None)
        if func == "count" and semantic.default_aggregate(self.vocab.topics[e.topic], e.field or "") == "sum" and spec.words:
            # "how many pieces": a number the catalog adds up (its aggregate is sum) counts its own units
            return self._agg("sum", ref, spec, None)
        if func == "count":
            return self._agg("count", None, spec, None)
        if not numeric:
            raise AskBack(
                f"“{m.text}” is not a number: what should I compute?",
                [{"label": f"number of different {m.text}", "question": f"{self.question} (number of different {m.text})"}],
            )
        return self._agg(func, ref, spec, None)

    def _plural_rows(self, m: Mention | None) -> bool:
        last = m.text.split()[-1].lower() if m is not None else ""
        return last.endswith("s") and stem(last) != last

    def _counted_value(self, spec: MeasureSpec) -> Element | None:
        """ "how many electric vans": the counted word is a value of the source table's rows ("vans") and otherwise
        only another topic's reference to that table (a trip's vehicle): the table's rows of that value are counted."""
        m = spec.target
        if m is None or spec.func not in (None, "count") or m.of("metric") or m.of("topic"):
            return None
        values = [x for x in m.of("value") if x.topic == self.source]
        refers = all(
            x.field in {rel.field for rel in self.vocab.topics[x.topic].relationships if rel.target_topic == self.source}
            for x in m.of("field")
        )
        return values[0] if len(values) == 1 and refers and self.vocab.topics[self.source].is_upsert else None

    def _agg(self, func: str, ref: FieldRef | None, spec: MeasureSpec, name: str | None, filter: Filter | None = None) -> Measure:
        if func == "count":
            ref = None
        base = name or (f"{func}_{ref.field}" if ref else self.source if func == "count" else func)
        return Measure(alias=self.alias(base), func=func, field=ref, filter=filter, words=spec.words)  # type: ignore[arg-type]

    def _metric_on_edition(self, e: Element, metric, spec: MeasureSpec) -> Measure | None:
        """The original's metric computed on its twin, the subject (the same records and field names): a plain
        aggregate with the metric's own condition, or a share of one value; None when it cannot be."""
        if not self._edition_computes(e):
            return None
        simple = semantic.simple_metric(metric.expression)
        if simple is not None:
            ref = FieldRef(topic=self.source, field=simple[1]) if simple[1] else None
            return self._agg(simple[0], ref, spec, e.metric, self._metric_filter(self.source, metric))
        cond = semantic.fraction_condition(metric.expression)
        assert cond is not None
        share = Filter(field=FieldRef(topic=self.source, field=cond[0]), op="=", values=[cond[1]], words=spec.words)
        return Measure(alias=self.alias(e.metric or "share"), func="share", condition=share, words=spec.words)

    def _metric_filter(self, topic: str, metric) -> Filter | None:
        """A metric's own condition (`filter: kind = 'temperature'`) as a plan filter, when it is one equality."""
        cond = FILTER_RE.match(str(getattr(metric, "filter", None) or ""))
        if cond is None or self.vocab.topics[topic].field(cond.group(1)) is None:
            return None
        return Filter(
            field=FieldRef(topic=topic, field=cond.group(1)), op="=", values=[cond.group(2)], words=metric.name.replace("_", " ")
        )

    def _number_options(self, topic: str, words: str) -> list[dict]:
        schema = self.vocab.topics[topic]
        nums = [f.name for f in schema.fields if semantic.is_numeric(f.type)]
        return [{"label": f.replace("_", " "), "question": f"{self.question} ({f.replace('_', ' ')})"} for f in nums[:4]]

    def dimension(self, m: Mention) -> Dimension | FieldRef:
        e = self.resolve(m, ("field", "topic"))
        if e.kind == "topic":
            if e.topic == self.source:
                key = (self.vocab.topics[e.topic].primary_key or [None])[0]
                if key is None:
                    raise AskBack(f"By which field of {e.topic}?", [])
                return Dimension(field=FieldRef(topic=e.topic, field=key), words=m.text)
            rel = self.vocab.relationship(self.source, e.topic)
            if rel:
                self.keyed_by.add(e.topic)  # its join is dropped at the end unless another part reads from it
                return Dimension(field=FieldRef(topic=self.source, field=rel[0]), words=m.text)
            key = (self.vocab.topics[e.topic].primary_key or [None])[0]
            self.join_to(e.topic)
            return Dimension(field=FieldRef(topic=e.topic, field=key or ""), words=m.text)
        return Dimension(field=self.ref(e), words=m.text)

    def filter(self, spec) -> Filter:
        if spec.op in ("is_null", "is_not_null"):
            e = self.resolve(spec.mentions[0], ("field", "state"))
            return Filter(field=self.ref(e), op=spec.op, words=spec.words)
        els = [self.resolve(m, ("value",)) for m in spec.mentions]
        fields = {(e.topic, e.field) for e in els}
        if len(fields) > 1:
            raise AskBack(f"“{spec.words}” are values of different fields: which do you mean?", [])
        values = list(dict.fromkeys(e.value for e in els))  # "high street shops": two words for one value
        op = {"in": "=", "not_in": "<>"}.get(spec.op, spec.op) if len(values) == 1 else spec.op
        return Filter(field=self.ref(els[0]), op=op, values=values, words=spec.words)


def _says_count(words: str) -> bool:
    """ "number of devices", "how many clients": the words of a figure count things."""
    low = (words or "").lower().split()
    return any(tuple(low[i : i + len(p)]) == p for i in range(len(low)) for p in phrase_set("count_words"))
