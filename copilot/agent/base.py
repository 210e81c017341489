"""The agent's capabilities, re-exported for the modules that import them from here: the planner's
interface and data (copilot.capabilities.planner) and the audit sink (copilot.capabilities.audit)."""

from __future__ import annotations

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.planner import Draft, Planner, PlannerFailure, PlanRequest, Turn

__all__ = ["AuditSink", "Draft", "PlanRequest", "Planner", "PlannerFailure", "Turn"]
