"""Turn Flink's Java exception text into the root cause a person can act on."""

from __future__ import annotations

import re

_EXCEPTION_LINE = re.compile(r"^(?:Caused by: )?(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)(?::\s*(.*))?$")
_POSITION = re.compile(r"(?:[Ff]rom line|at line|[Ll]ine) (\d+), column (\d+)")
_POSITION_PREFIX = re.compile(r"^From line \d+, column \d+ to line \d+, column \d+:\s*")
_GENERIC = (
    "Internal server error",
    "Failed to fetchResults",
    "Failed to execute the operation",
    "Failed to executeStatement",
    "SQL validation failed. ",
    "Could not execute SQL statement",
    "Failed to get response",
    "Failed to execute statement",
)


def root_cause(text: str) -> tuple[str, int | None, int | None]:
    """The deepest informative exception message in `text`, and the line/column it names, if any."""
    messages: list[str] = []
    lines = text.replace("\\n", "\n").splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip().lstrip("<")
        m = _EXCEPTION_LINE.match(line)
        if not m:
            continue
        msg = (m.group(1) or "").strip()
        # a message may continue on the next lines until the stack trace starts
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(("at ", "Caused by:", "...")) and lines[j].strip():
            msg += " " + lines[j].strip()
            j += 1
        if msg:
            messages.append(msg)
    if not messages:
        first = next((ln.strip() for ln in lines if ln.strip()), "Flink refused the statement")
        messages = [first]
    informative = [m for m in messages if not any(m.startswith(g) for g in _GENERIC)] or messages
    best = _POSITION_PREFIX.sub("", informative[-1])
    for message in reversed(messages):
        pos = _POSITION.search(message)
        if pos:
            return _clean(best), int(pos.group(1)), int(pos.group(2))
    return _clean(best), None, None


def _clean(message: str) -> str:
    message = re.sub(r"\s+", " ", message).strip()
    message = re.sub(r"^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s*", "", message)
    return message[:600]
