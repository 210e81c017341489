"""Conversation history, rebuilt from the answers topic: every answer of a conversation lies in the
partition of its conversation id, so any worker can continue any conversation."""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict

from copilot.agent.base import Turn
from copilot.errors import ServiceUnavailable
from copilot.kafka import clients
from copilot.kafka.clients import KafkaException, TopicPartition
from copilot.service.events import partition_for

log = logging.getLogger(__name__)
SCAN_LIMIT = 20_000  # answers read back per lookup: older turns of a conversation are forgotten
MAX_TURNS = 20
MAX_CACHED = 1000


class ConversationHistory:
    """Turns per conversation: answers this worker wrote, and answers read back from the topic on a miss.
    `forget()` on a rebalance: another worker may have continued a conversation meanwhile."""

    def __init__(self, servers: str, topic: str, partitions: int):
        self.servers, self.topic, self.partitions = servers, topic, partitions
        self._cache: OrderedDict[str, list[Turn]] = OrderedDict()

    def forget(self) -> None:
        self._cache.clear()

    def remember(self, conversation_id: str, turn: Turn) -> None:
        turns = (self._cache.pop(conversation_id, []) + [turn])[-MAX_TURNS:]
        self._cache[conversation_id] = turns
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    def turns(self, conversation_id: str) -> list[Turn]:
        if conversation_id not in self._cache:
            self._cache[conversation_id] = self.read(conversation_id)
        self._cache.move_to_end(conversation_id)
        return list(self._cache[conversation_id])

    def read(self, conversation_id: str, timeout: float = 10.0) -> list[Turn]:
        """The conversation's committed answers, oldest first (read_committed: aborted ones never count)."""
        partition = partition_for(conversation_id, self.partitions)
        consumer = clients.consumer(
            "copilot-history",
            {"enable.auto.commit": False, "isolation.level": "read_committed", "fetch.wait.max.ms": 10},
            servers=self.servers,
        )
        key = conversation_id.encode()
        turns: list[Turn] = []
        try:
            tp = TopicPartition(self.topic, partition)
            low, high = consumer.get_watermark_offsets(tp, timeout=timeout)
            if high <= low:
                return []
            consumer.assign([TopicPartition(self.topic, partition, max(low, high - SCAN_LIMIT))])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msgs = consumer.consume(500, 0.2)
                done = False
                for msg in msgs:
                    if msg.error():
                        continue
                    raw = msg.value()
                    if msg.key() == key and raw is not None:
                        turns.append(Turn.from_dict(json.loads(raw)))
                    done = done or (msg.offset() or 0) >= high - 1
                if done:
                    break
                if not msgs and consumer.position([tp])[0].offset >= high:
                    break  # the rest up to `high` were transaction markers or aborted records
        except KafkaException as exc:
            raise ServiceUnavailable("Kafka", self.servers, f"reading {self.topic}: {exc}") from None
        finally:
            consumer.close()
        return turns[-MAX_TURNS:]
