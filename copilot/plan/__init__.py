"""The query plan: one typed model of a question (`model`), checked against a catalog and compiled to
Flink SQL through the `flink` dialect (`compile`), explained in plain words (`explain`)."""

from copilot.plan.model import (
    Dimension,
    Duration,
    Exclusion,
    FieldRef,
    Filter,
    Having,
    Join,
    Measure,
    QueryPlan,
    Ranking,
    Window,
)

__all__ = [
    "Dimension",
    "Duration",
    "Exclusion",
    "FieldRef",
    "Filter",
    "Having",
    "Join",
    "Measure",
    "QueryPlan",
    "Ranking",
    "Window",
]
