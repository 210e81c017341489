"""`flink-copilot audit tail [--json] [-n N] [--conversation ID]`: the agent's audit trail from Kafka."""

from __future__ import annotations

import argparse
import datetime as dt

from copilot.cli import add_json_flag, emit


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("audit", parents=[parent], help="read the copilot's audit trail")
    sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    tail = sub.add_parser("tail", parents=[parent], help="the last audit events, oldest first")
    tail.add_argument("-n", type=int, default=20, help="how many events (default 20)")
    tail.add_argument("--conversation", metavar="ID", help="only this conversation's events")
    add_json_flag(tail)
    tail.set_defaults(handler=cmd_tail)


def cmd_tail(args: argparse.Namespace) -> int:
    from copilot.agent.audit import read_events
    from copilot.errors import UsageError

    if args.n < 1:
        raise UsageError("-n must be at least 1")
    events = read_events(args.n, conversation_id=args.conversation)
    emit(args, {"events": events}, lambda d: _text(d["events"]))
    return 0


def _text(events: list[dict]) -> str:
    if not events:
        return "no audit events yet"
    lines = []
    for e in events:
        when = dt.datetime.fromtimestamp(e.get("time") or 0, dt.timezone.utc).strftime("%H:%M:%S")
        detail = e.get("verdict") or ""
        if e["type"] == "retrieved":
            detail = ", ".join(f"{t['topic']} {t['score']:.2f}" for t in e.get("topics", []))
        elif e["type"] == "question":
            detail = e.get("question") or (e.get("sql") or "")[:80]
        elif e.get("sql"):
            detail = (detail + " " + " ".join(e["sql"].split())[:100]).strip()
        lines.append(f"{when} {e.get('conversation_id', '')[:8]} {e['type']:<10} {e.get('planner') or '':<8} {detail}")
    return "\n".join(lines)
