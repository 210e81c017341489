"""Audit trail: every step the copilot took (questions, retrieved topics, drafts, verdicts), read from Kafka."""

import streamlit as st

from copilot import settings
from copilot.ui import format as fmt, sample, widgets

widgets.page_setup()
topic = settings.get("COPILOT_AUDIT_TOPIC")
st.title("Audit trail")
st.caption(f"Read from the Kafka topic `{topic}`, keyed by conversation.")
only_mine = st.toggle("Only this conversation", value=True, key="audit_only_mine")
count = st.slider("Events", 10, 200, 50, key="audit_count")

with widgets.guarded():
    key = st.session_state["conversation_id"] if only_mine else None
    with st.spinner("Reading the audit topic…"):
        records = sample.latest_records(topic, count, key=key)
    if not records:
        st.info("No audit events yet" + (" for this conversation." if only_mine else "."))
    for record in records:
        event = record["value"] if isinstance(record["value"], dict) else {"event": record["value"]}
        title = f"{fmt.clock(record['timestamp'])} · {event.get('type', 'event')}"
        with st.expander(title + (f" · {event['question']}" if event.get("question") else "")):
            st.json(event)
