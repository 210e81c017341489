"""Audit sink: where every step of an answer, a submission or a job operation is recorded."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class AuditSink(ABC):
    """Records audit events. `record` must not block on the network for long; `flush` delivers."""

    @abstractmethod
    def record(self, event: dict[str, Any]) -> None:
        """Record one event (a JSON-serialisable dict with at least `type` and `conversation_id`)."""

    def flush(self, timeout: float = 5.0) -> None:  # noqa: B027 - optional hook: a sink may write at once
        """Deliver buffered events."""

    def close(self) -> None:
        self.flush()

    def require(self) -> None:  # noqa: B027 - optional hook: a sink that cannot fail has nothing to check
        """Raise ServiceUnavailable now if events cannot be written (`ask` refuses to answer unaudited)."""
