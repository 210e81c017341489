"""Client of the Flink SQL Gateway REST API: sessions, statements, result pages, cancellation."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx

from copilot import settings
from copilot.errors import ServiceUnavailable
from copilot.flink.base import FlinkSqlError, SqlGateway
from copilot.flink.errors import root_cause
from copilot.sql.statement import CheckedStatement, Statement, TrustedStatement, require_statement

log = logging.getLogger(__name__)

SERVICE = "Flink SQL Gateway"
HEARTBEAT_AFTER_S = 60.0
JOB_ID_SETTLE_S = 20.0  # longest wait, on cancel, for the gateway to name the job it submitted
TASKS_SETTLE_S = 10.0  # longest wait, on cancel, for that job's tasks to run (they deploy in ~1 s; longer
# means no slot or no TaskManager, where nothing initializes and a cancel is safe)


@dataclass
class Column:
    name: str
    type: str


@dataclass
class ResultPage:
    result_type: str  # NOT_READY | PAYLOAD | EOS
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[str, list[Any]]] = field(default_factory=list)  # (kind, fields), kind in +I -U +U -D
    next_uri: str | None = None
    job_id: str | None = None
    is_query: bool = False


_TERMINAL_JOB_STATES = {"FAILED", "CANCELED", "FINISHED", "SUSPENDED"}
_STARTING_TASK_STATES = ("CREATED", "SCHEDULED", "DEPLOYING", "INITIALIZING")

_KINDS = {"INSERT": "+I", "UPDATE_BEFORE": "-U", "UPDATE_AFTER": "+U", "DELETE": "-D"}


def _type_name(logical: dict) -> str:
    t = logical.get("type", "?")
    if "precision" in logical and "scale" in logical:
        return f"{t}({logical['precision']}, {logical['scale']})"
    if "precision" in logical:
        return f"{t}({logical['precision']})"
    return t


class Operation:
    """One statement running in a gateway session."""

    def __init__(self, client: "GatewayClient", session: str, handle: str, statement: str):
        self.client = client
        self.session = session
        self.handle = handle
        self.statement = statement
        self.job_id: str | None = None
        self.columns: list[Column] = []
        self._next: str | None = f"/{client.api}/sessions/{session}/operations/{handle}/result/0?rowFormat=JSON"
        self.closed = False

    @property
    def finished(self) -> bool:
        return self._next is None

    def fetch(self) -> ResultPage:
        """Fetch the next page (may be NOT_READY or empty); EOS ends the stream."""
        if self._next is None:
            return ResultPage("EOS", self.columns)
        data = self.client._request("GET", self._next, statement=self.statement)
        result_type = data.get("resultType", "EOS")
        page = ResultPage(
            result_type,
            self.columns,
            next_uri=data.get("nextResultUri"),
            job_id=data.get("jobID"),
            is_query=bool(data.get("isQueryResult")),
        )
        results = data.get("results") or {}
        if results.get("columns"):
            self.columns = page.columns = [Column(c["name"], _type_name(c.get("logicalType", {}))) for c in results["columns"]]
        page.rows = [(_KINDS.get(r.get("kind", "INSERT"), "+I"), r.get("fields", [])) for r in results.get("data", [])]
        if page.job_id:
            self.job_id = page.job_id
        if result_type == "EOS" or not page.next_uri:
            self._next = None
        elif result_type != "NOT_READY" or page.next_uri:
            self._next = page.next_uri
        return page

    def pages(
        self, *, poll_min: float = 0.01, poll_max: float = 0.5, eager_for: float = 1.0, deadline: float | None = None
    ) -> Iterator[ResultPage]:
        """Every page until end of stream. Polls every `poll_min` for `eager_for` seconds after the
        start and after each batch (when the next rows are most likely), then backs off to `poll_max`
        while the gateway has nothing new."""
        delay = poll_min
        last_news = time.monotonic()
        while not self.finished:
            if deadline is not None and time.monotonic() > deadline:
                return
            page = self.fetch()
            if page.rows or page.columns and page.result_type == "PAYLOAD" and not self._seen_columns:
                self._seen_columns = True
                delay, last_news = poll_min, time.monotonic()
                yield page
            elif page.result_type == "EOS":
                yield page
                return
            else:
                time.sleep(delay)
                if time.monotonic() - last_news > eager_for:
                    delay = min(poll_max, delay * 2)

    _seen_columns = False

    def _await_job_id(self, settle: float) -> None:
        deadline = time.monotonic() + settle
        uri = self._next
        while uri is not None and self.job_id is None and time.monotonic() < deadline:
            try:
                data = self.client._request("GET", uri, statement=self.statement)
            except (FlinkSqlError, ServiceUnavailable):
                return  # the statement failed or the gateway is gone: no job to wait for
            if data.get("jobID"):
                self.job_id = data["jobID"]
            elif data.get("resultType") == "NOT_READY":
                uri = data.get("nextResultUri") or uri
                time.sleep(0.05)
            else:
                return  # a result without a job (DDL, SET …) or the end of the stream

    def all_rows(self, timeout: float = 60.0) -> tuple[list[Column], list[list[Any]]]:
        rows: list[list[Any]] = []
        for page in self.pages(deadline=time.monotonic() + timeout):
            rows.extend(fields for _kind, fields in page.rows)
        return self.columns, rows

    def release(self) -> None:
        """Close a finished operation on the gateway (best effort): its results are freed."""
        self.client._close_quietly(self)

    def cancel(self, settle: float = JOB_ID_SETTLE_S) -> None:
        """Cancel and close: stops the Flink job behind a query. Safe to call twice.

        A statement cancelled while the gateway is still submitting it can leave its job running on
        the cluster (the gateway interrupts its own thread, not the submission already in flight), so
        until the job's id is known this first waits, at most `settle` seconds, for the gateway to
        report it, then cancels that job on the JobManager as well.

        Flink 2.2 must not see a query job cancelled while its collect sink is still initializing: the
        sink's close then fails with a NullPointerException that shuts the whole TaskManager down
        (FLINK-39330). So the cancel also waits, at most TASKS_SETTLE_S, until the job's tasks run."""
        if self.closed:
            return
        self.closed = True
        if self.job_id is None:
            self._await_job_id(settle)
        if self.job_id is not None:
            self.client.await_tasks_running(self.job_id, min(settle, TASKS_SETTLE_S))
        for method, suffix in (("POST", "cancel"), ("DELETE", "close")):
            try:
                if method == "DELETE":
                    self.client._request("DELETE", f"/{self.client.api}/sessions/{self.session}/operations/{self.handle}/close")
                else:
                    self.client._request("POST", f"/{self.client.api}/sessions/{self.session}/operations/{self.handle}/cancel")
            except (FlinkSqlError, ServiceUnavailable) as exc:
                log.info("%s of operation %s: %s", suffix, self.handle, exc)
        if self.job_id:
            self.client.cancel_job(self.job_id)


class GatewayClient(SqlGateway):
    """A reusable, self-healing session on the SQL Gateway. Only the tables a statement needs are
    registered, once per session (a catalog of thousands of topics costs nothing per question)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        rest_url: str | None = None,
        session_properties: dict[str, str] | None = None,
        timeout: float = 15.0,
    ):
        self.base_url = (base_url or settings.get("FLINK_SQL_GATEWAY") or "http://localhost:8083").rstrip("/")
        self.rest_url = (rest_url or settings.get("FLINK_REST") or "http://localhost:8081").rstrip("/")
        # the session's time zone is COPILOT_TIMEZONE: "since midnight" windows start at midnight there
        self.session_properties = {"table.local-time-zone": settings.time_zone(), **(session_properties or {})}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._lock = threading.RLock()
        self._session: str | None = None
        self._last_used = 0.0
        self._registered: dict[str, str] = {}  # table -> hash of its DDL in the current session
        self._api: str | None = None

    # ---- transport ------------------------------------------------------------------------

    @property
    def api(self) -> str:
        if self._api is None:
            versions = self._request("GET", "/api_versions").get("versions", ["V1"])
            self._api = max(versions, key=lambda v: int(v.lstrip("Vv"))).lower()
        return self._api

    def _request(self, method: str, path: str, *, json: Any = None, statement: str | None = None) -> dict:
        try:
            response = self._http.request(method, path, json=json)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(SERVICE, self.base_url, type(exc).__name__) from None
        if response.status_code >= 400:
            try:
                errors = response.json().get("errors", [])
            except ValueError:
                errors = [response.text]
            text = "\n".join(str(e) for e in errors)
            message, line, column = root_cause(text)
            log.debug("gateway error for %s %s:\n%s", method, path, text)
            raise FlinkSqlError(message, line, column, detail=text)
        if not response.content:
            return {}
        return response.json()

    def ping(self) -> None:
        """One cheap request (the API version); raises ServiceUnavailable when the gateway does not answer."""
        _ = self.api

    def close(self) -> None:
        with self._lock:
            if self._session:
                try:
                    self._request("DELETE", f"/{self.api}/sessions/{self._session}")
                except (FlinkSqlError, ServiceUnavailable):
                    pass
            self._session = None
            self._registered.clear()
        self._http.close()

    # ---- sessions -------------------------------------------------------------------------

    def session(self) -> str:
        with self._lock:
            now = time.monotonic()
            if self._session and now - self._last_used > HEARTBEAT_AFTER_S:
                try:
                    self._request("POST", f"/{self.api}/sessions/{self._session}/heartbeat")
                except FlinkSqlError:
                    self._session = None  # expired or the gateway restarted
            if self._session is None:
                body = {"properties": self.session_properties, "sessionName": "flink-copilot"}
                self._session = self._request("POST", f"/{self.api}/sessions", json=body)["sessionHandle"]
                self._registered.clear()
            self._last_used = now
            return self._session

    def _reset_session(self) -> None:
        with self._lock:
            self._session = None
            self._registered.clear()

    @staticmethod
    def _session_lost(exc: FlinkSqlError) -> bool:
        text = (exc.detail or exc.message).lower()
        return "session" in text and ("does not exist" in text or "not found" in text or "expired" in text)

    # ---- statements -----------------------------------------------------------------------

    def register_tables(self, table_ddls: Mapping[str, TrustedStatement]) -> None:
        """Create each table in the session unless the same DDL is already there. Each value is a
        TrustedStatement.create_table (see copilot.catalog.ddl.create_table_statement)."""
        for name, ddl in table_ddls.items():
            if not isinstance(ddl, TrustedStatement) or ddl.kind != "create_table" or ddl.name != name:
                raise TypeError(
                    f"table {name!r} is registered from TrustedStatement.create_table({name!r}, ...), not {type(ddl).__name__}"
                )
            digest = hashlib.sha1(ddl.text.encode()).hexdigest()  # changes when a secret does
            if self._registered.get(name) == digest:
                continue
            if name in self._registered:
                self._run_to_end(TrustedStatement.drop_temporary_table(name))
                self._run_to_end(TrustedStatement.drop_table(name))
            self._run_to_end(ddl)
            self._registered[name] = digest

    def _submit(self, statement: Statement, config: dict[str, str] | None = None) -> Operation:
        typed = require_statement(statement)  # the one gate: nothing but a typed statement reaches Flink
        text = typed.sql  # as shown and logged: secret options of the product's DDL read '****'
        session = self.session()
        body: dict[str, Any] = {"statement": typed.text}  # the only place their values are filled in
        if config:
            body["executionConfig"] = dict(config)  # this statement only; the session stays as it was
        data = self._request("POST", f"/{self.api}/sessions/{session}/statements", json=body, statement=text)
        return Operation(self, session, data["operationHandle"], text)

    def _run_to_end(self, statement: Statement, timeout: float = 60.0) -> tuple[list[Column], list[list[Any]]]:
        op = self._submit(statement)
        try:
            return op.all_rows(timeout)
        finally:
            try:
                self._request("DELETE", f"/{self.api}/sessions/{op.session}/operations/{op.handle}/close")
            except (FlinkSqlError, ServiceUnavailable):
                pass

    def execute(
        self, statement: Statement, table_ddls: Mapping[str, TrustedStatement] | None = None, config: dict[str, str] | None = None
    ) -> Operation:
        """Submit one statement after registering its tables; recovers once from a lost session.

        `statement` is a CheckedStatement (from copilot.validate: a live query) or a TrustedStatement
        (the product's own: an INSERT INTO its own sink, DDL, EXPLAIN, ...); a str is refused with
        TypeError. `table_ddls` maps each table it reads to its TrustedStatement.create_table.
        `config` is Flink configuration for this statement alone (product-controlled keys only)."""
        require_statement(statement)
        for attempt in (0, 1):
            try:
                with self._lock:
                    self.register_tables(table_ddls or {})
                    return self._submit(statement, config)
            except FlinkSqlError as exc:
                if attempt == 0 and self._session_lost(exc):
                    log.info("gateway session lost; opening a new one")
                    self._reset_session()
                    continue
                raise
        raise AssertionError("unreachable")

    def run(
        self, statement: Statement, table_ddls: Mapping[str, TrustedStatement] | None = None, timeout: float = 60.0
    ) -> tuple[list[Column], list[list[Any]]]:
        """Run a statement to its end (DDL, EXPLAIN, bounded queries) and return columns and rows."""
        op = self.execute(statement, table_ddls)
        try:
            return op.all_rows(timeout)
        finally:
            op.cancel() if not op.finished else self._close_quietly(op)

    def _close_quietly(self, op: Operation) -> None:
        try:
            self._request("DELETE", f"/{self.api}/sessions/{op.session}/operations/{op.handle}/close")
        except (FlinkSqlError, ServiceUnavailable):
            pass

    def explain(self, statement: Statement, table_ddls: Mapping[str, TrustedStatement]) -> str:
        """Flink's plan of a CheckedStatement (or a trusted insert); positions in a FlinkSqlError
        point into the statement's own text."""
        prefix = "EXPLAIN "
        try:
            _cols, rows = self.run(TrustedStatement.explain(statement), table_ddls)
        except FlinkSqlError as exc:
            if exc.line == 1 and exc.column is not None:  # point into the caller's text, not ours
                exc.column = max(1, exc.column - len(prefix))
            raise
        return "\n".join(str(r[0]) for r in rows)

    def changelog_mode(self, query: CheckedStatement, table_ddls: Mapping[str, TrustedStatement]) -> set[str]:
        """The change kinds the query's result carries, as the planner says (I, UB, UA, D)."""
        _cols, rows = self.run(TrustedStatement.explain(query, "CHANGELOG_MODE"), table_ddls)
        plan = "\n".join(str(r[0]) for r in rows)
        optimized = plan.split("== Optimized Physical Plan ==")[-1].split("==")[0]
        first = next((ln for ln in optimized.splitlines() if "changelogMode=" in ln), "")
        kinds = first.split("changelogMode=[", 1)[-1].split("]", 1)[0]
        return {k.strip() for k in kinds.split(",") if k.strip()}

    def job_plan(self, job_id: str) -> dict:
        """The running job's plan as the JobManager reports it (`/jobs/<id>/plan`)."""
        try:
            response = httpx.get(f"{self.rest_url}/jobs/{job_id}/plan", timeout=5.0)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Flink REST", self.rest_url, type(exc).__name__) from None
        if response.status_code >= 400:
            raise FlinkSqlError(f"Flink has no plan for job {job_id} (HTTP {response.status_code})")
        return response.json().get("plan", {})

    # ---- Flink REST (jobs) ----------------------------------------------------------------

    def await_tasks_running(self, job_id: str, timeout: float) -> bool:
        """Wait until no task of the job is still being scheduled, deployed or initialized (or the job
        ended); False if that did not happen within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                job = httpx.get(f"{self.rest_url}/jobs/{job_id}", timeout=5.0).json()
            except (httpx.HTTPError, ValueError) as exc:
                log.info("state of job %s: %s", job_id, exc)
                return False
            if job.get("state") in _TERMINAL_JOB_STATES:
                return True
            if (
                job.get("state") == "RUNNING"
                and job.get("vertices")
                and not any((v.get("tasks") or {}).get(state, 0) for v in job["vertices"] for state in _STARTING_TASK_STATES)
            ):
                return True
            if time.monotonic() >= deadline:
                log.info("job %s still starting after %.0f s; cancelling anyway", job_id, timeout)
                return False
            time.sleep(0.05)

    def cancel_job(self, job_id: str) -> None:
        try:
            httpx.patch(f"{self.rest_url}/jobs/{job_id}", params={"mode": "cancel"}, timeout=5.0)
        except httpx.HTTPError as exc:
            log.info("cancel job %s: %s", job_id, exc)
