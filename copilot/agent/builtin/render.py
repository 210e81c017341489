"""QueryPlan → Flink SQL text. Window TVFs, temporal and interval joins, window Top-N, HAVING."""

from __future__ import annotations

from copilot.agent.builtin.plan import FieldRef, Filter, Measure, QueryPlan
from copilot.agent.builtin.reserved import ident
from copilot.catalog.model import TopicSchema

INTERVAL_JOIN_BOUND = "INTERVAL '1' HOUR"  # how far apart related events (order → payment) may be


def literal(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


class Renderer:
    def __init__(self, topics: dict[str, TopicSchema]):
        self.topics = topics

    def render(self, plan: QueryPlan) -> str:
        self.plan = plan
        self.aliases = self._aliases(plan) if plan.joins else {}
        if plan.projection:
            return self._rows(plan)
        return self._aggregate(plan)

    # -- pieces ------------------------------------------------------------------------
    def _aliases(self, plan: QueryPlan) -> dict[str, str]:
        out: dict[str, str] = {}
        for table in plan.tables:
            words = table.split("_")
            candidate = "".join(w[0] for w in words)
            n = 1
            while candidate in out.values():
                n += 1
                candidate = "".join(w[:n] for w in words)
            out[table] = candidate
        return out

    def col(self, ref: FieldRef) -> str:
        alias = self.aliases.get(ref.table)
        return f"{alias}.{ident(ref.field)}" if alias else ident(ref.field)

    def _output_name(self, ref: FieldRef) -> str | None:
        """An AS name when two selected columns would share a name (orders.country, customers.country)."""
        clash = [d for d in self.plan.dimensions + self.plan.projection if d.field == ref.field and d != ref]
        if clash and ref.table != self.plan.source:
            return ident(f"{ref.table.rstrip('s')}_{ref.field}")
        return None

    def measure_sql(self, m: Measure) -> str:
        if m.func == "count":
            return "COUNT(*)"
        if m.func == "count_distinct":
            return f"COUNT(DISTINCT {self.col(m.ref)})"
        if m.func == "share":
            return f"CAST(SUM(CASE WHEN {self.condition(m.condition)} THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*)"
        return f"{m.func.upper()}({self.col(m.ref)})"

    def condition(self, f: Filter) -> str:
        column = self.col(f.ref)
        if f.op == "IS NOT NULL":
            return f"{column} IS NOT NULL"
        if f.op in ("IN", "NOT IN"):
            return f"{column} {f.op} ({', '.join(literal(v) for v in f.values)})"
        return f"{column} {f.op} {literal(f.values[0])}"

    def _from(self, plan: QueryPlan) -> str:
        source = self.topics[plan.source]
        alias = self.aliases.get(plan.source)
        if plan.window:
            w = plan.window
            args = {
                "tumble": [w.size.sql()],
                "hop": [w.step.sql(), w.size.sql()] if w.step else [w.size.sql()],
                "cumulate": [w.step.sql(), w.size.sql()] if w.step else [w.size.sql()],
                "session": [w.size.sql()],
            }[w.kind]
            table = f"TABLE {ident(plan.source)}"
            keys = [ident(d.field) for d in plan.dimensions if d.table == plan.source]
            if w.kind == "session" and keys:  # one session per key, not one for the whole stream
                table += f" PARTITION BY {', '.join(keys)}"
            text = f"TABLE({w.kind.upper()}({table}, DESCRIPTOR({ident(source.event_time)}), {', '.join(args)}))"
        else:
            text = plan.source
        lines = [f"FROM {text}" + (f" AS {alias}" if alias else "")]
        for j in plan.joins:
            target, ta = self.topics[j.table], self.aliases[j.table]
            left, la = self.topics[j.left.table], self.aliases[j.left.table]  # the source, or the hop before
            on = f"{self.col(j.left)} = {self.col(j.right)}"
            if j.temporal:
                lines.append(f"JOIN {j.table} FOR SYSTEM_TIME AS OF {la}.{left.event_time} AS {ta}")
                lines.append(f"  ON {on}")
            else:
                mine, theirs = f"{la}.{left.event_time}", f"{ta}.{target.event_time}"
                if any(r.target_topic == j.table for r in left.relationships):  # they happened first
                    bound = f"{theirs} BETWEEN {mine} - {INTERVAL_JOIN_BOUND} AND {mine}"
                else:
                    bound = f"{theirs} BETWEEN {mine} AND {mine} + {INTERVAL_JOIN_BOUND}"
                lines.append(f"JOIN {j.table} AS {ta}")
                lines.append(f"  ON {on} AND {bound}")
        return "\n".join(lines)

    def _where(self, plan: QueryPlan) -> list[str]:
        if not plan.filters:
            return []
        return ["WHERE " + "\n  AND ".join(self.condition(f) for f in plan.filters)]

    # -- statements ------------------------------------------------------------------------
    def _select_columns(self, plan: QueryPlan) -> list[str]:
        cols = ["window_start", "window_end"] if plan.window else []
        for d in plan.dimensions:
            name = self._output_name(d)
            cols.append(self.col(d) + (f" AS {name}" if name else ""))
        return cols

    def _aggregate(self, plan: QueryPlan) -> str:
        select = self._select_columns(plan) + [f"{self.measure_sql(m)} AS {ident(m.alias)}" for m in plan.measures]
        group = (["window_start", "window_end"] if plan.window else []) + [self.col(d) for d in plan.dimensions]
        lines = ["SELECT " + ", ".join(select), self._from(plan), *self._where(plan)]
        if group:
            lines.append("GROUP BY " + ", ".join(group))
        if plan.having:
            by_alias = {m.alias: m for m in plan.measures}
            conds = [f"{self.measure_sql(by_alias[h.measure_alias])} {h.op} {literal(h.value)}" for h in plan.having if h.measure_alias in by_alias]
            if conds:
                lines.append("HAVING " + " AND ".join(conds))
        inner = "\n".join(lines)
        if not plan.top_n:
            return inner
        names = (["window_start", "window_end"] if plan.window else []) + [self._output_name(d) or ident(d.field) for d in plan.dimensions]
        names += [ident(m.alias) for m in plan.measures]
        partition = "PARTITION BY window_start, window_end " if plan.window else ""
        order = f"{ident(plan.top_n.measure_alias)} {'DESC' if plan.top_n.descending else 'ASC'}"
        return "\n".join([
            f"SELECT {', '.join(names)}, rank_no",
            "FROM (",
            f"  SELECT {', '.join(names)},",
            f"    ROW_NUMBER() OVER ({partition}ORDER BY {order}) AS rank_no",
            "  FROM (",
            "\n".join("    " + line for line in inner.splitlines()),
            "  )",
            ")",
            f"WHERE rank_no <= {plan.top_n.n}",
        ])

    def _rows(self, plan: QueryPlan) -> str:
        cols = []
        for ref in plan.projection:
            name = self._output_name(ref)
            cols.append(self.col(ref) + (f" AS {name}" if name else ""))
        inner_lines = ["SELECT " + ", ".join(cols), self._from(plan), *self._where(plan)]
        if not plan.top_n:
            return "\n".join(inner_lines)
        names = [self._output_name(r) or ident(r.field) for r in plan.projection]
        order = f"{self.col(FieldRef(plan.source, plan.top_n.measure_alias))} {'DESC' if plan.top_n.descending else 'ASC'}"
        inner_lines[0] = "SELECT " + ", ".join(cols) + f",\n    ROW_NUMBER() OVER (ORDER BY {order}) AS rank_no"
        return "\n".join([
            f"SELECT {', '.join(names)}, rank_no",
            "FROM (",
            "\n".join("  " + line for line in "\n".join(inner_lines).splitlines()),
            ")",
            f"WHERE rank_no <= {plan.top_n.n}",
        ])
