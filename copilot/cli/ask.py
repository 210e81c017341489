"""`flink-copilot ask "QUESTION" [--json] [--run] [--max-rows N] [--timeout S]` and `ask --sql SQL`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from copilot import settings
from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.errors import EXIT_REQUEST, ServiceUnavailable, UsageError

if TYPE_CHECKING:
    from copilot.agent.answer import Answer
    from copilot.agent.copilot import Copilot
    from copilot.wiring import Services

log = logging.getLogger(__name__)


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("ask", parents=[parent], help="answer a question about the live streams with Flink SQL")
    p.add_argument("question", nargs="?", help="the question, in plain words")
    p.add_argument("--sql", help="check (and with --run, run) this SQL instead of planning one from a question")
    p.add_argument("--run", action="store_true", help="run the query and show live rows")
    p.add_argument("--max-rows", type=int, default=100, help="stop after this many result rows (default 100)")
    p.add_argument("--timeout", type=float, default=60.0, help="stop running after this many seconds (default 60)")
    p.add_argument("--conversation", metavar="ID", help="continue this conversation (follow-ups refine its last answer)")
    p.add_argument("--no-engine", action="store_true", help="skip Flink's planner check even if the gateway answers")
    p.add_argument("--no-audit", action="store_true", help="do not write the audit trail to Kafka")
    p.add_argument("--builtin", action="store_true", help="use the built-in planner even when COPILOT_LLM is set")
    add_json_flag(p)
    p.set_defaults(handler=cmd_ask)


def _history(conversation_id: str | None) -> list[dict] | None:
    if not conversation_id:
        return None
    from copilot.agent.audit import read_events

    try:
        events = read_events(200, conversation_id=conversation_id, timeout=3.0)
    except ServiceUnavailable as exc:
        log.warning("conversation history unavailable: %s", exc)
        return []
    return [
        {"question": e.get("question"), "sql": e.get("sql"), "plan": e.get("plan"), "planner": e.get("planner")}
        for e in events
        if e.get("type") == "answer"
    ]


def cmd_ask(args: argparse.Namespace) -> int:
    if not args.question and not args.sql:
        raise UsageError("no question given", hint='flink-copilot ask "revenue per country every 5 minutes"')
    if args.question and args.sql:
        raise UsageError("give either a question or --sql, not both")
    if args.max_rows < 1 or args.timeout <= 0:
        raise UsageError("--max-rows and --timeout must be positive")
    if settings.get("COPILOT_SERVICE") == "kafka":  # a worker answers; see copilot/service
        from copilot.cli.serve import ask_through_service

        return ask_through_service(args)
    notices: list[str] = []
    services = cli_services(args)
    try:
        return _answer(args, services, notices)
    finally:
        services.close()


def _answer(args: argparse.Namespace, services: Services, notices: list[str]) -> int:
    # --run needs the gateway (exit 3 without it); --no-engine skips only Flink's planner check
    if args.run:
        services.engine(required=True)
    if services.audit is not None:
        services.require_audit()  # every statement must reach the audit trail: no Kafka, no answer (exit 3)
    for problem in services.catalog.load().problems:
        log.warning("catalog: %s", problem)
    copilot = services.copilot(engine=not args.no_engine, index=not args.sql, notices=notices)
    if args.sql:
        answer = copilot.check_sql(args.sql, conversation_id=args.conversation)
    else:
        answer = copilot.ask(args.question, conversation_id=args.conversation, history=_history(args.conversation))
    answer.notices = notices + answer.notices
    if args.run and answer.valid:
        render_live(copilot, answer, args)
    if args.json:
        emit(args, answer.to_dict())
    elif not args.run or not answer.valid:
        emit(args, answer.to_dict(), render_answer)
    return 0 if answer.valid else EXIT_REQUEST


def render_answer(d: dict) -> str:
    lines = []
    if d.get("sql"):
        lines += [d["sql"], ""]
    if d.get("explanation"):
        lines.append(d["explanation"])
    status = "valid" if d["valid"] else "NOT valid"
    checked = "checked by Flink's planner" if d.get("engine_checked") else "not checked by Flink's planner"
    if d.get("sql"):
        lines.append(f"[{status}; {checked}; planner: {d['planner']}; conversation: {d['conversation_id']}]")
    for e in d.get("errors") or []:
        where = f" (line {e['line']}, column {e['column']})" if e.get("line") else ""
        lines.append(f"error [{e.get('stage')}]{where}: {e.get('message')}")
        if e.get("hint"):
            lines.append(f"  hint: {e['hint']}")
    for n in d.get("notices") or []:
        lines.append(f"note: {n}")
    clarification = d.get("clarification")
    if clarification:  # asking back: each option is a complete question for the same conversation
        lines.append(clarification["question"])
        lines += [f"  {i}. {o['label']}: {o['question']}" for i, o in enumerate(clarification["options"], 1)]
        lines.append(f"(ask one of them with --conversation {d['conversation_id']})")
    elif d.get("suggestions"):
        lines.append("Questions I can answer, for example:")
        lines += [f"  - {s}" for s in d["suggestions"]]
    return "\n".join(lines)


# -- live results ---------------------------------------------------------------------------------
def render_live(copilot: Copilot, answer: Answer, args: argparse.Namespace) -> None:
    """The answer's live session on the terminal. --json: collected, then one document (the caller prints it).
    A TTY: a table redrawn in place. A pipe: one line per change."""
    if args.json:
        copilot.run(answer, max_rows=args.max_rows, timeout=args.timeout)
        return
    out = sys.stdout
    tty = out.isatty()
    if not tty:
        out.write(f"-- {answer.explanation}\n")
    session = copilot.live(answer, max_rows=args.max_rows, timeout=args.timeout)
    header_done = False
    try:
        for batch in session.batches():
            names = [c.name for c in session.columns]
            if tty:
                out.write("\x1b[H\x1b[2J" + answer.explanation + "\n\n" + _table(names, batch.view.rows()))
                counts = batch.view.counts
                out.write(
                    f"\n{len(batch.view)} rows · {counts.inserts} inserts, {counts.updates} updates, "
                    f"{counts.retractions} retractions · Ctrl-C stops\n"
                )
            else:
                if not header_done:
                    out.write("op\t" + "\t".join(names) + "\n")
                    header_done = True
                for kind, fields in batch.changes:
                    out.write(kind + "\t" + "\t".join(_cell(v) for v in fields) + "\n")
            out.flush()
    except KeyboardInterrupt:
        session.cancel()
    copilot.run(answer, session=session)
    sys.stderr.write(f"stopped ({answer.run['stopped'] if answer.run else None}): {len(answer.rows or [])} rows\n")


def _cell(value) -> str:
    return "" if value is None else str(value)


def _table(names: list[str], rows: list[list]) -> str:
    shown = rows[-40:]
    cells = [[_cell(v) for v in row] for row in shown]
    widths = [max([len(n)] + [len(r[i]) for r in cells if i < len(r)]) for i, n in enumerate(names)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths))  # noqa: E731
    return "\n".join([line(names), line(["-" * w for w in widths])] + [line(r) for r in cells]) + "\n"
