"""Flink's own lexical reading of a statement: where its comments, hints, strings and quoted names are.

Flink's parser (Calcite, Lex.JAVA) reads comments and quotes differently from sqlglot's generic
tokenizer, and a statement that the two split differently can be checked as one thing and run as
another. This scanner follows Flink's rules:

* `/* ... */` ends at the first `*/` (no nesting); an unclosed one is an error
* `--` and `//` start a comment that runs to the end of the line (`\\n` or `\\r`)
* `/*+ ... */` is a hint wherever it stands; inside it, comments are comments (a `--` hides a `*/`)
* `'...'` strings double a quote to escape it (no backslash escapes); prefixes N, X, U& keep those rules
* `` `...` `` quotes a name (a doubled backtick inside); `"` quotes nothing in Flink

`normalize()` returns the text with every comment blanked (same length, newlines kept), so what
sqlglot parses next has exactly Flink's comment boundaries; `scan()` lists the hints, with what
precedes each, for the policy."""

from __future__ import annotations

from dataclasses import dataclass, field

_IDENT_CHARS = "_$"


class FlinkLexError(ValueError):
    def __init__(self, message: str, offset: int, reason: str):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.reason = reason


@dataclass
class HintSpan:
    start: int  # offset of "/*+"
    end: int  # offset after "*/"
    body: str  # the text between, comments blanked
    preceding: str  # the upper-case word (or symbol) before the hint, "" at the start
    names: list[str] = field(default_factory=list)  # top-level hint names, upper-case


@dataclass
class Lexed:
    text: str  # comments blanked
    hints: list[HintSpan]
    words: list[tuple[str, int]]  # upper-case unquoted words outside comments/strings, with offsets
    statement_starts: list[int]  # offsets where each `;`-separated statement's first word starts


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _IDENT_CHARS


def scan(sql: str) -> Lexed:
    """Read `sql` as Flink does. Raises FlinkLexError for text Flink cannot read (an unclosed comment,
    string or quoted name, a double-quoted name, an E'...' string) with a named reason."""
    out = list(sql)
    n = len(sql)
    hints: list[HintSpan] = []
    words: list[tuple[str, int]] = []
    starts: list[int] = []
    expect_start = True
    hint: HintSpan | None = None
    depth = 0  # paren depth inside the current hint
    last_word = ""
    i = 0

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] not in "\n\r":
                out[k] = " "

    while i < n:
        ch = sql[i]
        two = sql[i : i + 2]
        if two in ("--", "//"):
            j = i + 2
            while j < n and sql[j] not in "\n\r":
                j += 1
            blank(i, j)
            i = j
            continue
        if two == "/*" and sql[i : i + 3] != "/*+" or (two == "/*" and hint is not None):
            j = sql.find("*/", i + 2)
            if j < 0:
                raise FlinkLexError("a /* comment is not closed (Flink ends a comment at the first */)", i, "unclosed_comment")
            blank(i, j + 2)
            i = j + 2
            continue
        if sql[i : i + 3] == "/*+":
            hint = HintSpan(i, -1, "", last_word)
            depth = 0
            i += 3
            continue
        if hint is not None and two == "*/":
            hint.end = i + 2
            hint.body = "".join(out[hint.start + 3 : i])
            hints.append(hint)
            hint = None
            last_word = "*/"
            i += 2
            continue
        if ch == "'":
            i = _end_of_quoted(sql, i, "'", "unclosed_string", "a string is not closed")
            last_word = "'"
            expect_start = False
            continue
        if ch == "`":
            i = _end_of_quoted(sql, i, "`", "unclosed_name", "a `quoted name` is not closed")
            last_word = "`"
            expect_start = False
            if hint is not None and depth == 0:
                hint.names.append("`")
            continue
        if ch == '"':
            raise FlinkLexError('Flink does not quote names with "double quotes"', i, "double_quote")
        if _is_word_char(ch):
            j = i
            while j < n and _is_word_char(sql[j]):
                j += 1
            word = sql[i:j].upper()
            if j < n and sql[j] == "'" and word not in ("N", "X", "U"):
                if word == "E" or not word.isdigit():
                    raise FlinkLexError(
                        f"Flink reads {sql[i:j]}'...' with other escapes; write the string plainly", i, "prefixed_string"
                    )
            if word == "U" and sql[j : j + 2] == "&'":
                j += 1  # U&'...': the string follows
            if hint is not None:
                if depth == 0:
                    hint.names.append(word)
            else:
                words.append((word, i))
                if expect_start:
                    starts.append(i)
                    expect_start = False
            last_word = word
            i = j
            continue
        if hint is not None:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
        elif ch == ";":
            expect_start = True
        elif ch == "(" and expect_start:
            starts.append(i)
            expect_start = False
        if not ch.isspace():
            last_word = ch
        i += 1
    if hint is not None:
        raise FlinkLexError("a /*+ hint is not closed", hint.start, "unclosed_comment")
    return Lexed("".join(out), hints, words, starts)


def _end_of_quoted(sql: str, i: int, quote: str, reason: str, message: str) -> int:
    j = i + 1
    n = len(sql)
    while True:
        k = sql.find(quote, j)
        if k < 0:
            raise FlinkLexError(message, i, reason)
        if k + 1 < n and sql[k + 1] == quote:
            j = k + 2
            continue
        return k + 1


def normalize(sql: str) -> str:
    return scan(sql).text
