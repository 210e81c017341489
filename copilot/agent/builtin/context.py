"""Messages with context: "The ops lead wants to know about payment problems. How many payments were declined per
method in the last 15 minutes? Table please." A sentence (or a clause set off by a comma) that holds words the
catalog does not know but asks for nothing the rest of the message does not already say is the reason for asking,
not part of the question: it is set aside, and the answer says so. It asks for something when it holds a number, a
time, a word of the grammar that changes an answer (a negation, an exclusion, a breakdown, a ranking, a comparison,
"only"), a catalog word the rest does not repeat, or an unknown word right before a catalog word ("our VIP
customers": a qualifier of the things asked about) — then it stays, and is read (or asked about) as before."""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.agent.builtin.lexicon import english, word_set
from copilot.agent.builtin.tags import Tagged, tag
from copilot.agent.builtin.timewords import find_window, normalise
from copilot.agent.builtin.vocab import Vocabulary

_SENTENCE_END = re.compile(r"(?<=[.?!:;])\s+|\s+[-–—]+\s+")
_CLAUSE_END = re.compile(r",\s+")


@dataclass
class Piece:
    text: str
    sentence: int  # the sentence it is part of (a sentence may hold several clauses set off by commas)
    clause: bool  # set off by a comma, not a sentence of its own


def set_aside(question: str, vocab: Vocabulary) -> tuple[str, list[str]] | None:
    """The question without its context (and the context set aside), or None when nothing is context."""
    pieces = _pieces(question)
    if len(pieces) < 2:
        return None
    tagged = [tag(p.text, vocab) for p in pieces]  # each piece on its own: no phrase reads across a sentence end
    context = [_is_context(p, t) for p, t in zip(pieces, tagged)]
    filler = [all(t.role in ("function_words", "light_words") for t in x.toks) for x in tagged]  # "heads up, …"
    opening = True  # a clause set off by a comma is context only as part of the message's opening ("hi team, …")
    for i, p in enumerate(pieces):
        opening = opening and (context[i] or filler[i])
        if p.clause:
            context[i] = opening
    for i, (p, t) in enumerate(zip(pieces, tagged)):
        if context[i] and t.mentions and any(q.sentence == p.sentence and not context[j] for j, q in enumerate(pieces)):
            context[i] = False  # "premium buyers, revenue per channel": a clause naming catalog things qualifies its sentence
    kept = [m for t, aside in zip(tagged, context) if not aside for m in t.mentions]
    if not kept:
        return None  # what is left names nothing of the catalog: the question was in the context
    said_later = {_key(e) for m in kept for e in m.elements}
    topics = {e.topic for m in kept for e in m.elements}
    for i, t in enumerate(tagged):
        own = [{_key(e) for e in m.elements} for m in t.mentions if not m.of("topic") and not m.of("field")]
        if context[i] and not all(keys & said_later for keys in own):
            context[i] = False  # a value or figure the rest does not name: part of the question
        named = {e.topic for m in t.mentions for e in m.of("topic")}
        if context[i] and not all(n in topics or n not in vocab.twins and _related(vocab, n, topics) for n in named):
            context[i] = False  # "using the avro feed: …": the topic to read from
    if not any(aside and not f for aside, f in zip(context, filler)):
        return None
    rest = " ".join(p.text for p, aside in zip(pieces, context) if not aside)
    return rest, [p.text.strip(" ,:;-–—") for p, aside, f in zip(pieces, context, filler) if aside and not f]


def _pieces(question: str) -> list[Piece]:
    out = []
    for i, sentence in enumerate(_SENTENCE_END.split(question.strip())):
        clauses = [c for c in _CLAUSE_END.split(sentence) if c.strip()]
        out += [Piece(c, i, len(clauses) > 1) for c in clauses]
    return out


def _is_context(piece: Piece, tagged: Tagged) -> bool:
    toks = tagged.toks
    unknown = [t for t in toks if t.mention is None and t.role is None and t.number is None]
    if not unknown:
        return False  # nothing to set aside
    if piece.text.rstrip().endswith("?") or toks[0].low in word_set("clause_words") | word_set("list_words"):
        return False  # "what kit are people browsing on? views per 5 min": a question of its own
    if not any(t.role in ("function_words", "light_words") for t in toks):
        return False  # "interiors: …", "TVs and headphones - …": a bare noun phrase may name what is asked about
    if re.search(r"\d", piece.text) or any(t.number is not None and t.role is None for t in toks):
        return False
    if find_window(normalise(piece.text))[0] is not None:
        return False
    blockers = word_set("context_blockers")
    if any(t.role in blockers for t in toks):
        return False
    low = " ".join(t.low for t in toks)
    if any(re.search(rf"\b{re.escape(str(w).lower())}\b", low) for w in english()["write_requests"]):
        return False  # "delete the test orders." is declined, never set aside
    if any(t.i + 1 < len(toks) and toks[t.i + 1].mention is not None for t in unknown):
        return False  # "our VIP customers": an unknown word qualifying a catalog thing
    prepositions = word_set("particle_prepositions")
    # "folks paying with plastic", "orders from resellers": an unknown word right after a preposition may say which
    return not any(t.i >= 1 and toks[t.i - 1].low in prepositions for t in unknown)


def _related(vocab: Vocabulary, topic: str, topics: set[str]) -> bool:
    return any(vocab.path(t, topic, hops=1) for t in topics)


def _key(e) -> tuple:
    """What a mention names, for "does the rest name it too": a value by field and value in any topic ("Spanish
    customers", "orders from Spain"); a metric by its topic ("a refund", "refunded payments")."""
    if e.kind in ("topic", "metric"):
        return (e.kind, e.topic)
    return (e.kind, e.field, e.value)
