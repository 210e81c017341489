"""LlmPlanner: a LangChain chat model writes the SQL; the agent validates it before anything runs."""

from __future__ import annotations

import logging

from langchain_core.messages import AIMessage

from copilot.agent.base import Draft, Planner, PlannerFailure, PlanRequest
from copilot.agent.components import analyse, describe_sql
from copilot.agent.llm.parse import parse_reply, reply_text
from copilot.agent.llm.prompts import build_messages, repair_message
from copilot.agent.suggest import suggestions
from copilot.security.redact import redact

log = logging.getLogger(__name__)


class LlmPlanner(Planner):
    name = "llm"

    def __init__(self, model):
        self.model = model
        self._conversation: dict[int, list] = {}  # id(request) → messages so far, for repairs

    def _invoke(self, messages):
        try:
            return self.model.invoke(messages)
        except Exception as exc:  # any provider error (network, auth, quota) → fall back
            raise PlannerFailure(redact(f"{type(exc).__name__}: {exc}")) from exc  # SDK errors quote keys

    def _draft(self, request: PlanRequest, messages: list, reply) -> Draft:
        self._conversation = {id(request): messages + [AIMessage(reply_text(reply) or "")]}
        parsed = parse_reply(reply)
        if parsed.cannot_answer:
            return Draft(planner=self.name, confident=False, reason=f"The model could not answer: {parsed.cannot_answer}",
                         suggestions=suggestions(request.topics, request.retrieved))
        if not parsed.sql:
            raise PlannerFailure("the model's reply contained no SQL")
        try:
            tables = analyse(parsed.sql).tables
        except Exception:  # unparsable SQL still goes to the validator, which reports where
            tables = []
        explanation = parsed.explanation or describe_sql(parsed.sql)
        return Draft(planner=self.name, sql=parsed.sql, tables=tables, explanation=explanation)

    def plan(self, request: PlanRequest) -> Draft:
        messages = build_messages(request)
        return self._draft(request, messages, self._invoke(messages))

    def repair(self, request: PlanRequest, draft: Draft, errors: list[dict]) -> Draft | None:
        messages = self._conversation.get(id(request)) or build_messages(request)
        messages = messages + [repair_message(request, errors)]
        return self._draft(request, messages, self._invoke(messages))
