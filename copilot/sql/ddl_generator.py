"""Generator methods for the DDL nodes of `copilot.sql.ddl_parser`. Mixed into `FlinkGenerator`."""

from __future__ import annotations

from sqlglot import exp

from copilot.sql import expressions as fx


class FlinkDdlGeneratorMixin:
    def alterschema_sql(self, expression: fx.AlterSchema) -> str:
        components = self.expressions(expression, flat=True)
        if expression.args.get("wrapped"):
            components = f"({components})"
        return f"{expression.text('this')} {components}"

    def alterdrop_sql(self, expression: fx.AlterDrop) -> str:
        kind = expression.text("this")
        names = self.expressions(expression, flat=True)
        if kind == "COLUMN":
            return f"DROP ({names})" if expression.args.get("wrapped") else f"DROP {names}"
        return f"DROP {kind} {names}" if names else f"DROP {kind}"

    def alterreset_sql(self, expression: fx.AlterReset) -> str:
        return f"RESET ({self.expressions(expression, flat=True)})"

    def renamecolumn_sql(self, expression: exp.RenameColumn) -> str:
        return f"RENAME {self.sql(expression, 'this')} TO {self.sql(expression, 'to')}"

    def createcatalog_sql(self, expression: fx.CreateCatalog) -> str:
        exists = " IF NOT EXISTS" if expression.args.get("exists") else ""
        comment = self.sql(expression, "comment")
        comment = f" COMMENT {comment}" if comment else ""
        properties = self.sql(expression, "properties")
        properties = f" {properties}" if properties else ""
        return f"CREATE CATALOG{exists} {self.sql(expression, 'this')}{comment}{properties}"

    def catalogoption_sql(self, expression: fx.CatalogOption) -> str:
        return f"{self.property_name(expression, string_key=True)} = {self.sql(expression, 'value')}"

    def describecatalog_sql(self, expression: fx.DescribeCatalog) -> str:
        extended = " EXTENDED" if expression.args.get("extended") else ""
        return f"DESCRIBE CATALOG{extended} {self.sql(expression, 'this')}"

    def groupwindowfunction_sql(self, expression: fx.GroupWindowFunction) -> str:
        return self.func(expression.text("this"), *expression.expressions)
