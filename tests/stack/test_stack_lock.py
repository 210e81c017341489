"""One `up` or `down` at a time per state directory (copilot.stack.processes.state_lock, an flock on
<state>/stack.lock): the second caller says who holds the lock, waits, and only then runs. The last test runs
two `flink-copilot up` at once against the shared running stack: both succeed and nothing is started twice.
It never stops anything."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from copilot.kafka import clients
from copilot.stack.processes import LOCK_FILE, ProcessTable, state_lock

# Takes the lock, prints "held <pid>", keeps it until stdin closes (or the process is killed).
HOLDER = """
import sys
from pathlib import Path
from copilot.stack.processes import state_lock

with state_lock(Path(sys.argv[1]), sys.argv[2], lambda msg: print(msg, file=sys.stderr, flush=True)):
    print("held", flush=True)
    sys.stdin.read()
"""


def holder(state: Path, verb: str = "up") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(state), verb],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc


def read_line(stream, timeout: float) -> str | None:
    """The next line of a pipe, or None when none arrives within `timeout` seconds."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else None


def release(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=30)


@pytest.mark.parametrize(("verb", "doing"), [("up", "starting"), ("down", "stopping")])
def test_the_second_caller_waits_for_the_first(tmp_path, verb, doing):
    first = holder(tmp_path, verb)
    second = None
    try:
        assert read_line(first.stdout, 30) == "held\n", first.stderr.read()
        assert (tmp_path / LOCK_FILE).read_text().split() == [str(first.pid), verb]
        second = holder(tmp_path, "up")
        waiting = read_line(second.stderr, 30)
        assert waiting == f"another `flink-copilot {verb}` is {doing} the stack (pid {first.pid}); waiting…\n"
        assert read_line(second.stdout, 1.5) is None, "the second caller got the lock while the first held it"
        assert second.poll() is None
        release(first)
        assert read_line(second.stdout, 30) == "held\n"
        assert (tmp_path / LOCK_FILE).read_text().split() == [str(second.pid), "up"]
        release(second)
        assert second.returncode == 0 and first.returncode == 0
        assert (tmp_path / LOCK_FILE).read_text() == ""  # released: no holder named
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    first = holder(tmp_path)
    second = None
    try:
        assert read_line(first.stdout, 30) == "held\n"
        second = holder(tmp_path)
        assert read_line(second.stderr, 30).startswith("another `flink-copilot up` is starting the stack")
        os.kill(first.pid, signal.SIGKILL)  # our own child, by its pid
        first.wait(timeout=10)
        assert read_line(second.stdout, 30) == "held\n"
        release(second)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def test_an_uncontended_lock_says_nothing(tmp_path):
    said: list[str] = []
    with state_lock(tmp_path / "new-state", "up", said.append):
        assert (tmp_path / "new-state" / LOCK_FILE).read_text().split() == [str(os.getpid()), "up"]
    with state_lock(tmp_path / "new-state", "down", said.append):  # released on exit: taken again at once
        pass
    assert said == []


def _running(state: Path) -> dict[str, tuple[int, int]]:
    table = ProcessTable(state)
    out = {}
    for pid_file in (state / "pids").glob("*.pid"):
        record = table.running(pid_file.stem)
        if record is not None:
            out[record.name] = (record.pid, record.start_ticks)
    return out


def _stderr_of(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def taskmanager_ids(stack) -> list[str]:
    return sorted(t["id"] for t in httpx.get(f"{stack.ep.rest_url}/taskmanagers", timeout=10).json()["taskmanagers"])


@pytest.mark.stack
def test_two_concurrent_ups_on_the_running_stack_start_nothing(stack):
    """Both `up` calls exit 0, each finds every component already running; the recorded processes, Flink's
    TaskManagers and Kafka's brokers are the same before and after. The test holds the lock while the two
    start, so both must wait for it and then contend for it when it is released."""
    state = stack.state
    before = {name: rec for name, rec in _running(state).items() if name in {c.name for c in stack.components(True)}}
    assert {"kafka", "jobmanager", "taskmanager", "sql-gateway"} <= before.keys(), before
    taskmanagers = taskmanager_ids(stack)
    broker_ids = set(clients.admin(servers=stack.ep.bootstrap).list_topics(timeout=10).brokers)
    env = {**os.environ, "FLINK_COPILOT_KEEP_STACK": "1", "FLINK_COPILOT_STATE_DIR": str(state)}
    env.pop("COPILOT_SERVICE", None)  # no worker component unless one already runs
    logs = Path(tempfile.mkdtemp(prefix="concurrent-up-"))
    procs: list[subprocess.Popen] = []
    try:
        with state_lock(state, "up", lambda _msg: None):
            for i in range(2):
                with open(logs / f"up{i}.err", "w") as err:
                    procs.append(
                        subprocess.Popen(
                            [sys.executable, "-m", "copilot", "up"],
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=err,
                            stdin=subprocess.DEVNULL,
                        )
                    )
            waiting = f"(pid {os.getpid()}); waiting…"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not all(waiting in _stderr_of(logs / f"up{i}.err") for i in range(2)):
                assert all(p.poll() is None for p in procs), [_stderr_of(logs / f"up{i}.err") for i in range(2)]
                time.sleep(0.2)
            assert all(waiting in _stderr_of(logs / f"up{i}.err") for i in range(2))
        for proc in procs:
            proc.wait(timeout=300)
        outputs = [_stderr_of(logs / f"up{i}.err") for i in range(2)]
        assert [p.returncode for p in procs] == [0, 0], outputs
        for out in outputs:
            for name in before:
                assert f"{name}: already running (pid {before[name][0]})" in out, out
            assert "starting (log" not in out, out
        assert {name: _running(state).get(name) for name in before} == before
        assert taskmanager_ids(stack) == taskmanagers
        assert set(clients.admin(servers=stack.ep.bootstrap).list_topics(timeout=10).brokers) == broker_ids
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()  # only our own `up` processes
                proc.wait()
