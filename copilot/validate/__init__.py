"""The validation pipeline every statement passes: parse -> policy -> catalog -> engine."""

from copilot.validate.pipeline import check, validate
from copilot.validate.result import ValidationIssue, ValidationResult

__all__ = ["check", "validate", "ValidationIssue", "ValidationResult"]
