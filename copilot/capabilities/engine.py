"""SQL engine (Flink's planner as a validator) and SQL gateway (runs statements, reads running jobs)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from copilot.sql.statement import CheckedStatement, Statement, TrustedStatement

if TYPE_CHECKING:  # the concrete result handle of the one implementation; no import at run time
    from copilot.flink.gateway import Column, Operation


class SqlEngine(ABC):
    """Flink's planner as a validator: explains a statement in a session where the given
    tables are registered."""

    @abstractmethod
    def explain(self, statement: Statement, table_ddls: Mapping[str, TrustedStatement]) -> str:
        """Return Flink's plan text of the statement's canonical text, or raise FlinkSqlError.
        `table_ddls` maps table name to its TrustedStatement.create_table; only those tables are
        registered for the statement."""


class SqlGateway(SqlEngine):
    """Runs statements (live queries, a saved job's INSERT) and reads the jobs they start."""

    rest_url: str

    @abstractmethod
    def execute(
        self, statement: Statement, table_ddls: Mapping[str, TrustedStatement] | None = None, config: dict[str, str] | None = None
    ) -> Operation:
        """Submit one checked or trusted statement after registering its tables (a str is refused)."""

    @abstractmethod
    def run(
        self, statement: Statement, table_ddls: Mapping[str, TrustedStatement] | None = None, timeout: float = 60.0
    ) -> tuple[list[Column], list[list[Any]]]:
        """Run a statement to its end (DDL, EXPLAIN, bounded queries): its columns and rows."""

    @abstractmethod
    def changelog_mode(self, query: CheckedStatement, table_ddls: Mapping[str, TrustedStatement]) -> set[str]:
        """The change kinds the query's result carries (I, UB, UA, D)."""

    @abstractmethod
    def job_plan(self, job_id: str) -> dict[str, Any]:
        """The running job's plan as the JobManager reports it."""

    @abstractmethod
    def await_tasks_running(self, job_id: str, timeout: float) -> bool:
        """True once no task of the job is still starting (or it ended), False after `timeout` seconds."""

    @abstractmethod
    def cancel_job(self, job_id: str) -> None:
        """Cancel a job by id (best effort)."""

    @abstractmethod
    def ping(self) -> None:
        """One cheap request; raises ServiceUnavailable when the gateway does not answer."""

    @abstractmethod
    def close(self) -> None:
        """Release the session and the HTTP client."""
