"""Read SQL out of a model reply: a JSON object (maybe fenced), a ```sql block, bare SQL, or SQL
with prose around it; `CANNOT_ANSWER: why` when the model declines."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

FENCE = re.compile(r"```([A-Za-z0-9_-]*)[ \t]*\n(.*?)```", re.S)
SQL_START = re.compile(
    r"^\s*(SELECT|WITH|INSERT|CREATE|DROP|ALTER|SET|RESET|EXPLAIN|DELETE|UPDATE|EXECUTE|BEGIN|USE|SHOW)\b", re.I | re.M
)
CANNOT = re.compile(r"CANNOT_ANSWER\s*:?\s*(.*)", re.I | re.S)


@dataclass
class ParsedReply:
    sql: str | None
    explanation: str = ""
    cannot_answer: str | None = None


def reply_text(message) -> str:
    """The text of an AIMessage, a string, or a list of content blocks."""
    content = getattr(message, "content", message)
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type") in (None, "text"):
                parts.append(str(block.get("text", "")))
        content = "".join(parts)
    return str(content or "")


def _from_json(text: str) -> ParsedReply | None:
    candidates = [m.group(2) for m in FENCE.finditer(text) if m.group(1).lower() in ("json", "")]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("sql"), str):
            return ParsedReply(_clean(data["sql"]), str(data.get("explanation") or "").strip())
        if isinstance(data, dict) and data.get("cannot_answer"):
            return ParsedReply(None, cannot_answer=str(data["cannot_answer"]))
    return None


def _clean(sql: str) -> str:
    sql = sql.strip()
    while sql.endswith(";"):
        sql = sql[:-1].rstrip()
    return sql


def parse_reply(message, tool_calls: list | None = None) -> ParsedReply:
    for call in tool_calls or getattr(message, "tool_calls", None) or []:
        args = call.get("args") if isinstance(call, dict) else None
        if isinstance(args, dict) and isinstance(args.get("sql"), str):
            return ParsedReply(_clean(args["sql"]), str(args.get("explanation") or ""))
    text = reply_text(message).strip()
    cannot = CANNOT.search(text)
    if cannot and not SQL_START.search(text[: cannot.start()]):
        return ParsedReply(
            None,
            cannot_answer=cannot.group(1).strip().splitlines()[0] if cannot.group(1).strip() else "the model could not answer",
        )
    parsed = _from_json(text)
    if parsed:
        return parsed
    for m in FENCE.finditer(text):
        if SQL_START.search(m.group(2)):
            prose = (text[: m.start()] + " " + text[m.end() :]).strip()
            return ParsedReply(_clean(m.group(2)), _first_sentences(prose))
    bare = SQL_START.search(text)
    if not bare:
        return ParsedReply(None)
    # Bare SQL, possibly with prose after it: up to the first `;` or blank line.
    rest = text[bare.start() :]
    end = len(rest)
    semi = rest.find(";")
    blank = re.search(r"\n\s*\n", rest)
    for cut in (semi, blank.start() if blank else -1):
        if cut != -1:
            end = min(end, cut)
    prose = (text[: bare.start()] + " " + rest[end + 1 :]).strip()
    return ParsedReply(_clean(rest[:end]), _first_sentences(prose))


def _first_sentences(prose: str, n: int = 2) -> str:
    prose = re.sub(r"\s+", " ", prose).strip()
    sentences = re.split(r"(?<=[.!?])\s+", prose)
    return " ".join(s for s in sentences[:n] if s and not s.endswith(":")).strip()
