"""Issue 3 figures: cold `up` with cached artifacts (median of 3), first-time artifact download
size and time, resident memory of each component after `up`.

Run: .venv/bin/python bench/bench_stack.py   (uses its own ports and state; the shared stack is left alone)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, median, write  # noqa: E402

PORTS = {
    "KAFKA_BOOTSTRAP": "localhost:39092",
    "FLINK_REST": "http://localhost:38081",
    "FLINK_SQL_GATEWAY": "http://localhost:38083",
    "FLINK_COPILOT_REGISTRY_PORT": "38085",
}


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", *args], env=env, capture_output=True, text=True, timeout=900)


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids + [g for k in kids for g in _descendants(k)]


def dir_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def cold_download() -> dict:
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as m2:
        env = {**os.environ, "FLINK_COPILOT_HOME": home, "FLINK_COPILOT_MAVEN_REPO": m2}
        with Timer() as t:
            done = subprocess.run(
                [sys.executable, "-m", "copilot.stack.artifacts"], env=env, capture_output=True, text=True, timeout=1800
            )
        if done.returncode != 0:
            return {"error": done.stderr[-500:]}
        root = Path(home) / "artifacts"
        return {
            "seconds": round(t.seconds, 1),
            "downloaded_mb": dir_size_mb(root / "downloads") + dir_size_mb(Path(m2)),
            "installed_mb": dir_size_mb(root) - dir_size_mb(root / "downloads"),
        }


def main() -> None:
    results: dict = {"cold_artifact_download": cold_download()}
    ups, memory = [], {}
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, **PORTS, "FLINK_COPILOT_STATE_DIR": state}
        try:
            for i in range(3):
                cli(env, "down")
                with Timer() as t:
                    done = cli(env, "up")
                if done.returncode != 0:
                    results["up_error"] = done.stderr[-800:]
                    break
                ups.append(round(t.seconds, 2))
                if i == 0:
                    import json

                    for row in json.loads(cli(env, "status", "--json").stdout)["components"]:
                        if row.get("pid"):
                            memory[row["component"]] = rss_mb(row["pid"])
            with Timer() as t:
                cli(env, "up")
            results["idempotent_up_seconds"] = round(t.seconds, 2)
        finally:
            cli(env, "down")
    results.update({"cold_up_seconds": ups, "cold_up_median_seconds": median(ups), "rss_mb_after_up": memory})
    write("stack", results)


if __name__ == "__main__":
    main()
