"""LlmPlanner: a LangChain chat model fills a `QueryPlan` through structured output (tool calling),
with enums of the retrieved topics' fields, metrics and values; the plan is checked against the
catalog and compiled to SQL. Free SQL is a fallback for what a plan cannot express, and goes
through the same validation. Wrong enums, missing fields and plans that do not fit the catalog are
fed back to the model (at most MAX_PLAN_FIXES times); the validator's findings go back as repairs.

A model without tool calling gets the plain prompt and its reply is read as SQL (`parse`)."""

from __future__ import annotations

import logging

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from copilot.agent.base import Draft, Planner, PlannerFailure, PlanRequest
from copilot.agent.components import analyse, describe_sql
from copilot.agent.llm.parse import parse_reply, reply_text
from copilot.agent.llm.prompts import build_messages, build_plan_messages, chosen_topics, plan_repair_message, repair_message
from copilot.agent.llm.schema import reply_schema, to_query_plan
from copilot.agent.suggest import suggestions
from copilot.plan.check import check_plan
from copilot.plan.compile import compile_plan
from copilot.plan.explain import explain_plan
from copilot.security.redact import redact

log = logging.getLogger(__name__)
MAX_PLAN_FIXES = 2
FREE_SQL_NOTICE = "the model wrote this query as SQL because a plan could not express the question"


class _Unusable(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class LlmPlanner(Planner):
    name = "llm"

    def __init__(self, model):
        self.model = model
        self._conversation: dict[int, list] = {}  # id(request) → messages so far, for repairs
        self._structured: dict[int, tuple] = {}  # id(request) → (runnable, topics) of the plan path

    def _invoke(self, runnable, messages):
        try:
            return runnable.invoke(messages)
        except Exception as exc:  # any provider error (network, auth, quota) → fall back
            raise PlannerFailure(redact(f"{type(exc).__name__}: {exc}")) from exc  # SDK errors quote keys

    # -- the plan path ------------------------------------------------------------------------------
    def _plan_runnable(self, schema: type[BaseModel]):
        try:
            return self.model.with_structured_output(schema, include_raw=True)
        except NotImplementedError:  # no tool calling: the plain SQL prompt
            return None

    def plan(self, request: PlanRequest) -> Draft:
        self._conversation.pop(id(request), None)
        self._structured.pop(id(request), None)
        topics = chosen_topics(request)
        runnable = self._plan_runnable(reply_schema(topics))
        if runnable is None:
            messages = build_messages(request)
            return self._sql_draft(request, messages, self._invoke(self.model, messages))
        self._structured[id(request)] = (runnable, topics)
        return self._plan_draft(request, build_plan_messages(request, topics))

    def _plan_draft(self, request: PlanRequest, messages: list[BaseMessage]) -> Draft:
        runnable, _ = self._structured[id(request)]
        problems: list[str] = []
        for _attempt in range(1 + MAX_PLAN_FIXES):
            out = self._invoke(runnable, messages)
            raw = out.get("raw") if isinstance(out, dict) else None
            messages = messages + ([raw] if isinstance(raw, AIMessage) else [])
            try:
                draft = self._use(request, out)
            except _Unusable as exc:
                problems = exc.problems
                messages = messages + [self._feedback(request, raw, problems)]
                continue
            self._conversation[id(request)] = messages
            return draft
        raise PlannerFailure("the model's answer stayed unusable: " + "; ".join(problems)[:400])

    def _feedback(self, request: PlanRequest, raw, problems: list) -> BaseMessage:
        calls = getattr(raw, "tool_calls", None) or []
        message = plan_repair_message(request, problems)
        if calls:  # a tool call is answered by a tool message (providers require it)
            return ToolMessage(content=message.content, tool_call_id=calls[0].get("id") or "answer")
        return message

    def _use(self, request: PlanRequest, out) -> Draft:
        if not isinstance(out, dict):
            raise _Unusable(["the answer was not in the Answer form"])
        if out.get("parsing_error") is not None:
            raise _Unusable(_describe(out["parsing_error"]))
        answer = out.get("parsed")
        if answer is None:
            raise _Unusable(["answer with the Answer tool: a plan, or sql, or cannot_answer"])
        if getattr(answer, "cannot_answer", None) and not answer.plan and not answer.sql:
            return Draft(
                planner=self.name,
                confident=False,
                reason=f"The model could not answer: {answer.cannot_answer}",
                suggestions=suggestions(request.topics, request.retrieved),
            )
        if answer.plan is not None:
            try:
                plan = to_query_plan(answer.plan)
            except ValidationError as exc:
                raise _Unusable(_describe(exc)) from None
            problems = check_plan(plan, request.topics)
            if problems:
                raise _Unusable(problems)
            sql = compile_plan(plan, request.topics)
            return Draft(
                planner=self.name,
                sql=sql,
                tables=plan.tables,
                explanation=explain_plan(plan, request.topics),
                state={"plan": plan.to_dict()},
            )
        if answer.sql:
            sql = answer.sql.strip().rstrip(";").rstrip()
            try:
                tables = analyse(sql).tables
            except Exception:  # unparsable SQL still goes to the validator, which reports where
                tables = []
            return Draft(
                planner=self.name,
                sql=sql,
                tables=tables,
                explanation=answer.explanation or describe_sql(sql),
                notices=[FREE_SQL_NOTICE],
            )
        raise _Unusable(["the answer had neither a plan, nor sql, nor cannot_answer"])

    # -- the plain SQL path (models without tool calling) -------------------------------------------
    def _sql_draft(self, request: PlanRequest, messages: list, reply) -> Draft:
        self._conversation[id(request)] = messages + [AIMessage(reply_text(reply) or "")]
        parsed = parse_reply(reply)
        if parsed.cannot_answer:
            return Draft(
                planner=self.name,
                confident=False,
                reason=f"The model could not answer: {parsed.cannot_answer}",
                suggestions=suggestions(request.topics, request.retrieved),
            )
        if not parsed.sql:
            raise PlannerFailure("the model's reply contained no SQL")
        try:
            tables = analyse(parsed.sql).tables
        except Exception:
            tables = []
        explanation = parsed.explanation or describe_sql(parsed.sql)
        return Draft(planner=self.name, sql=parsed.sql, tables=tables, explanation=explanation)

    def repair(self, request: PlanRequest, draft: Draft, errors: list[dict]) -> Draft | None:
        messages = self._conversation.get(id(request))
        if id(request) in self._structured and messages is not None:
            shown = [
                {k: e.get(k) for k in ("stage", "message", "line", "column", "hint") if e.get(k) is not None} for e in errors
            ]
            last = messages[-1] if messages else None
            return self._plan_draft(request, messages + [self._feedback(request, last, shown)])
        messages = (messages or build_messages(request)) + [repair_message(request, errors)]
        return self._sql_draft(request, messages, self._invoke(self.model, messages))


def _describe(error) -> list[str]:
    """Pydantic errors as short sentences with their path: `plan.filters.0.values.0: Input should be 'CODE_A' or 'CODE_B'`."""
    if isinstance(error, ValidationError):
        out = []
        for e in error.errors()[:8]:
            where = ".".join(str(p) for p in e.get("loc", ()))
            out.append(
                f"{where}: {e.get('msg')}"
                + (f" (got {e['input']!r})" if "input" in e and not isinstance(e["input"], (dict, list)) else "")
            )
        return out
    return [str(error)[:400]]
