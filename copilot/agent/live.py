"""A live query whose submission goes to the copilot's audit trail."""

from __future__ import annotations

from typing import Any, Callable

from copilot.agent.answer import Answer
from copilot.flink.live import LiveQuery


class AuditedLiveQuery(LiveQuery):
    """Records `submission` before the statement reaches Flink and `submission_failed` if submitting it
    fails, whoever starts it: the CLI at once, the app's runner thread later."""

    def __init__(self, record: Callable[..., None], answer: Answer, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._record = record
        self._answer = answer

    def start(self) -> "AuditedLiveQuery":
        if self.operation is not None:
            return self
        a = self._answer
        # the audited text is the statement's canonical text: exactly what is submitted
        self._record("submission", a.conversation_id, a.question, sql=self.sql, planner=a.planner, verdict="valid",
                     tables=list(self.statement.tables), hints=list(self.statement.hints))
        try:
            super().start()
        except Exception as exc:
            self._record("submission_failed", a.conversation_id, a.question, sql=self.sql, planner=a.planner,
                         reason=str(exc))
            raise
        return self

    def on_refused(self, found: list) -> None:
        a = self._answer
        self._record("submission_refused", a.conversation_id, a.question, sql=self.sql, planner=a.planner,
                     verdict="refused", stage="engine", job_id=self.job_id,
                     errors=[{"stage": "engine", "reason": d.reason, "message": d.message} for d in found])
