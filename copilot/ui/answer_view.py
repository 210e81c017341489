"""Streamlit rendering of one chat answer: explanation, SQL, validation, live result, chart, save as job."""

from __future__ import annotations

import time

import streamlit as st

from copilot import settings
from copilot.agent.answer import Answer
from copilot.agent.live import LiveSession, LiveSnapshot
from copilot.ui import chart as charts, format as fmt, preview_view, services as svc
from copilot.ui.widgets import JOBS_PAGE, chat_service, guarded, jobs_service

REFRESH_S = 1.0


def answer(index: int, ans: Answer, *, latest: bool, final: LiveSnapshot | None) -> None:
    if ans.explanation:
        st.markdown(ans.explanation)
    for notice in ans.notices:
        st.info(notice, icon=":material/info:")
    if ans.sql:
        with st.expander("SQL", expanded=latest):
            st.code(ans.sql, language="sql")
    st.caption(fmt.validation_badge(ans.valid, ans.planner, ans.engine_checked))
    if not ans.valid and ans.clarification:
        clarification(index, ans.clarification)
        return
    if not ans.valid:
        for error in ans.errors:
            st.error(fmt.issue_line(error))
        suggestions(index, ans.suggestions)
        return
    if latest:
        runner: LiveSession | None = st.session_state.get("runner")
        if runner is not None and runner.snapshot().live:
            live_result(index)
        elif runner is not None:
            with guarded():
                finished_result(runner.snapshot(), index)
    elif final is not None:
        result(final, index, frozen=True)
    thumbs_up(index, ans)
    save_as_job(index, ans)


def thumbs_up(index: int, ans: Answer) -> None:
    """👍: a person confirms the answer; the query is kept as a verified query for this question."""
    if not ans.question or not ans.sql or ans.planner in ("verified", "user"):
        return
    done = st.session_state.setdefault("verified_answers", set())
    if index in done:
        st.caption("👍 Kept as a verified query: the same question is answered with it from now on.")
        return
    if st.button("👍 Correct", key=f"verify_{index}", help="keep this query as the verified answer to this question"):
        with guarded():
            stored = chat_service().verify(ans.question, ans.sql)
            done.add(index)
            st.success(f"Kept as a verified query of {stored['topic']}.")


def clarification(index: int, ask: dict) -> None:
    """Asking back: the question, and one button per option that asks it in this conversation."""
    st.markdown(f"**{ask['question']}**")
    for n, option in enumerate(ask.get("options") or []):
        if st.button(option["label"], key=f"clarify_{index}_{n}", help=option["question"]):
            st.session_state["pending_question"] = option["question"]
            st.rerun()


def suggestions(index: int, items: list[str]) -> None:
    if not items:
        return
    st.markdown("**You could ask:**")
    for n, text in enumerate(items):
        if st.button(text, key=f"suggest_{index}_{n}", type="tertiary"):
            st.session_state["pending_question"] = text
            st.rerun()


@st.fragment(run_every=REFRESH_S)
def live_result(index: int) -> None:
    """Reruns on its own every second while the query is live; reads the runner's latest snapshot and
    never waits on Flink. Once the query stops, one whole-page run draws the final state without this
    fragment, so nothing reruns on a timer behind an idle page (and no timer run races the page's own)."""
    runner: LiveSession | None = st.session_state.get("runner")
    if runner is None:
        return
    with guarded():
        snap = runner.snapshot()
        if not snap.live:
            st.rerun(scope="app")
        top = st.columns([5, 1])
        if top[1].button("Stop", key=f"stop_{index}", type="primary"):
            runner.stop("stopped by you")
            st.rerun(scope="app")
        top[0].markdown(fmt.live_status(snap.status, snap.stopped_reason))
        result(snap, index, frozen=False)


def finished_result(snap: LiveSnapshot, index: int) -> None:
    st.markdown(fmt.live_status(snap.status, snap.stopped_reason))
    if snap.status == "error":
        st.error(snap.error or fmt.GENERIC_ERROR)
        if snap.hint:
            st.caption(f"What to try: {snap.hint}")
    result(snap, index, frozen=False)


def counters(snap: LiveSnapshot) -> None:
    cols = st.columns(4)
    cols[0].metric("Rows", f"{snap.total_rows:,}")
    cols[1].metric("Updates", f"{snap.updates + snap.retractions:,}", help="updates and retractions applied")
    cols[2].metric("Changes/s", f"{snap.changes_per_s:,.0f}")
    cols[3].metric("Last update", fmt.clock(snap.last_change), help=fmt.ago(snap.last_change))


def result(snap: LiveSnapshot, index: int, *, frozen: bool) -> None:
    counters(snap)
    if not snap.columns:
        if snap.live:
            st.caption("Waiting for the first rows (windowed results appear when a window closes)…")
        return
    kinds = charts.available_charts(snap.columns)
    wanted = st.session_state.get(f"chart_kind_{index}") or _asked_chart(index)
    choice = charts.choose_chart(snap.columns, wanted)
    picked = st.segmented_control(
        "Chart",
        kinds,
        default=choice.kind,
        format_func=lambda k: charts.KIND_LABELS[k],
        key=f"chart_switch_{index}",
        disabled=frozen,
    )
    if picked and picked != choice.kind:
        st.session_state[f"chart_kind_{index}"] = picked
        choice = charts.choose_chart(snap.columns, picked)
    draw_chart(choice, snap)
    st.dataframe(
        charts.table_frame(snap.columns, snap.rows),
        hide_index=True,
        key=None if frozen else f"table_{index}",
        height=min(400, 38 + 35 * max(1, len(snap.rows))),
    )
    if snap.total_rows > len(snap.rows):
        st.caption(f"Showing the newest {len(snap.rows):,} of {snap.total_rows:,} rows.")


def _asked_chart(index: int) -> str | None:
    messages = st.session_state.get("messages", [])
    if 0 <= index < len(messages):
        return messages[index]["answer"].chart_kind
    return None


def draw_chart(choice: charts.ChartChoice, snap: LiveSnapshot) -> None:
    if choice.kind == "table" or not snap.rows:
        return
    frame = charts.chart_frame(choice, snap.columns, snap.rows)
    if choice.kind == "number":
        value, delta = charts.big_number(choice, snap.columns, snap.rows)
        st.metric(
            choice.y or "value",
            "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip("."),
            delta=None if delta is None else f"{delta:+,.2f}",
        )
    elif choice.kind == "line":
        st.altair_chart(charts.line_spec(choice, frame), width="stretch")
    else:
        st.bar_chart(frame, x=choice.x, y=choice.y, height=280)


def save_as_job(index: int, ans: Answer) -> None:
    if settings.get_bool("COPILOT_READ_ONLY"):
        return
    saved = st.session_state["saved_jobs"].get(index)
    taken = preview_view.current(index, ans.sql or "")
    with st.expander("Save as job" if not saved else f"Job {saved['name']}", expanded=bool(saved or taken)):
        if saved:
            with guarded():
                if st.button("Refresh state", key=f"job_refresh_{index}"):
                    saved = jobs_service().state_of(saved["name"]) or saved
                    st.session_state["saved_jobs"][index] = saved
                st.markdown(f"**{saved['name']}** → topic `{saved.get('output_topic')}` · {fmt.job_state(saved.get('state'))}")
                st.page_link(JOBS_PAGE, label="Open the jobs page", icon=":material/work:")
            return
        # the preview comes first: what the job would have produced on recorded data, then the save
        if st.button(
            "Preview on the last 5 minutes" if taken is None else "Preview again",
            key=f"job_preview_btn_{index}",
            icon=":material/preview:",
        ):
            with guarded(), st.spinner("Replaying the last 5 minutes of recorded data…"):
                preview_view.run(index, ans.sql or "", jobs_service())
            st.rerun()  # drawn open, with the preview and then the save form
        if taken is None:
            st.caption("Preview the job's result on recorded data before saving it.")
            return
        preview_view.show(index, taken)
        with st.form(f"save_job_{index}"):
            name = st.text_input("Job name", value=svc.suggested_job_name(ans.question), key=f"job_name_{index}")
            topic = st.text_input("Output topic", value="", placeholder=f"job_{name}", key=f"job_topic_{index}")
            if st.form_submit_button("Save and start"):
                with guarded(), st.spinner("Creating the output topic and starting the job on Flink…"):
                    row = jobs_service().save(name.strip(), ans.sql or "", topic.strip() or None)
                    row = jobs_service().wait_for_state(row["name"], ("RUNNING", "FAILED"), timeout=20) or row
                    st.session_state["saved_jobs"][index] = row
                    time.sleep(0)  # the state shows on the rerun below
                    st.rerun()


def start_live(chat: svc.ChatService, ans: Answer) -> LiveSession:
    """Starts the answer's live session on Flink in the background; the page shows it as it changes."""
    max_rows = settings.get_int("COPILOT_APP_MAX_ROWS")
    timeout = float(settings.get_int("COPILOT_APP_QUERY_TIMEOUT"))
    return chat.live(ans, max_rows=max_rows, timeout=timeout).start_background()
