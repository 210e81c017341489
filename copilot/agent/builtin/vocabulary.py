"""Catalog words: which phrases of a question name a topic, a field or a known value.

Everything here is derived from the catalog (topic names, field names, synonyms, value labels);
the only built-in English is grammar (stemming, demonyms, words that are never field names)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.catalog.model import TopicSchema

TOKEN_RE = re.compile(r"\d+(?:\.\d+)?k?|[A-Za-z][A-Za-z0-9_']*|[<>]=?|%|\$|€")

# Grammar words that are never a one-word field name even if a catalog lists them as a synonym.
GRAMMAR_WORDS = {
    "make", "total", "result", "show", "top", "share", "rate", "count", "number", "average", "mean",
    "sum", "maximum", "minimum", "peak", "most", "least", "each", "every", "per", "by", "all", "it",
    "now", "only", "just", "instead", "chart", "live", "today", "last", "new",
}

# Adjectives and short names people use for countries; resolved through the catalog's labels.
DEMONYMS = {
    "german": "germany", "french": "france", "dutch": "netherlands", "holland": "netherlands",
    "belgian": "belgium", "spanish": "spain", "italian": "italy", "british": "united kingdom",
    "uk": "united kingdom", "england": "united kingdom", "american": "united states",
    "usa": "united states", "america": "united states", "canadian": "canada", "polish": "poland",
    "swedish": "sweden", "austrian": "austria",
}


# Irregular past participles a status value may be written as, with the verb people ask with
# ("which carrier loses the most parcels" → status = 'lost').
IRREGULAR_PARTICIPLES = {
    "lost": ("lose", "loses", "losing"), "sold": ("sell", "sells", "selling"), "paid": ("pay", "pays", "paying"),
    "sent": ("send", "sends", "sending"), "bought": ("buy", "buys", "buying"), "held": ("hold", "holds"),
    "built": ("build", "builds"), "spent": ("spend", "spends"), "won": ("win", "wins"), "left": ("leave", "leaves"),
}


def stem(word: str) -> str:
    w = word.lower()
    if len(w) > 6 and w.endswith("ing") and w[-4] not in "aeiou" and w[-5] != w[-4]:
        return w[:-3]  # ordering → order
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokenize(text: str) -> list[str]:
    """Tokens with their original case (codes like `DE` or `US` are only matched as written)."""
    return TOKEN_RE.findall(text.replace("-", " ").replace("/", " "))


@dataclass(frozen=True)
class Mention:
    kind: str  # topic | field | value
    topic: str
    field: str | None = None
    value: str | None = None


@dataclass
class Span:
    start: int
    end: int  # exclusive token index
    text: str
    mentions: list[Mention]

    def topics(self) -> set[str]:
        return {m.topic for m in self.mentions}

    def of_kind(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]


def _phrase_key(words: list[str]) -> tuple[str, ...]:
    return tuple(stem(w) for w in words)


class Vocabulary:
    """Phrase → meanings for one catalog; `spans(tokens)` finds them in a question, longest first."""

    MAX_PHRASE = 5

    def __init__(self, topics: dict[str, TopicSchema]):
        self.topics = topics
        self._phrases: dict[tuple[str, ...], list[Mention]] = {}
        self._exact_case: dict[tuple[str, ...], list[Mention]] = {}  # short codes: match as written only
        self.event_verbs: set[str] = set()  # "viewed", "ordered": an event topic named by its verb
        for schema in topics.values():
            self._add_topic(schema)

    def _add(self, words: list[str], mention: Mention, exact_case: bool = False) -> None:
        words = [w for w in words if w]
        if not words or (len(words) == 1 and words[0].lower() in GRAMMAR_WORDS):
            return
        if exact_case:
            key = tuple(words)
            table = self._exact_case
        else:
            key = _phrase_key(words)
            table = self._phrases
        bucket = table.setdefault(key, [])
        if mention not in bucket:
            bucket.append(mention)

    def _add_topic(self, schema: TopicSchema) -> None:
        topic = schema.topic
        self._add(topic.split("_"), Mention("topic", topic))
        if "_" in topic:
            self._add(["".join(topic.split("_"))], Mention("topic", topic))
        if not schema.is_upsert:  # an event is asked about by its verb: "most viewed", "ordered"
            head = stem(topic.split("_")[-1])
            if len(head) > 3 and head[-1] not in "aeiouy":
                self._add([head + "ed"], Mention("topic", topic))
                self.event_verbs.add(head + "ed")
        for f in schema.fields:
            fm = Mention("field", topic, f.name)
            self._add(f.name.split("_"), fm)
            for syn in f.synonyms:
                self._add(tokenize(syn), fm)
            for code, label in (f.values or {}).items():
                vm = Mention("value", topic, f.name, str(code))
                code_words = str(code).replace("_", " ").split()
                if len(str(code)) <= 3 or str(code).isupper():
                    self._add(code_words, vm, exact_case=True)
                else:
                    self._add([w.lower() for w in code_words], vm)
                    if str(code).endswith("ed") and len(code_words) == 1:  # declined → decline(s)
                        self._add([str(code)[:-1].lower()], vm)
                        self._add([str(code)[:-2].lower()], vm)
                        if str(code).lower().endswith("ized"):  # authorized → authorization(s)
                            self._add([str(code)[:-2].lower() + "ation"], vm)
                    for verb in IRREGULAR_PARTICIPLES.get(str(code).lower(), ()) if len(code_words) == 1 else ():
                        self._add([verb], vm)
                label = str(label or "")
                main = re.sub(r"\(.*?\)", "", label).strip()
                self._add(tokenize(main.lower()), vm)
                for inner in re.findall(r"\((.*?)\)", label):
                    self._add(tokenize(inner.lower()), vm)
                for demonym, name in DEMONYMS.items():
                    if name == main.lower():
                        self._add([demonym], vm)

    def spans(self, tokens: list[str]) -> list[Span]:
        found: list[Span] = []
        i = 0
        while i < len(tokens):
            match = None
            for n in range(min(self.MAX_PHRASE, len(tokens) - i), 0, -1):
                words = tokens[i : i + n]
                mentions = list(self._exact_case.get(tuple(words), []))
                mentions += [m for m in self._phrases.get(_phrase_key(words), []) if m not in mentions]
                if mentions:
                    topics = {m.topic for m in mentions if m.kind == "topic"}
                    if topics:  # a topic's own name beats another topic's field or value called the same
                        mentions = [m for m in mentions if m.kind == "topic" or (m.kind == "field" and m.topic in topics)]
                    match = Span(i, i + n, " ".join(words), mentions)
                    break
            if match:
                found.append(match)
                i = match.end
            else:
                i += 1
        return found

    # -- catalog facts the planner needs -------------------------------------------------
    def field_type(self, topic: str, field: str) -> str:
        f = self.topics[topic].field(field)
        return f.type.upper() if f else ""

    def is_numeric(self, topic: str, field: str) -> bool:
        return self.field_type(topic, field).startswith(("INT", "BIGINT", "SMALLINT", "TINYINT", "DECIMAL", "DOUBLE", "FLOAT"))

    def is_time(self, topic: str, field: str) -> bool:
        return self.field_type(topic, field).startswith(("TIMESTAMP", "DATE", "TIME"))

    def is_key(self, topic: str, field: str) -> bool:
        schema = self.topics[topic]
        return field in (schema.primary_key or []) or field == f"{topic.rstrip('s')}_id"

    def main_number(self, topic: str) -> str | None:
        """The number a bare comparison or ranking ("orders over 100") is about: the total/value field."""
        fields = [f for f in self.topics[topic].fields if self.is_numeric(topic, f.name)]
        if not fields:
            return None

        def weight(f) -> tuple:
            words = " ".join([f.name, f.description, *f.synonyms]).lower()
            return (f.type.upper().startswith("DECIMAL"), "total" in words or "value" in words, f.name == "amount")

        return max(fields, key=weight).name

    def relationship(self, source: str, target: str):
        """The catalog relationship from `source` to `target`, either direction: (src_field, tgt_field)."""
        for rel in self.topics[source].relationships:
            if rel.target_topic == target and target in self.topics:
                return rel.field, rel.target_field
        for rel in self.topics.get(target, TopicSchema(target)).relationships:
            if rel.target_topic == source:
                return rel.target_field, rel.field
        return None

    def references(self, source: str, target: str) -> bool:
        """True when `source` holds a foreign key to `target` (many source rows per target row)."""
        return any(rel.target_topic == target for rel in self.topics[source].relationships)
