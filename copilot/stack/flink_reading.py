"""Flink's own reading of SQL, offline: a small JVM helper (copilot/stack/java/FlinkReading.java) that
parses statements with Flink 2.2's parser in a local TableEnvironment and explains what it calls a
query. It never executes the text it is given. Used by the differential test and the hardening
bench, not by the product at run time.

The helper is compiled on first use with the JDK's javac against the Flink distribution the project
already downloads (copilot.stack.artifacts), into FLINK_COPILOT_HOME/artifacts/flink-reading/<hash>."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

from copilot.errors import CopilotError
from copilot.stack.artifacts import Artifacts, artifacts_root

SOURCE = Path(__file__).parent / "java" / "FlinkReading.java"
START_TIMEOUT_S = 120.0


class FlinkReadingError(CopilotError):
    pass


def build(artifacts: Artifacts | None = None) -> Path:
    """The directory holding the compiled helper (compiled once per source version)."""
    artifacts = artifacts or Artifacts(artifacts_root())
    if not (artifacts.flink_lib / "flink-table-api-java-uber-2.2.0.jar").exists():
        raise FlinkReadingError(
            f"no Flink distribution in {artifacts.flink_lib}", hint="run `flink-copilot up` once: it downloads Flink"
        )
    digest = hashlib.sha1(SOURCE.read_bytes()).hexdigest()[:12]
    out = artifacts.root / "flink-reading" / digest
    if (out / "FlinkReading.class").exists():
        return out
    javac = shutil.which("javac")
    if javac is None:
        raise FlinkReadingError("javac is not installed", hint="install a JDK 17 (scripts/install-system.sh does)")
    staging = out.with_name(digest + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    done = subprocess.run(
        [javac, "-nowarn", "-d", str(staging), "-cp", artifacts.flink_classpath(), str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise FlinkReadingError(f"javac failed: {done.stderr[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


class FlinkReader:
    """One JVM, started once; `read(sql)` answers {"kind": query|write|other|error, "operation",
    "sinks", "plan", "error"}. Tables are defined with `define(ddl)` (the product's own DDL)."""

    def __init__(self, artifacts: Artifacts | None = None):
        artifacts = artifacts or Artifacts(artifacts_root())
        classes = build(artifacts)
        java = shutil.which("java") or "java"
        self._proc: subprocess.Popen[str] = subprocess.Popen(
            [
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.level=ERROR",
                "-cp",
                f"{classes}:{artifacts.flink_classpath()}",
                "FlinkReading",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None  # both are pipes
        self._stdin, self._stdout = self._proc.stdin, self._proc.stdout
        self._lock = threading.Lock()
        ready = self._line(START_TIMEOUT_S)
        if not ready.get("ready"):
            self.close()
            raise FlinkReadingError(f"the Flink reading helper did not start: {ready}")

    def _line(self, timeout: float) -> dict:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            raise FlinkReadingError("the Flink reading helper stopped answering")
        return json.loads(result[0])

    def _ask(self, op: str, sql: str, timeout: float = 60.0) -> dict:
        with self._lock:
            self._stdin.write(json.dumps({"op": op, "sql": sql}) + "\n")
            self._stdin.flush()
            return self._line(timeout)

    def define(self, ddl: str) -> None:
        answer = self._ask("ddl", ddl)
        if answer.get("kind") != "ok":
            raise FlinkReadingError(f"Flink refused the table definition: {answer.get('error')}")

    def read(self, sql: str) -> dict:
        return self._ask("read", sql)

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._stdin.close()
                self._proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait(5)

    def __enter__(self) -> "FlinkReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
