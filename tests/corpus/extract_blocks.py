"""Turn ```sql blocks copied from Apache Flink's documentation into corpus entries.

Input: one text file per documentation page holding that page's ```sql blocks exactly as the page
has them (result tables printed by the SQL client left out), plus annotation lines:

    @source <path in apache/flink>@<commit>      the page and the commit it was read at
    @invalid <reason>                            every statement of the next block is not valid Flink SQL
    @invalid-N <reason>                          the N-th statement (1-based) of the next block is not
    @split-blank                                 the next block separates statements by blank lines only

Statements are split at top-level semicolons (not inside quotes, comments or parentheses); the SQL
client prompts `Flink SQL> ` and `> ` are removed; the trailing `;` is dropped. Everything else is kept verbatim.

    python tests/corpus/extract_blocks.py PAGE.md [...] > entries.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PROMPT = re.compile(r"^(\s*)Flink SQL> ?", re.MULTILINE)
CONTINUATION = re.compile(r"^> ?", re.MULTILINE)  # the SQL client's prompt on continued lines


def split_statements(block: str) -> list[str]:
    """Split at `;` outside quotes, comments and brackets."""
    statements, current, depth, i = [], [], 0, 0
    quote = None
    while i < len(block):
        ch, nxt = block[i], block[i + 1 : i + 2]
        if quote:
            current.append(ch)
            if ch == quote:
                if nxt == quote:  # doubled quote escapes itself
                    current.append(nxt)
                    i += 1
                else:
                    quote = None
        elif ch in "'`\"":
            quote = ch
            current.append(ch)
        elif ch == "-" and nxt == "-":
            end = block.find("\n", i)
            end = len(block) if end < 0 else end
            current.append(block[i:end])
            i = end
            continue
        elif ch == "/" and nxt == "*":
            end = block.find("*/", i + 2)
            end = len(block) if end < 0 else end + 2
            current.append(block[i:end])
            i = end
            continue
        elif ch in "([":
            depth += 1
            current.append(ch)
        elif ch in ")]":
            depth -= 1
            current.append(ch)
        elif ch == ";" and depth <= 0:
            statements.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    statements.append("".join(current))
    return [s for s in (_tidy(s) for s in statements) if s and not _only_comments(s)]


def _tidy(statement: str) -> str:
    # drop blank lines around the statement, keep its own indentation and inner layout
    lines = statement.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).rstrip()


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.split("\n"))


def split_blank(block: str) -> list[str]:
    return [s for s in (_tidy(p) for p in re.split(r"\n\s*\n(?=\S)", block)) if s]


def extract(page: str, text: str) -> list[dict]:
    source, entries = None, []
    pending_all, pending_nth, blank = None, {}, False
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("@source "):
            source = line.split(" ", 1)[1].strip()
        elif line.startswith("@invalid-"):
            head, reason = line.split(" ", 1)
            pending_nth[int(head.split("-")[1])] = reason.strip()
        elif line.startswith("@invalid "):
            pending_all = line.split(" ", 1)[1].strip()
        elif line.strip() == "@split-blank":
            blank = True
        elif line.startswith("```sql"):
            end = i + 1
            while not lines[end].startswith("```"):
                end += 1
            block = "\n".join(lines[i + 1 : end])
            if PROMPT.search(block):
                block = CONTINUATION.sub("", PROMPT.sub(r"\1", block))
            statements = split_blank(block) if blank else split_statements(block)
            if pending_all:  # a synopsis or fragment: one entry for the whole block
                statements = [_tidy(block)]
            for n, sql in enumerate(statements, 1):
                entry = {"id": f"{page}-{len(entries) + 1}", "source": f"apache/flink:{source}", "sql": sql}
                reason = pending_all or pending_nth.get(n)
                if reason:
                    entry["docs_invalid"] = reason
                entries.append(entry)
            pending_all, pending_nth, blank = None, {}, False
            i = end
        i += 1
    if source is None:
        raise SystemExit(f"{page}: no @source line")
    return entries


def main(paths: list[str]) -> None:
    entries = []
    for path in paths:
        entries.extend(extract(Path(path).stem, Path(path).read_text()))
    json.dump(entries, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
