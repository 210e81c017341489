"""`flink-copilot eval QUESTIONS.yaml [--execute] [--from T --to T | --last 5m] [--json]`."""

from __future__ import annotations

import argparse
import logging
import sys

from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.errors import UsageError

log = logging.getLogger(__name__)
DEFAULT_SLICE = "5m"


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "eval",
        parents=[parent],
        help="score the copilot on a question set (component match; with --execute, execution match on a bounded replay)",
    )
    p.add_argument(
        "questions",
        help="YAML list of {q: QUESTION, gold: SQL | DECLINE | CLARIFY} (follow_up: true continues the question before)",
    )
    p.add_argument(
        "--execute",
        action="store_true",
        help="run each answer and its gold query over the same bounded replay and compare the results",
    )
    p.add_argument(
        "--from", dest="from_", metavar="T", help="slice start, Kafka record time (ISO-8601, UTC unless zoned, or epoch ms)"
    )
    p.add_argument("--to", metavar="T", help="slice end (exclusive)")
    p.add_argument(
        "--last", metavar="DURATION", help=f"slice: the last DURATION of recorded data, e.g. 5m (default {DEFAULT_SLICE})"
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one comparison may take (default 120)")
    p.add_argument("--builtin", action="store_true", help="use the built-in planner even when COPILOT_LLM is set")
    p.add_argument("--no-engine", action="store_true", help="validate answers without Flink's planner")
    p.add_argument("--no-audit", action="store_true", help="do not write the audit trail to Kafka")
    add_json_flag(p)
    p.set_defaults(handler=cmd_eval)


def _slice(args):
    from copilot.eval.slice import Slice

    if args.last and (args.from_ or args.to):
        raise UsageError("give either --last or --from/--to, not both")
    if bool(args.from_) != bool(args.to):
        raise UsageError("--from and --to go together", hint="or use --last 5m")
    if args.from_:
        return Slice.between(args.from_, args.to)
    return Slice.last(args.last or DEFAULT_SLICE)


def cmd_eval(args: argparse.Namespace) -> int:
    from copilot.eval.runner import EvalRunner, load_questions, render

    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if not args.execute and (args.from_ or args.to or args.last):
        raise UsageError("--from/--to/--last name the replay of --execute", hint="add --execute")
    questions = load_questions(args.questions)
    slice_ = _slice(args) if args.execute else None
    services = cli_services(args)
    try:
        loaded = services.catalog.load()
        for problem in loaded.problems:
            log.warning("catalog: %s", problem)
        audit = services.require_audit() if services.audit is not None else None
        if args.execute and not args.no_engine:
            services.engine(required=True)
        copilot = services.copilot(engine=not args.no_engine)
        replayer = None
        if args.execute:
            from copilot.eval.replay import Replayer

            assert slice_ is not None  # --execute always has a slice
            replayer = Replayer(loaded.topics, slice_, gateway=services.replay_gateway(), audit=audit, purpose="eval")
        progress = _progress if not args.json and sys.stderr.isatty() else None
        try:
            report = EvalRunner(copilot, replayer, timeout=args.timeout).run(questions, progress)
        finally:
            if replayer is not None:
                replayer.close()
    finally:
        services.close()
    report["planner"] = copilot.planner.name
    emit(args, report, render)
    return 0


def _progress(row: dict) -> None:
    sys.stderr.write(f"  {row['verdict']:<10} {row['q']}\n")
