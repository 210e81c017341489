"""What the MCP tools do, independent of the protocol: the same Copilot, validation, policy, JobService and
audit trail as the command line. Every audit event of a call names the MCP client that made it."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from copilot import settings
from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import TopicIndex
from copilot.capabilities.engine import SqlGateway
from copilot.capabilities.jobs import Jobs
from copilot.errors import RequestError, ServiceUnavailable, UsageError

if TYPE_CHECKING:
    from copilot.agent.copilot import Copilot
    from copilot.wiring import Services

log = logging.getLogger(__name__)
SAMPLE_MAX = 20
SEARCH_MAX = 20
ENGINE_PROBE_TTL_S = 30.0


@dataclass(frozen=True)
class ClientIdentity:
    """Who called: the name and version the MCP client declared, and the transport it came over."""

    name: str
    version: str
    transport: str

    def to_dict(self) -> dict:
        return {"via": "mcp", "name": self.name, "version": self.version, "transport": self.transport}


class ClientAudit(AuditSink):
    """Adds the MCP client to every event before it reaches the real sink."""

    def __init__(self, inner: AuditSink, client: ClientIdentity):
        self.inner, self.client = inner, client

    def record(self, event: dict) -> None:
        self.inner.record({**event, "client": self.client.to_dict()})

    def flush(self, timeout: float = 5.0) -> None:
        self.inner.flush(timeout)


def writes_allowed() -> bool:
    """save_job and stop_job exist only when COPILOT_MCP_ALLOW_WRITES is true and COPILOT_READ_ONLY is not."""
    return settings.get_bool("COPILOT_MCP_ALLOW_WRITES") and not settings.get_bool("COPILOT_READ_ONLY")


class CopilotTools:
    """One per server process; safe to call from several worker threads."""

    def __init__(self, services: Services, audit: AuditSink):
        """`services`: the composition root's parts (catalog, index, gateway, planner); `audit`: the sink
        every call's events go to, each wrapped with the calling client's identity."""
        self.services = services
        self.store = services.catalog
        self.audit = audit
        self.max_rows = settings.get_int("COPILOT_MCP_MAX_ROWS")
        self.max_seconds = float(settings.get_int("COPILOT_MCP_MAX_SECONDS"))
        self._lock = threading.RLock()
        self._copilots: dict[ClientIdentity, Copilot] = {}

    # -- shared services ------------------------------------------------------------------------
    def topics(self) -> dict:
        loaded = self.store.load()
        for problem in loaded.problems:
            log.warning("catalog: %s", problem)
        return loaded.topics

    def _index_for_search(self) -> TopicIndex:
        return self.services.index

    def gateway(self) -> SqlGateway:
        return self.services.gateway

    def engine(self, notices: list[str]) -> SqlGateway | None:
        """The gateway for Flink's planner check when it answers (probed at most every 30 s), else None."""
        return self.services.engine(notices)

    def copilot(self, client: ClientIdentity, notices: list[str]) -> Copilot:
        """A Copilot per client (its own conversations; its audit events name it), sharing index and gateway."""
        engine = self.engine(notices)
        with self._lock:
            copilot = self._copilots.get(client)
            if copilot is None:
                copilot = self.services.copilot(audit=ClientAudit(self.audit, client), engine=False)
                self._copilots[client] = copilot
        copilot.engine = engine
        return copilot

    def _flush(self) -> None:
        self.audit.flush(5.0)

    # -- tools ------------------------------------------------------------------------------------
    def search_topics(self, query: str, k: int = 5) -> dict:
        if not query.strip():
            raise UsageError("the query is empty", hint="describe what you look for, e.g. 'payment declines'")
        k = max(1, min(int(k), SEARCH_MAX))
        topics = self.topics()
        index = self._index_for_search()
        index.index(topics)
        hits = index.search(query, k)
        return {
            "results": [{**h.to_dict(), "description": topics[h.topic].description if h.topic in topics else ""} for h in hits],
            "notices": list(index.notices),
        }

    def describe_topic(self, topic: str, sample: int = 5) -> dict:
        from copilot.catalog.ddl import create_table_sql
        from copilot.cli.catalog import topic_details

        topics = self.topics()
        schema = self.store.get(topic)
        data = topic_details(schema, topics)
        data.pop("file", None)
        data["ddl"] = create_table_sql(schema)
        n = max(0, min(int(sample), SAMPLE_MAX))
        if n:
            data["sample"], data["sample_error"] = [], None
            try:
                from copilot.catalog.kafka_io import latest_records

                data["sample"] = [r.to_dict(position=False) for r in latest_records(schema.topic, n, timeout=5.0)]
            except Exception as exc:  # the description is still useful without the sample
                data["sample_error"] = f"no live sample: {exc}"
        return data

    def ask(self, client: ClientIdentity, question: str, conversation_id: str | None = None) -> dict:
        if not question.strip():
            raise UsageError("the question is empty", hint="ask e.g. 'revenue per country every minute'")
        notices: list[str] = []
        copilot = self.copilot(client, notices)
        try:
            answer = copilot.ask(question, conversation_id=conversation_id or None)
        finally:
            self._flush()
        answer.notices = notices + answer.notices
        return answer.to_dict()

    def validate_sql(self, client: ClientIdentity, sql: str) -> dict:
        _check_size(sql)
        notices: list[str] = []
        copilot = self.copilot(client, notices)
        try:
            answer = copilot.check_sql(sql)
        finally:
            self._flush()
        return {
            "valid": answer.valid,
            "stage": answer.stage,
            "errors": answer.errors,
            "statement_kind": answer.statement_kind,
            "tables": answer.tables,
            "explanation": answer.explanation,
            "engine_checked": answer.engine_checked,
            "sql": answer.sql,
            "notices": notices + answer.notices,
        }

    def run_query(self, client: ClientIdentity, sql: str, max_rows: int = 100, timeout_seconds: float = 20.0) -> dict:
        """Validate, then run a bounded live query and return the rows it materialised."""
        _check_size(sql)
        rows = max(1, min(int(max_rows), self.max_rows))
        seconds = max(1.0, min(float(timeout_seconds), self.max_seconds))
        notices: list[str] = []
        copilot = self.copilot(client, notices)
        try:
            answer = copilot.check_sql(sql)
            if not answer.valid:
                first = answer.errors[0] if answer.errors else {"stage": answer.stage, "message": "not valid"}
                hint = f" (hint: {first['hint']})" if first.get("hint") else ""
                raise RequestError(
                    f"refused ({first.get('stage')}): {first.get('message')}{hint}",
                    hint="only a valid SELECT over catalog topics runs; see validate_sql",
                )
            if self.engine(notices) is None:
                raise ServiceUnavailable("Flink SQL Gateway", self.services.config.gateway_url, "a query cannot run")
            copilot.run(answer, max_rows=rows, timeout=seconds)
        finally:
            self._flush()
        result = answer.to_dict()
        if len(result.get("rows") or []) > rows:  # a batch may overshoot the row limit: the bound is the bound
            notices.append(f"{len(result['rows'])} rows arrived; the first {rows} are returned")
            result["rows"] = result["rows"][:rows]
        result["limits"] = {"max_rows": rows, "timeout_seconds": seconds}
        result["notices"] = notices + answer.notices
        return result

    def _jobs(self, client: ClientIdentity) -> Jobs:
        return self.services.jobs(audit=ClientAudit(self.audit, client))

    def list_jobs(self, client: ClientIdentity) -> dict:
        return {"jobs": self._jobs(client).list()}

    def save_job(self, client: ClientIdentity, name: str, sql: str, output_topic: str | None = None) -> dict:
        _require_writes()
        _check_size(sql)
        try:
            job = self._jobs(client).save(name, sql, output_topic or None)
        finally:
            self._flush()
        return {
            "name": job.name,
            "flink_job_id": job.flink_job_id,
            "output_topic": job.output_topic,
            "changelog": job.changelog,
            "primary_key": job.primary_key,
        }

    def stop_job(self, client: ClientIdentity, name: str, savepoint: bool = False) -> dict:
        _require_writes()
        try:
            job = self._jobs(client).stop(name, savepoint=savepoint)
        finally:
            self._flush()
        return {"name": job.name, "savepoint": job.savepoint, "state": "STOPPED"}

    # -- resources --------------------------------------------------------------------------------
    def topic_list(self) -> str:
        rows = [
            {
                "topic": s.topic,
                "changelog": s.changelog,
                "event_time": s.event_time,
                "description": s.description,
                "uri": f"catalog://topics/{s.topic}",
            }
            for s in sorted(self.topics().values(), key=lambda s: s.topic)
        ]
        return json.dumps({"topics": rows}, indent=2)

    def topic_resource(self, topic: str) -> str:
        data = self.describe_topic(topic, sample=0)
        return json.dumps(data, indent=2, default=str)


def _require_writes() -> None:
    if not writes_allowed():
        raise RequestError(
            "this MCP server is read-only",
            hint="start it with COPILOT_MCP_ALLOW_WRITES=true (and COPILOT_READ_ONLY unset) to save or stop jobs",
        )


def _check_size(sql: str) -> None:
    limit = settings.get_int("COPILOT_MAX_SQL_BYTES")
    if len(sql.encode("utf-8")) > limit:
        raise UsageError(f"the statement is longer than {limit} bytes", hint="COPILOT_MAX_SQL_BYTES sets the limit")
