"""The PSB webhook signature and replay window.

The PSB signs every webhook request with ``X-EConnect-Signature: sha256=<hex>``, the
lowercase hex HMAC-SHA256 of the raw request body, keyed with the UTF-8 secret that was
registered as the ``#fragment`` of the hook's action URL (psb-api.md §6.3). There is no
timestamp in the signed data; eConnect's SDKs add a replay check on the event's
``sentOn`` instead (:func:`check_sent_on`).

Always sign and verify the exact bytes received: re-serialised JSON (other key order,
spacing or line endings) does not match.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

PREFIX = "sha256="
DEFAULT_WINDOW = timedelta(minutes=5)

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_FRACTION = re.compile(r"\.(\d+)")


def sign(secret: str, body: bytes) -> str:
    """The ``X-EConnect-Signature`` header value of ``body`` signed with ``secret``."""
    return PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` under ``secret``.

    The comparison is constant-time. The ``sha256=`` prefix is accepted in any case and
    the hex digest in upper or lower case. A missing or malformed header, or an empty
    secret, is False.
    """
    if not secret or not isinstance(header, str):
        return False
    header = header.strip()
    if header[: len(PREFIX)].lower() != PREFIX:
        return False
    received = header[len(PREFIX) :]
    if not _HEX_DIGEST.fullmatch(received):
        return False
    expected = sign(secret, body)[len(PREFIX) :]
    return hmac.compare_digest(
        expected.encode("ascii"), received.lower().encode("ascii")
    )


def parse_timestamp(value: str | None) -> datetime | None:
    """An aware datetime from ISO-8601 text, or None when ``value`` is missing or not a
    timestamp.

    Accepts ``Z`` and fractions of any length (.NET writes seven digits). A timestamp
    without an offset is read as UTC.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    # datetime.fromisoformat() only takes 3 or 6 fraction digits: truncate or pad to
    # microseconds.
    text = _FRACTION.sub(
        lambda match: "." + match.group(1)[:6].ljust(6, "0"), text, count=1
    )
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def check_sent_on(
    sent_on: str | None,
    now: datetime | None = None,
    window: timedelta | float | None = DEFAULT_WINDOW,
) -> bool:
    """True when the event's ``sentOn`` lies within ``window`` of ``now``, before or
    after.

    ``window`` is a timedelta or a number of seconds; 0 (or None) disables the check,
    which then always passes. A missing or unparsable ``sent_on`` fails. ``now``
    defaults to the current time; a naive ``now`` is read as UTC.
    """
    if not isinstance(window, timedelta):
        window = timedelta(seconds=window or 0)
    if window <= timedelta(0):
        return True
    moment = parse_timestamp(sent_on)
    if moment is None:
        return False
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return abs(now - moment) <= window


def generate_secret() -> str:
    """A new webhook secret: 32 random bytes, URL-safe base64 (never contains ``#``)."""
    return secrets.token_urlsafe(32)
