"""Flink SQL data types: a small strict grammar, used to check the types written in catalog files.

This grammar decides what is a Flink type: it keeps the catalog usable with or without the `flink`
sqlglot dialect (copilot/sql/dialect.py). When the dialect is installed it is consulted too, and a
type it cannot parse is reported as a warning, because SQL checks built on sqlglot will not know it.
"""

from __future__ import annotations

import re

from copilot.sql.types import base_type

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<ident>`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)|(?P<num>\d+)|(?P<sym>[<>(),]))"
)

# Types written as a bare name.
_SIMPLE = {"STRING", "BOOLEAN", "BYTES", "TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "FLOAT", "DATE", "VARIANT", "NULL"}
# Types that take an optional (length) or (precision).
_ONE_PARAM = {"CHAR", "VARCHAR", "BINARY", "VARBINARY", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ"}
_DECIMALS = {"DECIMAL", "DEC", "NUMERIC"}
_INTERVAL_UNITS = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}


class FlinkTypeError(ValueError):
    pass


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[str] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if not m or m.end() == pos:
                raise FlinkTypeError(f"unexpected character {stripped[pos:].strip()[:1]!r} at position {pos + 1}")
            self.tokens.append(m.group(m.lastgroup))
            pos = m.end()
        self.i = 0

    def peek(self, offset: int = 0) -> str | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def peek_word(self, offset: int = 0) -> str:
        return (self.peek(offset) or "").upper()

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None:
            raise FlinkTypeError("type ends early" + (f", expected {expected!r}" if expected else ""))
        if expected is not None and tok.upper() != expected:
            raise FlinkTypeError(f"expected {expected!r} but found {tok!r}")
        self.i += 1
        return tok

    def number(self) -> int:
        tok = self.take()
        if not tok.isdigit():
            raise FlinkTypeError(f"expected a number but found {tok!r}")
        return int(tok)

    def optional_params(self, max_count: int) -> list[int]:
        if self.peek() != "(":
            return []
        self.take("(")
        params = [self.number()]
        while self.peek() == ",":
            self.take(",")
            params.append(self.number())
        self.take(")")
        if len(params) > max_count:
            raise FlinkTypeError(f"too many parameters: {params}")
        return params

    def parse(self) -> None:
        self.data_type()
        if self.peek() is not None:
            raise FlinkTypeError(f"unexpected {self.peek()!r} after the type")

    def data_type(self) -> None:
        self.base_type()
        while True:
            word = self.peek_word()
            if word in ("ARRAY", "MULTISET"):  # postfix form: INT ARRAY
                self.take()
            elif word == "NOT" and self.peek_word(1) == "NULL":
                self.take(), self.take()
            elif word == "NULL":
                self.take()
            else:
                return

    def base_type(self) -> None:
        word = self.take().upper()
        if word in _SIMPLE:
            return
        if word == "DOUBLE":
            if self.peek_word() == "PRECISION":
                self.take()
            return
        if word in _DECIMALS:
            params = self.optional_params(2)
            if params and not (1 <= params[0] <= 38 and (len(params) == 1 or 0 <= params[1] <= params[0])):
                raise FlinkTypeError(f"{word}{tuple(params)}: precision must be 1..38 and scale 0..precision")
            return
        if word in _ONE_PARAM:
            params = self.optional_params(1)
            if word.startswith(("TIMESTAMP", "TIME")) and params and params[0] > 9:
                raise FlinkTypeError(f"{word}({params[0]}): precision must be 0..9")
            if word == "TIMESTAMP" and self.peek_word() in ("WITH", "WITHOUT"):
                self.take()
                if self.peek_word() == "LOCAL":
                    self.take()
                self.take("TIME"), self.take("ZONE")
            return
        if word in ("ARRAY", "MULTISET"):
            self.take("<"), self.data_type(), self.take(">")
            return
        if word == "MAP":
            self.take("<"), self.data_type(), self.take(","), self.data_type(), self.take(">")
            return
        if word == "ROW":
            self.row_body()
            return
        if word == "RAW":
            self.take("("), self.string(), self.take(","), self.string(), self.take(")")
            return
        if word == "INTERVAL":
            self.interval()
            return
        raise FlinkTypeError(f"unknown Flink type {word!r}")

    def string(self) -> None:
        tok = self.take()
        if not tok.startswith("'"):
            raise FlinkTypeError(f"expected a quoted string but found {tok!r}")

    def row_body(self) -> None:
        opener = self.take()
        if opener not in ("<", "("):
            raise FlinkTypeError(f"ROW needs <...> or (...), found {opener!r}")
        closer = ">" if opener == "<" else ")"
        if self.peek() == closer:
            self.take()
            return
        while True:
            name = self.take()
            if name in "<>(),":
                raise FlinkTypeError(f"expected a ROW field name but found {name!r}")
            self.data_type()
            if (self.peek() or "").startswith("'"):
                self.take()  # field description
            tok = self.take()
            if tok == closer:
                return
            if tok != ",":
                raise FlinkTypeError(f"expected ',' or {closer!r} in ROW but found {tok!r}")

    def interval(self) -> None:
        unit = self.take().upper()
        if unit not in _INTERVAL_UNITS:
            raise FlinkTypeError(f"unknown INTERVAL unit {unit!r}")
        self.optional_params(1)
        if self.peek_word() == "TO":
            self.take()
            end = self.take().upper()
            if end not in _INTERVAL_UNITS:
                raise FlinkTypeError(f"unknown INTERVAL unit {end!r}")
            self.optional_params(1)


def check_type_grammar(type_text: str) -> None:
    """Raise FlinkTypeError when `type_text` is not a Flink SQL data type."""
    if not isinstance(type_text, str) or not type_text.strip():
        raise FlinkTypeError("empty type")
    _Parser(type_text).parse()


def _dialect_available() -> bool:
    try:
        from sqlglot.dialects.dialect import Dialect

        Dialect.get_or_raise("flink")
        return True
    except Exception:
        return False


_DIALECT: bool | None = None


def check_flink_type(type_text: str) -> str | None:
    """None when `type_text` is a valid Flink type, else what is wrong with it (this module's grammar decides)."""
    try:
        check_type_grammar(type_text)
    except FlinkTypeError as exc:
        return f"{type_text!r} is not a Flink SQL type: {exc}"
    return None


def dialect_type_warning(type_text: str) -> str | None:
    """A note when the `flink` sqlglot dialect cannot parse a type Flink accepts (SQL checks on that
    field will then be weaker); None when it parses or when the dialect is not installed."""
    global _DIALECT
    if _DIALECT is None:
        _DIALECT = _dialect_available()
    if not _DIALECT:
        return None
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        exp.DataType.build(type_text, dialect="flink")
    except (SqlglotError, ValueError) as exc:
        return f"the flink sqlglot dialect cannot parse {type_text!r} ({exc}); SQL checks on this field are weaker"
    return None


def base_type_name(type_text: str) -> str:
    """The leading keyword of a type, upper-cased: 'DECIMAL' for 'DECIMAL(10, 2)' (copilot.sql.types.base_type)."""
    return base_type(type_text)


def is_timestamp(type_text: str) -> bool:
    return base_type_name(type_text) in ("TIMESTAMP", "TIMESTAMP_LTZ")
