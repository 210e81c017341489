"""Secrets never leave the process in text a person or a log sees: the values of credential-like
environment variables and strings shaped like API keys are masked wherever text is reported."""

from __future__ import annotations

import logging
import os
import re

MASK = "[redacted]"
SECRET_NAME = re.compile(r"(api[_-]?key|token|password|passwd|secret|authorization|credential)", re.I)
SECRET_SHAPE = re.compile(
    r"\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{8,}|(?:ghp|gho|ghs|xox[bpas])_[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16}"
    r"|AIza[0-9A-Za-z_-]{20,}|hf_[A-Za-z0-9]{20,})")
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
    return SECRET_SHAPE.sub(MASK, text)


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
