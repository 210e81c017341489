"""The validation pipeline every statement passes: parse -> policy -> catalog -> engine."""

from copilot.validate.pipeline import validate
from copilot.validate.result import ValidationIssue, ValidationResult

__all__ = ["validate", "ValidationIssue", "ValidationResult"]
