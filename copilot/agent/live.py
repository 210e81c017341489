"""The live session: one object that serves a valid answer's live result to every surface.

`Copilot.live(answer)` builds it around a `copilot.flink.live.LiveQuery` (which submits the checked
statement and keeps the materialised view). The session audits the submission before the statement
reaches Flink, whoever starts it, and is read in one of two ways:

* in the foreground (the CLI, `Copilot.run`, MCP, the service): `batches()` / `run()`, then `result()`;
* in the background (the app): `start_background()` consumes it in a daemon thread and publishes an
  immutable `LiveSnapshot` after each batch; the page only ever reads `snapshot()`, never waits on
  Flink. Sessions nobody reads any more (the browser tab was closed) are stopped by a reaper, so no
  Flink job outlives its page.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from copilot.agent.answer import Answer
from copilot.capabilities.live import ChangeSource
from copilot.errors import CopilotError
from copilot.flink.base import FlinkSqlError
from copilot.flink.gateway import Column
from copilot.flink.live import ChangeBatch, LiveQuery, MaterializedView
from copilot.flink.plan_check import PlanDisagreement

log = logging.getLogger(__name__)

IDLE_CANCEL_AFTER_S = 90.0  # no page has read a background session for this long: its tab is gone

Record = Callable[..., None]  # Copilot._record(kind, conversation_id, question, **data)


class SubmissionAudit:
    """The audit events of one live query: `submission` before it reaches Flink, `submission_failed`
    if submitting fails, `submission_refused` if the running job is not what was checked."""

    def __init__(self, record: Record, answer: Answer):
        self._record = record
        self._answer = answer

    def _event(self, kind: str, query: LiveQuery, **data: Any) -> None:
        a = self._answer
        # the audited text is the statement's canonical text: exactly what is submitted
        self._record(kind, a.conversation_id, a.question, sql=query.sql, planner=a.planner, **data)

    def submitted(self, query: LiveQuery) -> None:
        self._event(
            "submission",
            query,
            verdict="valid",
            tables=list(query.statement.tables),
            hints=list(query.statement.hints),
        )

    def failed(self, query: LiveQuery, exc: Exception) -> None:
        self._event("submission_failed", query, reason=str(exc))

    def refused(self, query: LiveQuery, found: list[PlanDisagreement]) -> None:
        self._event(
            "submission_refused",
            query,
            verdict="refused",
            stage="engine",
            job_id=query.job_id,
            errors=[{"stage": "engine", "reason": d.reason, "message": d.message} for d in found],
        )


@dataclass(frozen=True)
class LiveSnapshot:
    status: str  # starting | running | ended | stopped | error
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    total_rows: int = 0
    inserts: int = 0
    updates: int = 0
    retractions: int = 0
    batches: int = 0
    last_change: float | None = None  # wall clock
    started: float = 0.0  # monotonic
    first_row_after_s: float | None = None
    changes_per_s: float = 0.0
    stopped_reason: str | None = None
    error: str | None = None
    hint: str | None = None
    version: int = 0

    @property
    def changes(self) -> int:
        return self.inserts + self.updates + self.retractions

    @property
    def live(self) -> bool:
        return self.status in ("starting", "running")


class LiveSession:
    """One live result. `source` is the running query (a `LiveQuery`, or any `ChangeSource`);
    `audit` records its submission. `display_rows` bounds how many rows a snapshot carries (the
    newest ones), so a page stays fast however many rows the result has."""

    def __init__(
        self,
        source: ChangeSource,
        *,
        audit: SubmissionAudit | None = None,
        display_rows: int = 500,
        idle_cancel_after: float = IDLE_CANCEL_AFTER_S,
        label: str = "",
    ):
        self.source = source
        self.audit = audit
        self.display_rows = display_rows
        self.idle_cancel_after = idle_cancel_after
        self.label = label
        self._submitted = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_reason = "stopped"
        self._started = time.monotonic()
        self._snapshot = LiveSnapshot("starting", started=self._started)
        self._thread: threading.Thread | None = None
        self.last_read = time.monotonic()

    # ---- foreground ---------------------------------------------------------------------------

    def start(self) -> LiveSession:
        """Submit the query now (audited first); idempotent."""
        if self._submitted:
            return self
        self._submitted = True
        query = self.source if isinstance(self.source, LiveQuery) else None
        if self.audit is not None and query is not None:
            self.audit.submitted(query)
        try:
            self.source.start()
        except Exception as exc:
            if self.audit is not None and query is not None:
                self.audit.failed(query, exc)
            raise
        return self

    def batches(self) -> Iterator[ChangeBatch]:
        self.start()
        yield from self.source.batches()

    def run(self) -> dict[str, Any]:
        """Consume the result to its end (a stop condition of the query) and return it."""
        for _ in self.batches():
            pass
        return self.result()

    def result(self) -> dict[str, Any]:
        return self.source.result()

    @property
    def columns(self) -> list[Column]:
        return self.source.columns

    @property
    def job_id(self) -> str | None:
        return self.source.job_id

    @property
    def view(self) -> MaterializedView:
        return self.source.view

    @property
    def stopped_reason(self) -> str | None:
        return self.source.stopped_reason

    def cancel(self) -> None:
        self.source.cancel()

    def __enter__(self) -> LiveSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    # ---- background (the app) -----------------------------------------------------------------

    def start_background(self) -> LiveSession:
        """Consume the session in a daemon thread; read it with `snapshot()`, end it with `stop()`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._consume, name=f"live-query {self.label}"[:60], daemon=True)
            self._thread.start()
            _REAPER.watch(self)
        return self

    def snapshot(self) -> LiveSnapshot:
        self.last_read = time.monotonic()
        with self._lock:
            return self._snapshot

    def stop(self, reason: str = "stopped", wait: float = 5.0) -> None:
        """Stop consuming and cancel the Flink job behind the query; safe to call twice."""
        if self._stop.is_set():
            return
        self._stop_reason = reason
        self._stop.set()
        with self._lock:  # the page sees "stopped" at once, while the job is being cancelled
            if self._snapshot.live:
                self._publish_locked(status="stopped", stopped_reason=reason)
        try:
            self.source.cancel()  # unblocks the worker's fetch loop and cancels the job now
        except (CopilotError, FlinkSqlError) as exc:
            log.info("cancel of live query %s: %s", self.label, exc)
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(wait)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _consume(self) -> None:
        try:
            if not self._stop.is_set():
                self.start()  # submit now, so that a stop from the page from here on can cancel the job itself
            if self._stop.is_set():
                self.source.cancel()
                return
            batches = self.source.batches()
            for _batch in batches:
                self._publish(status="running")
                if self._stop.is_set():
                    if isinstance(batches, Generator):  # closing it cancels the query now
                        batches.close()
                    return
            self._publish(status="ended", stopped_reason=self.source.stopped_reason or "end")
        except CopilotError as exc:
            self._fail(exc.message, exc.hint)
        except FlinkSqlError as exc:
            self._fail(exc.message, "check the query, or ask again in other words")
        except Exception:  # a bug must not kill the page; the log has the details
            log.exception("live query %s failed", self.label)
            self._fail("The live result stopped because of an unexpected error.", "ask again; the log has the details")

    def _fail(self, message: str, hint: str | None) -> None:
        if self._stop.is_set():  # errors while cancelling are expected
            self._publish(status="stopped", stopped_reason=self._stop_reason)
            return
        self._publish(status="error", error=message, hint=hint)

    def _publish(self, **changes: Any) -> None:
        with self._lock:
            self._publish_locked(**changes)

    def _publish_locked(self, **changes: Any) -> None:
        view = self.source.view
        previous = self._snapshot
        if not previous.live and changes.get("status") == "running":
            return  # a batch that arrived after stop() must not bring a stopped result back to life
        values: dict[str, Any] = dict(
            status=previous.status,
            columns=previous.columns,
            rows=previous.rows,
            total_rows=previous.total_rows,
            first_row_after_s=previous.first_row_after_s,
        )
        if changes.get("status") == "running":
            rows = view.rows()
            counts = view.counts
            elapsed = max(1e-6, time.monotonic() - self._started)
            first = previous.first_row_after_s if previous.first_row_after_s is not None else elapsed
            values.update(
                columns=[(c.name, c.type) for c in view.columns],
                rows=rows[-self.display_rows :],
                total_rows=len(rows),
                inserts=counts.inserts,
                updates=counts.updates,
                retractions=counts.retractions,
                last_change=view.last_change,
                first_row_after_s=first,
                changes_per_s=counts.total / max(1e-6, elapsed - first) if elapsed > first else 0.0,
                batches=previous.batches + 1,
            )
        else:
            values.update(
                inserts=previous.inserts,
                updates=previous.updates,
                retractions=previous.retractions,
                last_change=previous.last_change,
                changes_per_s=previous.changes_per_s,
                batches=previous.batches,
            )
        values.update(changes)
        self._snapshot = LiveSnapshot(started=self._started, version=previous.version + 1, **values)


class _Reaper:
    """One daemon thread that stops background sessions whose page stopped reading them."""

    def __init__(self, every: float = 5.0):
        self.every = every
        self._sessions: weakref.WeakSet[LiveSession] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, session: LiveSession) -> None:
        with self._lock:
            self._sessions.add(session)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="live-query-reaper", daemon=True)
                self._thread.start()

    def sweep(self) -> int:
        now = time.monotonic()
        with self._lock:
            idle = [s for s in self._sessions if s.running and now - s.last_read > s.idle_cancel_after]
        for session in idle:
            log.info("cancelling live query %s: no page has read it for %.0f s", session.label, now - session.last_read)
            session.stop("page closed", wait=0)
        return len(idle)

    def stop_all(self, reason: str = "app shutting down") -> int:
        """Cancel every live query (the process is exiting: its daemon threads die without cleaning up)."""
        with self._lock:
            running = [s for s in self._sessions if s.running]
        for session in running:
            session.stop(reason, wait=0)
        return len(running)

    def _loop(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                self.sweep()
            except Exception:
                log.exception("live query reaper")


_REAPER = _Reaper()
atexit.register(_REAPER.stop_all)


def reap_idle() -> int:
    """Stop background sessions nobody reads any more now (the reaper also does it every few seconds)."""
    return _REAPER.sweep()
