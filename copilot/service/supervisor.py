"""`flink-copilot serve --workers N`: N worker processes, each restarted if it dies. A restarted worker
keeps its id (and so its transactional id), which fences the dead one's open transaction at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from copilot.service.worker import default_worker_id

RESTART_BACKOFF_S = (1, 2, 5, 10)


class Supervisor:
    def __init__(self, workers: int, *, catalog_dir: Path | None = None, no_engine: bool = False, verbose: bool = False):
        self.ids = [default_worker_id(slot) for slot in range(workers)]
        self.extra = (["--catalog-dir", str(catalog_dir)] if catalog_dir else []) + (["--no-engine"] if no_engine else [])
        self.extra += ["-v"] if verbose else []
        self.children: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {}
        self.stopping = False

    def _start(self, worker_id: str) -> None:
        cmd = [sys.executable, "-m", "copilot.service.worker", "--worker-id", worker_id, *self.extra]
        self.children[worker_id] = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        sys.stderr.write(f"serve: worker {worker_id} started (pid {self.children[worker_id].pid})\n")

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: setattr(self, "stopping", True))
        for worker_id in self.ids:
            self._start(worker_id)
        while not self.stopping:
            time.sleep(0.5)
            for worker_id, child in list(self.children.items()):
                code = child.poll()
                if code is None or self.stopping:
                    continue
                n = self.restarts.get(worker_id, 0)
                self.restarts[worker_id] = n + 1
                delay = RESTART_BACKOFF_S[min(n, len(RESTART_BACKOFF_S) - 1)]
                sys.stderr.write(f"serve: worker {worker_id} exited ({code}); restarting in {delay}s\n")
                time.sleep(delay)
                self._start(worker_id)
        return self.stop()

    def stop(self, timeout: float = 20.0) -> int:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.stderr.write("serve: workers stopped\n")
        return 0
