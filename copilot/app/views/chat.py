"""Chat: ask in plain words, get validated Flink SQL and its live, changing result."""

import streamlit as st

from copilot.ui import alerts_view, answer_view, state, widgets

widgets.page_setup()
ss = st.session_state
st.title("Ask your streams")
alerts_view.panel(limit=5, recent_minutes=10, key="chat_alerts")  # watches firing now, live

if ss["focus_topic"]:
    topic = ss["focus_topic"]
    st.info(f"Asking about the topic `{topic}`.", icon=":material/target:")
    answer_view.suggestions(-1, [f"Show the latest records of {topic}", f"How many records per minute in {topic}?"])

for index, message in enumerate(ss["messages"]):
    with st.chat_message("user"):
        st.markdown(message["question"])
    with st.chat_message("assistant"):
        latest = index == len(ss["messages"]) - 1
        answer_view.answer(index, message["answer"], latest=latest, final=message.get("final"))

question = st.chat_input("Ask about your streams, e.g. revenue per country every minute") or ss["pending_question"]
if question:
    ss["pending_question"] = None
    ss["focus_topic"] = None
    if ss["messages"] and ss["runner"] is not None:
        state.stop_runner(ss, "a new question was asked")
        ss["messages"][-1]["final"] = ss["runner"].snapshot()
        ss["runner"] = None
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"), widgets.guarded():
        with st.spinner("Finding the topics, writing and validating the query…"):
            chat = widgets.chat_service()
            answer = chat.ask(question, ss["conversation_id"], ss["history"])
        ss["messages"].append({"question": question, "answer": answer})
        ss["history"].append(answer.turn())
        if answer.valid:
            ss["runner"] = answer_view.start_live(chat, answer)
        st.rerun()
