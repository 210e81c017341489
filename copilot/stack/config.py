"""Configuration files of the local stack, written fresh into the state directory on every `up`."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from copilot import settings
from copilot.errors import UsageError

# Flink's own launch scripts pass these to every JVM on Java 17 (env.java.default-opts.all).
FLINK_JAVA_OPENS = [
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
]

# Sized for a 2-core, 24 GiB machine: room for a dozen live queries and saved jobs at once.
TASK_SLOTS = 16
TASKMANAGER_PROCESS_SIZE = "4096m"
JOBMANAGER_PROCESS_SIZE = "1600m"
JOBMANAGER_RPC_PORT = 6123

LOG4J2 = """\
status = warn
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = Console
appender.console.name = Console
appender.console.type = Console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.kafkaclients.name = org.apache.kafka
logger.kafkaclients.level = WARN
logger.akka.name = org.apache.pekko
logger.akka.level = WARN
logger.netty.name = org.apache.flink.shaded.netty4
logger.netty.level = WARN
"""


@dataclass(frozen=True)
class Endpoints:
    kafka_host: str
    kafka_port: int
    controller_port: int
    rest_host: str
    rest_port: int
    gateway_host: str
    gateway_port: int

    @property
    def rpc_port(self) -> int:
        """JobManager RPC port: Flink's default 6123, shifted with the REST port so two stacks can coexist."""
        return JOBMANAGER_RPC_PORT + (self.rest_port - 8081)

    @property
    def bootstrap(self) -> str:
        return f"{self.kafka_host}:{self.kafka_port}"

    @property
    def rest_url(self) -> str:
        return f"http://{self.rest_host}:{self.rest_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.gateway_host}:{self.gateway_port}"


def _host_port(value: str, setting: str) -> tuple[str, int]:
    parsed = urlparse(value if "://" in value else f"//{value}")
    if not parsed.hostname or not parsed.port:
        raise UsageError(f"{setting}={value!r} has no host:port", hint=f"e.g. {settings._BY_NAME[setting].default}")
    return parsed.hostname, parsed.port


def endpoints() -> Endpoints:
    kafka_host, kafka_port = _host_port((settings.get("KAFKA_BOOTSTRAP") or "").split(",")[0], "KAFKA_BOOTSTRAP")
    rest_host, rest_port = _host_port(settings.get("FLINK_REST") or "", "FLINK_REST")
    gateway_host, gateway_port = _host_port(settings.get("FLINK_SQL_GATEWAY") or "", "FLINK_SQL_GATEWAY")
    return Endpoints(kafka_host, kafka_port, kafka_port + 1, rest_host, rest_port, gateway_host, gateway_port)


def new_cluster_id() -> str:
    """A KRaft cluster id (URL-safe base64 of a UUID). One starting with "-" is drawn again, as Kafka's own
    `Uuid.randomUuid` does: the storage tool's argument parser would read it as an option (1 run in 64 failed)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def kafka_properties(ep: Endpoints, data_dir: Path) -> str:
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{ep.kafka_host}:{ep.controller_port}
listeners=PLAINTEXT://{ep.kafka_host}:{ep.kafka_port},CONTROLLER://{ep.kafka_host}:{ep.controller_port}
advertised.listeners=PLAINTEXT://{ep.kafka_host}:{ep.kafka_port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data_dir}
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
log.cleaner.backoff.ms=5000
log.roll.ms=60000
"""


def flink_config(ep: Endpoints, state: Path) -> str:
    return f"""\
jobmanager:
  rpc:
    address: {ep.rest_host}
    port: {ep.rpc_port}
  bind-host: {ep.rest_host}
  memory:
    process:
      size: {JOBMANAGER_PROCESS_SIZE}
  execution:
    failover-strategy: region
taskmanager:
  bind-host: {ep.rest_host}
  host: {ep.rest_host}
  numberOfTaskSlots: {TASK_SLOTS}
  memory:
    process:
      size: {TASKMANAGER_PROCESS_SIZE}
    network:
      max: 512m
rest:
  address: {ep.rest_host}
  bind-address: {ep.rest_host}
  port: {ep.rest_port}
parallelism:
  default: 1
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: 3
    delay: 2 s
state:
  backend:
    type: hashmap
  checkpoints:
    dir: file://{state}/flink/checkpoints
  savepoints:
    dir: file://{state}/flink/savepoints
execution:
  target: remote
  checkpointing:
    externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
web:
  submit:
    enable: false
  cancel:
    enable: true
sql-gateway:
  endpoint:
    rest:
      address: {ep.gateway_host}
      bind-address: {ep.gateway_host}
      port: {ep.gateway_port}
  session:
    idle-timeout: 30 min
    check-interval: 1 min
table:
  local-time-zone: UTC
  exec:
    source:
      idle-timeout: 2 s
"""
