"""One error hierarchy for the whole application, rendered as `{"error": {code, message, details}}`.

Domain and store code raise these; a single handler in `app.py` turns them into responses, so no
endpoint builds an error body by hand.
"""

from __future__ import annotations

from typing import Any


class ModelHubError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(ModelHubError):
    status_code = 400
    code = "bad_request"


class Unauthorized(ModelHubError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str = "authentication required", details: Any = None):
        super().__init__(message, details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ModelHubError):
    status_code = 403
    code = "forbidden"


class NotFound(ModelHubError):
    status_code = 404
    code = "not_found"


class Conflict(ModelHubError):
    status_code = 409
    code = "conflict"


class DuplicateKey(Conflict):
    """A unique constraint refused a write; `details` names the field."""

    code = "duplicate"


class StaleVersion(Conflict):
    """An optimistic-concurrency check failed: somebody else changed the record first."""

    code = "stale_version"


class PayloadTooLarge(ModelHubError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(ModelHubError):
    status_code = 415
    code = "unsupported_media_type"


class RangeNotSatisfiable(ModelHubError):
    status_code = 416
    code = "range_not_satisfiable"


class ValidationFailed(ModelHubError):
    status_code = 422
    code = "validation_error"


class TooManyRequests(ModelHubError):
    status_code = 429
    code = "too_many_requests"


class DependencyUnavailable(ModelHubError):
    """A server we depend on is down or too slow; `component` names it (metadata, objects, …)."""

    status_code = 503
    code = "dependency_unavailable"

    def __init__(self, component: str, message: str | None = None):
        super().__init__(message or f"{component} is unavailable", details={"component": component})
        self.component = component
