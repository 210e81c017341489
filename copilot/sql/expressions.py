"""Tree nodes for Flink SQL constructs that sqlglot has no node for.

Each node's generator method lives in `copilot.sql.generator`; other dialects fall back to
printing function nodes as plain calls, which is what they would accept if anything.
"""

from __future__ import annotations

from sqlglot import exp


class TableArgument(exp.Expression):
    """`TABLE t [PARTITION BY a, b]`: a table passed to a polymorphic table function."""

    arg_types = {"this": True, "partition_by": False}


class Descriptor(exp.Expression):
    """`DESCRIPTOR(col)`: names the time attribute column of a window function."""

    arg_types = {"expressions": True}


class WindowTableFunction(exp.Expression, exp.Func):
    """Base of the windowing TVFs. `this` is the TableArgument, `timecol` the Descriptor.
    `named` remembers the `DATA => ...` call style so it regenerates as written."""

    # The positional order of the interval arguments after TABLE and DESCRIPTOR.
    INTERVAL_ARGS: tuple[str, ...] = ()

    arg_types = {"this": True, "timecol": True, "offset": False, "named": False}

    @property
    def table(self) -> exp.Expression:
        return self.this.this if isinstance(self.this, TableArgument) else self.this

    @property
    def time_column(self) -> str:
        descriptor = self.args.get("timecol")
        return descriptor.expressions[0].name if isinstance(descriptor, Descriptor) and descriptor.expressions else ""


class Tumble(WindowTableFunction):
    INTERVAL_ARGS = ("size", "offset")
    arg_types = {**WindowTableFunction.arg_types, "size": True}


class Hop(WindowTableFunction):
    INTERVAL_ARGS = ("slide", "size", "offset")
    arg_types = {**WindowTableFunction.arg_types, "slide": True, "size": True}


class Cumulate(WindowTableFunction):
    INTERVAL_ARGS = ("step", "size", "offset")
    arg_types = {**WindowTableFunction.arg_types, "step": True, "size": True}


class Session(WindowTableFunction):
    INTERVAL_ARGS = ("gap",)
    arg_types = {"this": True, "timecol": True, "gap": True, "named": False}


WINDOW_FUNCTIONS: dict[str, type[WindowTableFunction]] = {
    "TUMBLE": Tumble,
    "HOP": Hop,
    "CUMULATE": Cumulate,
    "SESSION": Session,
}


class Proctime(exp.Expression, exp.Func):
    """`PROCTIME()`: a processing-time attribute."""

    arg_types = {}


class CurrentWatermark(exp.Expression, exp.Func):
    """`CURRENT_WATERMARK(rowtime)`."""


class CurrentRowTimestamp(exp.Expression, exp.Func):
    arg_types = {}


class MetadataColumnConstraint(exp.Expression, exp.ColumnConstraintKind):
    """`METADATA [FROM 'key'] [VIRTUAL]` on a CREATE TABLE column."""

    arg_types = {"this": False, "virtual": False}


class StatementSet(exp.Expression):
    """`EXECUTE STATEMENT SET BEGIN ...; END` (or `BEGIN STATEMENT SET; ...; END;`)."""

    arg_types = {"expressions": True, "form": False}  # form: execute | block | begin


class Explain(exp.Expression):
    """`EXPLAIN [PLAN FOR | detail, ...] statement`."""

    arg_types = {"this": True, "details": False, "plan_for": False}


class Reset(exp.Expression):
    """`RESET ['key']`."""

    arg_types = {"this": False}


class JarStatement(exp.Expression):
    """`ADD JAR 'path'`, `REMOVE JAR 'path'`; `this` is ADD or REMOVE."""

    arg_types = {"this": True, "expression": True}


class ModuleStatement(exp.Expression):
    """`LOAD MODULE m [WITH (...)]`, `UNLOAD MODULE m`, `USE MODULES a, b`."""

    arg_types = {"this": True, "expressions": True, "properties": False}


class FlinkShow(exp.Expression):
    """`SHOW [FULL | USER | CURRENT] kind [name] [FROM|IN db] [[NOT] [I]LIKE 'p']`."""

    arg_types = {
        "this": True,
        "target": False,
        "scope": False,
        "scope_kind": False,
        "like": False,
        "not_": False,
        "ilike": False,
        "partition": False,
    }


class FloorCeilTo(exp.Expression, exp.Func):
    """`CEIL(ts TO unit)`; FLOOR(ts TO unit) maps onto sqlglot's TimestampTrunc instead."""

    arg_types = {"this": True, "unit": True}


class CreateFunction(exp.Expression):
    """`CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'class' [LANGUAGE l] [USING JAR 'p', ...]`."""

    arg_types = {
        "this": True,
        "expression": True,
        "language": False,
        "jars": False,
        "temporary": False,
        "system": False,
        "exists": False,
    }


class GroupWindowFunction(exp.Expression, exp.Func):
    """The deprecated group window functions in GROUP BY: `TUMBLE(time_attr, size)`,
    `HOP(time_attr, slide, size)`, `SESSION(time_attr, gap)`; `this` is the function name."""

    arg_types = {"this": True, "expressions": True}


class AlterSchema(exp.Expression):
    """`ALTER TABLE t ADD|MODIFY component` or `... ADD|MODIFY (component, ...)`: a component is a
    column (with `FIRST` / `AFTER col`), a primary key or a watermark. `this` is ADD or MODIFY."""

    arg_types = {"this": True, "expressions": True, "wrapped": False}


class AlterDrop(exp.Expression):
    """`ALTER TABLE t DROP col | (col, ...) | PRIMARY KEY | CONSTRAINT name | WATERMARK`;
    `this` is COLUMN, PRIMARY KEY, CONSTRAINT or WATERMARK."""

    arg_types = {"this": True, "expressions": False, "wrapped": False}


class AlterReset(exp.Expression):
    """`ALTER TABLE t RESET ('key', ...)`."""

    arg_types = {"expressions": True}


class CreateCatalog(exp.Create):
    """`CREATE CATALOG [IF NOT EXISTS] name [COMMENT 'c'] WITH (...)`: DDL like any CREATE."""

    arg_types = {"this": True, "kind": False, "properties": False, "comment": False, "exists": False}


class CatalogOption(exp.Property):
    """A `'key' = 'value'` catalog option: catalog settings, not a table's connector properties."""


class DescribeCatalog(exp.Describe):
    """`DESCRIBE | DESC CATALOG [EXTENDED] name`."""

    arg_types = {"this": True, "extended": False}


# Names of the window functions' keyword arguments (`SIZE => INTERVAL ...`) and the arg they fill.
WINDOW_KWARGS = {
    "DATA": "this",
    "TIMECOL": "timecol",
    "SIZE": "size",
    "SLIDE": "slide",
    "STEP": "step",
    "OFFSET": "offset",
    "GAP": "gap",
}
