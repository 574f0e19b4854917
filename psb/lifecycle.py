"""The life of a received document at the PSB, as plain date arithmetic (no clock of its
own: every function takes ``now``, so an outage of days is tested with a simulated
clock).

* Retention (psb-api.md §7): the PSB keeps a received document 90 days after it received
  it, and 7 days after its first download, whichever comes first.
* Retries: a transient failure (network, PSB 5xx, 429) is tried again with a back-off of
  1, 2, 4 … minutes for about the first hour, then every :data:`RETRY_CAP` (30 minutes),
  for as long as the PSB keeps the document; there is no attempt limit.
* The PSB administrators are alerted :data:`ALERT_BEFORE` (a day) before the deadline
  when the document is still not downloaded.

All datetimes are naive UTC (Odoo's convention).
"""

from datetime import datetime, timedelta, timezone

KEEP_AFTER_RECEIPT = timedelta(days=90)
KEEP_AFTER_DOWNLOAD = timedelta(days=7)
RETRY_CAP = timedelta(minutes=30)
FIRST_RETRY = timedelta(minutes=1)
#: A Retry-After the PSB asks for is honoured up to this.
MAX_RETRY_AFTER = timedelta(hours=6)
ALERT_BEFORE = timedelta(days=1)


def parse_created_on(value):
    """The event's ``createdOn`` (ISO 8601, with or without an offset) as naive UTC, or
    None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def retention_deadline(received_at, first_download_at=None):
    """Until when the PSB keeps its copy: 90 days after receipt, 7 days after the first
    download, whichever is first."""
    deadline = received_at + KEEP_AFTER_RECEIPT
    if first_download_at:
        deadline = min(deadline, first_download_at + KEEP_AFTER_DOWNLOAD)
    return deadline


def retry_delay(attempts, retry_after=None):
    """The wait before the next attempt after ``attempts`` failed ones (1 for the first
    failure)."""
    delay = min(FIRST_RETRY * 2 ** min(max(0, attempts - 1), 20), RETRY_CAP)
    if retry_after:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return delay


def next_attempt(now, attempts, deadline, retry_after=None):
    """When to try again, or None when the next attempt would come after the PSB's
    deadline (the document is then gone at the PSB and retrying is pointless)."""
    moment = now + retry_delay(attempts, retry_after)
    if deadline and moment >= deadline:
        # One last try shortly before the deadline, when there is still time for it.
        last = deadline - timedelta(minutes=5)
        return last if last > now else None
    return moment


def alert_due(now, deadline):
    """True once the deadline is a day away or less."""
    return bool(deadline) and now >= deadline - ALERT_BEFORE


def expires_within(now, deadline, days=2):
    return bool(deadline) and deadline <= now + timedelta(days=days)
