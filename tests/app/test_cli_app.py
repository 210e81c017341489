"""`flink-copilot app`: starts the app, bound to localhost unless told otherwise."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
from apptest_helpers import AppServer


def test_app_serves_on_localhost_only():
    server = AppServer()
    try:
        server.wait_ready()
        assert httpx.get(f"{server.url}/_stcore/health", timeout=5).text == "ok"
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True, text=True).stdout
        local = {line.split()[3] for line in listening.splitlines() if line.strip()}
        assert local == {f"127.0.0.1:{server.port}"}, listening
        log = server.log.read_text()
        assert f"http://127.0.0.1:{server.port}" in log  # the URL is printed
    finally:
        server.stop()


def test_bad_port_and_busy_port_are_usage_errors():
    result = subprocess.run([sys.executable, "-m", "copilot", "app", "--port", "70000"], capture_output=True, text=True)
    assert result.returncode == 2 and "out of range" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "copilot", "app", "--port", str(port)], capture_output=True, text=True)
    assert result.returncode == 2 and "already in use" in result.stderr and "Traceback" not in result.stderr
