"""The wheel alone runs the whole product: built from the checkout, installed into a fresh virtual environment
outside the repository (no system site-packages, not editable), then `up`, `ask --run`, `jobs save` (and
delete) and `app` run from an empty directory, with the catalog seeded from the installed package."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], *, env: dict, cwd: Path, timeout: float, ok: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if ok:
        assert out.returncode == 0, f"{' '.join(cmd[:4])}... exited {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(flink-copilot executable, venv python) of a fresh venv holding the wheel and its dependencies."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(ROOT)],
        env=env,
        cwd=base,
        timeout=300,
    )
    wheel = next((base / "dist").glob("flink_copilot-*.whl"))
    python = Path(getattr(sys, "_base_executable", sys.executable))
    _run([str(python), "-m", "venv", str(base / "venv")], env=env, cwd=base, timeout=120)
    venv_python = base / "venv" / "bin" / "python"
    # --no-compile: byte-compiling every dependency up front takes 40 % of the install; Python compiles what it imports
    _run([str(venv_python), "-m", "pip", "install", "-q", "--no-compile", str(wheel)], env=env, cwd=base, timeout=900)
    return base / "venv" / "bin" / "flink-copilot", venv_python, base


@pytest.mark.stack
@pytest.mark.timeout(1500)
def test_the_installed_wheel_runs_up_ask_jobs_and_app_from_an_empty_directory(stack, installed, tmp_path):
    exe, python, base = installed
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "FLINK_COPILOT_CATALOG_DIR")
    }

    # the package is the venv's, not the checkout's, and it carries its runtime files
    where = _run(
        [str(python), "-c", "import copilot, copilot.settings as s; print(copilot.__file__); print(s.DEMO_CATALOG_DIR)"],
        env=env,
        cwd=empty,
        timeout=60,
    ).stdout.split()
    assert all(str(base / "venv") in w for w in where), where
    assert not Path(where[0]).is_relative_to(ROOT)

    # the working catalog is seeded from the installed package (a private home: nothing leaks into ~/.flink-copilot)
    seeded = {**env, "FLINK_COPILOT_HOME": str(tmp_path / "home")}
    listed = json.loads(_run([str(exe), "catalog", "list", "--json"], env=seeded, cwd=empty, timeout=120).stdout)
    assert {"orders", "payments", "customers"} <= {t["topic"] for t in listed["topics"]}
    assert (tmp_path / "home" / "catalog" / "orders.yaml").exists()

    # the rest uses the shared stack's home (its state) and a catalog of its own
    env["FLINK_COPILOT_CATALOG_DIR"] = str(tmp_path / "home" / "catalog")
    _run([str(exe), "up"], env=env, cwd=empty, timeout=600)  # idempotent: the stack already answers

    asked = _run(
        [str(exe), "ask", "revenue per country every minute", "--run", "--max-rows", "2", "--timeout", "90", "--json"],
        env=env,
        cwd=empty,
        timeout=240,
    )
    answer = json.loads(asked.stdout)
    assert answer["valid"] and answer["engine_checked"] and answer["columns"], answer
    assert "country" in answer["columns"]

    job = f"wheel_{uuid.uuid4().hex[:6]}"
    try:
        saved = _run(
            [
                str(exe),
                "jobs",
                "save",
                "--name",
                job,
                "--sql",
                "SELECT currency, COUNT(*) AS orders_count FROM orders GROUP BY currency",
                "--json",
            ],
            env=env,
            cwd=empty,
            timeout=240,
        )
        assert json.loads(saved.stdout)["name"] == job
        catalog_entry = json.loads(_run([str(exe), "catalog", "list", "--json"], env=env, cwd=empty, timeout=60).stdout)
        assert f"job_{job}" in {t["topic"] for t in catalog_entry["topics"]}  # saved into the working catalog
    finally:
        _run([str(exe), "jobs", "delete", job], env=env, cwd=empty, timeout=240, ok=False)

    port = _free_port()
    log = open(tmp_path / "app.log", "w")
    app = subprocess.Popen([str(exe), "app", "--port", str(port)], env=env, cwd=empty, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and status is None:
            assert app.poll() is None, (tmp_path / "app.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=3) as response:
                    status = response.status
            except OSError:
                time.sleep(1)
        assert status == 200, (tmp_path / "app.log").read_text()[-3000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and b"<html" in response.read().lower()
    finally:
        app.terminate()
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
        log.close()
