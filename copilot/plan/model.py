"""`QueryPlan`: the one typed description of what a question asks, filled by every planner.

Pydantic (already a dependency through langchain-core) rather than dataclasses, because the same type
serves three jobs: it validates what a language model returns through structured output (wrong enums,
missing fields are errors with a path, not silent defaults), it produces the JSON schema that structured
output needs, and it round-trips through plain dicts for conversation state and the audit trail.

The type admits only plans that mean something in Flink SQL (checked by the validators below); whether
the names exist in a catalog is checked by `copilot.plan.check` against the catalog. The compiler
(`copilot.plan.compile`) turns a checked plan into a sqlglot tree and the `flink` dialect prints it.
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.sql.types import UNIT_SECONDS

TimeUnit = Literal["SECOND", "MINUTE", "HOUR", "DAY"]

AggregateFunc = Literal["count", "count_distinct", "sum", "avg", "min", "max", "share"]
ComparisonOp = Literal["=", "<>", "<", "<=", ">", ">="]
FilterOp = Literal["=", "<>", "<", "<=", ">", ">=", "in", "not_in", "between", "not_between", "is_null", "is_not_null"]
Scalar = Union[bool, int, float, str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Duration(_Model):
    amount: int = Field(gt=0, description="a whole number of units")
    unit: TimeUnit

    @property
    def seconds(self) -> int:
        return self.amount * UNIT_SECONDS[self.unit]

    @classmethod
    def of_seconds(cls, seconds: int) -> "Duration":
        for unit in ("DAY", "HOUR", "MINUTE"):
            if seconds % UNIT_SECONDS[unit] == 0:
                return cls(amount=seconds // UNIT_SECONDS[unit], unit=unit)  # type: ignore[arg-type]
        return cls(amount=seconds, unit="SECOND")

    def words(self) -> str:
        """The amount with its unit: "1 hour", "5 minutes" (a bound, a gap, a size)."""
        unit = self.unit.lower()
        return f"1 {unit}" if self.amount == 1 else f"{self.amount} {unit}s"

    def every_words(self) -> str:
        """After "every" / "the last": "hour", "5 minutes"."""
        unit = self.unit.lower()
        return unit if self.amount == 1 else f"{self.amount} {unit}s"


class FieldRef(_Model):
    """A field of a topic of the plan: the source topic or a joined one."""

    topic: str
    field: str

    def key(self) -> tuple[str, str]:
        return (self.topic, self.field)


class Filter(_Model):
    """One condition on a field. `values` holds one value for comparisons, several for IN lists, two
    (low, high) for ranges, none for IS NULL tests. `words` are the user's words, for explanations."""

    field: FieldRef
    op: FilterOp
    values: list[Scalar] = Field(default_factory=list)
    words: str = ""

    @model_validator(mode="after")
    def _arity(self) -> "Filter":
        n = len(self.values)
        if self.op in ("is_null", "is_not_null") and n:
            raise ValueError(f"{self.op} takes no values")
        if self.op in ("between", "not_between") and n != 2:
            raise ValueError(f"{self.op} takes two values (low, high)")
        if self.op in ("in", "not_in") and n < 1:
            raise ValueError(f"{self.op} takes at least one value")
        if self.op in ("=", "<>", "<", "<=", ">", ">=") and n != 1:
            raise ValueError(f"{self.op} takes exactly one value")
        return self


class Exclusion(_Model):
    """Rows left out when they meet all of `conditions` together: "except the declined paypal ones" is
    NOT (status = 'declined' AND method = 'paypal'), which no list of single-field filters can say."""

    conditions: list[Filter] = Field(min_length=2)
    words: str = ""


class Measure(_Model):
    """A named measure: a catalog metric of the source topic (`metric`), or an aggregate of a field
    (`func` + `field`; COUNT(*) has no field). `share` is the fraction of rows meeting `condition`.
    `filter` restricts the rows one measure aggregates (a metric's default filter, or the user's)."""

    alias: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    metric: str | None = None
    func: AggregateFunc | None = None
    field: FieldRef | None = None
    condition: Filter | None = None
    filter: Filter | None = None
    words: str = ""
    # a field that holds a duration, read in another time unit ("average trip time in minutes")
    in_unit: Literal["SECOND", "MINUTE", "HOUR", "DAY"] | None = None

    @model_validator(mode="after")
    def _shape(self) -> "Measure":
        if self.metric is not None:
            if self.func is not None or self.field is not None or self.condition is not None:
                raise ValueError("a metric measure names only the metric")
            return self
        if self.func is None:
            raise ValueError("a measure needs a metric or an aggregate function")
        if self.func == "share":
            if self.condition is None:
                raise ValueError("a share needs the condition whose share of rows it measures")
            if self.field is not None:
                raise ValueError("a share is over rows, not a field")
        elif self.condition is not None:
            raise ValueError("only a share has a condition")
        if self.in_unit is not None and self.func not in ("sum", "avg", "min", "max"):
            raise ValueError("only a sum, average, minimum or maximum of a duration is read in another time unit")
        if self.func == "count" and self.field is not None:
            raise ValueError("count counts rows; use count_distinct for distinct values of a field")
        if self.func in ("count_distinct", "sum", "avg", "min", "max") and self.field is None:
            raise ValueError(f"{self.func} needs a field")
        return self


class Dimension(_Model):
    """A breakdown key: a field's value, or whether it is (not) null ("logged in or not")."""

    field: FieldRef
    transform: Literal["value", "is_null", "is_not_null"] = "value"
    alias: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    words: str = ""


class Join(_Model):
    """A join along a catalog relationship. `temporal`: the joined topic is an upsert table read as of
    the left row's event time. `interval`: both are event streams; the joined topic's event time lies
    within `bound` `direction` the left row's ("before": joined.ts BETWEEN left.ts - bound AND left.ts;
    "after": BETWEEN left.ts AND left.ts + bound; "around": ± bound). `regular`: an unbounded join."""

    topic: str
    kind: Literal["temporal", "interval", "regular"]
    left: FieldRef
    right: FieldRef
    bound: Duration | None = None
    direction: Literal["before", "after", "around"] = "before"
    words: str = ""
    # a temporal join looked up from a table already joined (events → devices → sites): as of the event's time
    as_of: FieldRef | None = None

    @model_validator(mode="after")
    def _bound(self) -> "Join":
        if self.right.topic != self.topic:
            raise ValueError("the right side of a join is a field of the joined topic")
        if self.kind == "interval" and self.bound is None:
            raise ValueError("an interval join needs a time bound")
        if self.kind != "interval" and self.bound is not None:
            raise ValueError("only an interval join has a time bound")
        if self.as_of is not None and self.kind != "temporal":
            raise ValueError("only a temporal join is read as of a time")
        return self


class Window(_Model):
    """tumble: `size`; hop: `size` refreshed every `slide`; cumulate: growing to `size` in `step`s
    (aligned to midnight / the top of the hour in the session time zone); session: closed after `gap`
    of inactivity, one session per breakdown key."""

    kind: Literal["tumble", "hop", "cumulate", "session"]
    size: Duration | None = None
    slide: Duration | None = None
    step: Duration | None = None
    gap: Duration | None = None
    words: str = ""

    @model_validator(mode="after")
    def _parts(self) -> "Window":
        need = {"tumble": {"size"}, "hop": {"size", "slide"}, "cumulate": {"size", "step"}, "session": {"gap"}}[self.kind]
        have = {name for name in ("size", "slide", "step", "gap") if getattr(self, name) is not None}
        if have != need:
            raise ValueError(f"a {self.kind} window takes {', '.join(sorted(need))} (got {', '.join(sorted(have)) or 'none'})")
        if self.kind == "hop" and (self.size.seconds % self.slide.seconds or self.slide.seconds > self.size.seconds):  # type: ignore[union-attr]
            raise ValueError("a hop window's size must be a whole multiple of its slide")
        if self.kind == "cumulate" and (self.size.seconds % self.step.seconds or self.step.seconds > self.size.seconds):  # type: ignore[union-attr]
            raise ValueError("a cumulate window's size must be a whole multiple of its step")
        return self


class Ranking(_Model):
    """Top (or bottom) `n`. `of="groups"`: the breakdown groups ranked by a measure (`by` is a measure
    alias), per window and per `partition_by`. `of="rows"`: single rows ranked by a field (`by_field`),
    per `partition_by` ("the 3 biggest orders in each channel")."""

    n: int = Field(gt=0, le=1000)
    of: Literal["groups", "rows"]
    by: str | None = None
    by_field: FieldRef | None = None
    descending: bool = True
    partition_by: list[FieldRef] = Field(default_factory=list)
    words: str = ""

    @model_validator(mode="after")
    def _key(self) -> "Ranking":
        if self.of == "groups" and (self.by is None or self.by_field is not None):
            raise ValueError("a ranking of groups is by a measure alias (`by`)")
        if self.of == "rows" and (self.by_field is None or self.by is not None):
            raise ValueError("a ranking of rows is by a field (`by_field`)")
        return self


class Having(_Model):
    """A condition on a measure's value per group (and window): `revenue > 1000`."""

    measure: str
    op: ComparisonOp
    value: float
    words: str = ""


class QueryPlan(_Model):
    """What a question asks. Aggregates when `measures` is not empty (per `dimensions`, per `window`
    if any, else a continuously updated result); otherwise lists rows (`columns`, all fields when
    empty) as they arrive, or the current rows of an upsert topic."""

    source: str
    measures: list[Measure] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(default_factory=list)
    filters: list[Filter] = Field(default_factory=list)
    excluded: list[Exclusion] = Field(default_factory=list)
    joins: list[Join] = Field(default_factory=list)
    window: Window | None = None
    ranking: Ranking | None = None
    having: list[Having] = Field(default_factory=list)
    columns: list[FieldRef] = Field(default_factory=list)
    chart: Literal["line", "bar"] | None = None
    time_zone: str | None = None  # the session time zone a cumulate window ("since midnight") is aligned to

    @model_validator(mode="after")
    def _consistent(self) -> "QueryPlan":
        aliases = [m.alias for m in self.measures]
        if len(set(aliases)) != len(aliases):
            raise ValueError("measure aliases must be distinct")
        if self.measures and self.columns:
            raise ValueError("an aggregate plan has measures and dimensions, not listed columns")
        if not self.measures and (self.dimensions or self.having):
            raise ValueError("dimensions and having need at least one measure")
        if (
            not self.measures
            and self.window is not None
            and not (self.ranking is not None and self.ranking.of == "rows" and self.window.kind != "session")
        ):
            raise ValueError("a window needs at least one measure, or a ranking of rows (the N biggest per window)")
        for h in self.having:
            if h.measure not in aliases:
                raise ValueError(f"having names an unknown measure {h.measure!r}")
        if self.ranking is not None:
            if self.ranking.of == "groups":
                if not self.measures or self.ranking.by not in aliases:
                    raise ValueError("a ranking of groups is by one of the plan's measures")
            elif self.measures:
                raise ValueError("a ranking of rows lists rows: it has no measures")
        if self.window is not None and self.window.kind == "session" and any(j.kind != "temporal" for j in self.joins):
            raise ValueError("a session window is computed over one event stream (temporal joins only)")
        topics = {self.source} | {j.topic for j in self.joins}
        if len(topics) != 1 + len(self.joins):
            raise ValueError("each joined topic appears once")
        for ref in self.field_refs():
            if ref.topic not in topics:
                raise ValueError(f"{ref.topic}.{ref.field} is not a field of the plan's topics")
        return self

    def field_refs(self) -> list[FieldRef]:
        """Every field the plan reads: keys, filters, listed columns, measures, join ends and the ranking's."""
        refs: list[FieldRef] = [d.field for d in self.dimensions] + [f.field for f in self.filters] + list(self.columns)
        refs += [c.field for x in self.excluded for c in x.conditions]
        for m in self.measures:
            refs += [r for r in (m.field, m.condition.field if m.condition else None, m.filter.field if m.filter else None) if r]
        for j in self.joins:
            refs += [j.left, j.right]
        if self.ranking is not None:
            refs += list(self.ranking.partition_by) + ([self.ranking.by_field] if self.ranking.by_field else [])
        return refs

    @property
    def tables(self) -> list[str]:
        return [self.source] + [j.topic for j in self.joins]

    @property
    def is_aggregate(self) -> bool:
        return bool(self.measures)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_defaults=True)

    @classmethod
    def from_dict(cls, data: dict) -> "QueryPlan":
        return cls.model_validate(data)
