"""What the pages need from the rest of the product, behind one small object per concern.
Nothing here imports Streamlit: the pages cache these objects and call them."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

from copilot import settings
from copilot.agent.answer import Answer
from copilot.agent.live import LiveSession
from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import TopicIndex
from copilot.catalog.ddl import create_table_sql
from copilot.catalog.model import TopicSchema
from copilot.errors import CopilotError

if TYPE_CHECKING:
    from copilot.agent.copilot import Copilot
    from copilot.wiring import Services

log = logging.getLogger(__name__)

_SQL_START = re.compile(r"^\s*(select|with|values)\b", re.IGNORECASE)


def active_planner() -> dict:
    model = settings.get("COPILOT_LLM")
    if model:
        return {"planner": "llm", "label": f"Language model {model} (built-in planner as fallback)"}
    return {"planner": "builtin", "label": "Built-in planner (no language model configured)"}


def stack_status() -> list[dict]:
    """Each component with running/address/version; never raises (a down stack is a status, not an error)."""
    from copilot.stack.launcher import Launcher

    try:
        return Launcher().status()
    except CopilotError as exc:
        return [{"component": "stack", "running": False, "address": "", "version": None, "detail": exc.message}]


class CatalogService:
    """The catalog and its search, from the app's composition root (copilot.wiring)."""

    def __init__(self, services: Services):
        self.services = services
        self.store = services.catalog
        self.notices: list[str] = []

    def topics(self) -> dict[str, TopicSchema]:
        return self.store.load().topics

    def problems(self) -> list[str]:
        return [str(p) for p in self.store.load().problems]

    def index(self) -> TopicIndex:
        """The catalog's retrieval index, (re)indexed incrementally on each call (cheap when unchanged)."""
        index = self.services.index
        index.index(self.topics())
        self.notices = list(index.notices)
        return index

    def search(self, text: str, k: int = 10) -> list[dict]:
        return [h.to_dict() for h in self.index().search(text, k)]

    def ddl(self, topic: str) -> str:
        return create_table_sql(self.store.get(topic))

    def referenced_by(self, topic: str) -> list[tuple[str, str, str]]:
        """(other topic, its field, our field) for relationships pointing at `topic`."""
        return [
            (t.topic, r.field, r.target_field) for t in self.topics().values() for r in t.relationships if r.target_topic == topic
        ]


class ChatService:
    """Asks the copilot (or checks SQL typed directly) and builds live sessions, for one browser session:
    its own gateway session (one user's tables never meet another's) and its own conversations."""

    def __init__(self, catalog: CatalogService, audit: AuditSink | None = None):
        self.catalog = catalog
        self.services = catalog.services
        self.gateway = self.services.new_gateway()
        self._audit = audit
        self._copilot: Copilot | None = None

    def copilot(self) -> Copilot:
        if self._copilot is None:
            self.catalog.index()  # indexed before the first question
            self._copilot = self.services.copilot(audit=self._audit, gateway=self.gateway)
        return self._copilot

    def ask(self, question: str, conversation_id: str, history: list[dict]) -> Answer:
        if settings.get("COPILOT_SERVICE") == "kafka":  # a worker answers (copilot/service); runs stay here
            return self._ask_service(question, conversation_id, continues=bool(history))
        if _SQL_START.match(question):
            answer = self.copilot().check_sql(question.strip().rstrip(";"), conversation_id=conversation_id)
            answer.question = question
        else:
            answer = self.copilot().ask(question, conversation_id=conversation_id, history=history)
        audit = self.copilot().audit
        if audit is not None:
            audit.flush(1.0)  # so the audit page shows this answer at once
        return answer

    def verify(self, question: str, sql: str, verified_by: str = "app") -> dict:
        """A person's 👍: keep `sql` as the verified answer to `question` in its topic's catalog file."""
        from copilot.agent.verified import store_verified

        entry, topic, path = store_verified(
            self.catalog.store, question, sql, verified_by, engine=self.gateway, audit=self.copilot().audit
        )
        return {"topic": topic, "file": path, "question": entry.question, "verified_at": entry.verified_at}

    def _ask_service(self, question: str, conversation_id: str, continues: bool) -> Answer:
        from copilot.service.events import Question, answer_from_event

        is_sql = bool(_SQL_START.match(question))
        event = self.services.bus.ask(
            Question(
                question="" if is_sql else question,
                user="app",
                sql=question.strip().rstrip(";") if is_sql else None,
                conversation_id=conversation_id,
                continues=continues,
            )
        )
        answer = answer_from_event(event)
        answer.question = question
        return answer

    def live(self, answer: Answer, *, max_rows: int, timeout: float) -> LiveSession:
        """The answer's live session, not started: the page starts it in the background (audited)."""
        # capacity bounds memory; max_rows above it means the view evicts old rows instead of stopping.
        return self.copilot().live(
            answer, max_rows=max_rows + 1, timeout=timeout, capacity=max_rows, display_rows=max_rows, label=answer.question[:40]
        )


class JobsService:
    def __init__(self, catalog: CatalogService, audit: AuditSink | None = None):
        self.services = catalog.services
        self.service = self.services.jobs(audit=audit)

    def list(self) -> list[dict]:
        return self.service.list()

    def save(self, name: str, sql: str, output_topic: str | None, replace: bool = False) -> dict:
        job = self.service.save(name, sql, output_topic or None, replace=replace)
        return self.state_of(job.name) or {"name": job.name, "output_topic": job.output_topic, "state": "SUBMITTED"}

    def preview(self, sql: str, last: str = "5m") -> dict:
        """The query's result over the last minutes of recorded data (copilot.eval.preview); nothing is saved."""
        from copilot.eval.preview import preview

        return preview(
            sql, self.service.catalog.load().topics, gateway=self.services.replay_gateway(), last=last, audit=self.service.audit
        )

    def state_of(self, name: str) -> dict | None:
        return next((j for j in self.list() if j["name"] == name), None)

    def stop(self, name: str, savepoint: bool = True) -> dict:
        job = self.service.stop(name, savepoint=savepoint)
        return {"name": job.name, "savepoint": job.savepoint}

    def delete(self, name: str, keep_topic: bool = False) -> dict:
        job = self.service.delete(name, keep_topic=keep_topic)
        return {"name": job.name, "output_topic": job.output_topic, "topic_deleted": not keep_topic}

    def resume(self, name: str) -> dict:
        job = self.service.resume(name)
        return {"name": job.name, "flink_job_id": job.flink_job_id}

    def wait_for_state(self, name: str, states: tuple[str, ...], timeout: float = 30.0) -> dict | None:
        deadline = time.monotonic() + timeout
        row = self.state_of(name)
        while row and row["state"] not in states and time.monotonic() < deadline:
            time.sleep(0.5)
            row = self.state_of(name)
        return row


def suggested_job_name(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    stop = {"the", "a", "an", "of", "in", "per", "by", "every", "how", "many", "what", "is", "are", "show", "me", "for"}
    name = "_".join(w for w in words if w not in stop)[:40].strip("_")
    if not name or not name[0].isalpha():
        name = "job_" + name
    return name if len(name) >= 3 else "my_job"
