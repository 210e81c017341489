"""How the command line feels: whole-process wall time (median of 10, after one warm-up run) of
`--help`, `validate --no-engine` and `ask --json` (built-in planner, Flink's planner check on); the MCP `ask`
round trip over stdio; the wheel's size and the time to install it into an empty venv (pip's cache allowed).

    .venv/bin/python bench/bench_cli.py [--runs N] [--skip-install]

Writes bench/results/cli.json. Needs the stack for `ask` (engine check) and the MCP round trip."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, write  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXE = [str(Path(sys.executable).parent / "flink-copilot")]
QUESTION = "revenue per country every minute"
COMMANDS = {
    "help": EXE + ["--help"],
    "validate_no_engine": EXE
    + ["validate", "--no-engine", "SELECT country, SUM(amount) AS revenue FROM orders GROUP BY country"],
    "ask_json": EXE + ["ask", QUESTION, "--json"],
}


def wall(cmd: list[str], runs: int, env: dict) -> dict:
    subprocess.run(cmd, env=env, capture_output=True, timeout=120)  # warm: OS page cache, .pyc, catalog cache
    times, cpu, codes = [], [], set()
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        codes.add(out.returncode)
    # CPU time (user + system) next to wall time: on a shared 2-core machine wall time also measures the neighbours.
    return {
        "median_s": round(median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(median(cpu), 3),
        "runs": runs,
        "exit_codes": sorted(codes),
        "goal_s": 1.0,
        "met": median(times) <= 1.0,
    }


def mcp_round_trip(runs: int, env: dict) -> dict:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "copilot", "mcp"], env=env)

    async def measure() -> tuple[float, list[float]]:
        start = time.perf_counter()
        async with Client(params, read_timeout_seconds=120) as client:
            connected = time.perf_counter() - start
            times = []
            for _ in range(runs + 1):
                t = time.perf_counter()
                result = await client.call_tool("ask", {"question": QUESTION})
                assert not result.is_error, result.content[0].text
                times.append(time.perf_counter() - t)
            return connected, times[1:]  # the first call also indexes the catalog

    connected, times = asyncio.run(measure())
    return {
        "server_start_and_connect_s": round(connected, 3),
        "ask_median_s": round(median(times), 3),
        "ask_max_s": round(max(times), 3),
        "runs": runs,
    }


def wheel_and_install(env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmp_path = Path(tmp)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        build_s = time.perf_counter() - start
        wheel = next((tmp_path / "dist").glob("*.whl"))
        base_python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base_python, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=120)
        start = time.perf_counter()
        subprocess.run(
            [str(tmp_path / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
            env=env,
            check=True,
            capture_output=True,
            timeout=1800,
        )
        install_s = time.perf_counter() - start
        return {
            "wheel": wheel.name,
            "wheel_kb": round(wheel.stat().st_size / 1024, 1),
            "build_s": round(build_s, 1),
            "install_into_empty_venv_s": round(install_s, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--skip-install", action="store_true", help="skip building and installing the wheel")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    results: dict = {"wall_time": {name: wall(cmd, args.runs, env) for name, cmd in COMMANDS.items()}}
    results["mcp_ask_stdio"] = mcp_round_trip(args.runs, env)
    if not args.skip_install:
        results["package"] = wheel_and_install(env)
    results["load_average"] = os.getloadavg()
    write("cli", results)


if __name__ == "__main__":
    main()
