"""`flink-copilot validate (SQL | -f FILE) [--json] [--no-engine]`: run the validation pipeline."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from copilot.cli import add_json_flag, emit, services as cli_services
from copilot.errors import EXIT_REQUEST, UsageError

log = logging.getLogger(__name__)


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "validate", parents=[parent], help="check a Flink SQL statement: parse, policy, catalog, Flink's planner"
    )
    add_json_flag(p)
    p.add_argument("sql", nargs="?", help="the statement (or use -f FILE; '-' reads stdin)")
    p.add_argument("-f", "--file", type=Path, help="read the statement from this file")
    p.add_argument("--no-engine", action="store_true", help="skip the Flink planner check (no SQL Gateway needed)")
    p.add_argument(
        "--allow-insert-into",
        action="append",
        default=[],
        metavar="TABLE",
        help="also allow one INSERT INTO this table ... SELECT (repeatable)",
    )
    p.set_defaults(handler=cmd_validate)


def _read_sql(args: argparse.Namespace) -> str:
    if args.file and args.sql:
        raise UsageError("give the statement either as an argument or with -f FILE, not both")
    if args.file:
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            return args.file.read_bytes().decode("utf-8", errors="surrogateescape")  # refused as invalid_text
    if args.sql == "-":  # any bytes: invalid UTF-8 becomes lone surrogates, which validate() refuses by name
        return sys.stdin.buffer.read().decode("utf-8", errors="surrogateescape")
    if args.sql is None:
        raise UsageError("no statement given", hint='flink-copilot validate "SELECT ..." or -f FILE')
    return args.sql


def cmd_validate(args: argparse.Namespace) -> int:
    from copilot.validate import validate

    sql = _read_sql(args)
    services = cli_services(args, audit=False)
    try:
        loaded = services.catalog.load()
        for problem in loaded.problems:
            log.warning("catalog: %s", problem)
        engine = None if args.no_engine else services.gateway  # unreachable: the engine stage says so
        result = validate(sql, loaded.topics, engine, allow_insert_into=args.allow_insert_into)
    finally:
        services.close()
    emit(args, result.to_dict(), lambda data: _text(result))
    return 0 if result.valid else EXIT_REQUEST


def _text(result) -> str:
    if result.valid:
        checked = "parse, policy, catalog" + (", Flink planner" if result.engine_checked else " (planner skipped)")
        tables = f"; tables: {', '.join(result.tables)}" if result.tables else ""
        return f"valid {result.statement_kind}: {checked}{tables}\n{result.sql}"
    return "\n".join(
        f"invalid ({e.stage}) at line {e.line}, column {e.column}: {e.message}" + (f"\n  hint: {e.hint}" if e.hint else "")
        for e in result.errors
    )
