"""Job service: queries kept running as Flink jobs that write into their own topics."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from typing import Any

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import CatalogStore
from copilot.catalog.model import TopicSchema
from copilot.jobs.registry import JobRegistry, SavedJob


class Jobs(ABC):
    """Saved jobs: save (validate, create the output topic, submit), list, stop, resume, delete."""

    catalog: CatalogStore
    audit: AuditSink | None
    registry: JobRegistry

    @abstractmethod
    def list(self) -> list[dict[str, Any]]:
        """Every saved job with its Flink state."""

    @abstractmethod
    def save(self, name: str, sql: str, output_topic: str | None = None, *, replace: bool = False) -> SavedJob:
        """Validate `sql`, create its output topic and catalog entry, submit it, remember it."""

    @abstractmethod
    def save_into(
        self,
        name: str,
        sql: str,
        sink: TopicSchema,
        *,
        kind: str = "job",
        delivery: str = "exactly-once",
        meta: dict[str, Any] | None = None,
        replace: bool = False,
    ) -> SavedJob:
        """Save a job writing into a topic whose schema the product fixes (e.g. the alerts of watches)."""

    @abstractmethod
    def stop(self, name: str, *, savepoint: bool = False, quiet: bool = False, keep_desired: bool = False) -> SavedJob:
        """Stop the job, with a savepoint when asked."""

    @abstractmethod
    def delete(self, name: str, *, keep_topic: bool = False) -> SavedJob:
        """Stop and forget the job, and its output topic unless kept."""

    @abstractmethod
    def resume(self, name: str) -> SavedJob:
        """Start a stopped job again from its latest savepoint or checkpoint."""

    @abstractmethod
    def suspend_all(self) -> builtins.list[str]:
        """Stop every running job with a savepoint (before the stack stops); the names."""

    @abstractmethod
    def resume_all(self) -> builtins.list[str]:
        """Resume every job that should run (after the stack started); the names."""
