"""The composition root: every implementation of a capability is created here, once, from the settings table.

    services = build(Config.from_settings(catalog_dir=...))
    copilot = services.copilot()          # the agent, composed of the shared store, index, planner, gateway, audit
    services.jobs(), services.bus, services.catalog, services.gateway ...

The command line, the app, the MCP server, the service workers and the launcher get their objects from a
`Services`; nothing else constructs a store, an index, a planner, a gateway client, an audit sink, a job
service or an event bus (tests may, to inject fakes). Each part is created on first use, so a command
that only reads the catalog never opens a gateway session or a Kafka client. `close()` releases what was
created.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from copilot import settings
from copilot.capabilities.audit import AuditSink
from copilot.capabilities.catalog import CatalogStore, TopicIndex
from copilot.capabilities.engine import SqlGateway
from copilot.capabilities.events import QuestionBus
from copilot.capabilities.jobs import Jobs
from copilot.capabilities.planner import Planner
from copilot.errors import ServiceUnavailable

if TYPE_CHECKING:
    from copilot.agent.copilot import Copilot
    from copilot.catalog.term_vectors import TermVectors
    from copilot.jobs.registry import JobRegistry
    from copilot.service.watches import WatchService

log = logging.getLogger(__name__)

ENGINE_PROBE_TTL_S = 30.0  # a long-running process asks again whether the gateway answers at most this often


@dataclass(frozen=True)
class Config:
    """The part of the settings table (copilot/settings.py) the composition needs, resolved once."""

    catalog_dir: Path
    gateway_url: str
    rest_url: str
    bootstrap: str
    llm: str | None = None  # COPILOT_LLM; None: the built-in planner only
    audit: bool = True  # False: no audit trail (`--no-audit`)
    index_namespace: str | None = None  # where the retrieval index keeps its vectors; None: per catalog directory

    @classmethod
    def from_settings(
        cls,
        *,
        catalog_dir: Path | None = None,
        audit: bool = True,
        llm: bool = True,
        gateway_url: str | None = None,
        rest_url: str | None = None,
        bootstrap: str | None = None,
    ) -> Config:
        from copilot.catalog.working import catalog_dir as working_catalog_dir
        from copilot.kafka import config as kafka_config

        directory = Path(catalog_dir) if catalog_dir is not None else working_catalog_dir()
        return cls(
            catalog_dir=directory,
            gateway_url=gateway_url or settings.get("FLINK_SQL_GATEWAY") or "http://localhost:8083",
            rest_url=rest_url or settings.get("FLINK_REST") or "http://localhost:8081",
            bootstrap=bootstrap or kafka_config.bootstrap(),
            llm=(settings.get("COPILOT_LLM") or None) if llm else None,
            audit=audit,
        )


class Services:
    """The implementations, each created once on first use. Thread-safe."""

    def __init__(self, config: Config):
        self.config = config
        self._lock = threading.RLock()
        self._catalog: CatalogStore | None = None
        self._index: TopicIndex | None = None
        self._gateway: SqlGateway | None = None
        self._audit: AuditSink | None = None
        self._planner: Planner | None = None
        self._planner_built = False
        self._fallback: Planner | None = None
        self._registry: JobRegistry | None = None
        self._bus: QuestionBus | None = None
        self._engine_ok: bool | None = None
        self._engine_checked_at = 0.0

    # ---- the capabilities ------------------------------------------------------------------------

    @property
    def catalog(self) -> CatalogStore:
        with self._lock:
            if self._catalog is None:
                from copilot.catalog.store import YamlCatalogStore

                self._catalog = YamlCatalogStore(self.config.catalog_dir)
            return self._catalog

    @property
    def index(self) -> TopicIndex:
        with self._lock:
            if self._index is None:
                from copilot.catalog.index import HybridTopicIndex

                namespace = self.config.index_namespace or str(self.config.catalog_dir.resolve())
                self._index = HybridTopicIndex(namespace=namespace)
            return self._index

    def lexical_index(self) -> TopicIndex:
        """An index without embeddings (`catalog search --lexical`): words only, nothing to load."""
        from copilot.catalog.index import HybridTopicIndex

        namespace = self.config.index_namespace or str(self.config.catalog_dir.resolve())
        return HybridTopicIndex(use_embeddings=False, namespace=namespace)

    @property
    def gateway(self) -> SqlGateway:
        """The SQL Gateway client (one session, shared; thread-safe). Creating it opens nothing."""
        with self._lock:
            if self._gateway is None:
                from copilot.flink.gateway import GatewayClient

                self._gateway = GatewayClient(self.config.gateway_url, rest_url=self.config.rest_url)
            return self._gateway

    def new_gateway(self) -> SqlGateway:
        """A gateway client with a session of its own (the app: one per browser session, so one user's
        tables never meet another's). The caller closes it."""
        from copilot.flink.gateway import GatewayClient

        return GatewayClient(self.config.gateway_url, rest_url=self.config.rest_url)

    def replay_gateway(self) -> SqlGateway:
        """A gateway session of its own for bounded replays (`eval --execute`, job previews), with the
        replay's session properties; the replayer closes it."""
        from copilot.eval.replay import REPLAY_SESSION
        from copilot.flink.gateway import GatewayClient

        return GatewayClient(self.config.gateway_url, rest_url=self.config.rest_url, session_properties=dict(REPLAY_SESSION))

    @property
    def audit(self) -> AuditSink | None:
        """The Kafka audit trail, or None with `audit=False`. It turns itself off (one warning) when Kafka is
        unreachable; a surface that must not answer unaudited calls `require_audit()`."""
        if not self.config.audit:
            return None
        with self._lock:
            if self._audit is None:
                from copilot.agent.audit import KafkaAuditSink

                self._audit = KafkaAuditSink(servers=self.config.bootstrap)
            return self._audit

    def require_audit(self) -> AuditSink:
        """The audit sink, checked now: ServiceUnavailable (exit 3) when events cannot be written."""
        sink = self.audit
        if sink is None:
            raise ServiceUnavailable("Kafka", self.config.bootstrap, "the audit trail is off")
        sink.require()
        return sink

    @property
    def planner(self) -> Planner | None:
        """The language-model planner when COPILOT_LLM names a model, else None (the fallback answers)."""
        with self._lock:
            if not self._planner_built:
                self._planner_built = True
                if self.config.llm:  # LangChain is imported only when a model is configured
                    from copilot.agent.llm import LlmPlanner, load_chat_model

                    model = load_chat_model(self.config.llm)
                    self._planner = LlmPlanner(model) if model is not None else None
            return self._planner

    @property
    def fallback(self) -> Planner:
        """The built-in planner: the answer when no model is configured or the model fails."""
        with self._lock:
            if self._fallback is None:
                from copilot.agent.builtin import BuiltinPlanner

                self._fallback = BuiltinPlanner(meanings=self.word_meanings())
            return self._fallback

    def warm_in_background(self) -> threading.Thread | None:
        """For a long-running process (app, worker, MCP server): ready the vectors that read a word the catalog
        does not list while the first question is still being typed, instead of on that question."""
        planner = self.fallback
        if getattr(planner, "meanings", None) is None:
            return None

        def warm() -> None:
            try:
                planner.warm(self.catalog.load().topics)  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - a warm-up never stops the process; the first question computes them
                log.info("catalog vectors not readied ahead: %s", exc)

        thread = threading.Thread(target=warm, name="warm-word-meanings", daemon=True)
        thread.start()
        return thread

    def word_meanings(self) -> TermVectors | None:
        """Catalog words near in meaning to a word the catalog does not list (all-MiniLM-L6-v2; the static
        model places words too loosely to offer them), or None with COPILOT_EMBEDDING_MODEL=none."""
        if (settings.get("COPILOT_EMBEDDING_MODEL") or "auto") == "none":
            return None
        from copilot.catalog.embedding import load_embedder
        from copilot.catalog.term_vectors import TermVectors

        return TermVectors(lambda: load_embedder("minilm"))

    @property
    def bus(self) -> QuestionBus:
        """The event bus to the agent workers (service mode, copilot/service)."""
        with self._lock:
            if self._bus is None:
                from copilot.service.client import ServiceClient

                self._bus = ServiceClient(servers=self.config.bootstrap)
            return self._bus

    # ---- compositions ----------------------------------------------------------------------------

    def engine(self, notices: list[str] | None = None, *, required: bool = False) -> SqlGateway | None:
        """The gateway when it answers (for Flink's planner check and for running), else None and a notice;
        `required`: raise ServiceUnavailable instead. Asked again at most every 30 s."""
        now = time.monotonic()
        with self._lock:
            if self._engine_ok is None or not self._engine_ok or now - self._engine_checked_at > ENGINE_PROBE_TTL_S:
                try:
                    self.gateway.ping()
                    self._engine_ok = True
                except ServiceUnavailable as exc:
                    self._engine_ok = False
                    if required:
                        raise
                    log.info("Flink SQL Gateway unreachable: %s", exc)
                self._engine_checked_at = now
            if self._engine_ok:
                return self.gateway
        if notices is not None:
            notices.append(
                f"Flink SQL Gateway unreachable at {self.config.gateway_url}: the query was checked "
                "without Flink's planner (engine_checked: false)"
            )
        return None

    def copilot(
        self,
        *,
        audit: AuditSink | None = None,
        engine: bool = True,
        index: bool = True,
        llm: bool = True,
        gateway: SqlGateway | None = None,
        notices: list[str] | None = None,
    ) -> Copilot:
        """A new agent (its own conversations) over the shared parts. `audit`: a sink wrapping this one
        (e.g. naming the MCP client), default the audit trail; `engine=False`: no Flink planner check (else
        the gateway's, when it answers); `index=False`: no retrieval (SQL typed by a person); `llm=False`:
        the built-in planner only; `gateway`: a session of its own (`new_gateway()`), default the shared one."""
        from copilot.agent.copilot import Copilot

        runner = gateway if gateway is not None else self.gateway
        checker = (runner if self.engine(notices) is not None else None) if engine else None
        return Copilot(
            self.catalog,
            index=self.index if index else None,
            planner=self.planner if llm else None,
            engine=checker,
            audit=audit if audit is not None else self.audit,
            gateway=runner,
            fallback=self.fallback,
        )

    def job_registry(self) -> JobRegistry:
        with self._lock:
            if self._registry is None:
                from copilot.jobs.registry import JobRegistry

                self._registry = JobRegistry(servers=self.config.bootstrap)
            return self._registry

    def jobs(self, *, audit: AuditSink | None = None) -> Jobs:
        """The job service over the shared gateway, catalog and registry; `audit` as for `copilot()`."""
        from copilot.jobs.service import JobService

        return JobService(
            self.gateway,
            self.catalog,
            self.job_registry(),
            rest_url=self.config.rest_url,
            audit=audit if audit is not None else self.audit,
        )

    def watches(self) -> WatchService:
        from copilot.service.watches import WatchService

        return WatchService(self.jobs())

    def close(self) -> None:
        """Deliver the audit trail and release the clients that were created."""
        with self._lock:
            if self._audit is not None:
                self._audit.close()
            if self._gateway is not None:
                self._gateway.close()
            if self._bus is not None:
                self._bus.close()


def build(config: Config | None = None) -> Services:
    """The services for `config` (default: from the settings table and the working catalog)."""
    return Services(config if config is not None else Config.from_settings())
