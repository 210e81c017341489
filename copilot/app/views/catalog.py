"""Catalog: find topics, read their fields and relationships, see their CREATE TABLE and latest records."""

import streamlit as st

from copilot.ui import catalog_view, widgets

widgets.page_setup()
st.title("Topic catalog")
catalog = widgets.catalog_service()

with widgets.guarded():
    topics = catalog.topics()
    text = st.text_input("Search", placeholder="e.g. revenue by customer segment", key="catalog_search")
    if text.strip():
        with st.spinner("Searching…"):
            hits = catalog.search(text.strip(), k=10)
        names = [h["topic"] for h in hits if h["topic"] in topics]
        scores = {h["topic"]: h["score"] for h in hits}
    else:
        names, scores = sorted(topics), {}
    for notice in catalog.notices:
        st.caption(notice)

    left, right = st.columns([1, 2])
    with left:
        selected = catalog_view.topic_list(names, topics, scores)
    with right:
        if selected in topics:
            catalog_view.topic_detail(topics[selected], catalog)
        else:
            st.info("Choose a topic on the left." if names else "No topic matches that search.")
