"""Access control: a proxy's user header, and no exposed app without a password or a proxy."""

from __future__ import annotations

import os
import subprocess
import sys

from copilot.ui import state


def test_proxy_user_header_is_case_insensitive_and_must_be_non_empty():
    assert state.proxy_user({"X-Forwarded-User": "ana"}, "x-forwarded-user") == "ana"
    assert state.proxy_user({"X-Forwarded-User": "  "}, "X-Forwarded-User") is None
    assert state.proxy_user({}, "X-Forwarded-User") is None
    assert state.proxy_user({"X-Forwarded-User": "ana"}, None) is None


def _app(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("COPILOT_APP_PASSWORD", "COPILOT_APP_AUTH_HEADER")}
    return subprocess.run(
        [sys.executable, "-m", "copilot", "app", *args], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_app_refuses_to_listen_beyond_localhost_without_access_control():
    result = _app("--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2
    assert "without access control" in result.stderr and "COPILOT_APP_PASSWORD" in result.stderr


def test_with_a_password_the_exposure_check_passes():
    import socket

    with socket.socket() as taken:  # the next check (port in use) stops it, proving this one passed
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        result = _app("--host", "0.0.0.0", "--port", str(taken.getsockname()[1]), COPILOT_APP_PASSWORD="s3cret")
    assert result.returncode == 2
    assert "without access control" not in result.stderr and "already in use" in result.stderr
