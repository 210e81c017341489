"""The one way the product writes names and strings into Flink SQL text."""

from __future__ import annotations

import re

# a name Flink reads the same with or without backticks (reserved words are quoted by the caller's choice)
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_name(name: str) -> str:
    """A Flink identifier in backticks (a backtick inside is doubled)."""
    return "`" + name.replace("`", "``") + "`"


def quote_name_if_needed(name: str) -> str:
    """`name` as it is when it is a plain identifier, else quoted (type text such as ROW<a INT, `b c` STRING>)."""
    return name if PLAIN_NAME.match(name) else quote_name(name)


def string_literal(value: object) -> str:
    """A SQL string literal (a quote inside is doubled)."""
    return "'" + str(value).replace("'", "''") + "'"
