"""The artifact cache: a second `up` downloads nothing; broken downloads are named with a way out."""

from __future__ import annotations

import pytest

from copilot.errors import ArtifactError
from copilot.stack import artifacts


def test_cached_artifacts_download_nothing(monkeypatch):
    artifacts.ensure_artifacts()  # fills the cache on a fresh machine

    def no_download(*_args, **_kwargs):
        raise AssertionError("a cached artifact was downloaded again")

    monkeypatch.setattr(artifacts, "_run_streaming", no_download)
    found = artifacts.ensure_artifacts()
    assert (found.flink_lib / f"flink-dist-{artifacts.FLINK_VERSION}.jar").exists()
    assert (found.flink_lib / f"flink-sql-gateway-{artifacts.FLINK_VERSION}.jar").exists()
    assert (found.flink_lib / f"flink-sql-connector-kafka-{artifacts.KAFKA_CONNECTOR_VERSION}.jar").exists()
    assert (found.kafka_libs / f"kafka_2.13-{artifacts.KAFKA_VERSION}.jar").exists()


def test_corrupt_wheel_is_named_deleted_and_retry_is_suggested(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    wheel = downloads / f"apache_flink_libraries-{artifacts.FLINK_VERSION}-py2.py3-none-any.whl"
    wheel.write_bytes(b"this is not a zip file")
    with pytest.raises(ArtifactError) as err:
        artifacts.ensure_artifacts(tmp_path)
    assert wheel.name in err.value.message and "corrupt" in err.value.message
    assert "flink-copilot up" in err.value.hint
    assert err.value.exit_code == 3
    assert not wheel.exists()


def test_a_damaged_cached_file_is_detected(tmp_path):
    (tmp_path / "lib").mkdir()
    jar = tmp_path / "lib" / "x.jar"
    jar.write_bytes(b"0" * 100)
    artifacts._write_marker(tmp_path)
    assert artifacts._is_complete(tmp_path)
    jar.write_bytes(b"0" * 10)  # truncated, e.g. by a full disk
    assert not artifacts._is_complete(tmp_path)
    jar.unlink()
    assert not artifacts._is_complete(tmp_path)
