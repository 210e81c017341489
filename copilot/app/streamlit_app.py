"""Flink Copilot in the browser: `flink-copilot app` runs this file with Streamlit."""

import streamlit as st

from copilot.ui import widgets

st.set_page_config(page_title="Flink Copilot", page_icon=":material/waves:", layout="wide")
widgets.page_setup()
if not widgets.password_gate():
    st.stop()

pages = [
    st.Page(widgets.CHAT_PAGE, title="Chat", icon=":material/chat:", default=True),
    st.Page(widgets.CATALOG_PAGE, title="Catalog", icon=":material/menu_book:"),
    st.Page(widgets.JOBS_PAGE, title="Jobs", icon=":material/work:"),
    st.Page(widgets.AUDIT_PAGE, title="Audit trail", icon=":material/history:"),
    st.Page(widgets.ALERTS_PAGE, title="Alerts", icon=":material/notifications:"),
]
navigation = st.navigation(pages)
with widgets.guarded():
    widgets.sidebar()
navigation.run()
