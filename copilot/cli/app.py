"""`flink-copilot app [--host H] [--port P]`: the Streamlit app, bound to localhost unless told otherwise."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from copilot import settings
from copilot.errors import UsageError

APP_FILE = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"


def streamlit_command(host: str, port: int, *, headless: bool = True) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        # Never a traceback in the browser: errors are shown by the pages, details go to the log.
        "--client.showErrorDetails",
        "none",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def run(args: argparse.Namespace) -> int:
    host: str = args.host or settings.get("COPILOT_APP_HOST") or "127.0.0.1"
    port = args.port or settings.get_int("COPILOT_APP_PORT")
    if not 0 < port < 65536:
        raise UsageError(f"port {port} is out of range", hint="use a port between 1 and 65535")
    if not _is_loopback(host) and not (settings.get("COPILOT_APP_PASSWORD") or settings.get("COPILOT_APP_AUTH_HEADER")):
        raise UsageError(
            f"refusing to expose the app on {host} without access control",
            hint="set COPILOT_APP_PASSWORD, or COPILOT_APP_AUTH_HEADER behind an authenticating proxy, or bind to 127.0.0.1",
        )
    if _port_taken(host, port):
        raise UsageError(f"port {port} on {host} is already in use", hint="stop what uses it, or pass --port")
    if not APP_FILE.exists():
        raise UsageError(f"the app is missing at {APP_FILE}", hint="run from a full checkout of flink-copilot")
    env = dict(os.environ)
    if args.catalog_dir:
        env["FLINK_COPILOT_CATALOG_DIR"] = str(args.catalog_dir.resolve())
    sys.stderr.write(f"flink-copilot app: http://{host}:{port}\n")
    sys.stderr.flush()
    command = streamlit_command(host, port, headless=not args.open_browser)
    # Become Streamlit (no parent left behind): signals reach the server itself, and stopping this
    # process always stops the app.
    os.execve(command[0], command, env)
    return 0  # not reached


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "app",
        parents=[parent],
        help="start the Streamlit app",
        description="Start the browser app (Streamlit). Binds to COPILOT_APP_HOST:COPILOT_APP_PORT.",
    )
    p.add_argument("--host", default=None, help="address to bind (default: $COPILOT_APP_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: $COPILOT_APP_PORT or 8501)")
    p.add_argument("--open-browser", action="store_true", help="open a browser tab on start")
    p.set_defaults(handler=run)
