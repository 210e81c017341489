"""`up`, `down`, `status`."""

from __future__ import annotations

import argparse

from copilot import settings
from copilot.cli import add_json_flag, emit
from copilot.errors import EXIT_UNAVAILABLE


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    up = subparsers.add_parser("up", parents=[parent], help="start the local stack (Kafka, Flink, SQL Gateway, demo data)")
    up.add_argument("--no-datagen", action="store_true", help="do not start the demo data generator")
    up.set_defaults(handler=_up)
    down = subparsers.add_parser("down", parents=[parent], help="stop what `up` started")
    down.set_defaults(handler=_down)
    status = subparsers.add_parser("status", parents=[parent], help="each component: running, address, version")
    add_json_flag(status)
    status.set_defaults(handler=_status)


def _launcher():
    from copilot.stack.launcher import Launcher

    return Launcher()


def _format(rows: list[dict]) -> str:
    lines = [f"{'component':<16} {'state':<8} {'address':<40} version"]
    for r in rows:
        lines.append(f"{r['component']:<16} {'up' if r['running'] else 'down':<8} {r['address']:<40} {r['version'] or '-'}")
    return "\n".join(lines)


def _up(args: argparse.Namespace) -> int:
    rows = _launcher().up(with_datagen=not args.no_datagen)
    emit(args, rows, _format)
    return 0


def _down(args: argparse.Namespace) -> int:
    stopped = _launcher().down()
    if not stopped:
        print("nothing of ours was running")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = _launcher().status()
    data: dict = {"components": rows}
    if settings.get("COPILOT_SERVICE") == "kafka":  # the agent workers: consumer-group members and lag
        from copilot.service.members import format_workers, workers

        data["workers"] = workers()
        emit(args, data, lambda d: _format(d["components"]) + "\n\n" + format_workers(d["workers"]))
    else:
        emit(args, data, lambda d: _format(d["components"]))
    return 0 if all(r["running"] for r in rows if r["component"] != "datagen") else EXIT_UNAVAILABLE
