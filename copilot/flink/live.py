"""Live, changing results: changelog batches from the gateway applied to a materialised view."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

from copilot.errors import ServiceUnavailable
from copilot.flink.base import FlinkSqlError, SqlGateway
from copilot.flink.gateway import Column, Operation
from copilot.flink.plan_check import PlanDisagreement, disagreements, job_plan_text
from copilot.sql.statement import CheckedStatement, TrustedStatement

log = logging.getLogger(__name__)


def job_disagreements(
    gateway: SqlGateway, job_id: str, *, kind: str, tables, sink: str | None = None, wait: float = 5.0
) -> list[PlanDisagreement]:
    """How the running job's plan (`/jobs/<id>/plan`) differs from the checked statement; retried for
    `wait` seconds while the JobManager cannot answer, then a disagreement of its own (fail closed)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            plan = gateway.job_plan(job_id)
            return disagreements(job_plan_text(plan), kind=kind, tables=tables, sink=sink, job=True)
        except (FlinkSqlError, ServiceUnavailable) as exc:
            if time.monotonic() >= deadline:
                return [PlanDisagreement("plan_unavailable", f"the running job's plan could not be read ({exc})")]
            time.sleep(0.2)


def _row_key(fields: list[Any]) -> str:
    return json.dumps(fields, default=str, separators=(",", ":"))


@dataclass
class ChangeCounts:
    inserts: int = 0
    updates: int = 0
    retractions: int = 0  # -U and -D
    deletes: int = 0

    @property
    def total(self) -> int:
        return self.inserts + self.updates + self.retractions

    def to_dict(self) -> dict:
        return {"inserts": self.inserts, "updates": self.updates, "retractions": self.retractions, "deletes": self.deletes}


class MaterializedView:
    """The current answer of a changelog. A retraction (-U/-D) removes the row with the same values
    (Flink's retractions carry the full old row, so matching by value is exact for every query
    shape); an update (+U) that follows a -U takes the retracted row's place, so rows stay put on
    screen. At most `capacity` rows are kept (the oldest go first)."""

    def __init__(self, columns: list[Column] | None = None, capacity: int = 10_000):
        self.columns: list[Column] = list(columns or [])
        self.capacity = capacity
        self.counts = ChangeCounts()
        self._slots: dict[int, list[Any]] = {}
        self._by_value: dict[str, list[int]] = {}
        self._next_slot = 0
        self._vacated: list[int] = []  # slots freed by -U, waiting for their +U
        self.last_change: float | None = None

    def __len__(self) -> int:
        return len(self._slots)

    def rows(self) -> list[list[Any]]:
        return [self._slots[s] for s in sorted(self._slots)]

    def _insert(self, fields: list[Any], slot: int | None = None) -> None:
        if slot is None:
            slot = self._next_slot
            self._next_slot += 1
        self._slots[slot] = fields
        self._by_value.setdefault(_row_key(fields), []).append(slot)
        if len(self._slots) > self.capacity:
            oldest = min(self._slots)
            self._remove_slot(oldest)

    def _remove_slot(self, slot: int) -> None:
        fields = self._slots.pop(slot)
        key = _row_key(fields)
        slots = self._by_value.get(key, [])
        if slot in slots:
            slots.remove(slot)
        if not slots:
            self._by_value.pop(key, None)

    def _retract(self, fields: list[Any]) -> int | None:
        slots = self._by_value.get(_row_key(fields))
        if not slots:
            return None  # already evicted by the capacity bound
        slot = slots[0]
        self._remove_slot(slot)
        return slot

    def apply(self, kind: str, fields: list[Any]) -> None:
        if kind == "+I":
            self.counts.inserts += 1
            self._insert(fields)
        elif kind == "-U":
            self.counts.retractions += 1
            slot = self._retract(fields)
            if slot is not None:
                self._vacated.append(slot)
        elif kind == "+U":
            self.counts.updates += 1
            self._insert(fields, self._vacated.pop(0) if self._vacated else None)
        elif kind == "-D":
            self.counts.retractions += 1
            self.counts.deletes += 1
            self._retract(fields)
        self.last_change = time.time()

    def apply_batch(self, rows: list[tuple[str, list[Any]]]) -> None:
        for kind, fields in rows:
            self.apply(kind, fields)

    def to_dict(self) -> dict:
        return {"columns": [c.name for c in self.columns], "rows": self.rows(), "changes": self.counts.to_dict()}


@dataclass
class ChangeBatch:
    changes: list[tuple[str, list[Any]]]
    view: MaterializedView
    at: float = field(default_factory=time.time)


class LiveQuery:
    """Runs one query and yields its changelog batches; cancels the Flink job behind it when the
    consumer stops iterating, the time runs out, the row bound is reached, or on `cancel()`."""

    def __init__(
        self,
        gateway: SqlGateway,
        statement: CheckedStatement,
        table_ddls: Mapping[str, TrustedStatement] | None = None,
        *,
        max_rows: int = 100,
        timeout: float = 60.0,
        capacity: int = 10_000,
        on_refused: Callable[[LiveQuery, list[PlanDisagreement]], None] | None = None,
    ):
        """`statement`: a checked query (copilot.validate.check / validate(...).statement); its canonical
        text is what runs. `table_ddls`: {table: TrustedStatement.create_table} for the tables it reads.
        `on_refused` hears about a running job that is not what was checked (the session audits it)."""
        self.gateway = gateway
        self.on_refused = on_refused
        self.statement = statement
        self.sql = statement.sql if isinstance(statement, CheckedStatement) else statement
        self.table_ddls = dict(table_ddls or {})
        self.max_rows = max_rows
        self.timeout = timeout
        self.view = MaterializedView(capacity=capacity)
        self.operation: Operation | None = None
        self.stopped_reason: str | None = None
        self.submitted_at: float | None = None
        self.first_row_at: float | None = None
        self.plan_checked = False  # the running job's plan was compared with the checked statement

    @property
    def columns(self) -> list[Column]:
        return self.view.columns

    @property
    def job_id(self) -> str | None:
        return self.operation.job_id if self.operation else None

    def start(self) -> "LiveQuery":
        if self.operation is None:
            self._check_read_only()
            self.submitted_at = time.monotonic()
            self.operation = self.gateway.execute(self.statement, self.table_ddls)
        return self

    def _check_read_only(self) -> None:
        """Defence in depth: whatever path built it, a live query is one checked, read-only query."""
        from copilot.errors import RequestError

        if not isinstance(self.statement, CheckedStatement):
            raise RequestError(
                f"refused to run: a live query is a checked statement, not {type(self.statement).__name__}",
                hint="validate it first (copilot.validate.check)",
            )
        if self.statement.kind != "query":
            raise RequestError(
                f"refused to run: a live query reads, this statement is an {self.statement.kind}",
                hint="ask a read-only question: one SELECT query",
            )

    def batches(self) -> Iterator[ChangeBatch]:
        self.start()
        assert self.operation is not None and self.submitted_at is not None
        deadline = self.submitted_at + self.timeout
        try:
            for page in self.operation.pages(deadline=deadline):
                if self.operation.job_id and not self.plan_checked:
                    self.check_job_plan()
                if page.columns and not self.view.columns:
                    self.view.columns = list(page.columns)
                if page.rows:
                    if self.first_row_at is None:
                        self.first_row_at = time.monotonic()
                    rows = self._rows_within_limit(page.rows)
                    yield ChangeBatch(rows, self.view)
                if page.result_type == "EOS":
                    self.stopped_reason = "end"
                    return
                if len(self.view) >= self.max_rows:
                    self.stopped_reason = "max_rows"
                    return
            self.stopped_reason = self.stopped_reason or ("timeout" if time.monotonic() >= deadline else "end")
        except GeneratorExit:
            self.stopped_reason = self.stopped_reason or "cancelled"
            raise
        finally:
            self.cancel()

    def _rows_within_limit(self, rows: list) -> list:
        """Apply a page of changes to the view, but no change past the one that fills it to max_rows:
        a page can carry many rows, and `--max-rows 3` means three rows."""
        if len(self.view) + len(rows) <= self.max_rows:
            self.view.apply_batch(rows)
            return rows
        for i, row in enumerate(rows):
            self.view.apply_batch([row])
            if len(self.view) >= self.max_rows:
                return rows[: i + 1]
        return rows

    def check_job_plan(self) -> None:
        """After submission, Flink's running job must be what was checked: a read of the statement's
        tables, without OPTIONS, whose only sink is the collect sink back to us. Otherwise the job is
        cancelled and the query refused (stage engine, a named reason)."""
        from copilot.errors import RequestError

        self.plan_checked = True
        assert self.job_id is not None  # called once the gateway named the job
        found = job_disagreements(self.gateway, self.job_id, kind="query", tables=self.statement.tables)
        if found:
            self.stopped_reason = "refused"
            self.cancel()
            if self.on_refused is not None:
                self.on_refused(self, found)
            first = found[0]
            raise RequestError(
                f"refused (engine: {first.reason}): {first.message}",
                hint="the running job did not match the checked query and was cancelled",
            )

    def run(self) -> MaterializedView:
        for _ in self.batches():
            pass
        return self.view

    def cancel(self) -> None:
        if self.operation is not None and not self.operation.closed:
            self.operation.cancel()
        self.stopped_reason = self.stopped_reason or "cancelled"

    def __enter__(self) -> "LiveQuery":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def result(self) -> dict:
        return {
            "columns": [c.name for c in self.view.columns],
            "column_types": [c.type for c in self.view.columns],
            "rows": self.view.rows(),
            "changes": self.view.counts.to_dict(),
            "stopped": self.stopped_reason,
            "job_id": self.job_id,
        }
