"""Text the pages show: counters, times, states and errors (no Streamlit here)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from copilot.errors import CopilotError
from copilot.flink.base import FlinkSqlError

log = logging.getLogger("copilot.ui")

GENERIC_ERROR = "Something went wrong on our side. The details are in the app's log."
GENERIC_HINT = "try again; if it keeps happening, tell whoever runs this app"

# Coloured dots in Streamlit markdown: no emoji font needed in the browser.
UP, DOWN, BUSY, IDLE = ":green[●]", ":red[●]", ":orange[●]", ":gray[●]"
JOB_STATE_ICONS = {
    "RUNNING": UP,
    "CREATED": BUSY,
    "INITIALIZING": BUSY,
    "RESTARTING": BUSY,
    "FAILING": DOWN,
    "FAILED": DOWN,
    "CANCELLING": BUSY,
    "CANCELED": IDLE,
    "FINISHED": IDLE,
    "STOPPED": IDLE,
    "NOT_RUNNING": IDLE,
    "SUSPENDED": IDLE,
}


@dataclass(frozen=True)
class ShownError:
    message: str
    hint: str | None
    expected: bool  # a CopilotError (the user can act on it) vs a bug


def shown_error(exc: BaseException) -> ShownError:
    """What a person sees for an exception: message and hint for product errors; for anything else a
    generic sentence (the traceback goes to the log, never to the browser)."""
    if isinstance(exc, CopilotError):
        return ShownError(exc.message, exc.hint, True)
    if isinstance(exc, FlinkSqlError):
        return ShownError(f"Flink refused the query: {exc.message}", "rephrase the question or fix the SQL", True)
    log.error("unexpected error in the app", exc_info=exc)
    return ShownError(GENERIC_ERROR, GENERIC_HINT, False)


def clock(ts: float | None) -> str:
    return "—" if ts is None else datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def ago(ts: float | None, now: float | None = None) -> str:
    if ts is None:
        return "never"
    seconds = max(0.0, (now or time.time()) - ts)
    if seconds < 1.5:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def flink_time(millis: int | float | None) -> str:
    """Flink REST start times are epoch milliseconds (-1 when not started)."""
    if millis is None or millis <= 0:
        return "—"
    return datetime.fromtimestamp(millis / 1000).strftime("%Y-%m-%d %H:%M:%S")


def job_state(state: str | None) -> str:
    state = state or "UNKNOWN"
    return f"{JOB_STATE_ICONS.get(state, IDLE)} {state}"


def live_status(status: str, reason: str | None) -> str:
    if status == "starting":
        return f"{BUSY} Starting the query on Flink…"
    if status == "running":
        return f"{UP} Live"
    if status == "error":
        return f"{DOWN} Stopped by an error"
    if status == "ended":
        return {"max_rows": f"{IDLE} Stopped: row limit reached", "timeout": f"{IDLE} Stopped: time limit reached"}.get(
            reason or "", f"{IDLE} Finished"
        )
    return f"{IDLE} Stopped" + (f" ({reason})" if reason and reason != "stopped" else "")


def validation_badge(valid: bool, planner: str, engine_checked: bool | None) -> str:
    who = {"builtin": "built-in planner", "llm": "language model", "sql": "your SQL", "user": "your SQL"}.get(planner, planner)
    if not valid:
        return f":red[:material/cancel:] Not valid ({who})"
    checked = "checked by Flink's planner" if engine_checked is not False else "checked without Flink (gateway unreachable)"
    return f":green[:material/check_circle:] Valid, {checked} ({who})"


def issue_line(error: dict) -> str:
    where = ""
    if error.get("line"):
        where = f" (line {error['line']}" + (f", column {error['column']}" if error.get("column") else "") + ")"
    stage = f"[{error['stage']}] " if error.get("stage") else ""
    hint = f" — {error['hint']}" if error.get("hint") else ""
    return f"{stage}{error.get('message', 'unknown problem')}{where}{hint}"


def known_values(values: dict[str, str], limit: int = 12) -> str:
    items = [k if k == v else f"{k} = {v}" for k, v in values.items()]
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f", … (+{more})" if more > 0 else "")
