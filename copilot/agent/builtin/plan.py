"""The built-in planner's structured query plan: the state a conversation keeps and refines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

UNIT_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # SECOND | MINUTE | HOUR | DAY

    @property
    def seconds(self) -> int:
        return self.amount * UNIT_SECONDS[self.unit]

    def sql(self) -> str:
        return f"INTERVAL '{self.amount}' {self.unit}"

    def words(self) -> str:
        unit = self.unit.lower()
        return f"{unit}" if self.amount == 1 else f"{self.amount} {unit}s"

    @classmethod
    def from_seconds(cls, seconds: int) -> "Duration":
        for unit in ("DAY", "HOUR", "MINUTE"):
            if seconds % UNIT_SECONDS[unit] == 0:
                return cls(seconds // UNIT_SECONDS[unit], unit)
        return cls(seconds, "SECOND")


@dataclass(frozen=True)
class FieldRef:
    table: str
    field: str


@dataclass
class Measure:
    func: str  # count | count_distinct | sum | avg | min | max | share
    ref: FieldRef | None  # None for COUNT(*)
    alias: str
    # For `share`: the condition whose share of rows is measured.
    condition: "Filter | None" = None


@dataclass
class Filter:
    ref: FieldRef
    op: str  # = <> IN NOT IN > >= < <=
    values: list  # strings for = / IN, one number for comparisons
    label: str = ""  # the words the user used, for explanations


@dataclass
class Having:
    measure_alias: str
    op: str
    value: float


@dataclass
class Window:
    kind: str  # tumble | hop | cumulate | session
    size: Duration  # a session window's gap
    step: Duration | None = None  # hop slide / cumulate step


@dataclass
class TopN:
    n: int
    measure_alias: str
    descending: bool = True


@dataclass
class Join:
    table: str
    left: FieldRef  # on the main table (or an already joined one)
    right: FieldRef
    temporal: bool  # FOR SYSTEM_TIME AS OF (upsert dimension table) vs interval join


@dataclass
class QueryPlan:
    source: str
    measures: list[Measure] = field(default_factory=list)
    dimensions: list[FieldRef] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    having: list[Having] = field(default_factory=list)
    window: Window | None = None
    top_n: TopN | None = None
    joins: list[Join] = field(default_factory=list)
    projection: list[FieldRef] = field(default_factory=list)  # row-level queries (no measures)
    chart: str | None = None  # "bar" | "line" when the user asked for a chart

    @property
    def is_aggregate(self) -> bool:
        return bool(self.measures)

    @property
    def tables(self) -> list[str]:
        return [self.source] + [j.table for j in self.joins if j.table != self.source]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "QueryPlan":
        def ref(d):
            return FieldRef(**d) if d else None

        def flt(d):
            return Filter(ref(d["ref"]), d["op"], list(d["values"]), d.get("label", "")) if d else None

        def dur(d):
            return Duration(**d) if d else None

        w = data.get("window")
        t = data.get("top_n")
        return cls(
            source=data["source"],
            measures=[Measure(m["func"], ref(m["ref"]), m["alias"], flt(m.get("condition"))) for m in data.get("measures", [])],
            dimensions=[ref(d) for d in data.get("dimensions", [])],
            filters=[flt(f) for f in data.get("filters", [])],
            having=[Having(**h) for h in data.get("having", [])],
            window=Window(w["kind"], dur(w["size"]), dur(w.get("step"))) if w else None,
            top_n=TopN(**t) if t else None,
            joins=[Join(j["table"], ref(j["left"]), ref(j["right"]), j["temporal"]) for j in data.get("joins", [])],
            projection=[ref(p) for p in data.get("projection", [])],
            chart=data.get("chart"),
        )
