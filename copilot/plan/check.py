"""Check a `QueryPlan` against a catalog: every name exists, every operation fits the field's type,
every join follows a catalog relationship and is one Flink can run. A plan with no errors here
compiles (`copilot.plan.compile`) to SQL Flink's planner accepts.

`check_plan(plan, topics) -> list[str]`: one sentence per problem, naming what to change."""

from __future__ import annotations

from copilot.catalog.model import Field, TopicSchema
from copilot.catalog.types import base_type_name, is_timestamp
from copilot.plan.model import FieldRef, Filter, Measure, QueryPlan
from copilot.sql.types import INTEGER_TYPES as INTEGER, NUMERIC_TYPES as NUMERIC, UNIT_SECONDS, WINDOW_COLUMNS, duration_unit

COMPLEX = {"ARRAY", "MAP", "MULTISET", "ROW", "RAW", "VARIANT"}
RANK_COLUMN = "rank_no"


def kind_of(field: Field) -> str:
    """numeric | integer | boolean | time | string | complex | other."""
    base = base_type_name(field.type)
    if base in INTEGER:
        return "integer"
    if base in NUMERIC:
        return "numeric"
    if base == "BOOLEAN":
        return "boolean"
    if is_timestamp(field.type) or base in ("DATE", "TIME"):
        return "time"
    if base in ("STRING", "VARCHAR", "CHAR"):
        return "string"
    if base in COMPLEX:
        return "complex"
    return "other"


def is_number(field: Field) -> bool:
    return kind_of(field) in ("numeric", "integer")


def output_names(plan: QueryPlan) -> list[str]:
    """The result's column names, in order (the compiler uses the same names)."""
    names: list[str] = []
    if plan.is_aggregate:
        if plan.window is not None:
            names += ["window_start", "window_end"]
        names += [dimension_name(plan, i) for i in range(len(plan.dimensions))]
        names += [m.alias for m in plan.measures]
    else:
        if plan.window is not None:  # rows ranked per window: the window's bounds come first
            names += ["window_start", "window_end"]
        names += [column_name(plan, ref) for ref in listed_columns(plan, None)]
    if plan.ranking is not None:
        names.append(RANK_COLUMN)
    return names


def dimension_name(plan: QueryPlan, index: int) -> str:
    d = plan.dimensions[index]
    if d.alias:
        return d.alias
    base = column_name(plan, d.field, [x.field for x in plan.dimensions])
    return base if d.transform == "value" else f"{base}_{'missing' if d.transform == 'is_null' else 'present'}"


def column_name(plan: QueryPlan, ref: FieldRef, among: list[FieldRef] | None = None) -> str:
    """A field's output name: its own, or `<topic>_<field>` when another topic's field has the same name."""
    among = among if among is not None else list(plan.columns)
    clash = any(r.field.lower() == ref.field.lower() and r.topic != ref.topic for r in among)
    return f"{ref.topic}_{ref.field}" if clash and ref.topic != plan.source else ref.field


def listed_columns(plan: QueryPlan, topics: dict[str, TopicSchema] | None) -> list[FieldRef]:
    """A listing's columns: the plan's, or every field of every topic of the plan."""
    if plan.columns or topics is None:
        return list(plan.columns)
    return [FieldRef(topic=t, field=f.name) for t in plan.tables if t in topics for f in topics[t].fields]


def check_plan(plan: QueryPlan, topics: dict[str, TopicSchema]) -> list[str]:
    errors: list[str] = []
    if plan.source not in topics:
        return [f"unknown topic {plan.source!r}; known: {', '.join(sorted(topics))}"]
    for j in plan.joins:
        if j.topic not in topics:
            errors.append(f"unknown topic {j.topic!r} in a join")
    if errors:
        return errors

    def field(ref: FieldRef) -> Field | None:
        f = topics[ref.topic].field(ref.field) if ref.topic in topics else None
        if f is None:
            errors.append(f"{ref.topic} has no field {ref.field!r}")
        return f

    for ref in plan.field_refs():
        field(ref)
    if errors:
        return errors
    source = topics[plan.source]
    _check_joins(plan, topics, errors)
    for f in plan.filters + [c for x in plan.excluded for c in x.conditions]:
        _check_filter(f, field(f.field), errors)
    for m in plan.measures:
        _check_measure(m, plan, source, field, errors)
    for d in plan.dimensions:
        if kind_of(field(d.field)) == "complex":
            errors.append(f"{d.field.topic}.{d.field.field} is of type {field(d.field).type}: it cannot be a breakdown key")
    for ref in plan.columns:
        field(ref)
    if plan.window is not None:
        if not source.event_time:
            errors.append(f"a window needs the event time of {plan.source}, which the catalog does not name (event_time:)")
        if source.is_upsert:
            errors.append(f"{plan.source} is a table of current rows (upsert): windows are over event streams")
        if plan.window.kind == "session":
            for d in plan.dimensions:
                if d.field.topic == plan.source and d.field.field == source.event_time:
                    errors.append(
                        f"a session window is kept per key of {plan.source}: its event time {d.field.field} cannot be a key"
                    )
                elif d.field.topic != plan.source or d.transform != "value":
                    errors.append(
                        f"a session window is kept per key of {plan.source}: break it down by its own fields' values only (not {d.field.topic}.{d.field.field}{'' if d.transform == 'value' else ' ' + d.transform})"
                    )
    if plan.ranking is not None:
        r = plan.ranking
        if r.of == "groups":
            keys = {d.field.key() for d in plan.dimensions if d.transform == "value"}
            for p in r.partition_by:
                if p.key() not in keys:
                    errors.append(f"ranking per {p.field}: {p.field} must also be a breakdown key")
            if not plan.dimensions:
                errors.append("a ranking of groups needs at least one breakdown key to rank")
            if any(h.measure == r.by and h.op == "=" for h in plan.having):
                errors.append(f"{r.by} is fixed to one value by a condition: rank by another measure")
        else:
            f = field(r.by_field)
            if f is not None and kind_of(f) in ("complex", "boolean"):
                errors.append(f"rows cannot be ranked by {r.by_field.field} ({f.type})")
            pinned = any(
                x.field.key() == r.by_field.key() and (x.op == "=" or (x.op == "in" and len(set(map(str, x.values))) == 1))
                for x in plan.filters
            )
            if pinned:
                errors.append(f"{r.by_field.field} is fixed to one value by a filter: rank the rows by another field")
            for p in r.partition_by:
                if kind_of(field(p)) == "complex":
                    errors.append(f"rows cannot be ranked per {p.field} ({field(p).type})")
    by_alias = {m.alias: m for m in plan.measures}
    for h in plan.having:
        if not _numeric_measure(by_alias[h.measure], source, topics):
            errors.append(f"{h.measure} is not a number: it cannot be compared with {h.value:g}")
    names = output_names(plan) if not errors else []
    reserved = set(WINDOW_COLUMNS) | {RANK_COLUMN}
    seen: set[str] = set()
    for i, name in enumerate(names):
        lowered = name.lower()
        if lowered in seen:
            errors.append(f"two result columns would be called {name!r}: give one another alias")
        seen.add(lowered)
        fixed = {"window_start", "window_end"} if plan.window is not None else set()
        if (
            lowered in reserved
            and not (lowered in fixed and i < 2)
            and not (lowered == RANK_COLUMN and i == len(names) - 1 and plan.ranking)
        ):
            errors.append(f"{name!r} is a column name the query uses itself: choose another alias")
    return errors


def _check_filter(f: Filter, field: Field | None, errors: list[str]) -> None:
    if field is None:
        return
    kind = kind_of(field)
    where = f"{f.field.topic}.{f.field.field}"
    if f.op in ("is_null", "is_not_null"):
        return
    if kind == "complex":
        errors.append(f"{where} is of type {field.type}: only IS NULL tests apply to it")
    elif kind == "time":
        errors.append(f"{where} is a time: ask for a window or a time range instead of comparing it to a value")
    elif kind in ("numeric", "integer"):
        for v in f.values:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                errors.append(f"{where} is a number; {v!r} is not")
    elif kind == "boolean":
        if f.op not in ("=", "<>") or any(not isinstance(v, bool) for v in f.values):
            errors.append(f"{where} is true or false: compare it with = or <> to true/false")
    elif kind == "string":
        if any(isinstance(v, bool) for v in f.values):
            errors.append(f"{where} is text; compare it with text, not true/false")
    else:
        errors.append(f"{where} ({field.type}) cannot be compared in a plan")


def duration_factor(schema: TopicSchema, field_name: str, in_unit: str) -> float:
    """What a duration field is divided by to read it in `in_unit` (seconds read in minutes: 60)."""
    f = schema.field(field_name)
    held = duration_unit(f.unit if f is not None else None)
    if held is None:
        raise ValueError(f"{schema.topic}.{field_name} is not a duration (its catalog unit is not a time unit)")
    return UNIT_SECONDS[in_unit] / UNIT_SECONDS[held]


def _check_measure(m: Measure, plan: QueryPlan, source: TopicSchema, field, errors: list[str]) -> None:
    if m.metric is not None:
        if source.metric(m.metric) is None:
            known = ", ".join(x.name for x in source.metrics) or "none"
            errors.append(f"{plan.source} has no metric {m.metric!r} (its metrics: {known})")
    elif m.field is not None:
        f = field(m.field)
        if f is not None and m.in_unit is not None and duration_unit(f.unit) is None:
            errors.append(
                f"{m.field.field} is not a duration (unit {f.unit or 'none'}): it cannot be read in {m.in_unit.lower()}s"
            )
        if f is not None:
            kind = kind_of(f)
            if m.func in ("sum", "avg") and kind not in ("numeric", "integer"):
                errors.append(f"{m.func} needs a number; {m.field.field} is {f.type}")
            if m.func in ("min", "max") and kind in ("complex", "boolean", "other"):
                errors.append(f"{m.func} of {m.field.field} ({f.type}) is not defined")
            if m.func == "count_distinct" and kind == "complex":
                errors.append(f"distinct values of {m.field.field} ({f.type}) cannot be counted")
    for cond in (m.condition, m.filter):
        if cond is not None:
            _check_filter(cond, field(cond.field), errors)


def _numeric_measure(m: Measure, source: TopicSchema, topics: dict[str, TopicSchema]) -> bool:
    if m.func in ("min", "max") and m.field is not None:
        f = topics[m.field.topic].field(m.field.field)
        return f is not None and is_number(f)
    if m.metric is not None:
        from sqlglot import exp

        from copilot.catalog.semantic import parse_expression

        metric = source.metric(m.metric)
        tree = parse_expression(metric.expression) if metric else None
        if isinstance(tree, (exp.Min, exp.Max)) and isinstance(tree.this, exp.Column):
            f = source.field(tree.this.name)
            return f is not None and is_number(f)
    return True


def _check_joins(plan: QueryPlan, topics: dict[str, TopicSchema], errors: list[str]) -> None:
    seen = [plan.source]
    for j in plan.joins:
        left, right = topics[j.left.topic], topics[j.topic]
        if j.left.topic not in seen:
            errors.append(f"the join of {j.topic} starts from {j.left.topic}, which is not joined before it")
        seen.append(j.topic)
        if not _related(left, j.left.field, right, j.right.field):
            errors.append(f"no catalog relationship links {j.left.topic}.{j.left.field} and {j.topic}.{j.right.field}")
        if j.kind == "temporal":
            if not right.is_upsert or not right.event_time:
                errors.append(
                    f"a temporal join reads {j.topic} as of an event's time: it must be an upsert table with an event time"
                )
            elif [k.lower() for k in right.primary_key] != [j.right.field.lower()]:
                errors.append(f"a temporal join on {j.topic} is by its primary key ({', '.join(right.primary_key)})")
            clock = topics.get(j.as_of.topic) if j.as_of is not None else left
            if j.as_of is not None and (j.as_of.topic != plan.source or clock is None or j.as_of.field != clock.event_time):
                errors.append(f"a lookup through {j.left.topic} is read as of the event time of {plan.source}")
            elif clock is None or clock.is_upsert or not clock.event_time:
                errors.append(f"a temporal join is looked up from an event stream with an event time; {j.left.topic} is not one")
        elif j.kind == "interval":
            for t in (left, right):
                if t.is_upsert or not t.event_time:
                    errors.append(f"an interval join is between two event streams with event times; {t.topic} is not one")


def _related(left: TopicSchema, lfield: str, right: TopicSchema, rfield: str) -> bool:
    for a, af, b, bf in ((left, lfield, right, rfield), (right, rfield, left, lfield)):
        for rel in a.relationships:
            if rel.field.lower() == af.lower() and rel.target_topic == b.topic and rel.target_field.lower() == bf.lower():
                return True
    return False
