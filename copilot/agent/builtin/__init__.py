"""The built-in planner: deterministic, catalog-driven question → Flink SQL."""

from copilot.agent.builtin.planner import BuiltinPlanner

__all__ = ["BuiltinPlanner"]
