"""`COPILOT_LLM=provider:model` → a LangChain chat model. Provider packages are imported only here,
only when configured, with an install hint matching the project's extras."""

from __future__ import annotations

import importlib

from copilot import settings
from copilot.errors import UsageError
from copilot.security.redact import redact

# provider → (module, class, keyword for the model name, pyproject extra)
PROVIDERS = {
    "openai": ("langchain_openai", "ChatOpenAI", "model", "openai"),
    "anthropic": ("langchain_anthropic", "ChatAnthropic", "model", "anthropic"),
    "ollama": ("langchain_ollama", "ChatOllama", "model", "ollama"),
}


def parse_spec(spec: str) -> tuple[str, str]:
    provider, sep, model = spec.partition(":")
    if not sep or not provider or not model:
        raise UsageError(
            f"COPILOT_LLM={redact(spec)!r} is not provider:model", hint="e.g. COPILOT_LLM=openai:gpt-4o-mini or ollama:llama3.1"
        )
    return provider.strip().lower(), model.strip()


def load_chat_model(spec: str | None = None, **kwargs):
    """The configured chat model, or None when no model is configured (the built-in planner is used)."""
    spec = spec if spec is not None else settings.get("COPILOT_LLM")
    if not spec:
        return None
    provider, model = parse_spec(spec)
    if provider not in PROVIDERS:
        raise UsageError(f"unknown model provider {provider!r}", hint=f"use one of: {', '.join(sorted(PROVIDERS))}")
    module_name, class_name, model_kw, extra = PROVIDERS[provider]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise UsageError(
            f"COPILOT_LLM uses {provider}, but the package {module_name} is not installed",
            hint=f"pip install 'flink-copilot[{extra}]'",
        ) from None
    return getattr(module, class_name)(**{model_kw: model, "temperature": 0, **kwargs})
