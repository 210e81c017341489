"""A live query consumed in a background thread, so the page reads snapshots without ever waiting on Flink.

The worker thread is the only one touching the `LiveQuery` and its view; after each changelog batch it
publishes an immutable `LiveSnapshot`. The page (a fragment that reruns every second) only reads the latest
snapshot. Runners that nobody reads any more (the browser tab was closed) are cancelled by a reaper, so no
Flink job outlives its page.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

from copilot.errors import CopilotError
from copilot.flink.base import FlinkSqlError

log = logging.getLogger(__name__)

IDLE_CANCEL_AFTER_S = 90.0  # no page has read the runner for this long: its tab is gone


class ChangeSource(Protocol):
    """What the runner needs from `copilot.flink.live.LiveQuery`."""

    view: Any

    def batches(self) -> Iterable[Any]: ...

    def cancel(self) -> None: ...


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


class LiveRunner:
    """Runs one `ChangeSource` in a daemon thread; `snapshot()` is cheap and never blocks on Flink.
    `display_rows` bounds how many rows a snapshot carries (the newest ones), so a page stays fast
    however many rows the result has."""

    def __init__(self, source: ChangeSource | Callable[[], ChangeSource], *, display_rows: int = 500,
                 idle_cancel_after: float = IDLE_CANCEL_AFTER_S, label: str = ""):
        self._factory = source if callable(source) and not hasattr(source, "batches") else (lambda: source)
        self.source: ChangeSource | None = None
        self.display_rows = display_rows
        self.idle_cancel_after = idle_cancel_after
        self.label = label
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_reason = "stopped"
        self._started = time.monotonic()
        self._snapshot = LiveSnapshot("starting", started=self._started)
        self._thread = threading.Thread(target=self._run, name=f"live-query {label}"[:60], daemon=True)
        self.last_read = time.monotonic()

    # ---- page side ------------------------------------------------------------------------------

    def start(self) -> "LiveRunner":
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
        source = self.source
        if source is not None:
            try:
                source.cancel()  # unblocks the worker's fetch loop and cancels the job now
            except (CopilotError, FlinkSqlError) as exc:
                log.info("cancel of live query %s: %s", self.label, exc)
        self._thread.join(wait if self._thread.is_alive() else 0)
        with self._lock:
            if self._snapshot.live:
                self._publish_locked(status="stopped", stopped_reason=reason)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    # ---- worker side ----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self.source = self._factory()
            start = getattr(self.source, "start", None)
            if start is not None and not self._stop.is_set():
                start()  # submit now, so that a stop from the page from here on can cancel the job itself
            if self._stop.is_set():
                self.source.cancel()
                return
            batches = iter(self.source.batches())
            for _batch in batches:
                self._publish(status="running")
                if self._stop.is_set():
                    close = getattr(batches, "close", None)
                    if close:
                        close()
                    return
            self._publish(status="ended", stopped_reason=getattr(self.source, "stopped_reason", None) or "end")
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
        view = getattr(self.source, "view", None)
        previous = self._snapshot
        if not previous.live and changes.get("status") == "running":
            return  # a batch that arrived after stop() must not bring a stopped result back to life
        values: dict[str, Any] = dict(status=previous.status, columns=previous.columns, rows=previous.rows,
                                      total_rows=previous.total_rows, first_row_after_s=previous.first_row_after_s)
        if view is not None and changes.get("status") == "running":
            rows = view.rows()
            counts = view.counts
            elapsed = max(1e-6, time.monotonic() - self._started)
            first = previous.first_row_after_s if previous.first_row_after_s is not None else elapsed
            values.update(
                columns=[(c.name, c.type) for c in view.columns],
                rows=rows[-self.display_rows:], total_rows=len(rows),
                inserts=counts.inserts, updates=counts.updates, retractions=counts.retractions,
                last_change=view.last_change, first_row_after_s=first,
                changes_per_s=counts.total / max(1e-6, elapsed - first) if elapsed > first else 0.0,
                batches=previous.batches + 1,
            )
        else:
            values.update(inserts=previous.inserts, updates=previous.updates, retractions=previous.retractions,
                          last_change=previous.last_change, changes_per_s=previous.changes_per_s,
                          batches=previous.batches)
        values.update(changes)
        self._snapshot = LiveSnapshot(started=self._started, version=previous.version + 1, **values)


class _Reaper:
    """One daemon thread that stops runners whose page stopped reading them."""

    def __init__(self, every: float = 5.0):
        self.every = every
        self._runners: "weakref.WeakSet[LiveRunner]" = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, runner: LiveRunner) -> None:
        with self._lock:
            self._runners.add(runner)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="live-query-reaper", daemon=True)
                self._thread.start()

    def sweep(self) -> int:
        now = time.monotonic()
        with self._lock:
            idle = [r for r in self._runners if r.running and now - r.last_read > r.idle_cancel_after]
        for runner in idle:
            log.info("cancelling live query %s: no page has read it for %.0f s", runner.label, now - runner.last_read)
            runner.stop("page closed", wait=0)
        return len(idle)

    def stop_all(self, reason: str = "app shutting down") -> int:
        """Cancel every live query (the process is exiting: its daemon threads die without cleaning up)."""
        with self._lock:
            running = [r for r in self._runners if r.running]
        for runner in running:
            runner.stop(reason, wait=0)
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
    """Stop runners nobody reads any more now (the reaper also does it every few seconds)."""
    return _REAPER.sweep()
