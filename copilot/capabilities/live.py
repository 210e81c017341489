"""Live query: a running query's changelog, applied to a materialised view (copilot.flink.live.LiveQuery)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from copilot.flink.gateway import Column
from copilot.flink.live import ChangeBatch, MaterializedView


class ChangeSource(Protocol):
    """What a live session consumes: one submitted query and the current answer it changes."""

    @property
    def view(self) -> MaterializedView: ...

    @property
    def stopped_reason(self) -> str | None: ...

    @property
    def job_id(self) -> str | None: ...

    @property
    def columns(self) -> list[Column]: ...

    def start(self) -> object:
        """Submit the query (idempotent)."""

    def batches(self) -> Iterator[ChangeBatch]:
        """Start if needed, then each changelog batch as it arrives, until a stop condition."""

    def cancel(self) -> None:
        """Stop and cancel the job behind the query (safe to call twice)."""

    def result(self) -> dict[str, Any]:
        """columns, column_types, rows, changes, stopped, job_id."""
