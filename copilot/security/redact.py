"""Secrets never leave the process in text a person or a log sees: the values of credential-like
environment variables (COPILOT_KAFKA_SASL_PASSWORD, OPENAI_API_KEY, ...), strings shaped like API keys and
the password of a JAAS login are masked wherever text is reported; `scrub` also drops credential-like keys
of structured events (the audit trail). The one redaction module: infrastructure layer, standard library only."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

MASK = "[redacted]"
# names of settings and event keys that hold credentials
SECRET_NAME = re.compile(r"(api[_-]?key|token|password|passwd|secret|authorization|credential|jaas|private[_-]?key)", re.I)
# values that are credentials whatever they are called
SECRET_SHAPE = re.compile(
    r"\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{8,}|(?:ghp|gho|ghs|xox[bpas])_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}"
    r"|AIza[0-9A-Za-z_-]{20,}|hf_[A-Za-z0-9]{20,})"
)
# the password of a JAAS login module line (Kafka's sasl.jaas.config): password="..."
JAAS_PASSWORD = re.compile(r'(password\s*=\s*")((?:[^"\\]|\\.)*)(")', re.I)
MIN_SECRET_LEN = 6  # shorter values (e.g. "1", "true") would mask ordinary words


def secret_values() -> list[str]:
    """Values of credential-like environment variables, longest first (read on every call: the
    environment can change while a long-lived app runs)."""
    values = {v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    if not text:
        return text
    for value in secret_values():
        if value in text:
            text = text.replace(value, MASK)
    text = JAAS_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    return SECRET_SHAPE.sub(MASK, text)


def scrub(value: Any) -> Any:
    """A copy of a structured event without credentials: credential-like keys dropped, every string redacted."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not SECRET_NAME.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """Logging filter: the rendered message of every record is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not a leak
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Redact every handler's output of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
