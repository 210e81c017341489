"""One error root. Each error knows its CLI exit code and renders without a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_REQUEST = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


class CopilotError(Exception):
    """Root of every error the product reports to a person."""

    exit_code = EXIT_REQUEST

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "message": self.message, "hint": self.hint}

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class RequestError(CopilotError):
    """The request could not be answered (invalid SQL, unknown topic, ...): exit 1."""


class UsageError(CopilotError):
    """Bad usage of a command: exit 2."""

    exit_code = EXIT_USAGE


class ServiceUnavailable(CopilotError):
    """A required service is unreachable: exit 3. Names the service and its address."""

    exit_code = EXIT_UNAVAILABLE

    def __init__(self, service: str, address: str, detail: str = "", *, hint: str | None = None):
        message = f"{service} is unreachable at {address}" + (f": {detail}" if detail else "")
        super().__init__(message, hint=hint or "start the stack with `flink-copilot up` or point the settings at a running one")
        self.service = service
        self.address = address

    def to_dict(self) -> dict:
        d = super().to_dict()
        d.update(service=self.service, address=self.address)
        return d


class StackError(CopilotError):
    """A part of the local stack failed to start: exit 3, with the tail of its log."""

    exit_code = EXIT_UNAVAILABLE


class ArtifactError(CopilotError):
    """A download is missing or corrupt: exit 3 (a required resource is unreachable)."""

    exit_code = EXIT_UNAVAILABLE
