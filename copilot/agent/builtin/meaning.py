"""A word the catalog does not list, read by meaning: the catalog's phrases nearest to it in a sentence
embedding become the options of a question back, each a complete question with the word replaced.
Never a silent choice: an embedding puts "profit" next to revenue and "costs" next to price, as close as
it puts "gadgets" next to devices, so no similarity threshold tells a synonym from a neighbour."""

from __future__ import annotations

import re
from typing import Protocol, Sequence

from copilot.agent.builtin import semantic
from copilot.agent.builtin.text import tokenize
from copilot.agent.builtin.vocab import Element, Vocabulary

# Below this cosine similarity (all-MiniLM-L6-v2) a catalog phrase is not offered for a word: at 0.4–0.5
# the neighbours are loose associations ("breakdowns" ~ threshold breaches).
MIN_SIMILARITY = 0.55
# Options within this distance of the best one: further down the list are neighbours of neighbours.
WITHIN_BEST = 0.12


class PhraseIndex(Protocol):
    def nearest(self, phrases: Sequence[str], text: str, n: int = 8) -> list[tuple[str, float]]: ...

    def warm(self, phrases: Sequence[str]) -> bool: ...


def catalog_phrases(vocab: Vocabulary) -> list[str]:
    """Every name, synonym, value label and metric name of the catalog that the vocabulary reads back,
    once each, in a stable order (the order keys the cached vectors)."""
    cached = vocab.meaning_phrases
    if cached is not None:
        return cached
    texts: list[str] = []
    for schema in vocab.topics.values():
        texts += [schema.topic.replace("_", " "), *schema.synonyms]
        for f in schema.fields:
            texts += [f.name.replace("_", " "), *f.synonyms]
            for code, (label, synonyms) in semantic.values(schema, f.name).items():
                texts += [label, *synonyms] + ([] if len(code) <= 3 or code.isupper() else [code.replace("_", " ")])
        for m in semantic.metrics(schema):
            texts += [m.name.replace("_", " "), *m.synonyms]
    seen: set[str] = set()
    phrases = []
    for text in texts:
        low = " ".join(str(text).split()).lower()
        if len(low) < 3 or low in seen or not any(c.isalpha() for c in low):
            continue
        seen.add(low)
        if elements_of(vocab, low):
            phrases.append(low)
    phrases.sort()
    vocab.meaning_phrases = phrases
    return phrases


def elements_of(vocab: Vocabulary, phrase: str) -> list[Element]:
    return vocab.lookup(tokenize(phrase))


def candidates(index: PhraseIndex, vocab: Vocabulary, word: str) -> list[tuple[str, float, list[Element]]]:
    """Catalog phrases near `word` in meaning, best first, one per set of catalog elements they name."""
    out: list[tuple[str, float, list[Element]]] = []
    seen: set[frozenset] = set()
    near = index.nearest(catalog_phrases(vocab), word.lower(), n=16)
    for phrase, score in near:
        if score < MIN_SIMILARITY or score < near[0][1] - WITHIN_BEST:
            break
        elements = elements_of(vocab, phrase)
        key = frozenset(elements)
        if not elements or key in seen:
            continue
        seen.add(key)
        out.append((phrase, score, elements))
    return out


def replace_word(question: str, word: str, phrase: str) -> str:
    """`question` with `word` read as `phrase`; a word of the phrase that the question already has beside
    the word is not said twice ("went thru" read as "went through", not "went went through")."""
    words = phrase.split()
    before = rf"(?:\b{re.escape(words[0])}\s+)?" if len(words) > 1 else ""
    after = rf"(?:\s+{re.escape(words[-1])}\b)?" if len(words) > 1 else ""
    pattern = rf"{before}(?<![\w-]){re.escape(word)}(?![\w-]){after}"
    return re.sub(pattern, phrase, question, count=1, flags=re.I)


def without_words(question: str, words: Sequence[str]) -> str:
    """`question` with each of `words` taken out, with a list word or comma right before it ("France or Narnia"
    → "France"), tidied of the punctuation left at its ends."""
    out = question
    for word in words:
        out = re.sub(rf"(?:\s*(?:\b(?:or|and)\b|,))?\s*(?<![\w-]){re.escape(word)}(?![\w-])", "", out, count=1, flags=re.I)
    return " ".join(out.split()).strip(" ,;:-")


def option_label(word: str, phrase: str, elements: list[Element]) -> str:
    what = elements[0].label()
    return f"{phrase} ({what})" if what.replace("_", " ").lower() != phrase else phrase


def names_the_figure(question: str, word: str, vocab: Vocabulary | None = None) -> bool:
    """The unknown word stands where the figure asked for does: right before a breakdown word ("profit by
    country", "staff per warehouse") or right after an aggregate word ("total profit", "average margin"). A figure
    the catalog lacks is declined naming it (the nearest words as suggestions): a question back would offer revenue
    for profit as if they were one thing."""
    from copilot.agent.builtin.lexicon import english

    lex = english()
    breakdown = {str(w).lower() for w in lex["breakdown"] if " " not in str(w)}
    aggregates = {str(w).lower() for items in lex["aggregates"].values() for w in items if " " not in str(w)}
    words = [w.lower() for w in tokenize(question)]
    low = word.lower()
    if low not in words:
        return False
    i = words.index(low)
    if words[max(0, i - 2) : i] == ["how", "many"]:
        return False  # "how many gadgets per site": the rows counted, named in other words — asked back
    after = words[i + 1] if i + 1 < len(words) else ""
    before = words[i - 1] if i > 0 else ""
    if after in breakdown and vocab is not None and before and vocab.lookup([before]):
        return False  # "units moved per category": what the rows the catalog names did, not the figure
    return after in breakdown or before in aggregates or (i >= 2 and words[i - 2 : i] == ["how", "much"])


def names_a_thing(question: str, word: str, vocab: Vocabulary) -> bool:
    """The unknown word names something (a figure, rows, or a kind of them) rather than saying how: it is the
    figure asked for, the rows counted ("how many employees"), it follows a word that starts a noun phrase ("the
    tyre", "our staff", "every ticket") or ranks ("the best reviews"), or it qualifies a catalog word right after it
    ("salary spend", "slow deliveries"). Taken out, the question asks about something else: it is declined, not
    offered without the word. A word after the catalog word says how ("units moved") and may be left out."""
    from copilot.agent.builtin.lexicon import word_set

    if names_the_figure(question, word, vocab):
        return True
    if _aside_of(question, word, vocab) is not None:
        return False  # "so for the finance sync, what did we take …": a phrase of its own names no catalog word
    starts = word_set("object_starts") | word_set("which_words") | word_set("rank_top") | word_set("rank_bottom")
    words = [w.lower() for w in tokenize(question)]
    first = word.lower().split()[0]
    for i, w in enumerate(words):
        if w == first and i > 0 and (words[i - 1] in starts or words[max(0, i - 2) : i] == ["how", "many"]):
            return True
    after = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])[ \t]+([\w'-]+)", question, flags=re.I)
    return after is not None and bool(vocab.lookup([after.group(1)]))


ASIDE_BREAK = r"\s*(?:[,;:]|\s[-–—]\s)\s*"


def _aside_of(question: str, word: str, vocab: Vocabulary) -> str | None:
    """The phrase set off by a comma, colon, semicolon or dash ("so for the finance sync, …", "…, for the ops
    screen") that holds the word and no catalog word: it says who asks or why, and qualifies nothing."""
    parts = re.split(ASIDE_BREAK, question)
    for part in parts if len(parts) > 1 else []:
        words = tokenize(part)
        if any(w.lower() == word.lower().split()[0] for w in words):
            return part if not any(vocab.lookup([w]) for w in words) else None
    return None


def without_asides(question: str, words: Sequence[str], vocab: Vocabulary) -> str:
    """`question` without the asides that hold any of `words`, then without the rest of `words`."""
    out, rest = question, []
    for word in words:
        aside = _aside_of(out, word, vocab)
        if aside:
            out = re.sub(rf"(?:^|{ASIDE_BREAK}){re.escape(aside)}(?={ASIDE_BREAK}|$)", " ", out, count=1)
        else:
            rest.append(word)
    return without_words(out, rest)
