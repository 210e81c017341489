"""A throwaway single-node KRaft broker in a directory of its own, from the stack's cached Kafka
artifacts: lets the generator's tests and benchmark stop, restart and measure Kafka without touching
the shared stack."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from copilot.kafka import clients
from copilot.stack import artifacts, config


def free_port_pair() -> int:
    """A port p with p + 1 also free (broker and controller listeners)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no two adjacent free ports on 127.0.0.1")


class ScratchKafka:
    def __init__(self, directory: Path, heap: str = "512m"):
        self.dir = directory
        self.port = free_port_pair()
        self.heap = heap
        ep = config.Endpoints("localhost", self.port, self.port + 1, "localhost", 1, "localhost", 1)
        self.props = directory / "kafka.properties"
        self.props.write_text(config.kafka_properties(ep, directory / "data"))
        log4j = directory / "log4j2.properties"
        log4j.write_text(config.LOG4J2.replace("rootLogger.level = INFO", "rootLogger.level = WARN"))
        self.java = [
            os.environ.get("JAVA", "java"),
            f"-Dlog4j2.configurationFile=file:{log4j}",
            "-cp",
            artifacts.ensure_artifacts().kafka_classpath(),
        ]
        subprocess.run(
            [*self.java, "kafka.tools.StorageTool", "format", "-t", config.new_cluster_id(), "-c", str(self.props)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"localhost:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        with open(self.dir / "kafka.log", "ab") as log:
            self.process = subprocess.Popen(
                [self.java[0], f"-Xmx{self.heap}", *self.java[1:], "kafka.Kafka", str(self.props)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        admin = clients.admin({"log_level": 0}, servers=self.bootstrap)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if admin.list_topics(timeout=2).brokers:
                    return
            except Exception:  # noqa: BLE001 - not answering yet
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"scratch Kafka exited:\n{(self.dir / 'kafka.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"scratch Kafka did not answer on {self.bootstrap} within {timeout:g} s")
            time.sleep(1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
