"""Flink Copilot in the browser: `flink-copilot app` runs this file with Streamlit."""

import streamlit as st

from copilot.ui import widgets

st.set_page_config(page_title="Flink Copilot", page_icon=":material/waves:", layout="wide")
widgets.page_setup()
if not widgets.password_gate():
    st.stop()

pages = [
    st.Page(widgets.page_path(name), title=title, icon=icon, default=i == 0)
    for i, (name, title, icon) in enumerate(widgets.PAGES)
]
navigation = st.navigation(pages)
with widgets.guarded():
    widgets.sidebar()
navigation.run()
