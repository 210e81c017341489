"""Tag a question's tokens: catalog phrases (mentions), lexicon roles, numbers and currencies, with
misspellings corrected. The result is the input of the grammar in `read.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from copilot.agent.builtin import semantic
from copilot.agent.builtin.lexicon import english, phrases, time_words
from copilot.agent.builtin.text import (
    edit_distance,
    is_identifier,
    letter_mask,
    letters_within,
    number_value,
    stem,
    tokenize,
)
from copilot.agent.builtin.timewords import GAP
from copilot.agent.builtin.vocab import Element, Vocabulary
from copilot.catalog.embedding import english_words

# Roles in priority order: when a phrase has several, the first wins.
ROLES = (
    "list_cue",
    "duration_questions",
    "out_of_scope",
    "clear_filters",
    "negations",
    "comparisons",
    "within_words",
    "share",
    "distinct",
    "aggregates",
    "rank_top",
    "rank_bottom",
    "side_by_side",
    "breakdown",
    "which_words",
    "chart",
    "null_words",
    "present_words",
    "versus",
    "list_joiners",
    "followup_words",
    "function_words",
    "light_words",
)


AUXILIARIES = {"are", "is", "were", "was", "be", "been", "being"}
_NOTHING: set[str] = set()


@lru_cache(maxsize=1)
def lexicon_table() -> dict[tuple[str, ...], tuple[str, object]]:
    lex = english()
    table: dict[tuple[str, ...], tuple[str, object]] = {}

    def put(items, role, arg=None):
        for p in phrases(items):
            table.setdefault(p, (role, arg))

    for role in ROLES:
        if role == "comparisons":
            for op, items in lex["comparisons"].items():
                put(items, "cmp", op)
        elif role == "aggregates":
            for func, items in lex["aggregates"].items():
                put(items, "agg", func)
        elif role == "followup_words":
            put(lex["followup"], "followup")
        elif role == "within_words":
            put(lex["within_words"], "within")
        elif role == "list_cue":
            put([p for p in lex["list_strong"] if " " in str(p)], "list_cue")  # "one by one", "as they end"
        else:
            put(lex[role], role)
    for word, code in lex["currencies"].items():
        table.setdefault((str(word).lower(),), ("currency", code))
    for kind, items in lex["recency"].items():
        for w in items:
            table.setdefault((str(w).lower(),), ("recency", kind))
    for w in lex["long_periods"]:
        table.setdefault((str(w).lower(),), ("long_period", None))
    times = time_words()
    for unit, items in times["units"].items():
        for w in items:
            table.setdefault((str(w).lower(),), ("time_unit", unit))
    for w, unit in times["adverbs"].items():
        table.setdefault((str(w).lower(),), ("time_unit", unit))
    for w in window_words():
        table.setdefault((w,), ("time_word", None))  # words of the window phrases: known, read by timewords
    return table


@lru_cache(maxsize=1)
def window_words() -> set[str]:
    """Every word of the window phrases (lexicon/time.yaml) and the time units."""
    times = time_words()
    words: set[str] = set()
    for key in ("slide", "slide_bare", "last", "today", "so_far_unit", "every", "windows", "idle", "gap", "session_named"):
        for w in re.findall(r"[a-z]{3,}", str(times[key]).replace("\\b", " ").replace("\\s", " ")):
            words |= {w, stem(w)}
    for items in times["units"].values():
        words |= {str(w).lower() for w in items if len(str(w)) >= 3}
    return words


@lru_cache(maxsize=1)
def correction_targets() -> set[str]:
    """The words a misspelling outside the catalog may be read as: window phrases and grammar words."""
    return window_words() | grammar_words()


@lru_cache(maxsize=1)
def grammar_words() -> set[str]:
    """Grammar words a misspelling is read as ("insted" → instead, "abvoe" → above): lexicon/english.yaml
    `typo_targets`, each long enough that one edit does not reach another word."""
    return {str(w).lower() for w in english().get("typo_targets", []) if len(str(w)) >= 5}


@lru_cache(maxsize=1)
def lexicon_words() -> set[str]:
    """Lexicon words a misspelling may be read as: not function words (a typo of a content word
    must not vanish into grammar)."""
    return {
        w
        for key, (role, _) in lexicon_table().items()
        if role not in ("function_words", "light_words")
        for w in key
        if len(w) >= 4
    }


@dataclass
class Mention:
    start: int
    end: int
    text: str
    elements: list[Element]
    used: bool = False
    qualifier: bool = False  # names the topic of the mention next to it

    def topics(self) -> set[str]:
        return {e.topic for e in self.elements}

    def of(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]


@dataclass
class Tok:
    i: int
    text: str
    low: str
    role: str | None = None
    arg: object = None
    mention: Mention | None = None
    number: float | None = None
    used: bool = False
    phrase_start: int = -1  # the first token of the lexicon phrase this token belongs to
    phrasal: int = -1  # a particle's verb ("went" of "went through"): the two are one unknown phrase


@dataclass
class Tagged:
    toks: list[Tok]
    mentions: list[Mention]
    corrections: list[tuple[str, str]] = field(default_factory=list)
    ambiguous_typos: list[tuple[str, list[str]]] = field(default_factory=list)

    def mention_at(self, i: int) -> Mention | None:
        return next((m for m in self.mentions if m.start == i), None)


def tag(text: str, vocab: Vocabulary) -> Tagged:
    lex = english()
    table = lexicon_table()
    numbers = {str(k): int(v) for k, v in lex["numbers"].items()}
    suffixes = {str(k): int(v) for k, v in lex["number_suffixes"].items()}
    words = tokenize(text)
    toks = [Tok(i, w, w.lower()) for i, w in enumerate(words)]
    for t in toks:
        if t.low == GAP:  # where a time phrase was read: grammar, not content
            t.role = "function_words"
    tagged = Tagged(toks, [])
    # misspellings: a word neither the catalog nor the lexicon knows, close to exactly one that they do
    for t in toks:
        if _known(t, vocab) or number_value(t.low, {}, suffixes) is not None or t.low in numbers:
            continue  # a number word ("five") is never a misspelling of a catalog word ("live")
        if real_word(t.low):  # a real word ("actually", "costing", "fridges") is only a slip for a catalog word
            cands = vocab.correct(t.low, _NOTHING, as_written=True)
        else:
            cands = vocab.correct(t.low, lexicon_words())
        cands = list(dict.fromkeys(stem(c) if c in vocab.words or c in vocab.surface else c for c in cands))
        roles = {table.get((c,)) for c in cands}
        if len(cands) > 1 and len(roles) == 1 and None not in roles and not any(c in vocab.words for c in cands):
            cands = cands[:1]  # "minuts": minute or minutes, the same word to the grammar
        if len(cands) > 1 and _one_family(cands):
            cands = [max(cands, key=len)]  # "drivn": drive or driven, forms of one word
        if not cands or not any(c in vocab.words for c in cands):
            cands = vocab.abbreviation(t.low) or cands  # "rev", "cust": the one catalog name it begins
        if (
            len(cands) == 1
            and real_word(t.low)
            and (t.low[0] != cands[0][0] or _longer_word(t.low, cands[0]))
            and len(t.low) >= 5
        ):
            tagged.ambiguous_typos.append((t.text, cands))  # "fridge" → "bridge", "table" → "tablet": a real word
        elif len(cands) == 1:
            tagged.corrections.append((t.text, cands[0]))
            t.low = cands[0]  # the text stays as written: messages quote the user's word
        elif len(cands) > 1:
            tagged.ambiguous_typos.append((t.text, cands[:4]))
    toks = tagged.toks = _of_inverted(toks, vocab)
    coded = [_codeish(t.text) for t in toks]  # once per token: every phrase length below looks at it
    as_written = [t.text if c else t.low for t, c in zip(toks, coded)]
    i = 0
    while i < len(toks):
        cat_n, elements = 0, []
        for n in range(min(Vocabulary.MAX_PHRASE, len(toks) - i), 0, -1):
            found = vocab.lookup(as_written[i : i + n])
            if not found and any(coded[i : i + n]):
                found = [e for e in vocab.lookup([t.low for t in toks[i : i + n]]) if e.kind != "value" or len(e.value or "") > 3]
            if found:
                cat_n, elements = n, found
                break
        lex_n, lex_hit = 0, None
        for n in range(min(5, len(toks) - i), 0, -1):
            hit = table.get(tuple(t.low for t in toks[i : i + n]))
            if hit:
                lex_n, lex_hit = n, hit
                break
        if cat_n > 1 and lex_n == 1 and lex_hit[0] not in ("function_words", "light_words", "currency") and i + 1 < len(toks):
            # "average basket size": the grammar word starts the phrase, the catalog phrase after it reaches further
            for n in range(min(Vocabulary.MAX_PHRASE, len(toks) - i - 1), 0, -1):
                if i + 1 + n > i + cat_n and vocab.lookup([t.low for t in toks[i + 1 : i + 1 + n]]):
                    cat_n = 0
                    break
        if cat_n > 1 and not lex_n:
            # "fuel consumption per 100 km": a catalog phrase starting inside this one reaches two words further,
            # and the words before it name the same topic: the longer phrase wins, the first words stand alone
            for k in range(1, cat_n):
                later, tail = 0, []
                for n in range(min(Vocabulary.MAX_PHRASE, len(toks) - i - k), cat_n - k + 1, -1):
                    tail = vocab.lookup([t.low for t in toks[i + k : i + k + n]])
                    if tail:
                        later = n
                        break
                head = vocab.lookup([t.low for t in toks[i : i + k]]) if later else []
                if head and {e.topic for e in head} & {e.topic for e in tail}:
                    cat_n, elements = k, head
                    break
        if cat_n <= 1 and i + 2 < len(toks) and toks[i + 1].low in AUXILIARIES:
            # "sensors are reporting": a two-word catalog phrase with an auxiliary between its words
            found = vocab.lookup([toks[i].low, toks[i + 2].low])
            if found and not table.get((toks[i + 2].low,), ("", None))[0] in ("cmp", "negations"):
                cat_n, elements = 3, found
        # a catalog phrase wins when longer, or as long and not a function word (unless written as a code)
        if cat_n and (
            cat_n > lex_n
            or (cat_n == lex_n and (cat_n > 1 or lex_hit[0] != "function_words" or not _weak(elements, toks[i], vocab)))
        ):
            m = Mention(i, i + cat_n, " ".join(t.text for t in toks[i : i + cat_n]), elements)
            tagged.mentions.append(m)
            for t in toks[i : i + cat_n]:
                t.mention = m
            i += cat_n
            continue
        if lex_n:
            for t in toks[i : i + lex_n]:
                t.role, t.arg, t.phrase_start = lex_hit[0], lex_hit[1], i
            i += lex_n
            continue
        value = number_value(toks[i].low, {}, suffixes)
        if value is not None:
            toks[i].role, toks[i].number = "number", value
        elif toks[i].low in numbers:
            toks[i].number = float(numbers[toks[i].low])
        i += 1
    for t in toks:  # number words ("top five") keep their role but carry a value
        if t.number is None and t.low in numbers:
            t.number = float(numbers[t.low])
    _identifiers(tagged, vocab)
    _kind_after_model(tagged)
    _value_numbers(toks)
    _particles(toks)
    return tagged


def _value_numbers(toks: list[Tok]) -> None:
    """ "phone number", "card numbers": "number" right after a value word (not "number of") names an attribute of
    that value the catalog may not hold, never nothing: it is a content word, asked about like any other."""
    for a, b in zip(toks, toks[1:]):
        after = toks[b.i + 1].low if b.i + 1 < len(toks) else ""
        if b.low in ("number", "numbers") and b.role == "function_words" and after != "of" and a.mention is not None:
            if a.mention.end == b.i and all(e.kind == "value" for e in a.mention.elements):
                b.role = None


def _identifiers(tagged: Tagged, vocab: Vocabulary) -> None:
    """ "the orders of customer C-1042", "parcel SH-55120", "firmware 4.2.1": an identifier the catalog does not
    list, right after a word naming a topic or a text field, is a value of that topic's key (or of the fields
    that refer to it) or of that field. Without such a word it stays unknown and is asked about."""
    toks = tagged.toks
    for t in toks:
        if t.mention is not None or not is_identifier(t.text) or t.i == 0:
            continue
        before = toks[t.i - 1].mention
        if before is None or before.end != t.i:
            continue
        elements = []
        for e in before.elements:
            if e.kind == "topic":
                elements += _key_values(vocab, e.topic, t.text)
            elif e.kind == "field" and not semantic.is_numeric(vocab.ftype(e.topic, e.field or "")):
                elements.append(Element("value", e.topic, e.field, t.text))
        elements = list(dict.fromkeys(elements))
        if not elements:
            continue
        m = Mention(before.start, t.i + 1, f"{before.text} {t.text}", elements)
        tagged.mentions[tagged.mentions.index(before)] = m
        t.role, t.number = None, None
        for x in toks[m.start : m.end]:
            x.mention = m


def _kind_after_model(tagged: Tagged) -> None:
    """ "the TH-200 sensors", "GW-1 gateways": a kind named right after a model code of the same rows is the noun the
    code qualifies (a TH-200 is a sensor), not a second condition."""
    for a, b in zip(list(tagged.mentions), list(tagged.mentions[1:])):
        codes = a.of("value")
        if a.end != b.start or not codes or len(codes) != len(a.elements) or not all(is_identifier(e.value or "") for e in codes):
            continue
        kinds = [e for e in b.of("value") if any(e.topic == c.topic and e.field != c.field for c in codes)]
        if not kinds or b.of("topic") or b.of("metric"):
            continue
        tagged.mentions.remove(b)
        for t in tagged.toks[b.start : b.end]:
            t.mention, t.role, t.used = None, "function_words", True


def _key_values(vocab: Vocabulary, topic: str, code: str) -> list[Element]:
    """The topic's own key equal to the identifier, and each field of another topic that refers to that key."""
    key = vocab.topics[topic].primary_key or []
    if len(key) != 1:
        return []
    out = [Element("value", topic, key[0], code)]
    for other, schema in vocab.topics.items():
        for rel in schema.relationships:
            if rel.target_topic == topic and rel.target_field == key[0]:
                out.append(Element("value", other, rel.field, code))
    return out


def _of_inverted(toks: list[Tok], vocab: Vocabulary) -> list[Tok]:
    """ "the type of the device": a field of a topic named the other way round from the catalog's phrase ("device
    type") is read as that phrase; only when the topic word names that field's topic and the phrase is a field."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        a = toks[i]
        k = i + 2 if i + 1 < len(toks) and toks[i + 1].low == "of" else 0
        if k and k < len(toks) and toks[k].low in _OF_DETERMINERS:
            k += 1
        if k and k < len(toks) and a.low.isalpha() and toks[k].low.isalpha() and _plain_noun(a.low):
            b = toks[k]
            whole = vocab.lookup([b.low, a.low])
            topics = {e.topic for e in vocab.lookup([b.low]) if e.kind == "topic"}
            if whole and all(e.kind == "field" and e.topic in topics for e in whole):
                out += [b, a]
                i = k + 1
                continue
        out.append(a)
        i += 1
    if len(out) != len(toks):
        for n, t in enumerate(out):
            t.i = n
    return out


def _plain_noun(word: str) -> bool:
    """Not a grammar word ("number of orders" is a count, not the catalog's "order number"); "type" and "kind" are
    light words, fine."""
    table = lexicon_table()
    return (word, "of") not in table and table.get((word,), ("function_words", None))[0] in ("function_words", "light_words")


_OF_DETERMINERS = {"the", "each", "every", "a", "an", "its", "their", "that", "this"}


def _particles(toks: list[Tok]) -> None:
    """ "payments that went through", "devices that are down": a particle with no object after a verb or after
    "is/are" carries the meaning, so it is content (role None), read by the catalog or asked about; the verb of a
    phrasal verb becomes part of that unknown phrase. Plain phrasal verbs ("broken down by") stay grammar."""
    lex = english()
    particles = {str(w) for w in lex["particles"]}
    plain = {tuple(str(p).split()) for p in lex["plain_phrasal_verbs"]}
    pronouns, object_start = {str(w) for w in lex["object_pronouns"]}, {str(w) for w in lex["object_starts"]}
    not_verbs = {str(w) for w in lex["not_verbs"]} | particles
    prepositions = {str(w) for w in lex["particle_prepositions"]}
    for i, t in enumerate(toks):
        if i == 0 or t.low not in particles or t.mention is not None or t.role not in ("function_words", None):
            continue
        if 0 <= t.phrase_start < i:
            continue  # "heads up": a lexicon phrase of its own
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        v = i - 1
        if toks[v].low in pronouns and v > 0:
            v -= 1  # "break it down by channel"
        verb = toks[v]
        has_object = nxt is not None and (
            nxt.mention is not None or nxt.number is not None or nxt.low in object_start or nxt.role == "cmp"
        )
        split = any((toks[k].low, t.low) in plain for k in range(max(0, i - 4), i))  # "break revenue down by"
        preposition = nxt is not None and nxt.low in prepositions  # "runs out of each depot"
        if verb.mention is not None and v == i - 1 and not has_object and not split and not preposition:
            t.role = None  # "devices up", "sensors down": the rows' state, said without a verb
            continue
        if (verb.low, t.low) in plain or verb.mention is not None or verb.number is not None:
            continue
        if has_object and verb.role is not None:
            continue  # "went through the app", "out of stock": a preposition with its object, after a known word
        if verb.low in AUXILIARIES:
            t.role = None  # "devices that are down": a state
        elif verb.role in ("function_words", "light_words", None) and verb.low not in not_verbs:
            t.role = None
            if verb.role is not None:
                verb.role = None
            t.phrasal = v


def correct_text(text: str, vocab: Vocabulary, corrections: list | None = None) -> str:
    """The question with each unknown word that is one misspelling away from exactly one known word
    replaced by it, so that time phrases ("every 5 minuts") are read too; `tag` reports the corrections."""
    table = lexicon_table()
    out = text
    for word in set(re.findall(r"[A-Za-z][A-Za-z']+", text)):
        t = Tok(0, word, word.lower())
        if _known(t, vocab) or real_word(t.low):
            continue
        targets = correction_targets()
        known = vocab.correct(t.low, targets)
        if any(c not in targets for c in known):
            continue  # as close to a catalog word: left to `tag`
        if not known and len(t.low) >= 5 and t.low.isalpha() and not vocab.correct(t.low, lexicon_words()):
            # "leavign" → leaving, "whoose" → whose: then read as written; a word the lexicon or catalog knows first
            word_meant = english_spelling(t.low, lambda w: _known(Tok(0, w, w), vocab))
            if word_meant is not None:
                out = re.sub(rf"\b{re.escape(word)}\b", word_meant, out)
                if corrections is not None:
                    corrections.append((word, word_meant))
                continue
        cands = [c for c in known if c in targets]
        units = {table[(c,)][1] if (c,) in table and table[(c,)][0] == "time_unit" else c for c in cands}
        if cands and len(units) == 1:
            out = re.sub(rf"\b{re.escape(word)}\b", cands[0], out)
            if corrections is not None:
                corrections.append((word, cands[0]))
    return out


def real_word(word: str) -> bool:
    """An English word as spelt, or an inflection of one ("fridges", "chillers", "refunded"): not a misspelling."""
    words = english_words()
    if word in words:
        return True
    stems = [word[:-1] if word.endswith("s") else "", word[:-2] if word.endswith(("es", "ed")) else ""]
    stems += [word[:-1] if word.endswith("ed") else "", word[:-3] if word.endswith("ing") else ""]
    return any(len(w) >= 4 and w in words for w in stems)


def english_spelling(word: str, known=lambda w: False) -> str | None:
    """The English word one slip away from `word` (swap, missing, extra or wrong letter, first letter kept) that
    `known` accepts — a word the reading then understands; None for a word spelt as meant, far from every word,
    or near only words nothing here knows ("clocked" is left as typed, not read as "clicked")."""
    words = english_words()
    if not words or word in words:
        return None
    mask = letter_mask(word)
    found = [
        w
        for w, w_mask in _words_near(len(word), word[0])
        if letters_within(mask, w_mask, 1) and edit_distance(word, w, 1) <= 1 and known(w)
    ]
    # a dropped letter is the commonest slip: of two words, the one no shorter than what was typed
    return min(found, key=lambda w: (len(w) < len(word), words[w])) if found else None


def _words_near(n: int, first: str) -> list[tuple[str, int]]:
    """English words starting with `first`, at most one letter longer or shorter than `n`, with their letter masks."""
    index = _english_index()
    return [pair for size in (n - 1, n, n + 1) for pair in index.get((first, size), ())]


@lru_cache(maxsize=1)
def _english_index() -> dict[tuple[str, int], list[tuple[str, int]]]:
    """English words by first letter and length, with their letter masks (built once)."""
    index: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for w in english_words():
        if w:
            index.setdefault((w[0], len(w)), []).append((w, letter_mask(w)))
    return index


def _longer_word(word: str, meant: str) -> bool:
    """`meant` is `word` with letters added that are not an ending of it ("table" → "tablet", not "page" → "pages")."""
    rest = meant[len(word) :] if meant.startswith(word) else ""
    return bool(rest) and rest not in ("s", "es", "d", "ed", "ing")


def _one_family(words: list[str]) -> bool:
    """Forms of one word: each is the shortest one plus an ending ("drive", "driven", "drives")."""
    base = min(words, key=len)
    return len(base) >= 4 and all(w.startswith(base) or w.startswith(base.rstrip("e")) for w in words)


def _codeish(text: str) -> bool:
    return text.isupper() and len(text) <= 3 or is_identifier(text)


def _weak(elements: list[Element], tok: Tok, vocab: Vocabulary | None = None) -> bool:
    """A one-word catalog phrase that is also a function word is kept only when it is a code as
    written, or the name of a field or topic ("kind", "value")."""
    if vocab is not None and stem(tok.low) in vocab.names:
        return False
    return not _codeish(tok.text)


@lru_cache(maxsize=1)
def _lexicon_phrase_words() -> frozenset[str]:
    """Every word of the lexicon's phrases."""
    return frozenset(w for phrase in lexicon_table() for w in phrase)


def _known(t: Tok, vocab: Vocabulary) -> bool:
    """A word the catalog or the lexicon knows (a one-word lexicon phrase is among its phrases' words)."""
    if t.low == GAP or t.low in vocab.function:
        return True
    if stem(t.low) in vocab.words or (t.text,) in vocab._exact:
        return True
    return t.low in _lexicon_phrase_words()
