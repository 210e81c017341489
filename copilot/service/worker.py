"""One agent worker process: reads question events as a member of the workers' consumer group and
writes one answer event per question. The answer and the question's offset commit are one Kafka
transaction, so a worker killed between the two leaves nothing a read_committed reader sees, and the
question is answered again by whoever owns its partition next.

Workers plan and validate; they never run a query (`--run` runs the answered SQL at the client)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from copilot.capabilities.audit import AuditSink
from copilot.capabilities.planner import Turn
from copilot.errors import ServiceUnavailable
from copilot.kafka import admin as kadmin, clients
from copilot.kafka.clients import PARTITION_EOF, Consumer, KafkaException, Producer, TopicPartition
from copilot.service import events
from copilot.service.history import ConversationHistory

if TYPE_CHECKING:
    from copilot.agent.copilot import Copilot
    from copilot.wiring import Services

log = logging.getLogger(__name__)
TRANSACTION_TIMEOUT_MS = 10_000  # a dead worker's open transaction blocks read_committed readers this long at most
SESSION_TIMEOUT_MS = 6_000  # the broker's minimum: a dead worker's partitions move after this


class QuestionAuditSink(AuditSink):
    """Adds the worker id and the question id to every audit event, so question → worker → SQL is one query."""

    def __init__(self, inner: AuditSink | None, worker_id: str):
        self.inner, self.worker_id = inner, worker_id
        self.question_id: str | None = None

    def record(self, event: dict) -> None:
        if self.inner is not None:
            self.inner.record({**event, "worker_id": self.worker_id, "question_id": self.question_id})

    def flush(self, timeout: float = 5.0) -> None:
        if self.inner is not None:
            self.inner.flush(timeout)


def default_worker_id(slot: int = 0) -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{slot}"


def build_copilot(services: Services, audit: AuditSink | None, *, use_engine: bool = True) -> Copilot:
    """The copilot a worker answers with: the catalog, the retrieval index, the configured planner and,
    when the SQL Gateway answers, Flink's planner check (else answers say engine_checked: false)."""
    return services.copilot(audit=audit, engine=use_engine)


class Worker:
    def __init__(
        self,
        worker_id: str,
        copilot: Copilot,
        audit: QuestionAuditSink | None = None,
        *,
        servers: str | None = None,
        pause_before_commit: float = 0.0,
    ):
        self.worker_id = worker_id
        self.copilot = copilot
        self.audit = audit
        self.servers = servers or kadmin.bootstrap()
        self.group = events.group_id()
        self.questions, self.answers = events.questions_topic(), events.answers_topic()
        self.pause_before_commit = pause_before_commit  # fault injection for tests: a window to kill us in
        self.stopping = False
        self.answered = 0
        self._n_answer_partitions: int | None = None  # read once by run()

    def _clients(self) -> tuple[Consumer, Producer]:
        events.ensure_topics(self.servers)
        consumer = clients.consumer(
            self.group,
            {
                "client.id": self.worker_id,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "session.timeout.ms": SESSION_TIMEOUT_MS,
                "heartbeat.interval.ms": 1000,
                "fetch.wait.max.ms": 10,
            },
            servers=self.servers,
        )
        # the transactional id is this worker's: a restarted worker with the same id fences its predecessor
        producer = clients.producer(
            {
                "client.id": self.worker_id,
                "transactional.id": f"{self.group}.{self.worker_id}",
                "linger.ms": 0,
                "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
            },
            servers=self.servers,
        )
        try:
            producer.init_transactions(30)
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", self.servers, f"starting a transactional producer: {exc}") from None
        return consumer, producer

    def run(self, max_questions: int | None = None) -> int:
        consumer, producer = self._clients()
        partitions = len(consumer.list_topics(self.answers, timeout=10).topics[self.answers].partitions)
        self._n_answer_partitions = partitions
        history = ConversationHistory(self.servers, self.answers, partitions)

        def rebalanced(_consumer, assigned):
            history.forget()  # partitions moved: a conversation may have gone on elsewhere meanwhile
            log.info("worker %s: partitions %s", self.worker_id, [p.partition for p in assigned])

        consumer.subscribe([self.questions], on_assign=rebalanced, on_revoke=rebalanced)
        sys.stderr.write(f"worker {self.worker_id}: ready, group {self.group}, {self.questions} -> {self.answers}\n")
        sys.stderr.flush()
        try:
            while not self.stopping and (max_questions is None or self.answered < max_questions):
                msg = consumer.poll(0.2)
                if msg is None:
                    continue
                error = msg.error()
                if error is not None:
                    if error.code() != PARTITION_EOF:
                        log.warning("worker %s: %s", self.worker_id, error)
                    continue
                self._handle(msg, consumer, producer, history)
        finally:
            consumer.close()
            producer.flush(5)
            if self.audit is not None:
                self.audit.flush(5)
        return self.answered

    def _handle(self, msg, consumer: Consumer, producer: Producer, history: ConversationHistory) -> None:
        received = time.time()
        started = time.perf_counter()
        try:
            question = events.Question.from_bytes(msg.value())
        except (ValueError, TypeError) as exc:
            key = (msg.key() or b"").decode(errors="replace")
            event = events.error_event("", key, self.worker_id, f"unreadable question event: {exc}")
            cid = key
        else:
            cid = question.conversation_id
            try:
                event = self._answer(question, history, received, started)
            except Exception as exc:  # a question that breaks the copilot is answered with the reason, not retried forever
                log.exception("worker %s: question %s failed", self.worker_id, question.question_id)
                event = events.error_event(
                    question.question_id, cid, self.worker_id, f"the copilot failed on this question: {type(exc).__name__}: {exc}"
                )
        event.setdefault("timings", {})["worker_ms"] = round((time.perf_counter() - started) * 1000, 2)
        answer_partition = events.partition_for(cid, self._answer_partitions(consumer))
        self._commit(msg, event, cid, answer_partition, consumer, producer)

    def _answer_partitions(self, consumer: Consumer) -> int:
        if self._n_answer_partitions is None:
            self._n_answer_partitions = len(consumer.list_topics(self.answers, timeout=10).topics[self.answers].partitions)
        return self._n_answer_partitions

    def _answer(self, question: events.Question, history: ConversationHistory, received: float, started: float) -> dict:
        if self.audit is not None:
            self.audit.question_id = question.question_id
        cid = question.conversation_id
        turns = history.turns(cid) if question.continues else []
        planned = time.perf_counter()
        if question.sql:
            answer = self.copilot.check_sql(question.sql, conversation_id=cid)
        else:
            answer = self.copilot.ask(question.question, conversation_id=cid, history=turns)
        done = time.perf_counter()
        history.remember(cid, Turn(answer.question, answer.sql, answer.plan, answer.planner, answer.valid))
        timings = {
            "queued_ms": round(max(0.0, received - question.time) * 1000, 2),
            "history_ms": round((planned - started) * 1000, 2),
            "answer_ms": round((done - planned) * 1000, 2),
        }
        return events.answer_event(answer, question, self.worker_id, timings)

    def _commit(self, msg, event: dict, cid: str, partition: int, consumer: Consumer, producer: Producer) -> None:
        """The answer and the input offset in one transaction; retried from the question on an abortable error."""
        try:
            producer.begin_transaction()
            producer.produce(self.answers, key=cid.encode(), value=json.dumps(event, default=str).encode(), partition=partition)
            if self.pause_before_commit:
                producer.flush(10)  # the answer is on the broker, inside the still open transaction
                sys.stderr.write(
                    f"worker {self.worker_id}: answer to {event.get('question_id')} produced, "
                    f"committing in {self.pause_before_commit}s\n"
                )
                sys.stderr.flush()
                time.sleep(self.pause_before_commit)
            offsets = [TopicPartition(msg.topic(), msg.partition(), msg.offset() + 1)]
            producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), 10)
            producer.commit_transaction(10)
            self.answered += 1
        except KafkaException as exc:
            error = exc.args[0]
            if error.txn_requires_abort():
                producer.abort_transaction(10)
                consumer.seek(TopicPartition(msg.topic(), msg.partition(), msg.offset()))  # answer it again
                log.warning("worker %s: transaction aborted (%s); the question is answered again", self.worker_id, error)
                return
            if error.retriable():
                consumer.seek(TopicPartition(msg.topic(), msg.partition(), msg.offset()))
                return
            raise  # fenced by a newer worker with our id, or fatal: the process ends, the supervisor restarts it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="copilot.service.worker", description="one agent worker process")
    parser.add_argument("--worker-id", default=None)
    parser.add_argument("--catalog-dir", default=None)
    parser.add_argument("--no-engine", action="store_true", help="skip Flink's planner check")
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument("--pause-before-commit", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    from copilot.security.redact import install_log_redaction

    install_log_redaction()  # a Kafka or model error quoting a credential is masked in the worker's log
    worker_id = args.worker_id or default_worker_id()
    sys.stderr.write(f"worker starting: {worker_id} (pid {os.getpid()})\n")
    from copilot.wiring import Config, build

    services = build(
        Config.from_settings(catalog_dir=Path(args.catalog_dir) if args.catalog_dir else None, audit=not args.no_audit)
    )
    audit = QuestionAuditSink(services.audit, worker_id)
    services.warm_in_background()
    worker = Worker(
        worker_id,
        build_copilot(services, audit, use_engine=not args.no_engine),
        audit,
        pause_before_commit=args.pause_before_commit,
    )

    def stop(_sig, _frame):
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        worker.run()
    except ServiceUnavailable as exc:
        sys.stderr.write(f"worker {worker_id}: {exc}\n")
        return 3
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
