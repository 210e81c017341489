"""Catalog stage: tables and columns exist, windows use the event-time column, temporal joins
target versioned (upsert, primary-keyed) tables."""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Mapping

from sqlglot import exp

from copilot.catalog.model import TopicSchema
from copilot.sql import expressions as fx
from copilot.sql.types import WINDOW_COLUMNS
from copilot.validate.positions import TextPositions
from copilot.validate.result import ValidationIssue
from copilot.validate.tree_nodes import find_all

UNKNOWN = None  # a source whose columns we cannot know (UNNEST, LATERAL TABLE, SELECT *): anything goes


MAX_CANDIDATES = 500  # "did you mean" compares with at most this many names ...
MAX_SUGGESTIONS = 20  # ... for at most this many problems of one statement (bounded work on hostile input)
MAX_ISSUES = 50


def did_you_mean(name: str, candidates) -> str | None:
    candidates = [c for _, c in zip(range(MAX_CANDIDATES), candidates)]
    name = name[:100]
    matches = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return f"did you mean {' or '.join(repr(m) for m in matches)}?" if matches else None


class CatalogChecker:
    def __init__(self, catalog: Mapping[str, TopicSchema], positions: TextPositions):
        self.catalog = catalog
        self.positions = positions
        self.issues: list[ValidationIssue] = []
        self.tables: list[str] = []

    def _suggest(self, name: str, candidates) -> str | None:
        self._suggestions = getattr(self, "_suggestions", 0) + 1
        return did_you_mean(name, candidates) if self._suggestions <= MAX_SUGGESTIONS else None

    def _issue(self, node: exp.Expr, message: str, hint: str | None = None) -> None:
        if len(self.issues) >= MAX_ISSUES:
            return
        line, column = self.positions.of_node(node)
        self.issues.append(ValidationIssue("catalog", message, line, column, hint))

    def check(self, statement: exp.Expr, skip_tables: set[str] = frozenset()) -> list[ValidationIssue]:
        ctes = {cte.alias_or_name: cte.this for cte in find_all(statement, exp.CTE)}
        self._check_tables(statement, ctes, skip_tables)
        if self.issues:  # column checks on unknown tables would only repeat the problem
            return self.issues
        self._check_windows(statement)
        self._check_temporal_joins(statement)
        for select in find_all(statement, exp.Select):
            self._check_columns(select, ctes)
        return self.issues

    # ---- tables -----------------------------------------------------------------------------

    def _check_tables(self, statement: exp.Expr, ctes: dict, skip_tables: set[str]) -> None:
        for table in find_all(statement, exp.Table):
            name = table.name
            if (
                not name
                or (name in ctes and not table.db and not table.catalog)
                or name in skip_tables
                or isinstance(table.this, exp.Expr)
                and not isinstance(table.this, exp.Identifier)
            ):
                continue
            if _foreign_qualifier(table):
                self._issue(
                    table,
                    f"table {'.'.join(p for p in (table.catalog, table.db, name) if p)!r} is outside the catalog",
                    f"name catalog tables without a catalog or database: {name}",
                )
                continue
            if name in self.catalog:
                if name not in self.tables:
                    self.tables.append(name)
                continue
            hint = (
                self._suggest(name, self.catalog)
                or f"known tables: {', '.join(sorted(self.catalog)) or 'none (the catalog is empty)'}"
            )
            self._issue(table, f"unknown table {name!r}", hint)

    # ---- windows and temporal joins ---------------------------------------------------------

    def _check_windows(self, statement: exp.Expr) -> None:
        for window in find_all(statement, fx.WindowTableFunction):
            table = window.table
            schema = self.catalog.get(table.name) if isinstance(table, exp.Table) else None
            if schema is None:
                continue
            descriptor = window.args.get("timecol")
            column = window.time_column
            if not schema.event_time:
                self._issue(
                    descriptor or window,
                    f"table {schema.table_name!r} has no event-time column, so it cannot be windowed",
                    "window a table whose catalog entry names an event_time",
                )
            elif column != schema.event_time:
                self._issue(
                    descriptor or window,
                    f"DESCRIPTOR({column}) must name the event-time column of {schema.table_name!r}",
                    f"use DESCRIPTOR({schema.event_time})",
                )
            argument = window.this
            if isinstance(argument, fx.TableArgument):
                for key in argument.args.get("partition_by") or []:
                    if isinstance(key, exp.Column) and schema.field(key.name) is None:
                        self._issue(
                            key,
                            f"unknown column {key.name!r} in table {schema.table_name!r}",
                            self._suggest(key.name, [f.name for f in schema.fields]),
                        )

    def _check_temporal_joins(self, statement: exp.Expr) -> None:
        for version in find_all(statement, exp.Version):
            table = version.parent
            schema = self.catalog.get(table.name) if isinstance(table, exp.Table) else None
            if schema is None:
                continue
            if not (schema.is_upsert and schema.primary_key):
                versioned = sorted(n for n, s in self.catalog.items() if s.is_upsert and s.primary_key)
                self._issue(
                    table,
                    f"temporal join needs a versioned table (upsert with a primary key), but {schema.table_name!r} is append-only",
                    f"join {schema.table_name!r} with a regular or interval join; versioned tables: {', '.join(versioned) or 'none'}",
                )

    # ---- columns ----------------------------------------------------------------------------

    def _source_columns(self, source: exp.Expr, ctes: dict) -> tuple[str | None, set[str] | None]:
        """(alias, columns) of one FROM/JOIN source; columns None when unknowable."""
        alias = source.alias_or_name if hasattr(source, "alias_or_name") else None
        if isinstance(source, exp.Table):
            alias = source.alias or source.name
            if source.name in ctes and not source.db and not source.catalog:
                return alias, _output_columns(ctes[source.name])
            schema = self.catalog.get(source.name)
            return alias, {f.name for f in schema.fields} if schema else UNKNOWN
        if isinstance(source, exp.TableFromRows) and isinstance(source.this, fx.WindowTableFunction):
            inner = source.this.table
            alias = source.alias or None
            columns = UNKNOWN
            if isinstance(inner, exp.Table):
                if inner.name in ctes:
                    columns = _output_columns(ctes[inner.name])
                elif inner.name in self.catalog:
                    columns = {f.name for f in self.catalog[inner.name].fields}
            return alias, None if columns is None else columns | set(WINDOW_COLUMNS)
        if isinstance(source, exp.Subquery):
            return source.alias or None, _output_columns(source.this)
        return alias, UNKNOWN

    def _check_columns(self, select: exp.Select, ctes: dict) -> None:
        if select.args.get("match"):  # MATCH_RECOGNIZE: pattern variables qualify columns
            return
        sources: dict[str | None, set[str] | None] = {}
        from_ = select.args.get("from_")
        for source in ([from_.this] if from_ else []) + [j.this for j in select.args.get("joins") or []]:
            alias, columns = self._source_columns(source, ctes)
            sources[alias] = columns
        if not sources or any(cols is UNKNOWN for cols in sources.values()):
            return
        every = set().union(*sources.values())
        aliases = {e.alias for e in select.expressions if e.alias}
        if select.find_ancestor(fx.Descriptor, fx.TableArgument):
            return
        known = None
        for column in _own_columns(select):
            if isinstance(column.this, exp.Star):
                continue
            name, qualifier = column.name, column.table
            if qualifier:
                if qualifier in sources:
                    if column.name not in sources[qualifier]:
                        self._issue(column, f"unknown column {name!r} in {qualifier!r}", self._suggest(name, sources[qualifier]))
                elif qualifier not in every:  # `row_col.field` is nested field access
                    self._issue(
                        column, f"unknown table or alias {qualifier!r}", self._suggest(qualifier, [k for k in sources if k])
                    )
            elif name not in every and name not in aliases:
                known = known if known is not None else every | aliases
                self._issue(column, f"unknown column {name!r}", self._suggest(name, known))


def _own_columns(select: exp.Select):
    """The columns of `select` itself, not of nested SELECTs or window descriptors. One walk, so a
    100 KB chain of `a + a + ...` costs linear time (find_ancestor per column made it quadratic)."""
    queue = deque(select.iter_expressions())  # breadth first, the order find_all reports in
    while queue:
        node = queue.popleft()
        if isinstance(node, (exp.Select, fx.Descriptor, fx.TableArgument, exp.Hint)):
            continue  # a join hint names tables or aliases, not columns
        if isinstance(node, exp.Column):
            yield node
        queue.extend(node.iter_expressions())


DEFAULT_CATALOG, DEFAULT_DATABASE = "default_catalog", "default_database"


def _foreign_qualifier(table: exp.Table) -> bool:
    """`hive.db.orders` names a table in another catalog or database: not one the catalog describes."""
    catalog, db = table.catalog, table.db
    return bool(catalog and catalog != DEFAULT_CATALOG or db and db != DEFAULT_DATABASE)


def _output_columns(query: exp.Expr) -> set[str] | None:
    if isinstance(query, exp.SetOperation):
        query = query.this
    if not isinstance(query, exp.Select):
        return UNKNOWN
    names = set()
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)):
            return UNKNOWN
        if projection.alias_or_name:
            names.add(projection.alias_or_name)
    return names
