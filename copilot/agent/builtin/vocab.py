"""The catalog's vocabulary: every phrase that names a topic, a field, a value or a metric, built
from the catalog and its annotations only (names, synonyms, value labels and synonyms, metric names),
cached per catalog version. `spans()` finds the longest phrases in a question; `correct()` reads a
misspelt word as the one catalog or lexicon word within a small edit distance."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.agent.builtin import semantic
from copilot.agent.builtin.lexicon import english
from copilot.agent.builtin.text import edit_distance, letter_mask, stem, tokenize, typo_limit
from copilot.catalog import semantic as catalog_semantic
from copilot.catalog.model import TopicSchema


@dataclass(frozen=True)
class Element:
    kind: str  # topic | field | value | metric
    topic: str
    field: str | None = None
    value: str | None = None
    metric: str | None = None

    def label(self) -> str:
        if self.kind == "topic":
            return self.topic.replace("_", " ")
        if self.kind == "metric":
            return f"{self.metric} of {self.topic}"
        if self.kind == "value":
            return f"{self.field} = {self.value} ({self.topic})"
        if self.kind == "state":
            return f"{self.field} {'empty' if self.value == 'is_null' else 'set'} ({self.topic})"
        return f"{self.topic}.{self.field}"


def _money(schema: TopicSchema, name: str, ftype: str) -> bool:
    if not semantic.is_numeric(ftype):
        return False
    unit = semantic.field_annotation(schema, name, "unit")
    currencies = {str(c).upper() for c in english()["currencies"].values()}
    return bool(semantic.currency_field(schema, name)) or (unit is not None and str(unit).upper() in currencies)


def _grammar_words() -> set[str]:
    lex = english()
    words: set[str] = set()
    for key in ("breakdown", "rank_top", "rank_bottom", "share", "distinct", "negations", "chart", "which_words"):
        words |= {str(w).lower() for w in lex[key]}
    for items in lex["aggregates"].values():
        words |= {str(w).lower() for w in items}
    for items in lex["comparisons"].values():
        words |= {str(w).lower() for w in items}
    return words


class Vocabulary:
    MAX_PHRASE = 5

    def __init__(self, topics: dict[str, TopicSchema]):
        self.topics = topics
        self.grammar = _grammar_words()
        self.function = {str(w).lower() for w in english()["function_words"]}
        self._phrases: dict[tuple[str, ...], list[Element]] = {}
        self._exact: dict[tuple[str, ...], list[Element]] = {}
        self.metrics: dict[str, list[semantic.Metric]] = {}
        self.units: dict[str, list[Element]] = {}  # a field's unit word ("items") → the field
        self.unit_words: dict[str, list[Element]] = {}  # a word of a value of a field's unit_field → that field
        self.names: set[str] = set()  # one-word topic and field names: they beat function words
        self.surface: set[str] = set()  # catalog words as written ("readings"), beside their stems ("read")
        self.topic_verbs: set[tuple[str, ...]] = set()  # stems of the catalog's `verbs:` of topics ("bought")
        self.verb_forms: set[str] = set()  # those verbs as written ("sells")
        self.verb_words: set[str] = set()  # past forms of a metric's verb synonym ("sells" → "sold")
        self._corrected: dict[tuple[str, int, bool], tuple[str, ...]] = {}  # typo look-ups already made
        self._by_length: dict[int, dict[int, list[tuple[str, int]]]] = {}
        self.meaning_phrases: list[str] | None = None  # its phrases for reading a word by meaning (meaning.py)
        self.answerable: dict[tuple, list[str]] = {}  # suggestions the planner answers, per retrieved topics
        self._verb_forms_pending: list[tuple[str, Element]] = []
        self._names_to_shorten: list[str] | None = None
        for schema in topics.values():
            self._add_topic(schema)
        for form, te in self._verb_forms_pending:  # after every catalog word: a form the catalog names keeps that meaning
            if not self.lookup([w.lower() for w in tokenize(form)]):
                self._add_verb(form, te)
        self.twins = catalog_semantic.twins(topics)  # twin topic → the topic with the same records
        if self.twins:
            for table in (self._phrases, self._exact):
                for key, bucket in table.items():
                    table[key] = [e for e in bucket if not self._duplicate_of_original(e, bucket)]
        self.words = {w for key in self._phrases for w in key}
        self.partial = self._partial_names()

    def original(self, topic: str) -> str:
        """The topic that records a twin's records (a topic that is no twin is its own)."""
        return self.twins.get(topic, topic)

    def _partial_names(self) -> dict[str, list[tuple[Element, str]]]:
        """A word that is only part of catalog names or phrases ("capacity" of capacity_kg, "volume" of "order
        volume" and "volume sold"): the elements it is part of, each with the phrase that names it. Never read
        silently; the planner asks which one is meant."""
        out: dict[str, list[tuple[Element, str]]] = {}
        singles = {key[0] for key in self._phrases if len(key) == 1} | {key[0].lower() for key in self._exact if len(key) == 1}
        for schema in self.topics.values():
            # a name's every part; a synonym's head noun only ("order volume", never the "gross" of "gross sales")
            named = [(f.name.replace("_", " "), Element("field", schema.topic, f.name), True) for f in schema.fields]
            named += [(syn, Element("field", schema.topic, f.name), False) for f in schema.fields for syn in f.synonyms]
            for m in self.metrics.get(schema.topic, []):
                me = Element("metric", schema.topic, metric=m.name)
                named += [(m.name.replace("_", " "), me, True)] + [(syn, me, False) for syn in m.synonyms]
            for phrase, e, every_part in named:
                parts = [w.lower() for w in tokenize(phrase)]
                if len(parts) < 2:
                    continue
                for word in map(stem, parts if every_part else parts[-1:]):
                    if len(word) < 3 or word in singles or word in self.grammar or word in self.function:
                        continue
                    if e not in [seen for seen, _ in out.setdefault(word, [])]:
                        out[word].append((e, phrase.lower()))
        return out

    def _duplicate_of_original(self, e: Element, bucket: list[Element]) -> bool:
        """A twin's field, value or metric when the topic with the same records has it too: the catalog
        says they hold the same records, so a word names the original (the twin is asked for by name)."""
        original = self.twins.get(e.topic)
        if original is None or e.kind == "topic":
            return False
        return any(
            o.topic == original and (o.kind, o.field, o.value, o.metric) == (e.kind, e.field, e.value, e.metric) for o in bucket
        )

    # -- building ------------------------------------------------------------------------
    def _add(self, words: list[str], element: Element, exact: bool = False, name: bool = False) -> None:
        words = [w for w in words if w]
        if not words:
            return
        if len(words) == 1 and not exact and words[0].lower() in self.grammar:
            return  # grammar wins over a one-word synonym ("total", "count")
        if len(words) == 1 and not exact and not name and words[0].lower() in self.function:
            return
        if name and len(words) == 1:
            self.names.add(stem(words[0]))
        if not exact:
            self.surface.update(w.lower() for w in words if len(w) >= 4)  # typos are matched to words as written too
        key = tuple(words) if exact else tuple(stem(w) for w in words)
        bucket = (self._exact if exact else self._phrases).setdefault(key, [])
        if element not in bucket:
            bucket.append(element)

    def _add_verb(self, verb: str, te: Element) -> None:
        self._add_text(verb, te)
        self.topic_verbs.add(tuple(stem(w.lower()) for w in tokenize(verb)))
        self.verb_forms.add(verb.lower())

    def _add_text(self, text: str, element: Element) -> None:
        self._add([w.lower() for w in tokenize(text)], element)

    def _add_topic(self, schema: TopicSchema) -> None:
        topic = schema.topic
        te = Element("topic", topic)
        self._add(topic.lower().split("_"), te, name=True)
        if "_" in topic:
            self._add([topic.lower()], te, name=True)  # written as the identifier: page_views
        if "_" in topic:
            self._add(["".join(topic.lower().split("_"))], te)
        for syn in schema.synonyms:  # "purchases": the catalog's other names of the topic's rows; like its name,
            words = [w.lower() for w in tokenize(syn)]  # one of them beats a generic word ("events")
            self._add(words, te, name=len(words) == 1)
        for listed in schema.verbs:  # "bought", "drove": the verbs of its events name the topic, not its rows
            self._add_verb(listed, te)
            self._verb_forms_pending += [(form, te) for form in _other_forms(listed)]  # "browsed" → "browsing"
        if catalog_semantic.same_records_as(schema):  # an edition named by its qualifier first: "avro payments"
            parts = topic.lower().split("_")
            if len(parts) == 2:
                self._add([parts[1], parts[0]], te)
                self._add([parts[1], stem(parts[0])], te)
                self._add([parts[1]], te)  # "in the avro feed": the edition's qualifier alone
        if not schema.is_upsert:  # an event is asked about by its verb: "viewed", "ordered"
            head = stem(topic.split("_")[-1])
            if len(head) > 3 and head[-1] not in "aeiouy":
                self._add(topic.lower().split("_")[:-1] + [head + "ed"], te)
                self._add([head + "ed"], te)
        past = {form: participle for participle, forms in english()["irregular_verbs"].items() for form in forms}
        for m in semantic.metrics(schema):
            me = Element("metric", topic, metric=m.name)
            self._add(m.name.lower().split("_"), me)
            for syn in m.synonyms:
                self._add_text(syn, me)
                if syn.lower() in past and past[syn.lower()] not in self.grammar:  # "sells" → "how much was sold"
                    self._add([past[syn.lower()]], me)
                    self.verb_words.add(stem(past[syn.lower()]))
                    self.verb_words.add(stem(syn.lower()))  # "how many pieces did we sell": the verb, not a measure
        self.metrics[topic] = semantic.metrics(schema)
        irregular = {k: v for k, v in english()["irregular_verbs"].items()}
        for f in schema.fields:
            fe = Element("field", topic, f.name)
            unit = semantic.field_annotation(schema, f.name, "unit")
            if unit and semantic.is_numeric(f.type) and str(unit).isalpha() and not str(unit).isupper():
                self.units.setdefault(stem(str(unit)), []).append(fe)
            unit_field = semantic.field_annotation(schema, f.name, "unit_field")
            if unit_field and semantic.is_numeric(f.type) and schema.field(str(unit_field)) is not None:
                for code, (label, syns) in semantic.values(schema, str(unit_field)).items():
                    for w in [code] + tokenize(label) + [x for s in syns for x in tokenize(s)]:
                        low = w.lower()
                        if not w.isalpha() or len(w) < 2 or low in self.function or low in _time_unit_words():
                            continue  # "millimetres per second": only the unit's own words, never grammar
                        if fe not in self.unit_words.setdefault(stem(w), []):
                            self.unit_words[stem(w)].append(fe)
            for word, state in ((w, "is_not_null") for w in semantic.field_annotation(schema, f.name, "present_words") or []):
                self._add_text(str(word), Element("state", topic, f.name, state))
            for word in semantic.field_annotation(schema, f.name, "absent_words") or []:
                self._add_text(str(word), Element("state", topic, f.name, "is_null"))
            parts = f.name.lower().split("_")
            self._add(parts, fe, name=len(parts) == 1)
            if len(parts) > 1:
                self._add([f.name.lower()], fe, name=True)  # written as the identifier: order_time
            for syn in f.synonyms:
                self._add_text(syn, fe)
            for code, (label, synonyms) in semantic.values(schema, f.name).items():
                ve = Element("value", topic, f.name, code)
                words = code.replace("_", " ").split()
                if len(code) <= 3 or code.isupper():
                    self._add(words, ve, exact=True)
                else:
                    self._add([w.lower() for w in words], ve)
                    low = code.lower()
                    if low.endswith("ed") and len(words) == 1:  # declined → decline(s)
                        self._add([low[:-1]], ve)
                        self._add([low[:-2]], ve)
                        if low.endswith("ized"):  # authorized → authorization
                            self._add([low[:-2] + "ation"], ve)
                    for verb in irregular.get(low, []) if len(words) == 1 else []:
                        self._add([verb], ve)
                main = re.sub(r"\(.*?\)", "", label).strip()
                if main and main.lower() != code.lower():
                    self._add_text(main, ve)
                for inner in re.findall(r"\((.*?)\)", label):
                    self._add_text(inner, ve)
                for syn in synonyms:
                    if len(syn) <= 3 and syn.isupper():
                        self._add(syn.split(), ve, exact=True)
                        low_syn = syn.lower()  # "uk", "usa" typed in lower case; never "us" or "it"
                        if low_syn.isalpha() and low_syn not in self.function and low_syn not in self.grammar:
                            self._add([low_syn], ve, exact=True)
                    else:
                        self._add_text(syn, ve)
                        low_syn = syn.lower()
                        if " " not in low_syn and low_syn.endswith("ed") and len(low_syn) > 4:
                            self._add([low_syn[:-2]], ve)  # "failed" → "fail", "fails"
                            self._add([low_syn[:-1]], ve)

        self._add_money_words(schema)

    def _add_money_words(self, schema: TopicSchema) -> None:
        """ "the most money": the topic's amount recorded in a currency (its main amount when it has several)."""
        money = [f.name for f in schema.fields if _money(schema, f.name, f.type)]
        if len(money) > 1:
            main = self.main_amount(schema.topic)
            money = [main] if main in money else []
        for name in money:
            for word in english()["money_words"]:
                self._add_text(str(word), Element("field", schema.topic, name))

    # -- reading -------------------------------------------------------------------------
    def lookup(self, words: list[str]) -> list[Element]:
        found = list(self._exact.get(tuple(words), []))
        found += [e for e in self._phrases.get(tuple(stem(w) for w in words), []) if e not in found]
        topics = {e.topic for e in found if e.kind == "topic"}
        # a topic's name that is also a synonym of its own count metric names the topic
        return [e for e in found if not (e.kind == "metric" and e.topic in topics)]

    def correct(self, word: str, extra: set[str], as_written: bool = False) -> list[str]:
        """Catalog or lexicon words within the typo limit of `word`, closest first; `as_written`: the
        word itself only, not its stem (a real word's ending is meant: "costing" is not "lost")."""
        limit = typo_limit(word)
        if not limit:
            return []
        low = word.lower()
        key = (low, id(extra), as_written)
        if key in self._corrected:
            return list(self._corrected[key])
        by_length = self._by_length.get(id(extra))
        if by_length is None:  # candidate words by length, once per extra set (the lexicon's sets are cached)
            by_length = {}
            for cand in self.words | self.surface | extra:
                if len(cand) >= 4:
                    by_length.setdefault(len(cand), []).append((cand, letter_mask(cand)))
            self._by_length[id(extra)] = by_length
        forms = {low} if as_written else {low, stem(low)}  # "ordrs" is one letter from the stem "order"
        masks = [(f, letter_mask(f)) for f in forms]
        best: dict[int, list[str]] = {}
        lengths = {n for f in forms for n in range(len(f) - limit, len(f) + limit + 1)}
        for n in lengths:
            bucket = by_length.get(n, ())
            for f, m in masks:  # text.letters_within, inline (a hot loop): most candidates stop here
                for cand in [c for c, cm in bucket if (m & ~cm).bit_count() <= limit and (cm & ~m).bit_count() <= limit]:
                    d = edit_distance(f, cand, limit)
                    if d <= limit and cand not in best.get(d, ()):
                        best.setdefault(d, []).append(cand)
        out = sorted(set(best[min(best)])) if best else []
        if len(out) > 1 and not as_written:  # "loosing": losing (one slip as typed) before loss/look (via the stem)
            typed = [c for c in out if edit_distance(low, c, limit) <= min(best)]
            if typed:
                out = typed
        if len(out) > 1:  # "oders": order (catalog) or older/over (grammar) — the catalog's word names data, prefer it
            named = {stem(c) for c in out if c in self.words or c in self.surface}
            if len(named) == 1 and low.endswith("s"):
                out = [named.pop()]
        if len(self._corrected) > 4096:
            self._corrected.clear()
        self._corrected[key] = tuple(out)
        return out

    def abbreviation(self, word: str) -> list[str]:
        """The one catalog name (of a topic, field or metric, one word) that `word` begins, at least two
        letters longer ("rev" → revenue); nothing when several names begin with it."""
        low = word.lower()
        if len(low) < 3 or not low.isalpha():
            return []
        if self._names_to_shorten is None:  # the catalog's one-word names, once (the phrases are complete by now)
            self._names_to_shorten = sorted(
                key[0]
                for key, bucket in self._phrases.items()
                if len(key) == 1 and "_" not in key[0] and any(e.kind in ("topic", "field", "metric") for e in bucket)
            )
        found = {name for name in self._names_to_shorten if name.startswith(low) and len(name) >= len(low) + 2}
        return sorted(found) if len(found) == 1 else []

    # -- catalog facts ---------------------------------------------------------------------
    def ftype(self, topic: str, field: str) -> str:
        f = self.topics[topic].field(field)
        return f.type if f else ""

    def is_numeric(self, topic: str, field: str) -> bool:
        return semantic.is_numeric(self.ftype(topic, field))

    def is_key(self, topic: str, field: str) -> bool:
        return field in (self.topics[topic].primary_key or [])

    def metric(self, topic: str, name: str) -> semantic.Metric | None:
        return next((m for m in self.metrics.get(topic, []) if m.name == name), None)

    def main_amount(self, topic: str) -> str | None:
        """The number a bare comparison or a size word ("orders over 100", "the biggest orders") is
        about: the field of the topic's first metric, else its one field with a currency, else its
        only decimal field."""
        schema = self.topics[topic]
        for m in self.metrics.get(topic, []):
            simple = semantic.simple_metric(m.expression)
            if simple and simple[1] and self.is_numeric(topic, simple[1]):
                return simple[1]
        money = [f.name for f in schema.fields if semantic.currency_field(schema, f.name)]
        if len(money) == 1:
            return money[0]
        decimals = [f.name for f in schema.fields if f.type.upper().startswith(("DECIMAL", "DOUBLE", "FLOAT"))]
        return decimals[0] if len(decimals) == 1 else None

    def relationship(self, a: str, b: str) -> tuple[str, str] | None:
        """(field of a, field of b) when a catalog relationship links them, either direction."""
        for rel in self.topics[a].relationships:
            if rel.target_topic == b:
                return rel.field, rel.target_field
        for rel in self.topics[b].relationships if b in self.topics else []:
            if rel.target_topic == a:
                return rel.target_field, rel.field
        return None

    def references(self, a: str, b: str) -> bool:
        return any(rel.target_topic == b for rel in self.topics[a].relationships)

    def path(self, source: str, target: str, hops: int = 2) -> list[str] | None:
        """Topics from source to target along relationships (source excluded), shortest first."""
        frontier = [[source]]
        for _ in range(hops):
            nxt = []
            for p in frontier:
                chained = len(p) > 1 and self.topics[p[-1]].is_upsert
                if chained and self.topics[p[0]].is_upsert:
                    continue  # an upsert table is looked up as of an event's time: from a table, it leads nowhere further
                for t in self.topics:
                    if self.topics[p[-1]].is_upsert and not self.references(p[-1], t):
                        continue  # a table's rows are not multiplied by the events that name them
                    if chained and not self.topics[t].is_upsert:
                        continue  # events → devices → sites: a chain of lookups, all as of the event's time
                    if t not in p and self.relationship(p[-1], t):
                        if t == target:
                            return p[1:] + [t]
                        nxt.append(p + [t])
            frontier = nxt
        return None


def _other_forms(verb: str) -> list[str]:
    """The -ing and -s forms of a catalog verb listed in the past ("browsed" → "browsing", "browses"; "dropped" →
    "dropping"; "landed on" → "landing on"): a question says a verb in any form."""
    first, _, rest = verb.partition(" ")
    low = first.lower()
    if not low.endswith("ed") or len(low) < 5:
        return []
    base = low[:-2]  # "dropp", "brows", "visit": -ing goes on as it is
    doubled = base[-1] == base[-2] and base[-1] not in "aeiouls"
    forms = {base + "ing"} | ({base[:-1] + "s"} if doubled else {base + "s", low[:-1] + "s"})  # one of the two is the word
    return [f"{form} {rest}".strip() for form in sorted(forms)]


def _time_unit_words() -> set[str]:
    from copilot.agent.builtin.lexicon import time_words

    return {str(w).lower() for words in time_words()["units"].values() for w in words}


_CACHE: dict[int, tuple[object, Vocabulary]] = {}


def vocabulary_for(topics: dict[str, TopicSchema]) -> Vocabulary:
    """One index per catalog version (the store returns a new dict when files change)."""
    key = id(topics)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is topics:
        return hit[1]
    vocab = Vocabulary(topics)
    while len(_CACHE) >= 4:  # a few catalogs at once (tests, several stores); the oldest goes
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (topics, vocab)
    return vocab
