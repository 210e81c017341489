"""`flink-copilot`: the command line. Each area registers its subcommands from its own module."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

from copilot import settings
from copilot.errors import EXIT_OK, EXIT_REQUEST, EXIT_USAGE, CopilotError
from copilot.security.redact import install_log_redaction, redact

if TYPE_CHECKING:
    from copilot.wiring import Services

# One BLAS thread unless the user chose: a command embeds one question (small matrices), where OpenBLAS
# threads fighting for 2 busy cores made the first embedding take 0.3 s instead of 0.02 s.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# httpx imports its own command line (click, rich: ~0.1 s) whenever those are installed; we never use it.
# None in sys.modules makes that optional import fail fast, and httpx falls back as designed.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# Modules under copilot.cli that each define `register(subparsers, parent)`.
COMMAND_MODULES = ("stack", "catalog", "validate", "ask", "jobs", "audit", "app", "eval", "mcp", "serve", "watch")


def common_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--catalog-dir",
        type=Path,
        default=None,
        help="catalog directory (default: $FLINK_COPILOT_CATALOG_DIR, else the working catalog in $FLINK_COPILOT_HOME/catalog)",
    )
    parent.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    return parent


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")


def catalog_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "catalog_dir", None):
        return Path(args.catalog_dir)
    from copilot.catalog.working import catalog_dir as working_catalog_dir  # seeds the working catalog

    return working_catalog_dir()


def services(args: argparse.Namespace, *, audit: bool = True, llm: bool = True) -> Services:
    """The composition root (copilot.wiring) for this command: its catalog, the audit trail unless --no-audit."""
    from copilot.wiring import Config, build

    return build(
        Config.from_settings(
            catalog_dir=catalog_dir(args),
            audit=audit and not getattr(args, "no_audit", False),
            llm=llm and not getattr(args, "builtin", False),
        )
    )


def emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str] | str | None = None) -> None:
    """Print `data` as one JSON document with --json, else as human text."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, default=str) + "\n")
    elif callable(text):
        sys.stdout.write(text(data).rstrip("\n") + "\n")
    elif text is not None:
        sys.stdout.write(text.rstrip("\n") + "\n")
    else:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a one-line message, as argparse does
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="flink-copilot",
        description="Ask live Kafka streams questions in plain words.",
        epilog=settings.help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parent = common_parent()
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"copilot.cli.{name}")
        except ModuleNotFoundError as exc:  # an area not built yet
            if exc.name == f"copilot.cli.{name}":
                continue
            raise
        module.register(subparsers, parent)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    install_log_redaction()
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code = handler(args)
        return EXIT_OK if code is None else int(code)
    except CopilotError as exc:
        if getattr(args, "json", False):
            sys.stdout.write(redact(json.dumps(exc.to_dict(), default=str)) + "\n")
        sys.stderr.write(redact(f"flink-copilot: {exc}") + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("flink-copilot: interrupted\n")
        return 130
    except Exception as exc:  # a bug of ours: one clear line, the traceback only with --verbose
        logging.getLogger("flink-copilot").debug("unexpected error", exc_info=True)
        message = f"unexpected error: {type(exc).__name__}: {exc}"
        if getattr(args, "json", False):
            sys.stdout.write(
                redact(json.dumps({"error": "InternalError", "message": message, "hint": "run again with --verbose for details"}))
                + "\n"
            )
        sys.stderr.write(
            redact(f"flink-copilot: {message}\n  hint: run again with --verbose for the traceback, and report it") + "\n"
        )
        return EXIT_REQUEST


if __name__ == "__main__":
    sys.exit(main())
