"""Hypothesis strategies that draw `QueryPlan`s from the type's own definition over any catalog:
every topic as source, joins along every relationship in either direction and of every kind, every
field in filters (every operator), measures (every aggregate, every metric), dimensions (every
transform), listed columns, every window kind, HAVING, rankings of groups and of rows."""

from __future__ import annotations

import typing
from pathlib import Path

from hypothesis import assume, strategies as st
from pydantic import ValidationError

from copilot.catalog.model import TopicSchema
from copilot.catalog.store import YamlCatalogStore
from copilot.plan.check import kind_of
from copilot.plan.model import (
    AggregateFunc,
    ComparisonOp,
    Dimension,
    Duration,
    Exclusion,
    FieldRef,
    Filter,
    FilterOp,
    Having,
    Join,
    Measure,
    QueryPlan,
    Ranking,
    TimeUnit,
    Window,
)

ROOT = Path(__file__).resolve().parents[2]
SECOND_CATALOG = ROOT / "examples" / "catalogs" / "fleet"

FILTER_OPS = list(typing.get_args(FilterOp))
FUNCS = list(typing.get_args(AggregateFunc))
COMPARISONS = list(typing.get_args(ComparisonOp))
UNITS = list(typing.get_args(TimeUnit))
JOIN_KINDS = list(typing.get_args(Join.model_fields["kind"].annotation))
DIRECTIONS = list(typing.get_args(Join.model_fields["direction"].annotation))
WINDOW_KINDS = list(typing.get_args(Window.model_fields["kind"].annotation))
TRANSFORMS = list(typing.get_args(Dimension.model_fields["transform"].annotation))


def load_catalog(directory) -> dict[str, TopicSchema]:
    """The catalog's JSON topics: the compiler is format-blind, and other formats (avro-confluent)
    need a Schema Registry and format jars that are another area's concern."""
    load = YamlCatalogStore(directory).load()
    errors = [str(p) for p in load.problems if p.severity == "error"]
    assert not errors, errors
    return {name: t for name, t in load.topics.items() if t.format == "json"}


def durations(max_amount: int = 90) -> st.SearchStrategy[Duration]:
    return st.builds(Duration, amount=st.integers(1, max_amount), unit=st.sampled_from(UNITS))


@st.composite
def windows(draw) -> Window:
    kind = draw(st.sampled_from(WINDOW_KINDS))
    if kind in ("tumble", "session"):
        d = draw(durations())
        return Window(kind=kind, size=d) if kind == "tumble" else Window(kind=kind, gap=d)
    step = draw(durations(60))
    times = draw(st.integers(1, 24))
    size = Duration.of_seconds(step.seconds * times)
    return Window(kind="hop", size=size, slide=step) if kind == "hop" else Window(kind="cumulate", size=size, step=step)


def _text_values() -> st.SearchStrategy[str]:
    return st.text(alphabet="abcXYZ _-'%\\é0", min_size=0, max_size=8)


@st.composite
def values_for(draw, topics: dict[str, TopicSchema], ref: FieldRef, n: int) -> list:
    f = topics[ref.topic].field(ref.field)
    kind = kind_of(f)
    if kind in ("numeric", "integer"):
        one = st.integers(-10_000, 10_000) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(
            lambda x: round(x, 2)
        )
    elif kind == "boolean":
        one = st.booleans()
    else:
        known = sorted(f.values)
        one = (st.sampled_from(known) | _text_values()) if known else _text_values()
    return draw(st.lists(one, min_size=n, max_size=n))


@st.composite
def filters(draw, topics: dict[str, TopicSchema], refs: list[FieldRef]) -> Filter:
    ref = draw(st.sampled_from(refs))
    kind = kind_of(topics[ref.topic].field(ref.field))
    ops = FILTER_OPS if kind not in ("time", "complex") else ["is_null", "is_not_null"]
    if kind == "boolean":
        ops = ["=", "<>", "is_null", "is_not_null"]
    op = draw(st.sampled_from(ops))
    n = (
        0
        if op in ("is_null", "is_not_null")
        else 2
        if "between" in op
        else draw(st.integers(1, 4))
        if op in ("in", "not_in")
        else 1
    )
    return Filter(field=ref, op=op, values=draw(values_for(topics, ref, n)))


@st.composite
def measures(draw, topics: dict[str, TopicSchema], source: str, refs: list[FieldRef], alias: str) -> Measure:
    metrics = [m.name for m in topics[source].metrics]
    if metrics and draw(st.booleans()):
        extra = draw(st.none() | filters(topics, refs))
        return Measure(alias=alias, metric=draw(st.sampled_from(metrics)), filter=extra)
    func = draw(st.sampled_from(FUNCS))
    extra = draw(st.none() | filters(topics, refs))
    if func == "count":
        return Measure(alias=alias, func=func, filter=extra)
    if func == "share":
        return Measure(alias=alias, func=func, condition=draw(filters(topics, refs)), filter=extra)
    usable = [r for r in refs if _fits(func, kind_of(topics[r.topic].field(r.field)))]
    assume(usable)
    return Measure(alias=alias, func=func, field=draw(st.sampled_from(usable)), filter=extra)


def _fits(func: str, kind: str) -> bool:
    if func in ("sum", "avg"):
        return kind in ("numeric", "integer")
    if func in ("min", "max"):
        return kind in ("numeric", "integer", "string", "time")
    return kind != "complex"


def _links(topics: dict[str, TopicSchema], tables: list[str]) -> list[tuple[FieldRef, FieldRef]]:
    """Every relationship from a table of the plan to a topic not yet in it, in either direction."""
    out = []
    for name in tables:
        for rel in topics[name].relationships:
            if rel.target_topic in topics and rel.target_topic not in tables:
                out.append((FieldRef(topic=name, field=rel.field), FieldRef(topic=rel.target_topic, field=rel.target_field)))
        for other in topics.values():
            for rel in other.relationships:
                if rel.target_topic == name and other.topic not in tables:
                    out.append((FieldRef(topic=name, field=rel.target_field), FieldRef(topic=other.topic, field=rel.field)))
    return sorted(out, key=lambda p: (p[0].topic, p[0].field, p[1].topic, p[1].field))


@st.composite
def plans(draw, topics: dict[str, TopicSchema]) -> QueryPlan:
    source = draw(st.sampled_from(sorted(topics)))
    tables, joins = [source], []
    for _ in range(draw(st.integers(0, 2))):
        links = _links(topics, tables)
        if not links:
            break
        left, right = draw(st.sampled_from(links))
        kind = draw(st.sampled_from(JOIN_KINDS))
        bound = draw(durations(48)) if kind == "interval" else None
        joins.append(
            Join(topic=right.topic, kind=kind, left=left, right=right, bound=bound, direction=draw(st.sampled_from(DIRECTIONS)))
        )
        tables.append(right.topic)
    refs = [FieldRef(topic=t, field=f.name) for t in tables for f in topics[t].fields]
    data: dict = {"source": source, "joins": joins, "filters": draw(st.lists(filters(topics, refs), max_size=3))}
    data["excluded"] = [
        Exclusion(conditions=draw(st.lists(filters(topics, refs), min_size=2, max_size=3)))
        for _ in range(draw(st.integers(0, 1)))
    ]
    if draw(st.integers(0, 2)):  # two aggregates for one listing
        count = draw(st.integers(1, 3))
        data["measures"] = [draw(measures(topics, source, refs, f"m{i}")) for i in range(count)]
        keys = draw(st.lists(st.sampled_from(refs), max_size=3, unique_by=lambda r: r.key()))
        data["dimensions"] = [
            Dimension(
                field=k,
                transform=draw(st.sampled_from(TRANSFORMS)),
                alias=draw(st.none() | st.sampled_from(["k0", "k1", "m0", "rank_no"])),
            )
            for k in keys
        ]
        data["window"] = draw(st.one_of(st.none(), windows(), windows()))
        data["having"] = [
            Having(
                measure=draw(st.sampled_from([m.alias for m in data["measures"]])),
                op=draw(st.sampled_from(COMPARISONS)),
                value=draw(st.integers(-5, 5000)),
            )
            for _ in range(draw(st.integers(0, 1)))
        ]
        if keys and draw(st.booleans()):
            value_keys = [d.field for d in data["dimensions"] if d.transform == "value"]
            partition = draw(st.lists(st.sampled_from(value_keys), max_size=1, unique_by=lambda r: r.key())) if value_keys else []
            data["ranking"] = Ranking(
                n=draw(st.integers(1, 20)),
                of="groups",
                by=draw(st.sampled_from([m.alias for m in data["measures"]])),
                descending=draw(st.booleans()),
                partition_by=partition,
            )
    else:
        data["columns"] = draw(st.lists(st.sampled_from(refs), max_size=4, unique_by=lambda r: r.key()))
        if draw(st.booleans()):
            data["ranking"] = Ranking(
                n=draw(st.integers(1, 20)),
                of="rows",
                by_field=draw(st.sampled_from(refs)),
                descending=draw(st.booleans()),
                partition_by=draw(st.lists(st.sampled_from(refs), max_size=2, unique_by=lambda r: r.key())),
            )
    data["time_zone"] = draw(st.sampled_from([None, "UTC", "Europe/Berlin"]))
    try:
        return QueryPlan(**data)
    except ValidationError:
        assume(False)
        raise


def collect_checked_plans(catalogs: dict[str, dict[str, TopicSchema]], count: int) -> list[tuple[str, QueryPlan, str]]:
    """`count` distinct (catalog name, plan, SQL) that pass `check_plan`, drawn deterministically."""
    from hypothesis import HealthCheck, given, settings

    from copilot.plan.check import check_plan
    from copilot.plan.compile import compile_plan

    found: dict[str, tuple[str, QueryPlan, str]] = {}
    names = sorted(catalogs)

    @settings(max_examples=count * 6, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), plans(catalogs[n]))))
    def draw(named_plan):
        name, plan = named_plan
        if len(found) < count and not check_plan(plan, catalogs[name]):
            sql = compile_plan(plan, catalogs[name])
            found.setdefault(sql, (name, plan, sql))

    draw()
    return list(found.values())
