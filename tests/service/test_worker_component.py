"""`up` starts an agent worker only in service mode (no stack needed: a fresh state directory)."""

from __future__ import annotations


def test_up_adds_a_worker_only_in_service_mode(tmp_path, monkeypatch):
    from copilot.stack.launcher import Launcher

    monkeypatch.delenv("COPILOT_SERVICE", raising=False)
    assert "worker" not in [c.name for c in Launcher(tmp_path).components()]
    monkeypatch.setenv("COPILOT_SERVICE", "kafka")
    worker = [c for c in Launcher(tmp_path).components() if c.name == "worker"]
    assert worker and worker[0].command(Launcher(tmp_path))[1:3] == ["-m", "copilot.service.worker"]
    assert not worker[0].health(None, Launcher(tmp_path).table).ok  # nothing started in this state dir
