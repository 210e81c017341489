"""Saved jobs: a validated query becomes a persistent Flink job writing to its own Kafka topic,
listed, stopped with a savepoint and resumed from it."""

from __future__ import annotations

import builtins
import logging
import re
import time

import httpx
import sqlglot
from sqlglot import exp

from copilot import settings
from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import CatalogStore
from copilot.capabilities.engine import SqlGateway
from copilot.capabilities.jobs import Jobs
from copilot.catalog.ddl import create_table_statement, table_statements
from copilot.catalog.model import Field, TopicSchema
from copilot.errors import CopilotError, RequestError, ServiceUnavailable
from copilot.flink.base import FlinkSqlError
from copilot.jobs.registry import JobRegistry, SavedJob
from copilot.kafka import admin as kadmin
from copilot.sql.statement import CheckedStatement, TrustedStatement, quote_name

log = logging.getLogger(__name__)

NAME = re.compile(r"^[a-z][a-z0-9_]{2,48}$")
CHECKPOINT_INTERVAL = "5 s"
SAVEPOINT_TIMEOUT_S = 120.0
# A Flink job in one of these states is alive: resuming it again would run it twice.
ACTIVE_STATES = ("RUNNING", "CREATED", "INITIALIZING", "RESTARTING", "RECONCILING")
# Saved jobs ride out a lost TaskManager: they restart from their last checkpoint once slots are back
# (`flink-copilot up` restarts a dead TaskManager). Live queries keep the cluster's quick give-up.
SAVED_JOB_RESTARTS = {
    "restart-strategy.type": "exponential-delay",
    "restart-strategy.exponential-delay.initial-backoff": "1 s",
    "restart-strategy.exponential-delay.max-backoff": "10 s",
}
# Flink's words when a savepoint is asked for before every task of the job is running
TASKS_NOT_RUNNING = ("is not being executed at the moment", "Not all required tasks are currently running")


def _insert_text(job: SavedJob) -> str:
    """The text a saved job submits (TrustedStatement.insert_into of its canonical query), for the audit."""
    return f"INSERT INTO {quote_name(job.output_topic)}\n{job.sql}"


class _TasksNotRunning(Exception):
    """A savepoint refused only because the job's tasks are still being deployed: worth retrying."""


def _strip_time_attribute(type_text: str) -> str:
    return re.sub(r"\s*\*(ROWTIME|PROCTIME)\*", "", type_text).strip()


class JobService(Jobs):
    def __init__(
        self,
        gateway: SqlGateway,
        catalog: CatalogStore,
        registry: JobRegistry | None = None,
        rest_url: str | None = None,
        audit: AuditSink | None = None,
    ):
        self.audit = audit
        self.gateway = gateway
        self.catalog = catalog
        self.registry = registry or JobRegistry()
        self.rest_url = (rest_url or settings.get("FLINK_REST") or "http://localhost:8081").rstrip("/")

    # ---- helpers --------------------------------------------------------------------------

    def _audit(self, kind: str, name: str, sql: str, verdict: str, **data) -> None:
        """Every statement a job submits, refused or run, goes to the audit trail."""
        if self.audit is None:
            return
        event = {
            "type": kind,
            "time": time.time(),
            "conversation_id": f"job:{name}",
            "question": "",
            "sql": sql,
            "verdict": verdict,
            "planner": "user",
            "job": name,
            **data,
        }
        try:
            self.audit.record(event)
        except Exception as exc:  # the audit trail never breaks a job operation
            log.warning("audit event %s not recorded: %s", kind, exc)

    def _topics(self) -> dict[str, TopicSchema]:
        return self.catalog.load().topics

    def _ddls(self, tables, topics: dict[str, TopicSchema]) -> dict[str, TrustedStatement]:
        return table_statements(tables, topics)

    def _validate(self, sql: str, topics: dict[str, TopicSchema], allow_insert_into: tuple[str, ...] = ()):
        from copilot.validate import validate

        result = validate(sql, catalog=topics, engine=None, allow_insert_into=allow_insert_into)
        if not result.valid:
            first = result.errors[0]
            raise RequestError(
                f"the job's SQL is not valid ({first.stage}): {first.message}",
                hint=first.hint or "fix the query, check it with `flink-copilot validate`",
            )
        return result

    def _result_schema(self, query: CheckedStatement, ddls: dict[str, TrustedStatement]) -> list[Field]:
        view = f"copilot_describe_{int(time.time() * 1000)}"
        self.gateway.run(TrustedStatement.create_temporary_view(view, query), ddls)
        try:
            _cols, rows = self.gateway.run(TrustedStatement.describe(view))
        finally:
            self.gateway.run(TrustedStatement.drop_temporary_view(view))
        return [Field(name=str(r[0]), type=_strip_time_attribute(str(r[1]))) for r in rows]

    @staticmethod
    def _group_keys(query: str, columns: list[str]) -> list[str]:
        """Output columns that carry the query's GROUP BY keys: the primary key of an updating result."""
        tree = sqlglot.parse_one(query, read="flink")
        select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
        group = select.args.get("group") if select else None
        if not group or select is None:
            return []
        keys = []
        for g in group.expressions:
            for projection in select.expressions:
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                if inner == g or (isinstance(g, exp.Column) and projection.alias_or_name == g.name):
                    keys.append(projection.alias_or_name)
                    break
            else:
                return []
        return [k for k in keys if k in columns]

    # ---- commands -------------------------------------------------------------------------

    def save(self, name: str, sql: str, output_topic: str | None = None, *, replace: bool = False) -> SavedJob:
        try:
            job = self._save(name, sql, output_topic, replace=replace)
        except CopilotError as exc:
            self._audit("job_save", name, sql, "refused", reason=exc.message)
            raise
        self._audit(
            "job_save", name, _insert_text(job), "submitted", flink_job_id=job.flink_job_id, output_topic=job.output_topic
        )
        return job

    def _save(self, name: str, sql: str, output_topic: str | None, *, replace: bool) -> SavedJob:
        if settings.get_bool("COPILOT_READ_ONLY"):
            raise RequestError("saving jobs is disabled in this deployment (COPILOT_READ_ONLY=true)")
        if not NAME.match(name or ""):
            raise RequestError(
                f"job name {name!r} is not allowed",
                hint="use 3-49 characters: lower-case letters, digits and _, starting with a letter",
            )
        output_topic = output_topic or f"job_{name}"
        if not NAME.match(output_topic):
            raise RequestError(f"output topic {output_topic!r} is not allowed", hint="use lower-case letters, digits and _")
        existing = self.registry.get(name)
        if existing and not replace:
            raise RequestError(f"a job named {name!r} exists already", hint="choose another name or pass --replace")
        topics = self._topics()
        if output_topic in topics and not (existing and existing.output_topic == output_topic):
            raise RequestError(f"topic {output_topic!r} is already in the catalog", hint="choose another --output-topic")
        checked = self._validate(sql, topics)
        if checked.statement_kind != "query":
            raise RequestError("a job is saved from a SELECT query", hint="give the query; the product writes the INSERT")
        statement: CheckedStatement = checked.statement
        query = statement.sql  # the canonical text: what is saved, shown, audited and run
        ddls = self._ddls(statement.tables, topics)
        fields = self._result_schema(statement, ddls)
        kinds = self.gateway.changelog_mode(statement, ddls)
        updating = bool(kinds - {"I"})
        primary_key = self._group_keys(query, [f.name for f in fields]) if updating else []
        if updating and not primary_key:
            raise RequestError(
                "this query updates its results but has no grouping key to store them by",
                hint="group by the columns that identify a row and select them, or use a windowed aggregation",
            )
        names = {f.name for f in fields}
        schema = TopicSchema(
            topic=output_topic,
            description=f"Output of the saved job {name!r}: {query}",
            changelog="upsert" if updating else "append",
            primary_key=primary_key,
            event_time=next((c for c in ("window_end", "window_time") if c in names), None),
            fields=[Field(f.name, f.type, f"Column {f.name} of job {name}") for f in fields],
        )
        if existing:
            self.stop(name, savepoint=False, quiet=True)
        kadmin.ensure_topic(output_topic, partitions=1, compacted=updating)
        sink_ddl = self._sink_ddl(schema, name)
        insert = TrustedStatement.insert_into(output_topic, statement)
        self._validate(insert.sql, {**topics, output_topic: schema}, allow_insert_into=(output_topic,))
        self._check_explained(name, insert, statement, {**ddls, output_topic: sink_ddl})
        job = SavedJob(
            name=name,
            sql=query,
            output_topic=output_topic,
            changelog=schema.changelog,
            primary_key=primary_key,
            created_at=existing.created_at if existing else time.time(),
        )
        job.flink_job_id = self._submit(job, statement, {**ddls, output_topic: sink_ddl})
        self.catalog.save(schema)
        self.registry.put(job)
        return job

    def _sink_ddl(self, schema: TopicSchema, name: str, delivery: str = "exactly-once") -> TrustedStatement:
        sink = {
            "sink.delivery-guarantee": "exactly-once",
            "sink.transactional-id-prefix": f"copilot-{name}",
            "properties.transaction.timeout.ms": "600000",
        }
        if delivery == "at-least-once":  # an upsert sink whose replays rewrite the same keys (watches' alerts)
            sink = {"sink.delivery-guarantee": "at-least-once"}
        return create_table_statement(schema, sink_options=sink, startup_mode="earliest-offset")

    def save_into(
        self,
        name: str,
        sql: str,
        sink: TopicSchema,
        *,
        kind: str = "job",
        delivery: str = "exactly-once",
        meta: dict | None = None,
        replace: bool = False,
    ) -> SavedJob:
        """Save a job writing into a topic whose schema the product fixes (shared by several jobs, e.g. the
        alerts of watches); `meta` goes to the registry and to every audit event of the save."""
        meta = dict(meta or {})
        try:
            job = self._save_into(name, sql, sink, kind=kind, delivery=delivery, meta=meta, replace=replace)
        except CopilotError as exc:
            self._audit("job_save", name, sql, "refused", reason=exc.message, job_kind=kind, **meta)
            raise
        self._audit(
            "job_save",
            name,
            _insert_text(job),
            "submitted",
            flink_job_id=job.flink_job_id,
            output_topic=job.output_topic,
            job_kind=kind,
            **meta,
        )
        return job

    def _save_into(
        self, name: str, sql: str, sink: TopicSchema, *, kind: str, delivery: str, meta: dict, replace: bool
    ) -> SavedJob:
        if settings.get_bool("COPILOT_READ_ONLY"):
            raise RequestError("saving jobs is disabled in this deployment (COPILOT_READ_ONLY=true)")
        if not NAME.match(name or ""):
            raise RequestError(
                f"name {name!r} is not allowed",
                hint="use 3-49 characters: lower-case letters, digits and _, starting with a letter",
            )
        existing = self.registry.get(name)
        if existing and not replace:
            raise RequestError(f"a job named {name!r} exists already", hint="choose another name")
        topics = self._topics()
        checked = self._validate(sql, topics)
        if checked.statement_kind != "query":
            raise RequestError("a job is saved from a SELECT query", hint="give the query; the product writes the INSERT")
        statement: CheckedStatement = checked.statement
        ddls = self._ddls(statement.tables, topics)
        insert = TrustedStatement.insert_into(sink.topic, statement)
        self._validate(insert.sql, {**topics, sink.topic: sink}, allow_insert_into=(sink.topic,))
        if existing:
            self.stop(name, savepoint=False, quiet=True)
        kadmin.ensure_topic(sink.topic, partitions=1, compacted=sink.is_upsert)
        job = SavedJob(
            name=name,
            sql=statement.sql,
            output_topic=sink.topic,
            changelog=sink.changelog,
            primary_key=list(sink.primary_key),
            created_at=existing.created_at if existing else time.time(),
            kind=kind,
            delivery=delivery,
            meta=meta,
        )
        job.flink_job_id = self._submit(job, statement, {**ddls, sink.topic: self._sink_ddl(sink, name, delivery)})
        self.catalog.save(sink)
        self.registry.put(job)
        return job

    def _submit(
        self, job: SavedJob, query: CheckedStatement, ddls: dict[str, TrustedStatement], savepoint: str | None = None
    ) -> str:
        config = {
            "pipeline.name": job.name,
            "execution.checkpointing.interval": CHECKPOINT_INTERVAL,
            "table.exec.sink.not-null-enforcer": "DROP",
            **SAVED_JOB_RESTARTS,
        }
        if savepoint:
            config["execution.savepoint.path"] = savepoint
        insert = TrustedStatement.insert_into(job.output_topic, query)
        op = self.gateway.execute(insert, ddls, config=config)
        deadline = time.monotonic() + 60
        while op.job_id is None and not op.finished and time.monotonic() < deadline:
            op.fetch()
            if op.job_id is None:
                time.sleep(0.1)
        if op.job_id is None:
            raise RequestError(f"Flink accepted job {job.name!r} but reported no job id", hint="check `flink-copilot jobs list`")
        self._check_job_plan(job, op.job_id, insert, query)
        return op.job_id

    def _check_explained(
        self, name: str, insert: TrustedStatement, query: CheckedStatement, ddls: dict[str, TrustedStatement]
    ) -> None:
        """Before anything runs: Flink's EXPLAIN of the job's INSERT writes only its own table and reads
        only the checked query's tables, without OPTIONS."""
        from copilot.flink.plan_check import disagreements

        found = disagreements(self.gateway.explain(insert, ddls), kind="insert", tables=query.tables, sink=insert.name)
        if found:
            raise RequestError(
                f"refused (engine: {found[0].reason}): {found[0].message}",
                hint="write the query plainly; report this if it is an ordinary query",
            )

    def _check_job_plan(self, job: SavedJob, job_id: str, insert: TrustedStatement, query: CheckedStatement) -> None:
        """The running job must write only its own output table and read only the checked query's
        tables, without OPTIONS; otherwise it is cancelled, refused (stage engine) and audited."""
        from copilot.flink.live import job_disagreements

        found = job_disagreements(self.gateway, job_id, kind="insert", tables=query.tables, sink=job.output_topic)
        if not found:
            return
        self.gateway.cancel_job(job_id)
        self._audit(
            "job_refused",
            job.name,
            insert.sql,
            "refused",
            stage="engine",
            flink_job_id=job_id,
            errors=[{"stage": "engine", "reason": d.reason, "message": d.message} for d in found],
        )
        raise RequestError(
            f"refused (engine: {found[0].reason}): {found[0].message}",
            hint="the running job did not match the checked query and was cancelled",
        )

    def _job_state(self, job_id: str | None) -> str | None:
        """The job's state; a job submitted a moment ago may not be in the overview yet, so ask for it by id."""
        if not job_id:
            return None
        state = self._flink_jobs().get(job_id, {}).get("state")
        if state is not None:
            return state
        try:
            reply = httpx.get(f"{self.rest_url}/jobs/{job_id}", timeout=5.0)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Flink REST", self.rest_url, type(exc).__name__) from None
        return reply.json().get("state") if reply.status_code == 200 else None

    def _cancel_and_wait(self, job_id: str, timeout: float = 20.0, unknown_grace: float = 5.0) -> None:
        """Cancel, and return once Flink no longer runs the job; a cancel that lands while the job is still
        being deployed can be lost, so it is repeated every few seconds until the deadline. A job Flink does not
        know yet (submitted a moment ago) is watched for `unknown_grace` seconds before it is taken as gone: it
        may still appear and run, and a job left running would write into a deleted topic."""
        deadline = time.monotonic() + timeout
        unknown_since: float | None = None
        while True:
            self._cancel(job_id)
            resend = time.monotonic() + 3.0
            while time.monotonic() < min(resend, deadline):
                state = self._job_state(job_id)
                if state is None:
                    unknown_since = unknown_since or time.monotonic()
                    if time.monotonic() - unknown_since >= unknown_grace:
                        return
                elif state not in ACTIVE_STATES:
                    return
                else:
                    unknown_since = None
                time.sleep(0.2)
            if time.monotonic() >= deadline:
                raise RequestError(
                    f"Flink did not cancel job {job_id} within {timeout:.0f} s",
                    hint="see `flink-copilot jobs list`, and cancel it in the Flink UI if it still runs",
                )

    def _cancel(self, job_id: str) -> None:
        try:
            reply = httpx.patch(f"{self.rest_url}/jobs/{job_id}", params={"mode": "cancel"}, timeout=5.0)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Flink REST", self.rest_url, type(exc).__name__) from None
        if reply.status_code not in (200, 202, 404):
            raise RequestError(
                f"Flink refused to cancel job {job_id}: HTTP {reply.status_code}",
                hint="see `flink-copilot jobs list`, and cancel it in the Flink UI if it still runs",
            )

    def _flink_jobs(self) -> dict[str, dict]:
        try:
            overview = httpx.get(f"{self.rest_url}/jobs/overview", timeout=5.0).json()
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Flink REST", self.rest_url, type(exc).__name__) from None
        return {j["jid"]: j for j in overview.get("jobs", [])}

    def list(self) -> list[dict]:
        flink = self._flink_jobs()
        rows = []
        for job in sorted(self.registry.all().values(), key=lambda j: j.created_at):
            live = flink.get(job.flink_job_id or "")
            state = live["state"] if live else "NOT_RUNNING"
            if job.desired_state == "stopped" and state in ("FINISHED", "CANCELED", "NOT_RUNNING"):
                state = "STOPPED"  # stopped by a person (Flink calls a stop with savepoint FINISHED)
            rows.append(
                {
                    "name": job.name,
                    "state": state,
                    "output_topic": job.output_topic,
                    "flink_job_id": job.flink_job_id,
                    "start_time": live.get("start-time") if live else None,
                    "savepoint": job.savepoint,
                    "desired_state": job.desired_state,
                    "changelog": job.changelog,
                    "sql": job.sql,
                    "kind": job.kind,
                }
            )
        return rows

    def _require(self, name: str) -> SavedJob:
        job = self.registry.get(name)
        if job is None:
            known = sorted(self.registry.all())
            raise RequestError(f"no saved job named {name!r}", hint=f"saved jobs: {', '.join(known) or 'none'}")
        return job

    def stop(self, name: str, *, savepoint: bool = False, quiet: bool = False, keep_desired: bool = False) -> SavedJob:
        """Stop a job; `keep_desired` (used by `flink-copilot down`) keeps it marked to run, so the
        next `up` resumes it from the savepoint."""
        job = self._require(name)
        job_id = job.flink_job_id
        state = self._job_state(job_id)
        running = job_id is not None and state in ACTIVE_STATES
        if job_id is not None and running and savepoint:
            job.savepoint = self._stop_with_savepoint(job_id)
        elif job_id is not None and (running or state is None):
            self._cancel_and_wait(job_id)  # a job Flink does not list yet may still be starting: cancel it anyway
        elif savepoint and not quiet:
            raise RequestError(
                f"job {name!r} is not running, so no savepoint can be taken",
                hint="`flink-copilot jobs resume NAME` starts it again",
            )
        if not keep_desired:
            job.desired_state = "stopped"
        job.updated_at = time.time()
        self.registry.put(job)
        return job

    def delete(self, name: str, *, keep_topic: bool = False) -> SavedJob:
        """Stop a saved job (no savepoint: it will not be resumed), forget it, take its output topic out
        of the catalog and, unless `keep_topic`, delete the topic and what it holds."""
        if settings.get_bool("COPILOT_READ_ONLY"):
            raise RequestError("deleting jobs is disabled in this deployment (COPILOT_READ_ONLY=true)")
        job = self._require(name)
        self.stop(name, quiet=True)
        self.registry.delete(name)
        if not keep_topic:  # a kept topic stays in the catalog: its records can still be asked about
            self.catalog.remove(job.output_topic)
            kadmin.delete_topic(job.output_topic)
        self._audit("job_delete", name, "", "deleted", output_topic=job.output_topic, topic_kept=keep_topic)
        return job

    def suspend_all(self) -> builtins.list[str]:
        """Stop every running saved job with a savepoint, keeping it marked to run (stack shutdown)."""
        flink = self._flink_jobs()
        suspended = []
        for job in self.registry.all().values():
            if flink.get(job.flink_job_id or "", {}).get("state") == "RUNNING":
                self.stop(job.name, savepoint=True, keep_desired=True)
                suspended.append(job.name)
        return suspended

    def resume_all(self) -> builtins.list[str]:
        """Resume every saved job marked to run whose Flink job is gone (stack start-up). One that is
        restarting after a lost TaskManager recovers by itself and is left alone."""
        flink = self._flink_jobs()
        resumed = []
        for job in self.registry.all().values():
            if job.desired_state == "running" and flink.get(job.flink_job_id or "", {}).get("state") not in ACTIVE_STATES:
                self.resume(job.name)
                resumed.append(job.name)
        return resumed

    def _stop_with_savepoint(self, job_id: str) -> str:
        """Stop-with-savepoint, retried while Flink says the job's tasks are not all running yet: a job
        reports RUNNING before its tasks are deployed, and a savepoint is refused until they are."""
        deadline = time.monotonic() + SAVEPOINT_TIMEOUT_S
        while True:
            try:
                return self._savepoint_attempt(job_id, deadline)
            except _TasksNotRunning as exc:
                if time.monotonic() + 1.0 >= deadline:
                    raise RequestError(
                        f"the savepoint failed: {exc}", hint="retry in a few seconds, or stop without --savepoint"
                    ) from None
                time.sleep(1.0)

    def _savepoint_attempt(self, job_id: str, deadline: float) -> str:
        from copilot.flink.errors import root_cause

        # No target directory: the cluster's own `state.savepoints.dir` decides where savepoints live.
        response = httpx.post(f"{self.rest_url}/jobs/{job_id}/stop", json={"drain": False}, timeout=10.0)
        trigger = response.json().get("request-id")
        if not trigger:
            raise RequestError(f"Flink refused stop-with-savepoint: {response.text[:300]}")
        while time.monotonic() < deadline:
            status = httpx.get(f"{self.rest_url}/jobs/{job_id}/savepoints/{trigger}", timeout=5.0).json()
            if status.get("status", {}).get("id") == "COMPLETED":
                operation = status.get("operation", {})
                if "location" in operation:
                    return operation["location"]
                cause = root_cause(operation.get("failure-cause", {}).get("stack-trace", ""))[0]
                if any(marker in cause for marker in TASKS_NOT_RUNNING):
                    raise _TasksNotRunning(cause)
                raise RequestError(f"the savepoint failed: {cause}", hint="retry, or stop without --savepoint")
            time.sleep(0.5)
        raise RequestError(f"the savepoint of job {job_id} did not complete within {SAVEPOINT_TIMEOUT_S:.0f}s")

    def resume(self, name: str) -> SavedJob:
        if settings.get_bool("COPILOT_READ_ONLY"):
            raise RequestError("resuming jobs is disabled in this deployment (COPILOT_READ_ONLY=true)")
        job = self._require(name)
        if self._flink_jobs().get(job.flink_job_id or "", {}).get("state") in ACTIVE_STATES:
            return job
        topics = self._topics()
        output = topics.get(job.output_topic)
        if output is None:
            raise RequestError(
                f"the output topic {job.output_topic!r} of job {name!r} is no longer in the catalog",
                hint="save the job again with --replace",
            )
        checked = self._validate(job.sql, topics)
        statement: CheckedStatement = checked.statement
        ddls = {**self._ddls(statement.tables, topics), job.output_topic: self._sink_ddl(output, job.name, job.delivery)}
        start_from = self._latest_snapshot(job)
        try:
            job.flink_job_id = self._submit(job, statement, ddls, savepoint=start_from)
        except FlinkSqlError as exc:
            raise RequestError(f"Flink could not resume job {name!r}: {exc.message}") from None
        job.desired_state = "running"
        job.updated_at = time.time()
        self.registry.put(job)
        self._audit(
            "job_resume",
            name,
            TrustedStatement.insert_into(job.output_topic, statement).sql,
            "submitted",
            flink_job_id=job.flink_job_id,
            savepoint=start_from,
        )
        return job

    def _latest_snapshot(self, job: SavedJob) -> str | None:
        """Where to resume: the job's savepoint, or a newer checkpoint its last Flink job completed (it
        failed, or was cancelled without a savepoint). Output written up to a checkpoint is committed,
        so resuming from an older snapshot would write those records again."""
        if not job.flink_job_id:
            return job.savepoint
        try:
            stats = httpx.get(f"{self.rest_url}/jobs/{job.flink_job_id}/checkpoints", timeout=5.0)
        except httpx.HTTPError:
            return job.savepoint
        if stats.status_code != 200:  # the cluster restarted since: only the savepoint is known
            return job.savepoint
        latest = stats.json().get("latest") or {}
        newest = max(
            (c for c in (latest.get("completed"), latest.get("savepoint")) if c and c.get("external_path")),
            key=lambda c: c.get("latest_ack_timestamp") or 0,
            default=None,
        )
        return newest["external_path"] if newest else job.savepoint
