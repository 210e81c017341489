"""Flink's DDL forms that sqlglot's base parser does not know: ALTER TABLE schema changes,
CREATE CATALOG and DESCRIBE CATALOG. Mixed into `FlinkParser`."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from copilot.sql import expressions as fx


class FlinkDdlParserMixin:
    def _parse_alter_add_or_modify(self, verb: str) -> exp.Expr | list[exp.Expr]:
        # ADD [IF NOT EXISTS] PARTITION (...) keeps sqlglot's handling
        if verb == "ADD" and self._curr and self._curr.text.upper() in ("PARTITION", "IF"):
            return self._parse_alter_table_add()
        return self._parse_alter_schema(verb)

    def _parse_alter_drop_action_flink(self) -> exp.Expr | list[exp.Expr]:
        if self._curr and self._curr.text.upper() in ("PARTITION", "IF"):
            return self._parse_alter_table_drop()
        return self._parse_alter_drop()

    def _parse_alter_schema(self, verb: str) -> fx.AlterSchema:
        if self._match(TokenType.L_PAREN):
            components = self._parse_csv(self._parse_schema_component)
            self._match_r_paren()
            return self.expression(fx.AlterSchema(this=verb, expressions=components, wrapped=True))
        return self.expression(fx.AlterSchema(this=verb, expressions=[self._parse_schema_component()]))

    def _parse_schema_component(self) -> exp.Expr | None:
        return self._parse_constraint() or self._parse_field_def()

    def _parse_alter_drop(self) -> fx.AlterDrop:
        if self._match(TokenType.PRIMARY_KEY) or self._match_text_seq("PRIMARY", "KEY"):
            return self.expression(fx.AlterDrop(this="PRIMARY KEY"))
        if self._match_text_seq("WATERMARK"):
            return self.expression(fx.AlterDrop(this="WATERMARK"))
        if self._match(TokenType.CONSTRAINT):
            return self.expression(fx.AlterDrop(this="CONSTRAINT", expressions=[self._parse_id_var()]))
        if self._match(TokenType.L_PAREN):
            columns = self._parse_csv(self._parse_id_var)
            self._match_r_paren()
            return self.expression(fx.AlterDrop(this="COLUMN", expressions=columns, wrapped=True))
        return self.expression(fx.AlterDrop(this="COLUMN", expressions=[self._parse_id_var()]))

    def _parse_alter_reset(self) -> fx.AlterReset:
        return self.expression(fx.AlterReset(expressions=self._parse_wrapped_csv(self._parse_string)))

    def _parse_create_catalog(self) -> fx.CreateCatalog:
        exists = self._parse_exists(not_=True)
        name = self._parse_id_var()
        comment = self._match(TokenType.COMMENT) and self._parse_string()
        properties = None
        if self._match(TokenType.WITH):
            options = [
                fx.CatalogOption(this=p.this, value=p.args.get("value")) if type(p) is exp.Property else p
                for p in self._parse_wrapped_properties()
            ]
            properties = self.expression(exp.Properties(expressions=options))
        return self.expression(
            fx.CreateCatalog(this=name, kind="CATALOG", properties=properties, comment=comment or None, exists=bool(exists))
        )

    def _parse_describe_catalog(self) -> fx.DescribeCatalog | None:
        if not (self._next and self._next.text.upper() == "CATALOG"):
            return None
        self._advance(2)
        extended = self._match_text_seq("EXTENDED")
        return self.expression(fx.DescribeCatalog(this=self._parse_id_var(), extended=bool(extended)))

    def _parse_column_def(self, this: exp.Expr | None, computed_column: bool = True) -> exp.Expr | None:
        # Flink's computed column is `name AS expr [COMMENT 'c'] [FIRST | AFTER col]` with no type after
        # the expression: sqlglot's generic path would read a following AFTER as a type name.
        if not (computed_column and self._curr and self._curr.token_type == TokenType.ALIAS):
            return super()._parse_column_def(this, computed_column)
        self._advance()
        if isinstance(this, exp.Column):
            this = this.this
        computed = exp.ComputedColumnConstraint(this=self._parse_disjunction(), persisted=False)
        constraints = [self.expression(exp.ColumnConstraint(kind=computed))]
        while constraint := self._parse_column_constraint():
            constraints.append(constraint)
        position = None
        if self._match_texts(("FIRST", "AFTER")):
            keyword = self._prev.text
            position = self.expression(exp.ColumnPosition(this=self._parse_column(), position=keyword))
        return self.expression(exp.ColumnDef(this=this, constraints=constraints, position=position))
