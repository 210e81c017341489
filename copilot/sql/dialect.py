"""The `flink` dialect for sqlglot (Apache Flink SQL, 1.18 - 2.x).

Registered through the `sqlglot.dialects` entry point, so `sqlglot.parse_one(sql, read="flink")`
works in any program once the project is installed: sqlglot's loader imports this module on the
first lookup of the name "flink".
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.dialects.hive import Hive
from sqlglot.tokens import Tokenizer as BaseTokenizer, TokenType

from copilot.sql.generator import FlinkGenerator
from copilot.sql.parser import FlinkParser


class Flink(Dialect):
    # Flink resolves identifiers case-sensitively, quoted or not.
    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    NULL_ORDERING = "nulls_are_small"
    # DATE_FORMAT and friends take Java SimpleDateFormat patterns, as Hive's do.
    TIME_FORMAT = "'yyyy-MM-dd HH:mm:ss'"
    DATE_FORMAT = "'yyyy-MM-dd'"
    TIME_MAPPING = Hive.TIME_MAPPING
    ALIAS_POST_VERSION = True
    TYPED_DIVISION = True
    SAFE_DIVISION = False
    CONCAT_COALESCE = False
    TABLESAMPLE_SIZE_IS_PERCENT = True
    # Function names are case-insensitive in Flink: user functions keep the case they were written in.
    NORMALIZE_FUNCTIONS = False

    class Tokenizer(BaseTokenizer):
        IDENTIFIERS = ["`"]
        QUOTES = ["'"]
        STRING_ESCAPES = ["'"]
        # Flink's (Calcite's) comments: `/* */` does not nest, `--` and `//` run to the end of the line.
        NESTED_COMMENTS = False
        COMMENTS = ["--", "//", ("/*", "*/")]
        # `/*+ ... */` is a hint wherever it stands, as in Flink: after any table name (a topic may be
        # called `session` or `json`, words sqlglot knows), after SELECT, and misplaced (a parse error).
        TOKENS_PRECEDING_HINT = set(TokenType)
        # U&'\0041' (with an optional UESCAPE '!') is a Unicode-escaped string literal.
        UNICODE_STRINGS = [("U&'", "'"), ("u&'", "'")]
        KEYWORDS = {
            **BaseTokenizer.KEYWORDS,
            "BYTES": TokenType.VARBINARY,
            "STRING": TokenType.TEXT,
            "TIMESTAMP_LTZ": TokenType.TIMESTAMPLTZ,
            "ROW": TokenType.STRUCT,
            "MULTISET": TokenType.LIST,
            "EXPLAIN": TokenType.VAR,
            "RESET": TokenType.VAR,
            "MATCH_RECOGNIZE": TokenType.MATCH_RECOGNIZE,
        }
        KEYWORDS.pop("DIV", None)
        # sqlglot swallows the rest of a SHOW as one string; Flink's SHOW forms are parsed.
        COMMANDS = BaseTokenizer.COMMANDS - {TokenType.SHOW, TokenType.EXECUTE}

    Parser = FlinkParser

    Generator = FlinkGenerator
