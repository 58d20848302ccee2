"""The one hierarchy of errors that services raise and the API turns into the JSON envelope."""

from typing import Any


class EnvdeckError(Exception):
    """Base of every domain error: a stable code, an HTTP status and optional details."""

    code = "INTERNAL_ERROR"
    status = 500
    default_message = "internal error"

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """Return HTTP headers this error calls for (Retry-After, WWW-Authenticate)."""
        return {}


class NotFound(EnvdeckError):
    code = "NOT_FOUND"
    status = 404
    default_message = "resource not found"


class AlreadyExists(EnvdeckError):
    code = "ALREADY_EXISTS"
    status = 409
    default_message = "resource already exists"


class ValidationFailed(EnvdeckError):
    code = "VALIDATION_ERROR"
    status = 422
    default_message = "validation error"


class Unauthorized(EnvdeckError):
    code = "UNAUTHORIZED"
    status = 401
    default_message = "authentication required"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class PayloadTooLarge(EnvdeckError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    default_message = "the request body is too large"


class UnsupportedMediaType(EnvdeckError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415
    default_message = "unsupported content type"


class Forbidden(EnvdeckError):
    code = "FORBIDDEN"
    status = 403
    default_message = "not allowed"


class Conflict(EnvdeckError):
    code = "CONFLICT"
    status = 409
    default_message = "conflict with the current state"


class RateLimited(EnvdeckError):
    code = "RATE_LIMITED"
    status = 429
    default_message = "too many requests"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, {"retryAfter": retry_after})
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Unavailable(EnvdeckError):
    code = "UNAVAILABLE"
    status = 503
    default_message = "service unavailable"


class UpstreamError(EnvdeckError):
    """A remote system Envdeck called (a version list, a target) failed or answered badly."""

    code = "UPSTREAM_ERROR"
    status = 502
    default_message = "the upstream service failed"


class StorageUnavailable(Unavailable):
    default_message = "storage is unreachable"


class ShuttingDown(Unavailable):
    """This process is stopping (SIGTERM): it takes no new work; another instance, or this one
    once restarted, will."""

    default_message = "Envdeck is shutting down; try again in a moment"
    retry_after = 5

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class EnvironmentNotFound(NotFound):
    default_message = "environment not found"


class UserNotFound(NotFound):
    default_message = "user not found"


class LogNotFound(NotFound):
    default_message = "log entry not found"


class OperationNotFound(NotFound):
    default_message = "operation not found"


class CredentialNotFound(NotFound):
    default_message = "credential not found"


class ApiTokenNotFound(NotFound):
    default_message = "API token not found"


class SshFailure(UpstreamError):
    """Reaching a host over SSH failed before the script could run (codes: RunErrorCode)."""

    code = "SSH_CONNECT_FAILED"
    default_message = "the SSH connection failed"


class SshConnectTimeout(SshFailure):
    code = "SSH_CONNECT_TIMEOUT"
    default_message = "the SSH connection timed out"


class SshAuthFailed(SshFailure):
    code = "SSH_AUTH_FAILED"
    default_message = "the SSH server refused the credentials"


class SshCredentialInvalid(SshFailure):
    code = "SSH_CREDENTIAL_INVALID"
    default_message = "the SSH credential cannot be used"


class HostKeyMismatch(SshFailure):
    """The server's host key is not the recorded (TOFU) or pinned one."""

    code = "HOST_KEY_MISMATCH"
    default_message = "the SSH host key does not match the expected key"


class HostKeyInvalid(SshFailure):
    code = "HOST_KEY_INVALID"
    default_message = "the configured SSH host key is not an OpenSSH public key"


class SshConnectionLost(SshFailure):
    code = "SSH_CONNECTION_LOST"
    default_message = "the SSH connection was lost"
