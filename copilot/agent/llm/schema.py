"""The structured reply a language model fills: a `QueryPlan` whose topic, field, metric and value
names are enums of the retrieved topics (pydantic models built per request with `create_model` and
`Literal`), or free SQL as a fallback for what a plan cannot express, or a reason it cannot answer.

Fields are named `"topic.field"` in the reply (one enum, no mismatched pairs); `to_query_plan`
turns a parsed reply into the shared `QueryPlan`. A filter on a field with known values takes only
those values (a per-field model, discriminated by `field`), so a business word cannot become a stored value."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from copilot.catalog.model import TopicSchema
from copilot.plan.model import (
    AggregateFunc,
    Duration,
    FieldRef,
    FilterOp,
    Having,
    QueryPlan,
    Scalar,
    Window,
)

STRICT = ConfigDict(extra="forbid")


def _enum(names: list[str]) -> Any:
    return Literal[tuple(names)]  # type: ignore[valid-type]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def reply_schema(topics: list[TopicSchema]) -> type[BaseModel]:
    """The reply model for a request whose retrieved topics are `topics`."""
    topic_names = [t.topic for t in topics]
    fields = [f"{t.topic}.{f.name}" for t in topics for f in t.fields]
    FieldName = _enum(fields)
    TopicName = _enum(topic_names)

    filters: list[type[BaseModel]] = []
    free = []
    for t in topics:
        for f in t.fields:
            if f.values:
                described = "; ".join(
                    f"{code} = {label}"
                    + (f" (also: {', '.join(f.value_words.get(code, []))})" if f.value_words.get(code) else "")
                    for code, label in f.values.items()
                )
                filters.append(
                    create_model(
                        f"Filter_{_safe(t.topic)}_{_safe(f.name)}",
                        __config__=STRICT,
                        field=(Literal[f"{t.topic}.{f.name}"], ...),  # type: ignore[valid-type]
                        op=(FilterOp, ...),
                        values=(
                            list[_enum(list(f.values))],
                            Field(default_factory=list, description=f"stored codes only: {described}"),
                        ),
                    )
                )
            else:
                free.append(f"{t.topic}.{f.name}")
    if free:
        filters.append(
            create_model(
                "Filter_other",
                __config__=STRICT,
                field=(_enum(free), ...),
                op=(FilterOp, ...),
                values=(
                    list[Scalar],
                    Field(
                        default_factory=list,
                        description="one value; several for in/not_in; (low, high) for between; none for is_null",
                    ),
                ),
            )
        )
    AnyFilter: Any = filters[0]
    if len(filters) > 1:  # one model per field with known values: the `field` says which
        AnyFilter = Annotated[Union[tuple(filters)], Field(discriminator="field")]  # type: ignore[valid-type]

    metrics = [m.name for t in topics for m in t.metrics]
    MetricName = _enum(metrics) if metrics else None
    measure_fields: dict[str, Any] = {
        "alias": (str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="snake_case column name")),
        "func": (
            Optional[AggregateFunc],
            Field(default=None, description="when no metric fits: an aggregate of `field` (count and share need no field)"),
        ),
        "field": (Optional[FieldName], None),
        "condition": (Optional[AnyFilter], Field(default=None, description="share only: the rows whose share is measured")),
        "filter": (Optional[AnyFilter], Field(default=None, description="restricts the rows this measure aggregates")),
    }
    if MetricName is not None:
        measure_fields["metric"] = (
            Optional[MetricName],
            Field(default=None, description="a metric of the source topic (preferred)"),
        )
    Measure = create_model("Measure", __config__=STRICT, **measure_fields)
    Dimension = create_model(
        "Dimension",
        __config__=STRICT,
        field=(FieldName, ...),
        transform=(Literal["value", "is_null", "is_not_null"], "value"),
        alias=(Optional[str], None),
    )
    Join = create_model(
        "Join",
        __config__=STRICT,
        topic=(TopicName, ...),
        kind=(Literal["temporal", "interval", "regular"], ...),
        left=(FieldName, ...),
        right=(FieldName, ...),
        bound=(Optional[Duration], None),
        direction=(Literal["before", "after", "around"], "before"),
    )
    Ranking = create_model(
        "Ranking",
        __config__=STRICT,
        n=(int, Field(gt=0, le=1000)),
        of=(Literal["groups", "rows"], ...),
        by=(Optional[str], Field(default=None, description="groups: a measure alias")),
        by_field=(Optional[FieldName], Field(default=None, description="rows: the field rows are ranked by")),
        descending=(bool, True),
        partition_by=(list[FieldName], Field(default_factory=list)),
    )
    Plan = create_model(
        "Plan",
        __config__=STRICT,
        source=(TopicName, Field(description="the topic the question is mainly about")),
        measures=(list[Measure], Field(default_factory=list)),
        dimensions=(list[Dimension], Field(default_factory=list)),
        filters=(list[AnyFilter], Field(default_factory=list)),
        joins=(list[Join], Field(default_factory=list)),
        window=(Optional[Window], None),
        ranking=(Optional[Ranking], None),
        having=(list[Having], Field(default_factory=list)),
        columns=(list[FieldName], Field(default_factory=list)),
    )
    return create_model(
        "Answer",
        __config__=STRICT,
        __doc__="The answer to the question: a plan (preferred), or SQL only when no plan can express it, or why it cannot be answered.",
        plan=(Optional[Plan], None),
        sql=(
            Optional[str],
            Field(default=None, description="fallback only: one Flink SQL SELECT when the plan cannot express the question"),
        ),
        cannot_answer=(Optional[str], Field(default=None, description="why the catalog cannot answer the question")),
        explanation=(str, Field(default="", description="one or two plain sentences")),
    )


def _ref(name: str) -> FieldRef:
    topic, _, field = name.partition(".")
    return FieldRef(topic=topic, field=field)


def to_query_plan(plan: BaseModel) -> QueryPlan:
    """A parsed reply plan → the shared `QueryPlan` (its validators run here)."""
    data = plan.model_dump(mode="json", exclude_none=True)

    def refs(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: refs(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [refs(v, key) for v in node]
        if key in ("field", "left", "right", "by_field", "partition_by", "columns") and isinstance(node, str) and "." in node:
            return _ref(node).model_dump()
        return node

    return QueryPlan.model_validate(refs(data))
