"""Start, find and stop the stack's local processes by recorded pid, each with its own log; the lock that
lets one `up` or `down` at a time work on a state directory."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = "stack.lock"
_DOING = {"up": "starting", "down": "stopping"}


@dataclass
class ProcessRecord:
    name: str
    pid: int
    start_ticks: int  # from /proc/<pid>/stat: tells a recycled pid from ours
    cmd: list[str]

    def alive(self) -> bool:
        return _start_ticks(self.pid) == self.start_ticks


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie is not running
        return None
    return int(fields[19])


class ProcessTable:
    def __init__(self, state_dir: Path):
        self.pid_dir = state_dir / "pids"
        self.log_dir = state_dir / "logs"
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _pid_path(self, name: str) -> Path:
        return self.pid_dir / f"{name}.pid"

    def record(self, name: str) -> ProcessRecord | None:
        try:
            data = json.loads(self._pid_path(name).read_text())
            return ProcessRecord(name, int(data["pid"]), int(data["start_ticks"]), list(data["cmd"]))
        except (OSError, ValueError, KeyError):
            return None

    def running(self, name: str) -> ProcessRecord | None:
        rec = self.record(name)
        return rec if rec is not None and rec.alive() else None

    def start(self, name: str, cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> ProcessRecord:
        log = open(self.log_path(name), "ab")
        log.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,  # its own process group: `down` stops it with its children
        )
        log.close()
        ticks = _start_ticks(proc.pid) or 0
        rec = ProcessRecord(name, proc.pid, ticks, cmd)
        self._pid_path(name).write_text(json.dumps({"pid": rec.pid, "start_ticks": ticks, "cmd": cmd}))
        return rec

    def stop(self, name: str, timeout: float = 20.0) -> bool:
        """Stop a recorded process (SIGTERM, then SIGKILL). True if one was running."""
        rec = self.record(name)
        was_running = rec is not None and rec.alive()
        if rec is not None and was_running:
            _signal_group(rec.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while rec.alive() and time.monotonic() < deadline:
                _reap(rec.pid)
                time.sleep(0.1)
            if rec.alive():
                _signal_group(rec.pid, signal.SIGKILL)
                while rec.alive() and time.monotonic() < deadline + 5:
                    _reap(rec.pid)
                    time.sleep(0.1)
        self._pid_path(name).unlink(missing_ok=True)
        return was_running

    def tail(self, name: str, lines: int = 20) -> str:
        try:
            text = self.log_path(name).read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _holder(path: Path, wait_s: float = 1.0) -> tuple[str, str]:
    """(pid, verb) the lock's holder wrote into the lock file; it writes them just after taking the lock."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fields = path.read_text().split()
        except OSError:
            fields = []
        if len(fields) >= 2 or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return (fields[0], fields[1]) if len(fields) >= 2 else ("unknown", "up")


@contextmanager
def state_lock(state_dir: Path, verb: str, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the exclusive lock (flock) of `state_dir` while `verb` ("up" or "down") runs: a second `up` or
    `down` on the same state directory says who holds it on one line, waits, and then sees what the first one
    left (the services up, or stopped). The kernel drops the lock when its holder exits, so a killed `up`
    never leaves a stale lock behind."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_FILE
    with open(path, "a+") as handle:  # never truncated before the lock is ours: the holder's pid stays readable
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, other = _holder(path)
            say(f"another `flink-copilot {other}` is {_DOING.get(other, 'using')} the stack (pid {pid}); waiting…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(f"{os.getpid()} {verb}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
