"""Jobs: saved queries running on Flink, with their state, output topic and savepoints."""

import streamlit as st

from copilot.ui import format as fmt, widgets

widgets.page_setup()
st.title("Saved jobs")
if st.button("Refresh", key="jobs_refresh"):
    st.rerun()

with widgets.guarded():
    jobs = widgets.jobs_service()
    rows = jobs.list()
    if not rows:
        st.info("No saved jobs yet. Ask a question in the chat, then use “Save as job”.")
    for row in rows:
        name = row["name"]
        with st.container(border=True, key=f"job_{name}"):
            head = st.columns([3, 2, 3])
            head[0].markdown(f"### {name}")
            head[1].markdown(f"**{fmt.job_state(row['state'])}**")
            head[2].markdown(f"Output topic `{row['output_topic']}`")
            st.caption(
                f"Started {fmt.flink_time(row.get('start_time'))} · "
                f"last savepoint: {row.get('savepoint') or 'none'} · Flink job {row.get('flink_job_id') or '—'}"
            )
            with st.expander("SQL"):
                st.code(row["sql"], language="sql")
            buttons = st.columns(3)
            running = row["state"] in ("RUNNING", "CREATED", "INITIALIZING", "RESTARTING")
            with widgets.guarded():
                if running and buttons[0].button("Stop with savepoint", key=f"stop_{name}"):
                    with st.spinner(f"Taking a savepoint and stopping {name}…"):
                        jobs.stop(name, savepoint=True)
                    st.rerun()
                if not running and buttons[0].button("Resume", key=f"resume_{name}"):
                    with st.spinner(f"Resuming {name} from its last savepoint…"):
                        jobs.resume(name)
                        jobs.wait_for_state(name, ("RUNNING", "FAILED"), timeout=20)
                    st.rerun()
                if buttons[1].button("Ask about its output", key=f"ask_{name}"):
                    st.session_state["focus_topic"] = row["output_topic"]
                    st.switch_page(widgets.CHAT_PAGE)
                with buttons[2].popover("Delete", icon=":material/delete:"):
                    st.markdown(
                        f"Stop **{name}** and forget it. Its topic `{row['output_topic']}` and the "
                        "records in it are deleted too, unless you keep them."
                    )
                    keep = st.checkbox("Keep the output topic", key=f"keep_topic_{name}")
                    if st.button("Delete the job", key=f"delete_{name}", type="primary"):
                        with st.spinner(f"Deleting {name}…"):
                            jobs.delete(name, keep_topic=keep)
                        st.rerun()
