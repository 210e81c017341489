"""sqlglot's test idiom (validate_identity / validate_all), for a plugin dialect."""

from __future__ import annotations

import unittest

from sqlglot import exp, parse_one, transpile


class Validator(unittest.TestCase):
    dialect = "flink"

    def validate_identity(self, sql: str, write_sql: str | None = None) -> exp.Expr:
        expression = parse_one(sql, read=self.dialect)
        self.assertEqual(write_sql or sql, expression.sql(dialect=self.dialect))
        return expression

    def validate_all(self, sql: str, read: dict[str, str] | None = None, write: dict[str, str] | None = None) -> exp.Expr:
        expression = parse_one(sql, read=self.dialect)
        for read_dialect, read_sql in (read or {}).items():
            with self.subTest(f"{read_dialect} -> {self.dialect}"):
                self.assertEqual(sql, parse_one(read_sql, read=read_dialect).sql(self.dialect))
        for write_dialect, write_sql in (write or {}).items():
            with self.subTest(f"{self.dialect} -> {write_dialect}"):
                self.assertEqual(write_sql, transpile(sql, read=self.dialect, write=write_dialect)[0])
        return expression
