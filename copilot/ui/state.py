"""Session-state guards: every key a page uses is created once with its default, whatever page loads first."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Mapping, MutableMapping

DEFAULTS: dict[str, Callable[[], Any]] = {
    "conversation_id": lambda: uuid.uuid4().hex,
    "messages": list,  # chat turns: {"role": "user"|"assistant", ...}
    "history": list,  # the agent's conversation turns (dicts)
    "runner": lambda: None,  # the LiveSession of the latest answer (copilot.agent.live)
    "chart_kind": lambda: None,  # the user's chart switch for the current result
    "focus_topic": lambda: None,  # set by "ask about its output" on the jobs page
    "pending_question": lambda: None,  # a suggestion clicked, asked on the next run
    "saved_jobs": dict,  # answer index -> saved job row
    "authenticated": lambda: False,
}


def ensure(state: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, make in DEFAULTS.items():
        if key not in state:
            state[key] = make()
    return state


def stop_runner(state: MutableMapping[str, Any], reason: str = "stopped") -> None:
    runner = state.get("runner")
    if runner is not None:
        runner.stop(reason)


def new_conversation(state: MutableMapping[str, Any]) -> None:
    stop_runner(state, "new conversation")
    for key in ("conversation_id", "messages", "history", "runner", "chart_kind", "saved_jobs"):
        state[key] = DEFAULTS[key]()


def proxy_user(headers: Mapping[str, str] | None, header: str | None) -> str | None:
    """The user an authenticating reverse proxy vouches for in `header`, if any (case-insensitive)."""
    if not header or not headers:
        return None
    wanted = header.lower()
    value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value.strip() or None if isinstance(value, str) else None


def password_ok(given: str | None, expected: str | None) -> bool:
    import hmac

    if not expected:
        return True
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
