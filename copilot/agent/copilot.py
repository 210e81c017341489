"""The agent loop: retrieve → plan → validate (all stages) → repair (≤ 2) → answer → optionally run.

Every step goes to the audit sink. A model planner that fails (unreachable, error, a reply without
SQL) hands over to the built-in planner; a query that stays invalid after its repairs is answered
as invalid, with the validator's reasons."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from typing import Any

from copilot.agent.answer import Answer
from copilot.agent.builtin import BuiltinPlanner
from copilot.agent.components import describe_sql
from copilot.agent.live import LiveSession, SubmissionAudit
from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import CatalogStore, TopicIndex
from copilot.capabilities.engine import SqlEngine, SqlGateway
from copilot.capabilities.planner import Draft, Planner, PlannerFailure, PlanRequest, Turn
from copilot.catalog.model import TopicSchema
from copilot.errors import RequestError, ServiceUnavailable

log = logging.getLogger(__name__)
MAX_REPAIRS = 2
MAX_TURNS = 20
MAX_CONVERSATIONS = 1000
RETRIEVE_K = 5


class Copilot:
    """One agent over one catalog. `catalog` is a store (reloaded when its files change) or a fixed
    {topic: schema}; `engine` checks statements with Flink's planner (None: the checks without it);
    `gateway` runs live queries; `fallback` answers when `planner` fails (default: the built-in one)."""

    def __init__(
        self,
        catalog: CatalogStore | dict[str, TopicSchema],
        index: TopicIndex | None = None,
        planner: Planner | None = None,
        engine: SqlEngine | None = None,
        audit: AuditSink | None = None,
        gateway: SqlGateway | None = None,
        fallback: Planner | None = None,
    ):
        self._catalog = catalog
        self.index = index
        self.builtin = fallback or BuiltinPlanner()
        self.planner = planner or self.builtin
        self.engine = engine
        self.audit = audit
        self.gateway = gateway
        self.conversations: dict[str, list[Turn]] = {}
        self._indexed_for: int | None = None

    # -- catalog and retrieval ------------------------------------------------------------
    @property
    def topics(self) -> dict[str, TopicSchema]:
        if isinstance(self._catalog, dict):
            return self._catalog
        return self._catalog.load().topics  # a store: reloads only when files changed

    def retrieve(self, question: str, k: int = RETRIEVE_K) -> list[tuple[str, float]]:
        if self.index is None:
            return []
        topics = self.topics
        if self._indexed_for != id(topics):
            self.index.index(topics)
            self._indexed_for = id(topics)
        return [(hit.topic, float(hit.score)) for hit in self.index.search(question, k)]

    # -- audit --------------------------------------------------------------------------------
    def _record(self, kind: str, conversation_id: str, question: str, **data: Any) -> None:
        if self.audit is None:
            return
        event = {"type": kind, "time": time.time(), "conversation_id": conversation_id, "question": question, **data}
        try:
            self.audit.record(event)
        except Exception as exc:  # the audit trail must never break an answer
            log.warning("audit event %s not recorded: %s", kind, exc)

    # -- the loop -------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        history: Iterable[Turn | dict[str, Any]] | None = None,
        run: bool = False,
        max_rows: int = 100,
        timeout: float = 60.0,
    ) -> Answer:
        cid = conversation_id or uuid.uuid4().hex
        turns = self._turns(cid, history)
        self._record("question", cid, question, history_turns=len(turns))
        retrieved = self.retrieve(question)
        self._record("retrieved", cid, question, topics=[{"topic": t, "score": round(s, 4)} for t, s in retrieved])
        request = PlanRequest(question, self.topics, retrieved, turns)

        answer, notices = self._from_verified(request, cid), []
        planners = [self.planner] if self.planner is self.builtin else [self.planner, self.builtin]
        for planner in planners if answer is None else []:
            try:
                answer = self._plan_and_validate(planner, request, cid)
            except PlannerFailure as exc:
                notices.append(f"the {planner.name} planner failed ({exc}); using the built-in planner")
                self._record("planner_failed", cid, question, planner=planner.name, reason=str(exc))
                continue
            break  # an invalid answer is an answer: its errors say why (policy refusals must stay visible)
        assert answer is not None
        answer.notices = notices + answer.notices
        answer.retrieved = [{"topic": t, "score": round(s, 4)} for t, s in retrieved]
        self._remember(cid, turns, Turn(question, answer.sql, answer.plan, answer.planner, answer.valid))
        self._record(
            "answer",
            cid,
            question,
            sql=answer.sql,
            verdict="valid" if answer.valid else "invalid",
            planner=answer.planner,
            errors=answer.errors,
            engine_checked=answer.engine_checked,
            plan=answer.plan,
        )
        if run and answer.valid:
            self.run(answer, max_rows=max_rows, timeout=timeout)
        return answer

    def check_sql(
        self, sql: str, conversation_id: str | None = None, run: bool = False, max_rows: int = 100, timeout: float = 60.0
    ) -> Answer:
        """SQL written by a person: the same validation, explanation and audit as a planned query."""
        cid = conversation_id or uuid.uuid4().hex
        self._record("question", cid, "", sql=sql, planner="user")
        answer = Answer(question="", conversation_id=cid, planner="user", sql=sql)
        self._validate_into(answer, sql, cid, "")
        if answer.valid:
            answer.explanation = describe_sql(answer.sql or "")
        self._record(
            "answer",
            cid,
            "",
            sql=answer.sql,
            verdict="valid" if answer.valid else "invalid",
            planner="user",
            errors=answer.errors,
        )
        if run and answer.valid:
            self.run(answer, max_rows=max_rows, timeout=timeout)
        return answer

    def _remember(self, cid: str, turns: list[Turn], turn: Turn) -> None:
        """Keep the conversation (bounded: a long-running app must not grow without limit)."""
        self.conversations.pop(cid, None)
        self.conversations[cid] = (turns + [turn])[-MAX_TURNS:]
        while len(self.conversations) > MAX_CONVERSATIONS:
            self.conversations.pop(next(iter(self.conversations)))  # the least recently used

    def _turns(self, cid: str, history: Iterable[Turn | dict[str, Any]] | None) -> list[Turn]:
        if history is None:
            return list(self.conversations.get(cid, []))
        return [h if isinstance(h, Turn) else Turn.from_dict(h) for h in history]

    def _from_verified(self, request: PlanRequest, cid: str) -> Answer | None:
        """The same question (after normalisation) as one a person verified: answered with its query."""
        from copilot.agent.verified import find_verified

        match = find_verified(request.question, request.topics)
        if match is None:
            return None
        q = request.question
        draft = Draft(
            planner="verified",
            sql=match.query.sql,
            tables=[match.topic],
            notices=[
                f"answered from a query {match.query.verified_by or 'a person'} verified"
                + (f" on {match.query.verified_at[:10]}" if match.query.verified_at else "")
                + f" for {match.query.question!r}"
            ],
        )
        self._record_draft(draft, cid, q, attempt=0)
        answer = self._from_draft(draft, cid, q)
        self._validate_into(answer, draft.sql, cid, q)
        return answer if answer.valid else None  # the catalog changed since: plan afresh

    def _plan_and_validate(self, planner: Planner, request: PlanRequest, cid: str) -> Answer:
        q = request.question
        draft = planner.plan(request)
        self._record_draft(draft, cid, q, attempt=0)
        answer = self._from_draft(draft, cid, q)
        if not draft.confident:
            return answer
        self._validate_into(answer, draft.sql, cid, q)
        while not answer.valid and answer.repairs < MAX_REPAIRS:
            repaired = planner.repair(request, draft, answer.errors)
            if repaired is None or not repaired.confident or not repaired.sql:
                break
            draft = repaired
            repairs = answer.repairs + 1
            self._record_draft(draft, cid, q, attempt=repairs)
            answer = self._from_draft(draft, cid, q)
            answer.repairs = repairs
            self._validate_into(answer, draft.sql, cid, q)
        return answer

    def _record_draft(self, draft: Draft, cid: str, q: str, attempt: int) -> None:
        self._record(
            "draft", cid, q, planner=draft.planner, attempt=attempt, sql=draft.sql, confident=draft.confident, reason=draft.reason
        )

    def _from_draft(self, draft: Draft, cid: str, q: str) -> Answer:
        answer = Answer(
            question=q,
            conversation_id=cid,
            planner=draft.planner,
            sql=draft.sql,
            tables=list(draft.tables),
            explanation=draft.explanation,
            suggestions=list(draft.suggestions),
            notices=list(draft.notices),
            chart=draft.chart,
            plan=draft.state,
        )
        if not draft.confident:
            answer.errors = [
                {
                    "stage": "plan",
                    "message": draft.reason or "the question could not be answered",
                    "line": None,
                    "column": None,
                    "hint": "try one of the suggested questions",
                }
            ]
            answer.stage = "plan"
            if draft.clarification:  # asking back: the options are complete follow-up questions
                answer.stage, answer.sql, answer.valid = "clarify", None, False
                answer.clarification = draft.clarification
                answer.errors[0].update(stage="clarify", hint="choose one of the options")
        return answer

    def _validate_into(self, answer: Answer, sql: str | None, cid: str, q: str) -> None:
        from copilot.validate import validate

        result = validate(sql or "", catalog=self.topics, engine=self.engine)
        answer.valid = bool(result.valid)
        answer.stage = result.stage
        answer.statement_kind = result.statement_kind
        answer.errors = [e.to_dict() for e in result.errors]
        answer.engine_checked = self.engine is not None and (result.valid or result.stage == "engine")
        if result.tables:
            answer.tables = list(dict.fromkeys(list(result.tables)))
        if result.valid:  # from here on the canonical text is shown, explained, audited and run
            answer.statement = result.statement
            answer.sql = result.sql
        if not answer.explanation and answer.valid:
            answer.explanation = describe_sql(answer.sql or "")
        self._record(
            "verdict",
            cid,
            q,
            sql=answer.sql if result.valid else sql,
            verdict="valid" if result.valid else "invalid",
            stage=result.stage,
            errors=answer.errors,
            planner=answer.planner,
            engine_checked=answer.engine_checked,
        )

    # -- running live ----------------------------------------------------------------------
    def table_ddls(self, tables: Iterable[str]) -> dict[str, Any]:
        """{table: TrustedStatement.create_table} for the catalog tables among `tables`."""
        from copilot.catalog.ddl import table_statements

        return table_statements(tables, self.topics)

    def live(
        self,
        answer: Answer,
        max_rows: int = 100,
        timeout: float = 60.0,
        *,
        capacity: int = 10_000,
        display_rows: int = 500,
        label: str = "",
    ) -> LiveSession:
        """The live session of a valid answer, not started: nothing reaches Flink until the caller starts
        it (`start()`/`batches()`/`run()` in the foreground, `start_background()` in the app). Its
        submission is audited before it reaches Flink, so a statement is on the trail even if
        submitting it fails."""
        from copilot.flink.live import LiveQuery

        if not answer.valid or not answer.sql:
            raise RequestError("only a valid query can run", hint="fix the errors reported for it first")
        missing = [t for t in answer.tables if t not in self.topics]
        if missing:
            raise RequestError(f"unknown table(s): {', '.join(missing)}", hint="see `flink-copilot catalog list`")
        if self.gateway is None:
            raise ServiceUnavailable(
                "Flink SQL Gateway",
                "",
                "this copilot was built without a gateway",
                hint="build it with copilot.wiring (or pass gateway=)",
            )
        statement = answer.statement
        if statement is None or statement.sql != answer.sql:  # an answer rebuilt from history: check it again
            from copilot.validate import check

            statement = answer.statement = check(answer.sql, catalog=self.topics)
            answer.sql = statement.sql
        audit = SubmissionAudit(self._record, answer)
        query = LiveQuery(
            self.gateway,
            statement,
            self.table_ddls(statement.tables),
            max_rows=max_rows,
            timeout=timeout,
            capacity=capacity,
            on_refused=audit.refused,
        )
        return LiveSession(query, audit=audit, display_rows=display_rows, label=label or answer.question[:40])

    def run(self, answer: Answer, max_rows: int = 100, timeout: float = 60.0, session: LiveSession | None = None) -> Answer:
        """Run the answer's query to a stop condition (or consume `session`, already read by the caller)
        and put its rows into the answer."""
        if session is None:
            session = self.live(answer, max_rows=max_rows, timeout=timeout)
            session.run()
        result = session.result()
        answer.columns = result["columns"]
        answer.rows = result["rows"]
        answer.run = {k: result[k] for k in ("changes", "stopped", "job_id", "column_types")}
        self._record(
            "result",
            answer.conversation_id,
            answer.question,
            sql=answer.sql,
            planner=answer.planner,
            rows=len(answer.rows),
            stopped=result["stopped"],
            job_id=result["job_id"],
        )
        return answer
