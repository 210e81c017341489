"""Streamlit rendering of the catalog: the topic list and one topic's detail."""

from __future__ import annotations

from typing import Literal

import pandas as pd
import streamlit as st

from copilot.catalog.model import TopicSchema
from copilot.ui import format as fmt, graph, sample
from copilot.ui.services import CatalogService
from copilot.ui.widgets import guarded

SELECTED = "catalog_topic"


def topic_list(names: list[str], topics: dict[str, TopicSchema], scores: dict[str, float]) -> str | None:
    """Buttons, one per topic; returns the selected topic (kept across reruns and in the URL)."""
    selected = st.session_state.get(SELECTED) or st.query_params.get("topic")
    for name in names:
        schema = topics[name]
        score = f" · score {scores[name]:.2f}" if name in scores else ""
        kind: Literal["primary", "secondary"] = "primary" if name == selected else "secondary"
        if st.button(f"{name}", key=f"topic_{name}", type=kind, width="stretch"):
            select(name)
        st.caption(f"{schema.changelog}{score} — {_first_sentence(schema.description)}")
    return st.session_state.get(SELECTED) or selected


def select(name: str) -> None:
    st.session_state[SELECTED] = name
    st.query_params["topic"] = name
    st.rerun()


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return text.split(". ")[0][:140]


def topic_detail(schema: TopicSchema, catalog: CatalogService) -> None:
    st.header(schema.topic)
    st.markdown(schema.description or "_No description._")
    key = schema.key or ", ".join(schema.primary_key) or "—"
    st.markdown(
        f"**Changelog** `{schema.changelog}` · **Key** `{key}` · **Event time** `{schema.event_time or '—'}`"
        f" · **Format** `{schema.format}`"
    )
    st.subheader("Fields")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "field": f.name,
                    "type": f.type,
                    "description": f.description,
                    "known values": fmt.known_values(f.values),
                    "also called": ", ".join(f.synonyms),
                    "unit": f.unit or (f"currency in {f.currency_field}" if f.currency_field else ""),
                }
                for f in schema.fields
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    semantic_layer(schema)
    relationships(schema, catalog)
    st.subheader("CREATE TABLE")
    with guarded():
        st.code(catalog.ddl(schema.topic), language="sql")
    live_sample(schema.topic)


def semantic_layer(schema: TopicSchema) -> None:
    """Metrics, the words people use for single values, and the queries people confirmed."""
    if schema.metrics:
        st.subheader("Metrics")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "metric": m.name,
                        "expression": m.expression + (f" WHERE {m.filter}" if m.filter else ""),
                        "also called": ", ".join(m.synonyms),
                        "description": m.description,
                    }
                    for m in schema.metrics
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    words = [
        {"field": f.name, "value": value, "label": f.values.get(value, value), "also called": ", ".join(w)}
        for f in schema.fields
        for value, w in f.value_words.items()
        if w
    ]
    if words:
        st.subheader("Words for values")
        st.dataframe(pd.DataFrame(words), hide_index=True, width="stretch")
    if schema.verified_queries:
        st.subheader("Verified queries")
        for q in schema.verified_queries:
            who = " · ".join(x for x in (q.verified_by, q.verified_at) if x)
            st.markdown(f"**{q.question}**" + (f"  \n_verified by {who}_" if who else ""))
            st.code(q.sql, language="sql")


def relationships(schema: TopicSchema, catalog: CatalogService) -> None:
    topics = catalog.topics()
    edges = graph.relationship_edges(schema.topic, topics)
    if not edges:
        return
    st.subheader("Relationships")
    for source, target, label in edges:
        other = target if source == schema.topic else source
        cols = st.columns([3, 2])
        field, target_field = label.split(" → ")
        cols[0].markdown(f"`{source}.{field}` → `{target}.{target_field}`")
        if cols[1].button(f"Open {other}", key=f"rel_{schema.topic}_{source}_{target}_{label}", type="tertiary"):
            select(other)
    st.graphviz_chart(graph.neighbourhood_dot(schema.topic, topics))


@st.fragment(run_every=5)
def live_sample(topic: str) -> None:
    st.subheader("Latest records")
    follow = st.toggle("Keep refreshing", value=True, key=f"sample_follow_{topic}")
    cache_key = f"sample_{topic}"
    if follow or cache_key not in st.session_state:
        with guarded():
            st.session_state[cache_key] = sample.flatten(sample.latest_records(topic, 10, timeout=3.0))
    rows = st.session_state.get(cache_key) or []
    if not rows:
        st.caption("No records in this topic yet.")
        return
    frame = pd.DataFrame(rows)
    frame["time"] = pd.to_datetime(frame["time"], unit="s")
    st.dataframe(frame, hide_index=True, width="stretch", key=f"sample_table_{topic}")
