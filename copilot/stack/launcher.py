"""`flink-copilot up | down | status`: the local stack as supervised processes under one state directory."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from copilot import settings
from copilot.errors import StackError
from copilot.stack import artifacts as art, config
from copilot.stack.processes import ProcessTable, port_in_use, state_lock

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0


def state_dir() -> Path:
    configured = settings.get("FLINK_COPILOT_STATE_DIR")
    return Path(configured).expanduser() if configured else settings.home() / "state"


@dataclass
class Health:
    ok: bool
    version: str | None = None
    detail: str = ""


@dataclass
class Component:
    name: str
    address: Callable[[config.Endpoints], str]
    ports: Callable[[config.Endpoints], list[tuple[str, int]]]
    health: Callable[[config.Endpoints, ProcessTable], Health]
    command: Callable[["Launcher"], list[str]]
    env: Callable[["Launcher"], dict[str, str]] = field(default=lambda _l: {})
    # started, then checked only before the next component that needs it (the registry starts while Flink does)
    background: bool = False


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise StackError(
            "Java is not installed (the stack needs Java 17)", hint="apt-get install openjdk-17-jre-headless, or run `make setup`"
        )
    return java


def kafka_health(ep: config.Endpoints, _table: ProcessTable | None = None, timeout: float = 2.0) -> Health:
    from copilot.kafka import clients

    if not port_in_use(ep.kafka_host, ep.kafka_port):
        return Health(False, detail="port closed")
    admin = clients.admin({"socket.timeout.ms": int(timeout * 1000)}, servers=ep.bootstrap)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except Exception as exc:  # KafkaException: broker not ready yet
        return Health(False, detail=str(exc))
    return Health(bool(metadata.brokers), art.KAFKA_VERSION, f"{len(metadata.brokers)} broker(s)")


def flink_health(ep: config.Endpoints, _table: ProcessTable | None = None) -> Health:
    try:
        overview = httpx.get(f"{ep.rest_url}/overview", timeout=2.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return Health(False, detail=str(exc))
    version = overview.get("flink-version")
    if overview.get("taskmanagers", 0) < 1:
        return Health(False, version, "no TaskManager registered")
    return Health(True, version, f"{overview.get('slots-available')}/{overview.get('slots-total')} slots free")


def taskmanager_health(ep: config.Endpoints, table: ProcessTable | None = None) -> Health:
    return flink_health(ep, table)


def jobmanager_health(ep: config.Endpoints, _table: ProcessTable | None = None) -> Health:
    try:
        overview = httpx.get(f"{ep.rest_url}/overview", timeout=2.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return Health(False, detail=str(exc))
    return Health(True, overview.get("flink-version"))


def gateway_health(ep: config.Endpoints, _table: ProcessTable | None = None) -> Health:
    try:
        info = httpx.get(f"{ep.gateway_url}/v1/info", timeout=2.0).json()
    except (httpx.HTTPError, ValueError) as exc:
        return Health(False, detail=str(exc))
    return Health("version" in info, info.get("version"))


def registry_health(_ep: config.Endpoints, _table: ProcessTable | None = None) -> Health:
    url = settings.local_registry_url()
    try:
        response = httpx.get(f"{url}/subjects", timeout=2.0)
    except httpx.HTTPError as exc:
        return Health(False, detail=str(exc))
    ok = response.status_code == 200
    return Health(ok, f"Apicurio Registry {art.REGISTRY_VERSION}" if ok else None, "" if ok else f"HTTP {response.status_code}")


def datagen_health(_ep: config.Endpoints, table: ProcessTable | None = None) -> Health:
    if table is None or table.running("datagen") is None:
        return Health(False, detail="not running")
    # ready once its current run (the part of the log after our last start marker) said so
    current_run = table.tail("datagen", 100_000).rsplit("starting datagen", 1)[-1]
    ready = "datagen ready" in current_run
    return Health(ready, None, "" if ready else "seeding")


def worker_health(_ep: config.Endpoints, table: ProcessTable | None = None) -> Health:
    if table is None or table.running("worker") is None:
        return Health(False, detail="not running")
    ready = "ready" in table.tail("worker", 100_000).rsplit("worker starting", 1)[-1]
    return Health(ready, None, "" if ready else "starting")


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


class Launcher:
    def __init__(self, state: Path | None = None):
        self.state = state or state_dir()
        self.ep = config.endpoints()
        self.table = ProcessTable(self.state)
        self.conf_dir = self.state / "conf"
        self._artifacts: art.Artifacts | None = None

    @property
    def artifacts(self) -> art.Artifacts:
        if self._artifacts is None:
            self._artifacts = art.ensure_artifacts()
        return self._artifacts

    # ---- commands -------------------------------------------------------------------------

    def _flink_jvm(self, kind: str) -> tuple[list[str], list[str]]:
        """JVM flags and dynamic properties Flink's scripts would compute (via BashJavaUtils)."""
        a = self.artifacts
        result = subprocess.run(
            [
                _java(),
                "-cp",
                f"{a.bash_java_utils}:{a.flink_classpath()}",
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                kind,
                "--configDir",
                str(self.conf_dir),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        lines = [
            ln[len("BASH_JAVA_UTILS_EXEC_RESULT:") :]
            for ln in result.stdout.splitlines()
            if ln.startswith("BASH_JAVA_UTILS_EXEC_RESULT:")
        ]
        if result.returncode != 0 or len(lines) < 2:
            raise StackError(f"Flink could not size the {kind} memory:\n{result.stdout[-800:]}{result.stderr[-800:]}")
        return lines[0].split(), lines[1].split()

    def _flink_common(self, name: str) -> list[str]:
        return [
            _java(),
            *config.FLINK_JAVA_OPENS,
            f"-Dlog4j.configurationFile=file:{self.conf_dir / 'log4j2.properties'}",
            f"-Dlog.file={self.table.log_path(name)}",
        ]

    def jobmanager_cmd(self) -> list[str]:
        jvm, dyn = self._flink_jvm("GET_JM_RESOURCE_PARAMS")
        return [
            *self._flink_common("jobmanager"),
            *jvm,
            "-cp",
            self.artifacts.flink_classpath(),
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            "--configDir",
            str(self.conf_dir),
            *dyn,
        ]

    def taskmanager_cmd(self) -> list[str]:
        jvm, dyn = self._flink_jvm("GET_TM_RESOURCE_PARAMS")
        return [
            *self._flink_common("taskmanager"),
            *jvm,
            "-cp",
            self.artifacts.flink_classpath(),
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            "--configDir",
            str(self.conf_dir),
            *dyn,
        ]

    def gateway_cmd(self) -> list[str]:
        return [
            *self._flink_common("sql-gateway"),
            "-Xms256m",
            "-Xmx1g",
            "-cp",
            self.artifacts.flink_classpath(),
            "org.apache.flink.table.gateway.SqlGateway",
        ]

    def kafka_cmd(self) -> list[str]:
        return [
            _java(),
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile=file:{self.conf_dir / 'log4j2.properties'}",
            "-cp",
            self.artifacts.kafka_classpath(),
            "kafka.Kafka",
            str(self.conf_dir / "kafka.properties"),
        ]

    def registry_cmd(self) -> list[str]:
        return [
            _java(),
            "-Xms64m",
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(self.artifacts.registry_jar),
        ]

    def registry_env(self) -> dict[str, str]:
        """Apicurio's SQL storage on an H2 database file in the state directory: schemas outlive `down`."""
        return {
            "REGISTRY_DATASOURCE_URL": f"jdbc:h2:file:{self.state / 'schema-registry' / 'registry'}",
            "HTTP_PORT": str(settings.get_int("FLINK_COPILOT_REGISTRY_PORT")),
            "QUARKUS_HTTP_HOST": "127.0.0.1",
            # Apicurio's Confluent API lists at most 1,000 subjects by default; `catalog sync` reads them all
            "REGISTRY_CCOMPAT_MAX_SUBJECTS": "1000000",
        }

    def datagen_cmd(self) -> list[str]:
        return [sys.executable, "-m", "copilot.stack.datagen"]

    def flink_env(self) -> dict[str, str]:
        return {
            "FLINK_CONF_DIR": str(self.conf_dir),
            "FLINK_LIB_DIR": str(self.artifacts.flink_lib),
            "FLINK_HOME": str(self.artifacts.flink_home),
        }

    # ---- lifecycle ------------------------------------------------------------------------

    def write_config(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("kafka-data", "flink/checkpoints", "flink/savepoints", "flink/tmp", "schema-registry"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "config.yaml").write_text(config.flink_config(self.ep, self.state))
        (self.conf_dir / "log4j2.properties").write_text(config.LOG4J2)
        (self.conf_dir / "kafka.properties").write_text(config.kafka_properties(self.ep, self.state / "kafka-data"))

    def format_kafka_storage(self) -> None:
        data = self.state / "kafka-data"
        if (data / "meta.properties").exists():
            return
        result = subprocess.run(
            [
                _java(),
                f"-Dlog4j2.configurationFile=file:{self.conf_dir / 'log4j2.properties'}",
                "-cp",
                self.artifacts.kafka_classpath(),
                "kafka.tools.StorageTool",
                "format",
                "-t",
                config.new_cluster_id(),
                "-c",
                str(self.conf_dir / "kafka.properties"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise StackError(f"formatting Kafka's storage in {data} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")

    def components(self, with_datagen: bool = True) -> list[Component]:
        parts = [
            Component(
                "kafka",
                lambda e: e.bootstrap,
                lambda e: [(e.kafka_host, e.kafka_port), (e.kafka_host, e.controller_port)],
                kafka_health,
                lambda l: l.kafka_cmd(),
            ),
            Component(
                "schema-registry",
                lambda e: settings.local_registry_url(),
                lambda e: [("127.0.0.1", settings.get_int("FLINK_COPILOT_REGISTRY_PORT"))],
                registry_health,
                lambda l: l.registry_cmd(),
                lambda l: l.registry_env(),
                background=True,
            ),
            Component(
                "jobmanager",
                lambda e: e.rest_url,
                lambda e: [(e.rest_host, e.rest_port), (e.rest_host, e.rpc_port)],
                jobmanager_health,
                lambda l: l.jobmanager_cmd(),
                lambda l: l.flink_env(),
            ),
            Component(
                "taskmanager",
                lambda e: e.rest_url,
                lambda e: [],
                taskmanager_health,
                lambda l: l.taskmanager_cmd(),
                lambda l: l.flink_env(),
            ),
            Component(
                "sql-gateway",
                lambda e: e.gateway_url,
                lambda e: [(e.gateway_host, e.gateway_port)],
                gateway_health,
                lambda l: l.gateway_cmd(),
                lambda l: l.flink_env(),
            ),
        ]
        if with_datagen:
            parts.append(
                Component(
                    "datagen",
                    lambda e: f"-> {e.bootstrap}",
                    lambda e: [],
                    datagen_health,
                    lambda l: l.datagen_cmd(),
                    lambda l: {
                        "KAFKA_BOOTSTRAP": l.ep.bootstrap,
                        "PYTHONUNBUFFERED": "1",
                        "SCHEMA_REGISTRY_URL": settings.schema_registry_url() or settings.local_registry_url(),
                    },
                )
            )
        if settings.get("COPILOT_SERVICE") == "kafka" or self.table.running("worker"):  # one agent worker (copilot/service)
            parts.append(
                Component(
                    "worker",
                    lambda e: f"-> {e.bootstrap}",
                    lambda e: [],
                    worker_health,
                    lambda l: [sys.executable, "-m", "copilot.service.worker", "--worker-id", f"{socket.gethostname()}-up"],
                    lambda l: {"KAFKA_BOOTSTRAP": l.ep.bootstrap, "FLINK_SQL_GATEWAY": l.ep.gateway_url, "PYTHONUNBUFFERED": "1"},
                )
            )
        return parts

    def up(self, with_datagen: bool = True, progress: Callable[[str], None] | None = None) -> list[dict]:
        """Start what is not running. Holds the state directory's lock throughout: a concurrent `up` waits,
        then finds the services up instead of starting a second copy."""
        say = progress or _say
        with state_lock(self.state, "up", say):
            return self._up(with_datagen, say)

    def _up(self, with_datagen: bool, say: Callable[[str], None]) -> list[dict]:
        _ = self.artifacts
        self.write_config()
        pending: list[tuple[Component, float]] = []  # background components not yet checked
        for comp in self.components(with_datagen):
            if comp.name == "datagen":  # the generator registers its Avro schemas: the registry must answer
                self._wait_pending(pending, say)
            started = time.monotonic()
            record = self.table.running(comp.name)
            if record is not None:
                say(f"{comp.name}: already running (pid {record.pid})")
            else:
                for host, port in comp.ports(self.ep):
                    if port_in_use(host, port):
                        raise StackError(
                            f"{comp.name} cannot start: port {port} on {host} is already taken by another process",
                            hint=f"stop whatever listens on port {port} or point the settings at other ports",
                        )
                if comp.name == "kafka":
                    self.format_kafka_storage()
                self.table.start(comp.name, comp.command(self), env=comp.env(self))
                say(f"{comp.name}: starting (log {self.table.log_path(comp.name)})")
            if comp.background:
                pending.append((comp, started))
                continue
            self._wait_healthy(comp)
            say(f"{comp.name}: up at {comp.address(self.ep)} in {time.monotonic() - started:.1f}s")
        self._wait_pending(pending, say)
        self._saved_jobs(True, say)
        return self.status(with_datagen)

    def _wait_pending(self, pending: list[tuple[Component, float]], say: Callable[[str], None]) -> None:
        while pending:
            comp, started = pending.pop(0)
            self._wait_healthy(comp)
            say(f"{comp.name}: up at {comp.address(self.ep)} in {time.monotonic() - started:.1f}s")

    def _saved_jobs(self, resume: bool, say: Callable[[str], None]) -> None:
        """Resume saved jobs after `up`, or suspend them with a savepoint before `down`, so a saved
        job survives a restart of the stack. Best effort: a failure is reported, never fatal."""
        from copilot.errors import CopilotError
        from copilot.wiring import Config, build

        # this stack's addresses; resuming submits statements: they are audited
        services = build(
            Config.from_settings(gateway_url=self.ep.gateway_url, rest_url=self.ep.rest_url, bootstrap=self.ep.bootstrap)
        )
        verb = "resume" if resume else "suspend"
        try:
            jobs = services.jobs()
            names = jobs.resume_all() if resume else jobs.suspend_all()
        except (CopilotError, OSError) as exc:
            say(f"saved jobs: could not {verb} them: {exc}")
            return
        finally:
            services.close()
        if names:
            say(f"saved jobs {'resumed' if resume else 'suspended with a savepoint'}: {', '.join(names)}")

    def _wait_healthy(self, comp: Component) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        last = Health(False)
        while time.monotonic() < deadline:
            last = comp.health(self.ep, self.table)
            if last.ok:
                return
            if self.table.running(comp.name) is None:
                raise StackError(
                    f"{comp.name} exited during start-up; last lines of {self.table.log_path(comp.name)}:\n"
                    + self.table.tail(comp.name),
                    hint="fix the cause above, then run `flink-copilot up` again",
                )
            time.sleep(0.25)
        raise StackError(
            f"{comp.name} did not answer its health check within {START_TIMEOUT_S:.0f}s ({last.detail}); "
            f"last lines of {self.table.log_path(comp.name)}:\n" + self.table.tail(comp.name),
            hint="see the log above; `flink-copilot down` stops what was started",
        )

    def down(self, progress: Callable[[str], None] | None = None) -> list[str]:
        """Stop what `up` started, under the same lock as `up`."""
        say = progress or _say
        with state_lock(self.state, "down", say):
            return self._down(say)

    def _down(self, say: Callable[[str], None]) -> list[str]:
        stopped = []
        if self.table.running("jobmanager") and jobmanager_health(self.ep).ok and kafka_health(self.ep).ok:
            self._saved_jobs(False, say)
        for comp in reversed(self.components(with_datagen=True)):
            if self.table.stop(comp.name):
                stopped.append(comp.name)
                say(f"{comp.name}: stopped")
        return stopped

    def status(self, with_datagen: bool = True) -> list[dict]:
        rows = []
        for comp in self.components(with_datagen):
            health = comp.health(self.ep, self.table)
            rec = self.table.running(comp.name)
            rows.append(
                {
                    "component": comp.name,
                    "running": health.ok,
                    "address": comp.address(self.ep),
                    "version": health.version,
                    "managed": rec is not None,
                    "pid": rec.pid if rec else None,
                    "detail": health.detail,
                }
            )
        return rows
