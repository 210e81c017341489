"""`watch create --name N --question Q --when CONDITION | list | stop | resume | delete | alerts`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.cli.table import Column, table

if TYPE_CHECKING:
    from copilot.service.watches import WatchService


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    watch = subparsers.add_parser(
        "watch", parents=[parent], help="keep a question running as a job that writes alerts to copilot.alerts"
    )
    sub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    p = sub.add_parser("create", parents=[parent], help="answer a question and watch a condition on its windows")
    p.add_argument("--name", required=True, help="watch name: lower-case letters, digits, _")
    p.add_argument(
        "--question",
        required=True,
        help="a question answered by a windowed aggregate, or a request in words without --when: "
        "'tell me when declined payments go above 5%% in a minute'",
    )
    p.add_argument(
        "--when",
        metavar="CONDITION",
        help="MEASURE OP NUMBER on a measure of the answer, e.g. 'declined_share > 0.05' or '... > 5%%'",
    )
    p.add_argument("--replace", action="store_true", help="replace a watch of the same name")
    p.add_argument("--builtin", action="store_true", help="use the built-in planner even when COPILOT_LLM is set")
    add_json_flag(p)
    p.set_defaults(handler=_create)
    p = sub.add_parser("list", parents=[parent], help="watches with their Flink state")
    add_json_flag(p)
    p.set_defaults(handler=_list)
    for action, text in (
        ("stop", "stop a watch with a savepoint"),
        ("resume", "resume a stopped watch from its savepoint"),
        ("delete", "stop a watch and forget it (its alerts stay in the alerts topic)"),
    ):
        p = sub.add_parser(action, parents=[parent], help=text)
        p.add_argument("name")
        if action == "stop":
            p.add_argument("--no-savepoint", action="store_true", help="cancel without a savepoint")
        add_json_flag(p)
        p.set_defaults(handler=_action)
    p = sub.add_parser("alerts", parents=[parent], help="current alerts (the newest per watch and window)")
    p.add_argument("name", nargs="?", help="only this watch's alerts")
    p.add_argument("--limit", type=int, default=50)
    add_json_flag(p)
    p.set_defaults(handler=_alerts)


def _service(args: argparse.Namespace) -> WatchService:
    return cli_services(args).watches()


def _create(args: argparse.Namespace) -> int:
    from copilot.errors import UsageError
    from copilot.service.condition import Condition, WatchRequest
    from copilot.service.watches import answer_question

    if args.when:
        question, condition = args.question, Condition.parse(args.when)  # refused before the question is asked
    else:
        request = WatchRequest.parse(args.question)
        if request is None:
            raise UsageError(
                "no condition: give --when 'MEASURE OP NUMBER', or ask in words",
                hint="flink-copilot watch create --name declines --question "
                "'tell me when declined payments go above 5% in a minute'",
            )
        question, condition = request.question, request.condition
    services = cli_services(args)
    service = services.watches()
    answer = answer_question(question, services, builtin=args.builtin)
    try:
        watch = service.create(args.name, condition, answer, replace=args.replace)
    finally:
        if service.jobs.audit is not None:
            service.jobs.audit.flush()
    emit(
        args,
        watch,
        f"watch {watch['name']}: {watch['condition']} on '{watch['question']}' "
        f"(Flink job {watch['flink_job_id']}, alerts to {watch['alerts_topic']})\n{watch['sql']}",
    )
    return 0


_COLUMNS: tuple[Column, ...] = (
    ("name", 24, lambda r: r["name"]),
    ("state", 12, lambda r: r["state"]),
    ("condition", 32, lambda r: r["condition"] or "-"),
    ("question", 0, lambda r: r["question"] or "-"),
)


def _list(args: argparse.Namespace) -> int:
    rows = _service(args).list()
    emit(args, {"watches": rows}, table(rows, _COLUMNS, "no watches"))
    return 0


def _action(args: argparse.Namespace) -> int:
    service = _service(args)
    try:
        if args.watch_command == "stop":
            result = service.stop(args.name, savepoint=not args.no_savepoint)
            text = f"stopped watch {args.name}" + (f"; savepoint {result['savepoint']}" if result.get("savepoint") else "")
        elif args.watch_command == "resume":
            result = service.resume(args.name)
            text = f"resumed watch {args.name} (Flink job {result['flink_job_id']})"
        else:
            result = service.delete(args.name)
            text = f"deleted watch {args.name}"
    finally:
        if service.jobs.audit is not None:
            service.jobs.audit.flush()
    emit(args, result, text)
    return 0


def _alerts(args: argparse.Namespace) -> int:
    from copilot.service.watches import read_alerts

    rows = read_alerts(watch=args.name, limit=args.limit)
    lines = [
        f"{r['watch']:<20} {r['window_start']} .. {r['window_end']}  {r.get('group_key') or '':<12} "
        f"{r['condition']:<28} {r['values']}"
        for r in rows
    ]
    emit(args, {"alerts": rows}, "\n".join(lines) if rows else "no alerts")
    return 0
