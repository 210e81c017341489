"""The language-model planner: any LangChain chat model, prompts from `prompts/`, robust reply parsing."""

from copilot.agent.llm.models import load_chat_model
from copilot.agent.llm.planner import LlmPlanner

__all__ = ["LlmPlanner", "load_chat_model"]
