"""`flink-copilot ask "QUESTION" [--json] [--run] [--max-rows N] [--timeout S]` and `ask --sql SQL`."""

from __future__ import annotations

import argparse
import logging
import sys

from copilot import settings
from copilot.cli import add_json_flag, catalog_dir, emit
from copilot.errors import EXIT_REQUEST, ServiceUnavailable, UsageError

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


def _gateway(args, notices: list[str]):
    """A gateway client when the SQL Gateway answers, else None (and a notice)."""
    from copilot.flink.gateway import GatewayClient

    address = settings.get("FLINK_SQL_GATEWAY")
    client = GatewayClient(address)
    try:
        client.api  # one cheap request: is it there?
        return client
    except Exception as exc:  # ServiceUnavailable or a transport error
        client.close()
        if args.run:
            if isinstance(exc, ServiceUnavailable):
                raise
            raise ServiceUnavailable("Flink SQL Gateway", address, str(exc)) from None
        notices.append(f"Flink SQL Gateway unreachable at {address}: the query was checked without Flink's planner (engine_checked: false)")
        return None


def _history(conversation_id: str | None) -> list[dict] | None:
    if not conversation_id:
        return None
    from copilot.agent.audit import read_events

    try:
        events = read_events(200, conversation_id=conversation_id, timeout=3.0)
    except ServiceUnavailable as exc:
        log.warning("conversation history unavailable: %s", exc)
        return []
    return [{"question": e.get("question"), "sql": e.get("sql"), "plan": e.get("plan"), "planner": e.get("planner")}
            for e in events if e.get("type") == "answer"]


def build_copilot(args, *, engine, audit):
    from copilot.agent.copilot import Copilot
    from copilot.catalog.store import YamlCatalogStore

    store = YamlCatalogStore(catalog_dir(args))
    loaded = store.load()
    for problem in loaded.problems:
        log.warning("catalog: %s", problem)
    planner = None
    if not args.builtin and settings.get("COPILOT_LLM"):  # LangChain is imported only when a model is configured
        from copilot.agent.llm import LlmPlanner, load_chat_model

        model = load_chat_model()
        planner = LlmPlanner(model) if model is not None else None
    index = None
    if args.question and not args.sql:
        from copilot.catalog.index import HybridTopicIndex

        index = HybridTopicIndex()
    return Copilot(loaded.topics, index=index, planner=planner, engine=engine, audit=audit, gateway=engine)


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
    engine = None if args.no_engine and not args.run else _gateway(args, notices)
    audit = None
    if not args.no_audit:
        from copilot.agent.audit import KafkaAuditSink

        audit = KafkaAuditSink()
        audit._ensure()  # every statement must reach the audit trail: no Kafka, no answer (exit 3)
        if audit.disabled_reason:
            raise ServiceUnavailable("Kafka", audit.servers, "the audit trail cannot be written",
                                     hint="start Kafka (`flink-copilot up`), or pass --no-audit to answer without an audit trail")
    copilot = build_copilot(args, engine=None if args.no_engine else engine, audit=audit)
    if args.no_engine and engine is not None:
        copilot.gateway = engine
    try:
        if args.sql:
            answer = copilot.check_sql(args.sql, conversation_id=args.conversation)
        else:
            answer = copilot.ask(args.question, conversation_id=args.conversation, history=_history(args.conversation))
        answer.notices = notices + answer.notices
        if audit is not None and audit.disabled_reason:
            answer.notices.append(f"audit trail not written: {audit.disabled_reason}")
        if args.run and answer.valid:
            run_live(copilot, answer, args)
        if args.json:
            emit(args, answer.to_dict())
        elif not args.run or not answer.valid:
            emit(args, answer.to_dict(), render_answer)
        return 0 if answer.valid else EXIT_REQUEST
    finally:
        if audit is not None:
            audit.close()


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
def run_live(copilot, answer, args) -> None:
    """--json: collect, then one document. A TTY: a table redrawn in place. A pipe: one line per change."""
    if args.json:
        copilot.run(answer, max_rows=args.max_rows, timeout=args.timeout)
        return
    out = sys.stdout
    tty = out.isatty()
    if not tty:
        out.write(f"-- {answer.explanation}\n")
    live = copilot.live_query(answer, max_rows=args.max_rows, timeout=args.timeout)
    header_done = False
    try:
        for batch in live.batches():
            names = [c.name for c in live.columns]
            if tty:
                out.write("\x1b[H\x1b[2J" + answer.explanation + "\n\n" + _table(names, batch.view.rows()))
                counts = batch.view.counts
                out.write(f"\n{len(batch.view)} rows · {counts.inserts} inserts, {counts.updates} updates, "
                          f"{counts.retractions} retractions · Ctrl-C stops\n")
            else:
                if not header_done:
                    out.write("op\t" + "\t".join(names) + "\n")
                    header_done = True
                for kind, fields in batch.changes:
                    out.write(kind + "\t" + "\t".join(_cell(v) for v in fields) + "\n")
            out.flush()
    except KeyboardInterrupt:
        live.cancel()
    result = live.result()
    answer.columns, answer.rows = result["columns"], result["rows"]
    answer.run = {k: result[k] for k in ("changes", "stopped", "job_id", "column_types")}
    sys.stderr.write(f"stopped ({result['stopped']}): {len(answer.rows)} rows\n")


def _cell(value) -> str:
    return "" if value is None else str(value)


def _table(names: list[str], rows: list[list]) -> str:
    shown = rows[-40:]
    cells = [[_cell(v) for v in row] for row in shown]
    widths = [max([len(n)] + [len(r[i]) for r in cells if i < len(r)]) for i, n in enumerate(names)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths))  # noqa: E731
    return "\n".join([line(names), line(["-" * w for w in widths])] + [line(r) for r in cells]) + "\n"
