"""Typed errors of the PSB client: each says what happened and what a person can do about it."""


class PsbError(Exception):
    """Base error. ``retryable`` tells the caller whether trying again later may succeed."""

    retryable = False

    def __init__(self, message, status=None, code=None, request_id=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after

    def __str__(self):
        return self.message


class PsbConfigError(PsbError):
    """Settings are missing or wrong on our side."""


class PsbAuthError(PsbError):
    """401/403 or a refused token request: credentials or party access are wrong."""


class PsbNotFoundError(PsbError):
    """404: the PSB does not know the document (or it was deleted)."""


class PsbConflictError(PsbError):
    """409: already processed (a repeated idempotent request)."""


class PsbRequestError(PsbError):
    """Any other 4xx (or a refused redirect, or an oversized answer): not worth retrying."""


class PsbTransientError(PsbError):
    """Network error, time-out, 5xx or 429: try again later."""

    retryable = True
