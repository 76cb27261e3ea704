"""Domain errors. Each carries an HTTP status, a stable code and a message a person can act on."""

from __future__ import annotations

from typing import Any

from oa_core.platform.wording import for_people


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.hint = message
        """The message as written, English hint included: for logs and developers."""
        self.message = for_people(message)
        """What a person reads: Chinese only (``wording.for_people``)."""
        self.details = details or {}
        """More for the caller, inside the error object (e.g. a booking's conflicting bookings)."""
        if code:
            self.code = code

    def as_body(self) -> dict[str, dict[str, Any]]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "gone"


class FlowUnavailable(DomainError):
    """The decision is saved but the workflow service could not be told; a resume delivers it."""

    status = 503
    code = "flow_unavailable"


class TransientError(Exception):
    """A failure worth retrying (throttling, a conflicting transaction). The ASL retries it by name."""
