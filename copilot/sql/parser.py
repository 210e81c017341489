"""Parser of the Flink dialect: sqlglot's base parser plus Flink's streaming constructs."""

from __future__ import annotations

import typing as t

from sqlglot import exp, parser
from sqlglot.dialects.dialect import build_formatted_time
from sqlglot.helper import seq_get
from sqlglot.tokens import Token, TokenType

from copilot.sql import expressions as fx
from copilot.sql.ddl_parser import FlinkDdlParserMixin

EXPLAIN_DETAILS = ("ESTIMATED_COST", "CHANGELOG_MODE", "PLAN_ADVICE", "JSON_EXECUTION_PLAN")
_STATEMENT_END = {TokenType.SEMICOLON, getattr(TokenType, "SENTINEL", TokenType.SEMICOLON)}
LIKE_OPTION_VERBS = ("INCLUDING", "EXCLUDING", "OVERWRITING")


def _build_to_timestamp_ltz(args: list) -> exp.Expr:
    this, precision = seq_get(args, 0), seq_get(args, 1)
    if precision is None or (isinstance(precision, exp.Literal) and precision.is_int):
        return exp.UnixToTime(this=this, scale=precision or exp.UnixToTime.MILLIS)
    # TO_TIMESTAMP_LTZ(string, format[, timezone]): a parse, not an epoch conversion
    return exp.Anonymous(this="TO_TIMESTAMP_LTZ", expressions=args)


def _build_to_date(args: list, dialect) -> exp.Expr:
    if len(args) > 1:
        return build_formatted_time(exp.StrToDate, "flink")(args, dialect)
    return exp.TsOrDsToDate(this=seq_get(args, 0))


def _build_to_timestamp(args: list, dialect) -> exp.Expr:
    if len(args) > 1:
        return build_formatted_time(exp.StrToTime, "flink")(args, dialect)
    return exp.StrToTime(this=seq_get(args, 0), format=exp.Literal.string("%Y-%m-%d %H:%M:%S"))


def _build_from_unixtime(args: list, dialect) -> exp.Expr:
    if len(args) > 1:
        return build_formatted_time(exp.UnixToStr, "flink")(args, dialect)
    return exp.UnixToStr(this=seq_get(args, 0))


def _build_unix_timestamp(args: list, dialect) -> exp.Expr:
    if not args:
        return exp.UnixSeconds(this=exp.CurrentTimestamp())
    if len(args) > 1:
        return build_formatted_time(exp.StrToUnix, "flink")(args, dialect)
    return exp.StrToUnix(this=seq_get(args, 0))


class FlinkParser(FlinkDdlParserMixin, parser.Parser):
    LOG_DEFAULTS_TO_LN = True
    ALTER_RENAME_REQUIRES_COLUMN = False  # ALTER TABLE t RENAME old TO new
    STRICT_CAST = True

    FUNC_TOKENS = {*parser.Parser.FUNC_TOKENS, TokenType.SESSION}

    _type_depth = 0  # nesting of _parse_types: nullability is allowed on nested types only

    FUNCTIONS = {
        **parser.Parser.FUNCTIONS,
        "TABLE": lambda args: exp.TableFromRows(this=seq_get(args, 0)),
        "DATE_FORMAT": build_formatted_time(exp.TimeToStr, "flink"),
        "TO_TIMESTAMP_LTZ": _build_to_timestamp_ltz,
        "TO_DATE": _build_to_date,
        "TO_TIMESTAMP": _build_to_timestamp,
        "FROM_UNIXTIME": _build_from_unixtime,
        "UNIX_TIMESTAMP": _build_unix_timestamp,
        "PROCTIME": fx.Proctime.from_arg_list,
        "CURRENT_WATERMARK": fx.CurrentWatermark.from_arg_list,
        "CURRENT_ROW_TIMESTAMP": fx.CurrentRowTimestamp.from_arg_list,
        "CHAR_LENGTH": exp.Length.from_arg_list,
        "LISTAGG": lambda args: exp.GroupConcat(this=seq_get(args, 0), separator=seq_get(args, 1)),
        "CHARACTER_LENGTH": exp.Length.from_arg_list,
    }

    FUNCTION_PARSERS = {
        **parser.Parser.FUNCTION_PARSERS,
        **{name: (lambda self, cls=cls: self._parse_window_function(cls)) for name, cls in fx.WINDOW_FUNCTIONS.items()},
        "DESCRIPTOR": lambda self: self.expression(fx.Descriptor(expressions=self._parse_csv(self._parse_column))),
        "TIMESTAMPDIFF": lambda self: self._parse_timestamp_arith(exp.TimestampDiff),
        "TIMESTAMPADD": lambda self: self._parse_timestamp_arith(exp.TimestampAdd),
        "FLOOR": lambda self: self._parse_floor_ceil(floor=True),
        "CEIL": lambda self: self._parse_floor_ceil(floor=False),
        "CEILING": lambda self: self._parse_floor_ceil(floor=False),
        "JSON_VALUE": lambda self: self._parse_json_value(),
    }

    CONSTRAINT_PARSERS = {
        **parser.Parser.CONSTRAINT_PARSERS,
        "WATERMARK": lambda self: self.expression(
            exp.WatermarkColumnConstraint(
                this=self._match(TokenType.FOR) and self._parse_column(),
                expression=self._match(TokenType.ALIAS) and self._parse_disjunction(),
            )
        ),
        "METADATA": lambda self: self.expression(
            fx.MetadataColumnConstraint(
                this=self._match(TokenType.FROM) and self._parse_string(),
                virtual=self._match_text_seq("VIRTUAL"),
            )
        ),
    }

    ALTER_PARSERS = {
        **parser.Parser.ALTER_PARSERS,
        "ADD": lambda self: self._parse_alter_add_or_modify("ADD"),
        "MODIFY": lambda self: self._parse_alter_add_or_modify("MODIFY"),
        "DROP": lambda self: self._parse_alter_drop_action_flink(),
        "RESET": lambda self: self._parse_alter_reset(),
    }

    SCHEMA_UNNAMED_CONSTRAINTS = {*parser.Parser.SCHEMA_UNNAMED_CONSTRAINTS, "WATERMARK"}

    PROPERTY_PARSERS = {
        **parser.Parser.PROPERTY_PARSERS,
        "LIKE": lambda self: self._parse_like_property(),
    }

    # Statements recognised by their first word(s), before sqlglot's own dispatch.
    TEXT_STATEMENT_PARSERS: t.ClassVar[dict[str, t.Callable[[FlinkParser], exp.Expr | None]]] = {
        "RESET": lambda self: self._parse_reset(),
        "ADD": lambda self: self._parse_jar("ADD"),
        "REMOVE": lambda self: self._parse_jar("REMOVE"),
        "LOAD": lambda self: self._parse_module("LOAD"),
        "UNLOAD": lambda self: self._parse_module("UNLOAD"),
        "USE": lambda self: self._parse_module("USE"),
        "EXECUTE": lambda self: self._parse_statement_set(),
        "BEGIN": lambda self: self._parse_statement_set(),
        "STATEMENT": lambda self: self._parse_statement_set(),
        "EXPLAIN": lambda self: self._parse_explain(),
        "SHOW": lambda self: self._parse_flink_show(),
        "SET": lambda self: self._parse_flink_set(),
        "DESCRIBE": lambda self: self._parse_describe_catalog(),
        "DESC": lambda self: self._parse_describe_catalog(),
    }

    SHOW_KINDS = (
        "CATALOGS",
        "DATABASES",
        "TABLES",
        "VIEWS",
        "FUNCTIONS",
        "MODULES",
        "JARS",
        "JOBS",
        "COLUMNS",
        "PROCEDURES",
        "MODELS",
        "PARTITIONS",
        "CATALOG",
        "DATABASE",
        "MATERIALIZED",
    )

    # ---- statements -------------------------------------------------------------------------

    def _parse(self, parse_method, raw_tokens: list[Token], sql: str | None = None):
        """Like sqlglot's, but keeps a statement set's inner `;`-separated statements in one chunk."""
        # Every statement set has the word STATEMENT; without it sqlglot's own chunking is the same
        # and avoids a per-token check here.
        if not _may_hold_statement_set(raw_tokens, sql):
            return super()._parse(parse_method, raw_tokens, sql)
        self.reset()
        self.sql = sql or ""
        chunks: list[list[Token]] = [[]]
        open_set = False
        for i, token in enumerate(raw_tokens):
            if token.token_type == TokenType.SEMICOLON:
                if open_set:
                    chunks[-1].append(token)
                    continue
                if token.comments:
                    chunks.append([token])
                if i < len(raw_tokens) - 1:
                    chunks.append([])
                continue
            chunk = chunks[-1]
            chunk.append(token)
            if not open_set and len(chunk) <= 8 and token.text.upper() in _SET_OPENING_WORDS and _opens_statement_set(chunk):
                open_set = True
            elif open_set and token.text.upper() == "END" and _prev_is_separator(chunk):
                open_set = False
        self._chunks = chunks
        return self._parse_batch_statements(parse_method=parse_method, sep_first_statement=False)

    def _parse_statement(self) -> exp.Expr | None:
        if self._curr and self._curr.token_type == TokenType.TABLE and self._next is not None:
            explicit = self._parse_explicit_table()  # `TABLE t` reads all of t, as SELECT * FROM t
            if explicit is not None:
                return explicit
        if self._curr:
            handler = self.TEXT_STATEMENT_PARSERS.get(self._curr.text.upper())
            if handler and self._curr.token_type not in (TokenType.IDENTIFIER, TokenType.STRING):
                index = self._index
                comments = self._curr.comments
                result = handler(self)
                if result is not None:
                    result.add_comments(comments, prepend=True)
                    return result
                self._retreat(index)
        return super()._parse_statement()

    def _parse_explicit_table(self) -> exp.Expr | None:
        index = self._index
        self._advance()
        table = self._parse_table_parts()
        if table is not None and not table.args.get("hint") and (self._curr is None or self._curr.token_type in _STATEMENT_END):
            return exp.select("*").from_(table)
        self._retreat(index)
        return None

    def _parse_reset(self) -> fx.Reset:
        self._advance()
        return self.expression(fx.Reset(this=self._parse_string()))

    def _parse_jar(self, verb: str) -> fx.JarStatement | None:
        if not (self._next and self._next.text.upper() == "JAR"):
            return None
        self._advance(2)
        return self.expression(fx.JarStatement(this=verb, expression=self._parse_string()))

    def _parse_module(self, verb: str) -> fx.ModuleStatement | None:
        word = "MODULES" if verb == "USE" else "MODULE"
        if not (self._next and self._next.text.upper() == word):
            return None
        self._advance(2)
        names = self._parse_csv(self._parse_id_var)
        properties = None
        if verb == "LOAD" and self._match(TokenType.WITH):
            properties = self.expression(exp.Properties(expressions=self._parse_wrapped_properties()))
        return self.expression(fx.ModuleStatement(this=verb, expressions=names, properties=properties))

    def _parse_statement_set(self) -> fx.StatementSet | None:
        if self._match_text_seq("EXECUTE", "STATEMENT", "SET", "BEGIN"):
            form = "execute"
        elif self._match_text_seq("STATEMENT", "SET", "BEGIN"):
            form = "block"  # as EXPLAIN writes it
        elif self._match_text_seq("BEGIN", "STATEMENT", "SET"):
            form = "begin"  # the SQL client's form
        else:
            return None
        self._match(TokenType.SEMICOLON)
        statements = []
        while self._curr and not self._match_text_seq("END"):
            statement = super()._parse_statement()
            if statement is None:
                self.raise_error("Expecting a statement or END inside the statement set")
                break
            statements.append(statement)
            if not self._match(TokenType.SEMICOLON):
                self.raise_error("Expecting ; after a statement inside the statement set")
                break
        else:
            if not self._prev or self._prev.text.upper() != "END":
                self.raise_error("Expecting END to close the statement set")
        return self.expression(fx.StatementSet(expressions=statements, form=form))

    def _parse_explain(self) -> fx.Explain:
        self._advance()
        plan_for = self._match_text_seq("PLAN", "FOR")
        details = []
        while not plan_for and self._curr and self._curr.text.upper() in EXPLAIN_DETAILS:
            details.append(exp.var(self._curr.text.upper()))
            self._advance()
            if not self._match(TokenType.COMMA):
                break
        statement = self._parse_statement()
        return self.expression(fx.Explain(this=statement, details=details or None, plan_for=plan_for))

    def _parse_flink_show(self) -> fx.FlinkShow | None:
        self._advance()
        words = []
        while self._curr and self._curr.text.upper() in ("FULL", "USER", "CURRENT", "CREATE", "MATERIALIZED"):
            words.append(self._curr.text.upper())
            self._advance()
        if not self._curr:
            return None
        words.append(self._curr.text.upper())
        self._advance()
        target = None
        if "CREATE" in words or words[-1] in ("PARTITIONS",):
            target = self._parse_table_parts()
        partition = self._parse_partition() if target is not None else None
        scope_kind = self._prev.text.upper() if self._match_set((TokenType.FROM, TokenType.IN)) else None
        scope = self._parse_table_parts() if scope_kind else None
        not_ = self._match(TokenType.NOT)
        like = ilike = None
        if self._match(TokenType.LIKE):
            like = self._parse_string()
        elif self._match(TokenType.ILIKE):
            ilike = self._parse_string()
        return self.expression(
            fx.FlinkShow(
                this=" ".join(words),
                target=target,
                scope=scope,
                scope_kind=scope_kind,
                like=like or ilike,
                ilike=bool(ilike),
                not_=bool(not_),
                partition=partition,
            )
        )

    def _parse_flink_set(self) -> exp.Expr | None:
        self._advance()
        if not self._curr:  # bare SET lists the session's properties
            return self.expression(exp.Set(expressions=[]))
        return self._parse_set()

    def _parse_create(self) -> exp.Create | exp.Command:
        index = self._index
        temporary = self._match(TokenType.TEMPORARY)
        system = temporary and self._match_text_seq("SYSTEM")
        if self._match(TokenType.FUNCTION):
            return self._parse_create_function(temporary, system)
        if not temporary and self._match_text_seq("CATALOG"):
            return self._parse_create_catalog()
        self._retreat(index)
        return super()._parse_create()

    def _parse_create_function(self, temporary: bool, system: bool):
        exists = self._parse_exists(not_=True)
        name = self._parse_table_parts()
        self._match(TokenType.ALIAS)
        class_name = self._parse_string()
        language = self._match_text_seq("LANGUAGE") and self._parse_var(upper=True)
        jars = []
        if self._match(TokenType.USING):
            jars = self._parse_csv(lambda: self._match_text_seq("JAR") and self._parse_string())
        return self.expression(
            fx.CreateFunction(
                this=name,
                expression=class_name,
                language=language or None,
                jars=jars or None,
                temporary=bool(temporary),
                system=bool(system),
                exists=bool(exists),
            )
        )

    def _parse_like_property(self) -> exp.LikeProperty:
        table = self._parse_table_parts(schema=True)
        options = []
        if self._match(TokenType.L_PAREN):
            while self._match_texts(LIKE_OPTION_VERBS):
                verb = self._prev.text.upper()
                self._advance()
                options.append(self.expression(exp.Property(this=exp.var(verb), value=exp.var(self._prev.text.upper()))))
            self._match_r_paren()
        return self.expression(exp.LikeProperty(this=table, expressions=options))

    # ---- queries ----------------------------------------------------------------------------

    def _parse_table_parts(self, schema: bool = False, is_db_reference: bool = False, wildcard: bool = False, fast: bool = False):
        table = super()._parse_table_parts(schema=schema, is_db_reference=is_db_reference, wildcard=wildcard, fast=fast)
        if table is not None and not fast and self._curr and self._curr.token_type == TokenType.HINT:
            hint = self._parse_hint()
            self._prev_comments = None  # the hint's text is not also a comment
            if hint:
                # its own arg: sqlglot's _parse_table resets "hints" after the alias
                table.set("hint", hint)
        return table

    def _parse_bracket(self, this: exp.Expr | None = None) -> exp.Expr | None:
        # Flink's map constructor MAP[k1, v1, k2, v2, ...] (what the generator writes for a VarMap);
        # without this it would read as a subscript of a column named MAP.
        if (
            isinstance(this, exp.Column)
            and not this.table
            and not this.this.quoted
            and this.name.upper() == "MAP"
            and self._curr is not None
            and self._curr.token_type == TokenType.L_BRACKET
        ):
            self._advance()
            items = self._parse_csv(self._parse_assignment)
            if not self._match(TokenType.R_BRACKET):
                self.raise_error("Expected ]")
            if len(items) % 2:
                self.raise_error("MAP[...] needs key, value pairs")
            return exp.VarMap(keys=exp.Array(expressions=items[0::2]), values=exp.Array(expressions=items[1::2]))
        return super()._parse_bracket(this)

    def _parse_types(self, *args, **kwargs):
        # Flink allows nullability on nested types: ARRAY<INT NOT NULL>, MAP<STRING, INT NOT NULL>.
        self._type_depth += 1
        try:
            this = super()._parse_types(*args, **kwargs)
        finally:
            self._type_depth -= 1
        if isinstance(this, exp.DataType) and self._type_depth > 0 and self._match_pair(TokenType.NOT, TokenType.NULL):
            this.set("nullable", False)
        return this

    def _parse_window_function(self, cls: type[fx.WindowTableFunction]) -> fx.WindowTableFunction:
        positional: list[exp.Expr] = []
        named: dict[str, exp.Expr] = {}
        while True:
            keyword = None
            if self._next and self._next.token_type == TokenType.FARROW:
                keyword = self._curr.text.upper()
                self._advance(2)
            value = self._parse_window_argument()
            if keyword:
                if keyword not in fx.WINDOW_KWARGS:
                    self.raise_error(f"Unknown argument {keyword} of {cls.sql_names()[0]}")
                named[fx.WINDOW_KWARGS[keyword]] = value
            else:
                positional.append(value)
            if not self._match(TokenType.COMMA):
                break
        if not named and positional and not isinstance(positional[0], fx.TableArgument):
            # TUMBLE(time_attr, INTERVAL ...) in GROUP BY: the deprecated group window syntax
            return self.expression(fx.GroupWindowFunction(this=cls.sql_names()[0], expressions=positional))
        order = ("this", "timecol", *cls.INTERVAL_ARGS)
        args: dict[str, t.Any] = dict(zip(order, positional))
        args.update(named)
        if named:
            args["named"] = True
        return self.validate_expression(cls(**args))

    def _parse_window_argument(self) -> exp.Expr | None:
        if self._match(TokenType.TABLE):
            table = self._parse_table_parts(schema=True)
            partition = None
            if self._match(TokenType.PARTITION_BY):
                partition = [self._parse_column()]
                # the key list ends where the next argument (DESCRIPTOR(...) or NAME => ...) begins
                while (
                    self._curr
                    and self._curr.token_type == TokenType.COMMA
                    and self._next
                    and self._next.text.upper() != "DESCRIPTOR"
                    and not (self._index + 2 < len(self._tokens) and self._tokens[self._index + 2].token_type == TokenType.FARROW)
                ):
                    self._advance()
                    partition.append(self._parse_column())
            return self.expression(fx.TableArgument(this=table, partition_by=partition))
        return self._parse_assignment()

    def _parse_timestamp_arith(self, cls: type[exp.Expr]) -> exp.Expr:
        unit = self._parse_var(any_token=True, upper=True)
        self._match(TokenType.COMMA)
        first = self._parse_assignment()
        self._match(TokenType.COMMA)
        second = self._parse_assignment()
        if cls is exp.TimestampDiff:  # TIMESTAMPDIFF(unit, start, end) = end - start
            return self.expression(exp.TimestampDiff(this=second, expression=first, unit=unit))
        return self.expression(exp.TimestampAdd(this=second, expression=first, unit=unit))

    def _parse_floor_ceil(self, floor: bool) -> exp.Expr:
        this = self._parse_assignment()
        if self._match_text_seq("TO"):
            unit = self._parse_var(any_token=True, upper=True)
            if floor:
                return self.expression(exp.TimestampTrunc(this=this, unit=unit))
            return self.expression(fx.FloorCeilTo(this=this, unit=unit))
        decimals = self._match(TokenType.COMMA) and self._parse_assignment()
        cls = exp.Floor if floor else exp.Ceil
        return self.expression(cls(this=this, decimals=decimals or None))


# A statement set opens with STATEMENT SET BEGIN or BEGIN STATEMENT SET: the chunk can only start
# one when its latest token is BEGIN or SET.
_SET_OPENING_WORDS = frozenset(("BEGIN", "SET"))


def _may_hold_statement_set(raw_tokens: list[Token], sql: str | None) -> bool:
    if sql is not None and len(sql) >= (raw_tokens[-1].end if raw_tokens else 0):
        return "STATEMENT" in sql.upper()
    return any(token.text.upper() == "STATEMENT" for token in raw_tokens)


def _opens_statement_set(chunk: list[Token]) -> bool:
    words = [token.text.upper() for token in chunk[:8]]
    for start in range(len(words)):
        if words[start : start + 3] in (["STATEMENT", "SET", "BEGIN"], ["BEGIN", "STATEMENT", "SET"]):
            return (
                words[start] == "BEGIN" or start == 0 or words[start - 1] in ("EXECUTE", "EXPLAIN", ",", *EXPLAIN_DETAILS, "FOR")
            )
    return False


def _prev_is_separator(chunk: list[Token]) -> bool:
    return len(chunk) >= 2 and chunk[-2].token_type == TokenType.SEMICOLON
