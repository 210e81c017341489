"""Event bus: questions published for the agent workers, answers read back (copilot/service)."""

from __future__ import annotations

import json
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Question:
    """A question event. `question` or `sql` (SQL typed by a person, checked instead of planned)."""

    question: str = ""
    sql: str | None = None
    conversation_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    question_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    continues: bool = False  # a follow-up: the worker rebuilds the conversation's history
    user: str | None = None
    time: float = field(default_factory=time.time)
    options: dict[str, Any] = field(default_factory=dict)  # requested run options (run, max_rows, timeout): run by the client

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Question:
        data = json.loads(raw or b"")
        if not isinstance(data, dict):
            raise ValueError("a question event is a JSON object")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if not known.get("question") and not known.get("sql"):
            raise ValueError("a question event needs `question` or `sql`")
        return cls(**known)


class QuestionBus(ABC):
    """Publishes a question event and waits for the answer event with its id."""

    @abstractmethod
    def ask(self, question: Question, timeout: float | None = None) -> dict[str, Any]:
        """The answer event (the `ask --json` document plus ids and timings); raises ServiceUnavailable
        when no worker answers in time."""

    @abstractmethod
    def close(self) -> None:
        """Release the clients."""
