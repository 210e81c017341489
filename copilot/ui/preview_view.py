"""The preview shown before a job is saved: the query's result over the last minutes of recorded data
(a bounded replay), its row count, a chart and the estimated state size. A failing preview is shown
the same way — before anything is saved."""

from __future__ import annotations

import streamlit as st

from copilot.errors import CopilotError
from copilot.ui import chart as charts

PREVIEW_LAST = "5m"


def _key(index: int) -> str:
    return f"job_preview_{index}"


def current(index: int, sql: str) -> dict | None:
    """The preview taken for this answer's SQL, if any (ok or failed)."""
    stored = st.session_state.get(_key(index))
    return stored if stored and stored.get("sql") == sql else None


def run(index: int, sql: str, jobs) -> None:
    """Take the preview (seconds) and keep it for the page's reruns."""
    try:
        data = jobs.preview(sql, last=PREVIEW_LAST)
        st.session_state[_key(index)] = {"sql": sql, "ok": True, "data": data}
    except CopilotError as exc:
        st.session_state[_key(index)] = {"sql": sql, "ok": False, "error": exc.message, "hint": exc.hint}


def show(index: int, stored: dict) -> None:
    if not stored["ok"]:
        st.error(f"Preview failed: {stored['error']}", icon=":material/error:")
        if stored.get("hint"):
            st.caption(f"What to try: {stored['hint']}")
        return
    p = stored["data"]
    with st.container(key=f"preview_{index}"):
        st.markdown(
            f"**Preview** — what the job would have produced over the last {p['slice']['seconds'] / 60:g} "
            f"minutes of recorded data"
        )
        cols = st.columns(4)
        cols[0].metric("Preview rows", f"{p['row_count']:,}")
        cols[1].metric("Records read", f"{p['slice']['records']:,}")
        state = p["state"]
        keys = state.get("max_keys_per_window") if state.get("windowed") else state.get("distinct_keys")
        cols[2].metric(
            "State (keys)",
            "—" if keys is None else f"{keys:,}",
            help="distinct grouping keys the job keeps state for (per window when windowed)",
        )
        cols[3].metric("Took", f"{p['seconds']:.1f} s")
        st.caption(f"State estimate: {state['summary']}")
        columns = list(zip(p["columns"], p["column_types"]))
        if p["rows"] and columns:
            choice = charts.choose_chart(columns)
            if choice.kind not in ("table", "number"):
                frame = charts.chart_frame(choice, columns, p["rows"])
                if choice.kind == "line":
                    st.altair_chart(charts.line_spec(choice, frame), width="stretch")
                else:
                    st.bar_chart(frame, x=choice.x, y=choice.y, height=240)
            st.dataframe(
                charts.table_frame(columns, p["rows"]), hide_index=True, height=min(300, 38 + 35 * max(1, len(p["rows"])))
            )
        else:
            st.info("No rows over these minutes: the job would have written nothing yet.")
