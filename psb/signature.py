"""The PSB webhook signature: ``X-EConnect-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``.

Always sign and verify the exact bytes received; re-serialised JSON does not match.
"""
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

PREFIX = "sha256="
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_FRACTION = re.compile(r"\.(\d+)")


def sign(secret, body):
    """The header value the PSB sends for ``body`` signed with ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(secret, body, header):
    """True when ``header`` is the valid signature of ``body``; constant-time comparison."""
    if not secret or not header or not isinstance(header, str):
        return False
    header = header.strip()
    if header[: len(PREFIX)].lower() != PREFIX:
        return False
    received = header[len(PREFIX):]
    if not _HEX.match(received):
        return False
    expected = sign(secret, body)[len(PREFIX):]
    return hmac.compare_digest(expected, received.lower())


def parse_timestamp(value):
    """Parse an ISO-8601 timestamp with offset (``Z`` and .NET's 7-digit fractions accepted)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def check_sent_on(sent_on, now=None, window=timedelta(minutes=5)):
    """True when ``sent_on`` lies within ``window`` of ``now`` (either side). A zero window disables the check."""
    if not window:
        return True
    moment = parse_timestamp(sent_on)
    if moment is None:
        return False
    now = now or datetime.now(timezone.utc)
    return abs(now - moment) <= window


def generate_secret():
    """A strong webhook secret, safe in a URL fragment."""
    return secrets.token_urlsafe(32)
