"""Flink Copilot in the browser: `flink-copilot app` runs this file with Streamlit."""

import streamlit as st

from copilot.ui import widgets

st.set_page_config(page_title="Flink Copilot", page_icon="🌊", layout="wide")
widgets.page_setup()
if not widgets.password_gate():
    st.stop()

pages = [
    st.Page(widgets.CHAT_PAGE, title="Chat", icon="💬", default=True),
    st.Page(widgets.CATALOG_PAGE, title="Catalog", icon="📚"),
    st.Page(widgets.JOBS_PAGE, title="Jobs", icon="🗂️"),
    st.Page(widgets.AUDIT_PAGE, title="Audit trail", icon="📜"),
]
navigation = st.navigation(pages)
with widgets.guarded():
    widgets.sidebar()
navigation.run()
