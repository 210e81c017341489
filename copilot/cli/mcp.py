"""`flink-copilot mcp [--transport stdio|http] [--host H] [--port N]`: the Model Context Protocol server."""

from __future__ import annotations

import argparse
import sys

from copilot.cli import services as cli_services
from copilot.errors import UsageError

DEFAULT_PORT = 8765


def register(subparsers, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "mcp",
        parents=[parent],
        help="Model Context Protocol server for assistants and IDEs (stdio or streamable HTTP; read-only by default)",
        description="Serve the copilot's tools (search_topics, describe_topic, ask, validate_sql, run_query, list_jobs; "
        "save_job and stop_job only with COPILOT_MCP_ALLOW_WRITES=true) and the catalog as resources.",
    )
    p.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio (a client starts this command) or http (streamable HTTP at http://HOST:PORT/mcp)",
    )
    p.add_argument("--host", default="127.0.0.1", help="http: address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"http: port (default {DEFAULT_PORT})")
    p.set_defaults(handler=cmd_mcp)


def cmd_mcp(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    from copilot.cli.app import _is_loopback

    if args.transport == "http" and not _is_loopback(args.host):
        raise UsageError(
            f"refusing to serve MCP on {args.host}: the HTTP transport has no authentication of its own",
            hint="bind to 127.0.0.1 and put an authenticating reverse proxy in front of it",
        )
    if args.transport == "stdio" and sys.stdin.isatty():
        sys.stderr.write(
            "flink-copilot mcp: speaking MCP on stdin/stdout; an MCP client should start this command "
            "(see the README's client configuration). Ctrl-C stops.\n"
        )
    try:
        from copilot.mcp.server import serve
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "mcp":
            raise UsageError(
                "the MCP server needs the `mcp` package", hint="pip install flink-copilot (it depends on mcp)"
            ) from None
        raise
    try:
        serve(cli_services(args, audit=True), args.transport, host=args.host, port=args.port)
    except KeyboardInterrupt:
        pass
    return 0
