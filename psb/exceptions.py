"""Typed errors of the PSB client.

Every error carries a ``message`` written for the person who reads it in Odoo (what
happened and what to do), the HTTP ``status``, the PSB error ``code`` (``API403``…) and
``request_id`` when the PSB sent its JSON error body, ``error_code`` and ``params``: our
own stable name of the error and its values, from which Odoo writes the message in the
reader's language (``models/psb_messages.py``; ``code`` is the PSB's), and
``retryable``: whether trying again later may succeed. Callers retry only retryable
errors, after ``retry_after`` seconds when the PSB said so.
"""


class ExplainedError(Exception):
    """An error of ``psb`` whose ``message`` is written for the person who reads it (in
    English), with ``error_code``, its stable name, and ``params``, its values, from
    which Odoo writes the message in the reader's language (``models/psb_messages.py``).
    The client's errors below, the reader's (``psb/ubl/model.py``) and the answer's
    (``psb/ubl/response.py``) are all of this kind."""

    def __init__(self, message, error_code=None, params=None):
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.params = params or {}

    def __str__(self):
        return self.message


class PsbError(ExplainedError):
    """Base class of every PSB client error."""

    retryable = False

    def __init__(
        self,
        message,
        status=None,
        code=None,
        request_id=None,
        retry_after=None,
        help_link=None,
        error_code=None,
        params=None,
    ):
        super().__init__(message, error_code, params)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.help_link = help_link


class PsbConfigError(PsbError):
    """Settings are missing or inconsistent on our side; fix them before trying
    again."""


class PsbAuthError(PsbError):
    """401/403, or the identity server refused the credentials: check them and the
    party's access."""


class PsbNotFoundError(PsbError):
    """404: the PSB does not know the document (it may have been deleted, see the
    retention rules)."""


class PsbConflictError(PsbError):
    """409: already processed. For idempotent posts (``X-EConnect-DocumentId``) this
    means success."""


class PsbRequestError(PsbError):
    """Any other refusal (400, 413, other 4xx, a redirect, an unusable answer): retrying
    will not help."""


class PsbTransientError(PsbError):
    """Network error, time-out, 5xx or 429: try again later (after ``retry_after``
    seconds if set)."""

    retryable = True
