"""A topic's neighbourhood as a Graphviz DOT graph (drawn by st.graphviz_chart in the browser)."""

from __future__ import annotations

from copilot.catalog.model import TopicSchema


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def relationship_edges(topic: str, topics: dict[str, TopicSchema]) -> list[tuple[str, str, str]]:
    """(from topic, to topic, label) for relationships from and to `topic`."""
    edges = []
    for schema in topics.values():
        for rel in schema.relationships:
            if schema.topic == topic or rel.target_topic == topic:
                edges.append((schema.topic, rel.target_topic, f"{rel.field} → {rel.target_field}"))
    return edges


def neighbourhood_dot(topic: str, topics: dict[str, TopicSchema]) -> str:
    edges = relationship_edges(topic, topics)
    lines = [
        "digraph {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#eef2ff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        f'  {_quote(topic)} [fillcolor="#c7d2fe", penwidth=2];',
    ]
    for source, target, label in edges:
        lines.append(f"  {_quote(source)} -> {_quote(target)} [label={_quote(label)}];")
    lines.append("}")
    return "\n".join(lines)
