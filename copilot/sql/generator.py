"""Generator of the Flink dialect: writes trees back as Flink's SQL parser accepts them."""

from __future__ import annotations

from sqlglot import exp, generator
from sqlglot.dialects.dialect import rename_func

from copilot.sql import expressions as fx
from copilot.sql.ddl_generator import FlinkDdlGeneratorMixin
from copilot.sql.reserved import RESERVED_WORDS


def _map_sql(self, expression: exp.VarMap) -> str:
    keys, values = expression.args["keys"], expression.args["values"]
    if not isinstance(keys, exp.Array) or not isinstance(values, exp.Array):
        return self.func("MAP", keys, values)
    pairs = [self.sql(x) for kv in zip(keys.expressions, values.expressions) for x in kv]
    return f"MAP[{', '.join(pairs)}]"


def _position_sql(self, expression: exp.StrPosition) -> str:
    position = expression.args.get("position")
    if position is not None:
        return self.func("LOCATE", expression.args.get("substr"), expression.this, position)
    return f"POSITION({self.sql(expression, 'substr')} IN {self.sql(expression, 'this')})"


def _log_sql(self, expression: exp.Log) -> str:
    base, value = expression.this, expression.expression
    if value is None:
        return self.func("LOG", base)
    if isinstance(base, exp.Literal) and base.name in ("2", "10"):
        return self.func(f"LOG{base.name}", value)
    return self.func("LOG", base, value)


def _unwrap_time_string(this: exp.Expr) -> exp.Expr:
    # DATE_FORMAT accepts a timestamp string as well; other dialects' readers wrap it in a conversion
    return this.this if isinstance(this, exp.TimeStrToTime) else this


class FlinkGenerator(FlinkDdlGeneratorMixin, generator.Generator):
    RESERVED_KEYWORDS = set(RESERVED_WORDS)
    INSERT_OVERWRITE = " OVERWRITE"
    TABLE_HINTS = False  # Flink writes table hints right after the name; see table_parts
    JOIN_HINTS = False
    QUERY_HINTS = True
    LOCKING_READS_SUPPORTED = False
    NVL2_SUPPORTED = False
    LIKE_PROPERTY_INSIDE_SCHEMA = False
    SUPPORTS_CREATE_TABLE_LIKE = True
    TRY_SUPPORTED = False
    SUPPORTS_TO_NUMBER = False
    SUPPORTS_MEDIAN = False
    SUPPORTS_WINDOW_EXCLUDE = False
    INTERVAL_ALLOWS_PLURAL_FORM = True
    COMPUTED_COLUMN_WITH_TYPE = False
    STRUCT_DELIMITER = ("<", ">")
    PARAMETER_TOKEN = "$"
    ALTER_SET_WRAPPED = True

    TYPE_MAPPING = {
        **generator.Generator.TYPE_MAPPING,
        exp.DType.TEXT: "STRING",
        exp.DType.NCHAR: "CHAR",
        exp.DType.NVARCHAR: "STRING",
        exp.DType.MEDIUMTEXT: "STRING",
        exp.DType.LONGTEXT: "STRING",
        exp.DType.TINYTEXT: "STRING",
        exp.DType.JSON: "STRING",
        exp.DType.UUID: "STRING",
        exp.DType.BLOB: "BYTES",
        exp.DType.LONGBLOB: "BYTES",
        exp.DType.TIMESTAMPLTZ: "TIMESTAMP_LTZ",
        exp.DType.TIMESTAMPTZ: "TIMESTAMP_LTZ",
        exp.DType.DATETIME: "TIMESTAMP",
        exp.DType.DATETIME64: "TIMESTAMP",
        exp.DType.STRUCT: "ROW",
        exp.DType.LIST: "MULTISET",
        exp.DType.INT128: "DECIMAL(38, 0)",
        exp.DType.UBIGINT: "DECIMAL(20, 0)",
        exp.DType.UINT: "BIGINT",
        exp.DType.USMALLINT: "INT",
        exp.DType.UTINYINT: "SMALLINT",
        exp.DType.BIT: "BOOLEAN",
        exp.DType.MONEY: "DECIMAL(19, 4)",
    }

    TRANSFORMS = {
        **generator.Generator.TRANSFORMS,
        exp.TimeToStr: lambda self, e: self.func("DATE_FORMAT", _unwrap_time_string(e.this), self.format_time(e)),
        exp.TimeStrToTime: lambda self, e: f"CAST({self.sql(e, 'this')} AS TIMESTAMP(3))",
        exp.StrToTime: lambda self, e: self.func("TO_TIMESTAMP", e.this, self._format_unless_default(e, "%Y-%m-%d %H:%M:%S")),
        exp.StrToDate: lambda self, e: self.func("TO_DATE", e.this, self._format_unless_default(e, "%Y-%m-%d")),
        exp.TsOrDsToDate: lambda self, e: (
            self.func("TO_DATE", e.this) if e.this.is_string or e.this.type is None else f"CAST({self.sql(e, 'this')} AS DATE)"
        ),
        exp.UnixToStr: lambda self, e: self.func("FROM_UNIXTIME", e.this, self._format_unless_default(e, "%Y-%m-%d %H:%M:%S")),
        exp.StrToUnix: lambda self, e: (
            "UNIX_TIMESTAMP()"
            if isinstance(e.this, exp.CurrentTimestamp)
            else self.func("UNIX_TIMESTAMP", e.this, self._format_unless_default(e, "%Y-%m-%d %H:%M:%S"))
        ),
        exp.UnixSeconds: lambda self, e: (
            "UNIX_TIMESTAMP()" if isinstance(e.this, exp.CurrentTimestamp) else self.func("UNIX_TIMESTAMP", e.this)
        ),
        exp.UnixToTime: lambda self, e: self.func("TO_TIMESTAMP_LTZ", e.this, e.args.get("scale") or exp.UnixToTime.SECONDS),
        exp.TimestampDiff: lambda self, e: self.func(
            "TIMESTAMPDIFF", exp.var(e.text("unit").upper() or "DAY"), e.expression, e.this
        ),
        exp.DateDiff: lambda self, e: self.func("TIMESTAMPDIFF", exp.var(e.text("unit").upper() or "DAY"), e.expression, e.this),
        exp.TimestampAdd: lambda self, e: self.func(
            "TIMESTAMPADD", exp.var(e.text("unit").upper() or "DAY"), e.expression, e.this
        ),
        exp.DateAdd: lambda self, e: self.func("TIMESTAMPADD", exp.var(e.text("unit").upper() or "DAY"), e.expression, e.this),
        exp.TsOrDsAdd: lambda self, e: self.func("TIMESTAMPADD", exp.var(e.text("unit").upper() or "DAY"), e.expression, e.this),
        exp.TimestampTrunc: lambda self, e: f"FLOOR({self.sql(e, 'this')} TO {e.text('unit').upper()})",
        exp.DateTrunc: lambda self, e: f"FLOOR({self.sql(e, 'this')} TO {e.text('unit').upper()})",
        exp.GroupConcat: lambda self, e: self.func("LISTAGG", e.this, e.args.get("separator")),
        exp.Length: rename_func("CHAR_LENGTH"),
        exp.CurrentTimestamp: lambda self, e: "CURRENT_TIMESTAMP",
        exp.ArrayAgg: rename_func("ARRAY_AGG"),
        exp.ApproxDistinct: lambda self, e: self.func("APPROX_COUNT_DISTINCT", e.this),
        exp.RegexpExtract: lambda self, e: self.func(
            "REGEXP_EXTRACT", e.this, e.expression, e.args.get("group") or e.args.get("position")
        ),
        exp.Nullif: rename_func("NULLIF"),
        exp.If: rename_func("IF"),
        exp.Coalesce: rename_func("COALESCE"),
        exp.Mod: lambda self, e: self.func("MOD", e.this, e.expression),
        exp.Array: lambda self, e: f"ARRAY[{self.expressions(e, flat=True)}]",
        exp.VarMap: _map_sql,
        exp.StrPosition: _position_sql,
        exp.ArrayToString: rename_func("ARRAY_JOIN"),
        exp.CurrentTime: lambda self, e: "CURRENT_TIME",
        exp.DayOfYear: rename_func("DAYOFYEAR"),
        exp.DayOfMonth: rename_func("DAYOFMONTH"),
        exp.DayOfWeek: rename_func("DAYOFWEEK"),
        exp.VariancePop: rename_func("VAR_POP"),
        exp.Variance: rename_func("VAR_SAMP"),
        exp.Trunc: lambda self, e: self.func("TRUNCATE", e.this, e.args.get("decimals")),
        exp.Log: _log_sql,
        exp.SchemaCommentProperty: lambda self, e: f"COMMENT {self.sql(e, 'this')}",
        exp.PartitionedByProperty: lambda self, e: f"PARTITIONED BY {self.sql(e, 'this')}",
        exp.JSONKeyValue: lambda self, e: f"KEY {self.sql(e, 'this')} VALUE {self.sql(e, 'expression')}",
    }

    PROPERTIES_LOCATION = {
        **generator.Generator.PROPERTIES_LOCATION,
        exp.LikeProperty: exp.Properties.Location.POST_EXPRESSION,
        exp.PartitionedByProperty: exp.Properties.Location.POST_SCHEMA,
        exp.SchemaCommentProperty: exp.Properties.Location.POST_SCHEMA,
        fx.CatalogOption: generator.Generator.PROPERTIES_LOCATION[exp.Property],
    }

    def _format_unless_default(self, expression: exp.Expr, default: str) -> str | None:
        fmt = expression.args.get("format")
        if fmt is None or (isinstance(fmt, exp.Literal) and fmt.name == default):
            return None
        formatted = self.format_time(expression)
        return None if formatted in (self.dialect.TIME_FORMAT, self.dialect.DATE_FORMAT) else formatted

    # ---- statements -------------------------------------------------------------------------

    def statementset_sql(self, expression: fx.StatementSet) -> str:
        body = self.sep().join(f"{self.sql(s)};" for s in expression.expressions)
        form = expression.args.get("form") or "execute"
        if form == "begin":
            return f"BEGIN STATEMENT SET;{self.sep()}{body}{self.sep()}END"
        prefix = "EXECUTE " if form == "execute" else ""
        return f"{prefix}STATEMENT SET BEGIN{self.sep()}{body}{self.sep()}END"

    def explain_sql(self, expression: fx.Explain) -> str:
        details = self.expressions(expression, key="details", flat=True)
        prefix = "EXPLAIN PLAN FOR" if expression.args.get("plan_for") else "EXPLAIN"
        details = f" {details}" if details else ""
        return f"{prefix}{details} {self.sql(expression, 'this')}"

    def reset_sql(self, expression: fx.Reset) -> str:
        this = self.sql(expression, "this")
        return f"RESET {this}" if this else "RESET"

    def jarstatement_sql(self, expression: fx.JarStatement) -> str:
        return f"{expression.text('this')} JAR {self.sql(expression, 'expression')}"

    def modulestatement_sql(self, expression: fx.ModuleStatement) -> str:
        verb = expression.text("this")
        names = self.expressions(expression, flat=True)
        properties = self.sql(expression, "properties")
        properties = f" {properties}" if properties else ""
        return f"{verb} {'MODULES' if verb == 'USE' else 'MODULE'} {names}{properties}"

    def flinkshow_sql(self, expression: fx.FlinkShow) -> str:
        target = self.sql(expression, "target")
        target = f" {target}" if target else ""
        partition = self.sql(expression, "partition")
        target = f"{target} {partition}" if partition else target
        scope = self.sql(expression, "scope")
        scope = f" {expression.text('scope_kind')} {scope}" if scope else ""
        like = self.sql(expression, "like")
        if like:
            keyword = "ILIKE" if expression.args.get("ilike") else "LIKE"
            like = f"{' NOT' if expression.args.get('not_') else ''} {keyword} {like}"
        return f"SHOW {expression.text('this')}{target}{scope}{like}"

    def matchrecognize_sql(self, expression: exp.MatchRecognize) -> str:
        return super().matchrecognize_sql(expression).replace("MATCH_RECOGNIZE ( ", "MATCH_RECOGNIZE (", 1)

    def not_sql(self, expression: exp.Not) -> str:
        inner = expression.this
        if isinstance(inner, exp.Is):
            return f"{self.sql(inner, 'this')} IS NOT {self.sql(inner, 'expression')}"
        if isinstance(inner, exp.In) and not (
            isinstance(expression.parent, exp.Binary) and not isinstance(expression.parent, exp.Connector)
        ):
            # `x NOT IN (...)`: split after x's own text, never at an " IN " inside x (a literal, a subquery).
            # Inside arithmetic (`NOT x IN (..) + y`) the prefix form is kept: `x NOT IN (..) + y` does not parse.
            left, text = self.sql(inner, "this"), self.sql(inner)
            if text.startswith(left + " IN "):
                return f"{left} NOT IN {text[len(left) + 4 :]}"
        return super().not_sql(expression)

    def set_sql(self, expression: exp.Set) -> str:
        if not expression.expressions:
            return "SET"
        return super().set_sql(expression)

    def createfunction_sql(self, expression: fx.CreateFunction) -> str:
        temporary = " TEMPORARY" if expression.args.get("temporary") else ""
        system = " SYSTEM" if expression.args.get("system") else ""
        exists = " IF NOT EXISTS" if expression.args.get("exists") else ""
        language = self.sql(expression, "language")
        language = f" LANGUAGE {language}" if language else ""
        jars = ", ".join(f"JAR {self.sql(jar)}" for jar in expression.args.get("jars") or [])
        jars = f" USING {jars}" if jars else ""
        return (
            f"CREATE{temporary}{system} FUNCTION{exists} {self.sql(expression, 'this')} AS "
            f"{self.sql(expression, 'expression')}{language}{jars}"
        )

    def property_sql(self, expression: exp.Property) -> str:
        if type(expression) is exp.Property:
            return f"{self.property_name(expression, string_key=True)} = {self.sql(expression, 'value')}"
        return super().property_sql(expression)

    def properties_sql(self, expression: exp.Properties) -> str:
        return super().properties_sql(expression)

    def likeproperty_sql(self, expression: exp.LikeProperty) -> str:
        options = " ".join(f"{e.name} {self.sql(e, 'value')}" for e in expression.expressions)
        options = f" ({options})" if options else ""
        return f"LIKE {self.sql(expression, 'this')}{options}"

    def metadatacolumnconstraint_sql(self, expression: fx.MetadataColumnConstraint) -> str:
        source = self.sql(expression, "this")
        source = f" FROM {source}" if source else ""
        virtual = " VIRTUAL" if expression.args.get("virtual") else ""
        return f"METADATA{source}{virtual}"

    def watermarkcolumnconstraint_sql(self, expression: exp.WatermarkColumnConstraint) -> str:
        return f"WATERMARK FOR {self.sql(expression, 'this')} AS {self.sql(expression, 'expression')}"

    # ---- queries ----------------------------------------------------------------------------

    def table_parts(self, expression: exp.Table) -> str:
        parts = super().table_parts(expression)
        return parts + self.sql(expression, "hint")

    def version_sql(self, expression: exp.Version) -> str:
        if expression.name == "TIMESTAMP" and expression.text("kind") == "AS OF":
            return f"FOR SYSTEM_TIME AS OF {self.sql(expression, 'expression')}"
        self.unsupported("Flink only supports FOR SYSTEM_TIME AS OF")
        return super().version_sql(expression)

    def tablefromrows_sql(self, expression: exp.TableFromRows) -> str:
        return super().tablefromrows_sql(expression)

    def tableargument_sql(self, expression: fx.TableArgument) -> str:
        partition = self.expressions(expression, key="partition_by", flat=True)
        partition = f" PARTITION BY {partition}" if partition else ""
        return f"TABLE {self.sql(expression, 'this')}{partition}"

    def descriptor_sql(self, expression: fx.Descriptor) -> str:
        return self.func("DESCRIPTOR", *expression.expressions)

    def _window_function_sql(self, expression: fx.WindowTableFunction) -> str:
        names = ("this", "timecol", *expression.INTERVAL_ARGS)
        present = [(name, expression.args.get(name)) for name in names if expression.args.get(name) is not None]
        if expression.args.get("named"):
            keywords = {arg: kw for kw, arg in fx.WINDOW_KWARGS.items()}
            args = [f"{keywords[name]} => {self.sql(value)}" for name, value in present]
            return f"{expression.sql_name()}({', '.join(args)})"
        return self.func(expression.sql_name(), *(value for _, value in present))

    tumble_sql = hop_sql = cumulate_sql = session_sql = _window_function_sql

    def floorceilto_sql(self, expression: fx.FloorCeilTo) -> str:
        return f"CEIL({self.sql(expression, 'this')} TO {expression.text('unit').upper()})"

    def datatype_sql(self, expression: exp.DataType) -> str:
        if expression.is_type(exp.DType.VARCHAR) and not expression.expressions:
            return "STRING"  # Flink's bare VARCHAR means VARCHAR(1)
        if expression.is_type(exp.DType.VARBINARY, exp.DType.BINARY) and not expression.expressions:
            return "BYTES"
        sql = super().datatype_sql(expression)
        return f"{sql} NOT NULL" if expression.args.get("nullable") is False else sql

    def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
        # Typed literals (TIMESTAMP '2020-01-01 00:00:00') round-trip as written.
        to = expression.to
        if (
            expression.this.is_string
            and not expression.args.get("format")
            and to.is_type(exp.DType.DATE, exp.DType.TIME, exp.DType.TIMESTAMP)
            and not to.expressions
        ):
            return f"{to.this.value} {self.sql(expression, 'this')}"
        return super().cast_sql(expression, safe_prefix=safe_prefix)


# sqlglot dispatches `<key>_sql` methods only for its own node classes: register ours explicitly.
FlinkGenerator.TRANSFORMS[exp.RenameColumn] = FlinkGenerator.renamecolumn_sql
for _node in vars(fx).values():
    if isinstance(_node, type) and issubclass(_node, exp.Expr) and _node.__module__ == fx.__name__:
        _method = getattr(FlinkGenerator, f"{_node.key}_sql", None)
        if _method is not None:
            FlinkGenerator.TRANSFORMS[_node] = _method
