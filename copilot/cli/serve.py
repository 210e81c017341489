"""`flink-copilot serve [--workers N]`: agent workers answering questions from Kafka; and `ask` in
service mode (COPILOT_SERVICE=kafka): publish the question, wait for its answer."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from copilot.cli import emit, services as cli_services
from copilot.errors import EXIT_REQUEST, UsageError

if TYPE_CHECKING:
    from copilot.agent.answer import Answer
    from copilot.wiring import Services


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "serve", parents=[parent], help="agent workers: questions from copilot.questions, answers to copilot.answers"
    )
    p.add_argument(
        "--workers", type=int, default=1, help="worker processes (default 1); partitions bound how many share the work"
    )
    p.add_argument("--no-engine", action="store_true", help="answer without Flink's planner check")
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from copilot.kafka import admin as kadmin
    from copilot.service import events
    from copilot.service.supervisor import Supervisor

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    events.ensure_topics()  # fails with exit 3 when Kafka is unreachable
    sys.stderr.write(
        f"serve: {args.workers} worker(s) in group {events.group_id()} on {kadmin.bootstrap()}: "
        f"{events.questions_topic()} -> {events.answers_topic()}\n"
    )
    return Supervisor(args.workers, catalog_dir=args.catalog_dir, no_engine=args.no_engine, verbose=args.verbose).run()


def ask_through_service(args: argparse.Namespace) -> int:
    """`ask` with COPILOT_SERVICE=kafka: a worker plans and validates; `--run` runs the SQL here."""
    import getpass

    from copilot.cli.ask import render_answer
    from copilot.service import events

    question = events.Question(
        question=args.question or "",
        sql=args.sql,
        user=getpass.getuser(),
        options={"run": args.run, "max_rows": args.max_rows, "timeout": args.timeout},
    )
    if args.conversation:
        question.conversation_id, question.continues = args.conversation, True
    services = cli_services(args)
    try:
        event = services.bus.ask(question)
        answer = events.answer_from_event(event)
        ignored = [flag for flag, on in (("--builtin", args.builtin), ("--no-engine", args.no_engine)) if on]
        if ignored:
            answer.notices.append(f"{' and '.join(ignored)} ignored in service mode: the worker's settings decide")
        if args.run and answer.valid:
            _run_here(args, answer, services)
    finally:
        services.close()
    document = {**answer.to_dict(), **{k: event.get(k) for k in ("question_id", "worker_id", "timings")}}
    if args.json:
        emit(args, document)
    elif not args.run or not answer.valid:
        emit(args, document, render_answer)
    return 0 if answer.valid else EXIT_REQUEST


def _run_here(args: argparse.Namespace, answer: Answer, services: Services) -> None:
    """The worker answered; the query runs here, on this process's gateway, audited here."""
    from copilot.cli.ask import render_live

    services.engine(required=True)
    render_live(services.copilot(engine=False, index=False, llm=False), answer, args)
