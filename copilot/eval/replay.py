"""Bounded replays: run validated queries over a pinned slice of their topics and collect final tables.

A `Replayer` has a gateway session of its own, in streaming runtime mode with parallelism 1, where
each catalog table a query reads is registered as a *replay table* under its own name — declared by
the catalog layer (`copilot.catalog.ddl.replay_table_statement`), with the Kafka connector's bounded
scan options and a watermark delay of at least the slice's largest observed lateness. Queries are
never rewritten and carry no hints: the same text that runs live runs here, over a finite input, so
the job ends by itself and its changelog applied to a table is the query's result over the slice.
The queries of one comparison are submitted together and read in turn, in the same session and mode."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.engine import SqlGateway
from copilot.catalog.model import TopicSchema
from copilot.errors import CopilotError, RequestError, ServiceUnavailable
from copilot.eval.compare import FinalTable
from copilot.eval.slice import Slice
from copilot.flink.base import FlinkSqlError
from copilot.sql.statement import CheckedStatement

log = logging.getLogger(__name__)

REPLAY_SESSION = {"execution.runtime-mode": "streaming", "parallelism.default": "1"}
MAX_CHANGES = 500_000  # a replay producing more changes than this is stopped (and reported)
MIN_DELAY_MS = 1000


@dataclass
class ReplayResult:
    sql: str
    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    table: FinalTable | None = None
    error: str | None = None
    seconds: float = 0.0
    job_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.table is not None

    def rows(self, limit: int | None = None) -> list[list[Any]]:
        if self.table is None:
            return []
        rows = [list(r) for r in self.table.row_list()]
        return rows if limit is None else rows[:limit]


def check_query(sql: str, topics: dict[str, TopicSchema]) -> CheckedStatement:
    """The validated statement for `sql` (RequestError with the first reason when it is refused)."""
    from copilot.validate import check

    statement = check(sql, catalog=topics)
    if statement.kind != "query":
        raise RequestError("only a query can be replayed", hint="give the SELECT; replays never write")
    return statement


def _tables_of(statement: CheckedStatement, sql: str, topics: dict[str, TopicSchema]) -> list[str]:
    tables = statement.tables
    if tables:
        return [t for t in tables if t in topics]
    from copilot.agent.components import analyse

    return [t for t in analyse(sql).tables if t in topics]


class Replayer:
    def __init__(
        self,
        topics: dict[str, TopicSchema],
        slice_: Slice,
        *,
        gateway: SqlGateway,
        audit: AuditSink | None = None,
        purpose: str = "replay",
    ):
        """`gateway`: a session of its own with REPLAY_SESSION's properties (copilot.wiring's
        `Services.replay_gateway()`); the replayer closes it."""
        self.topics = topics
        self.audit = audit  # every statement submitted is recorded before it reaches Flink
        self.purpose = purpose
        self.slice = slice_
        self.gateway = gateway

    def close(self) -> None:
        self.gateway.close()

    def __enter__(self) -> "Replayer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def watermark_delay_ms(self, schema: TopicSchema) -> int:
        from copilot.eval.slice import parse_duration

        try:
            catalog_ms = int(parse_duration(schema.watermark_delay or "5 s") * 1000)
        except CopilotError:
            catalog_ms = 5000
        observed = self.slice.pin(schema).lateness_ms
        return max(catalog_ms, observed + MIN_DELAY_MS)

    def table_statements(self, tables: list[str]) -> dict[str, Any]:
        from copilot.catalog import ddl

        out = {}
        for name in tables:
            schema = self.topics[name]
            rng = self.slice.pin(schema)
            replay = dict(
                end_offsets=rng.end,
                start_offsets=rng.read_from,
                watermark_delay=f"{self.watermark_delay_ms(schema)} ms",
                bootstrap=self.slice.bootstrap,
            )
            out[name] = ddl.replay_table_statement(schema, **replay)  # a TrustedStatement of the catalog layer
        return out

    def _record(self, kind: str, sql: str, context: dict, **data: Any) -> None:
        if self.audit is None:
            return
        event = {
            "type": kind,
            "time": time.time(),
            "conversation_id": context.get("conversation_id") or self.purpose,
            "question": context.get("question", ""),
            "sql": sql,
            "planner": self.purpose,
            "slice": {"from": self.slice.start_ms, "to": self.slice.end_ms},
            **data,
        }
        try:
            self.audit.record(event)
        except Exception as exc:  # the audit trail never breaks a replay
            log.warning("audit event %s not recorded: %s", kind, exc)

    def run(self, sql: str, timeout: float = 120.0, context: dict | None = None) -> ReplayResult:
        return self.run_together([sql], timeout, context)[0]

    def run_together(self, queries: list[str], timeout: float = 120.0, context: dict | None = None) -> list[ReplayResult]:
        """Replay each query (validated first) over the slice, all at once; results in order."""
        results = [ReplayResult(sql) for sql in queries]
        running = []
        for result in results:
            start = time.monotonic()
            text, submitted = result.sql, False
            try:
                statement = check_query(result.sql, self.topics)
                text = statement.sql
                ddls = self.table_statements(_tables_of(statement, result.sql, self.topics))
                self._record("submission", text, context or {}, verdict="valid")
                submitted = True
                op = self.gateway.execute(statement, ddls, config={"pipeline.name": f"copilot-{self.purpose}"})
                running.append((result, op, start))
            except (CopilotError, FlinkSqlError) as exc:
                if isinstance(exc, ServiceUnavailable):
                    raise
                result.error = _message(exc)
                result.seconds = time.monotonic() - start
                if submitted:
                    self._record("submission_failed", text, context or {}, reason=result.error)
        self._collect(running, time.monotonic() + timeout)
        return results

    def _collect(self, running: list, deadline: float) -> None:
        open_ops = list(running)
        delay = 0.02
        while open_ops:
            progressed = False
            for item in list(open_ops):
                result, op, start = item
                try:
                    page = op.fetch()
                except FlinkSqlError as exc:
                    result.error = _message(exc)
                    page = None
                if page is not None:
                    if page.columns and not result.columns:
                        result.columns = [c.name for c in page.columns]
                        result.types = [c.type for c in page.columns]
                    if page.rows:
                        progressed = True
                        if result.table is None:
                            result.table = FinalTable(result.columns, result.types)
                        for kind, fields in page.rows:
                            result.table.apply(kind, fields)
                        if result.table.changes > MAX_CHANGES:
                            result.error = f"stopped after {MAX_CHANGES} changes: too large a result to compare"
                    result.job_id = result.job_id or op.job_id
                done = result.error is not None or op.finished
                if not done and time.monotonic() > deadline:
                    result.error = "the replay did not finish in time"
                    done = True
                if done:
                    if result.error is None and result.table is None:
                        result.table = FinalTable(result.columns, result.types)
                    try:
                        op.cancel() if not op.finished or result.error else op.release()
                    except (FlinkSqlError, ServiceUnavailable) as exc:
                        log.info("cancel of a replay: %s", exc)
                    result.seconds = time.monotonic() - start
                    open_ops.remove(item)
            if open_ops and not progressed:
                time.sleep(delay)
                delay = min(0.25, delay * 1.5)
            elif progressed:
                delay = 0.02


def _message(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return message.splitlines()[0][:500] if message else type(exc).__name__
