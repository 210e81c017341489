"""Alerts: watches (questions kept running with a condition) and the alerts they fire, live."""

import streamlit as st

from copilot.ui import alerts_view, widgets

widgets.page_setup()
st.title("Alerts")
with widgets.guarded():
    watches = [row for row in widgets.jobs_service().list() if row.get("kind") == "watch"]
    if watches:
        st.subheader("Watches")
        for row in watches:
            st.markdown(f"**{row['name']}** · {row['state']} · Flink job `{row.get('flink_job_id') or '—'}`")
            st.code(row["sql"], language="sql")
    st.subheader("Firing")
    alerts_view.panel(limit=100, key="alerts_page")
