from datetime import datetime, timedelta

from psb import lifecycle

T0 = datetime(2026, 3, 2, 8, 0)


def test_created_on_parsing():
    assert lifecycle.parse_created_on("2026-03-02T09:00:00+01:00") == T0
    assert lifecycle.parse_created_on("2026-03-02T08:00:00Z") == T0
    assert lifecycle.parse_created_on("yesterday") is None
    assert lifecycle.parse_created_on(None) is None


def test_retention_whichever_first():
    assert lifecycle.retention_deadline(T0) == T0 + timedelta(days=90)
    assert lifecycle.retention_deadline(T0, T0 + timedelta(days=1)) == T0 + timedelta(
        days=8
    )
    assert lifecycle.retention_deadline(T0, T0 + timedelta(days=88)) == T0 + timedelta(
        days=90
    )


def test_backoff_is_capped_at_30_minutes_and_never_gives_up_before_the_deadline():
    delays = [lifecycle.retry_delay(n) for n in range(1, 10)]
    assert delays[:6] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30)]
    assert set(delays[5:]) == {timedelta(minutes=30)}
    assert lifecycle.retry_delay(1, retry_after=600) == timedelta(minutes=10)
    # A three-day outage: attempts go on every 30 minutes, well within the deadline.
    deadline = lifecycle.retention_deadline(T0)
    now, attempts = T0, 0
    while now < T0 + timedelta(days=3):
        attempts += 1
        nxt = lifecycle.next_attempt(now, attempts, deadline)
        assert nxt is not None and nxt - now <= timedelta(minutes=30)
        now = nxt
    assert 140 < attempts < 150
    # Near the deadline: one last try just before it, then none.
    late = deadline - timedelta(minutes=20)
    assert lifecycle.next_attempt(late, 50, deadline) == deadline - timedelta(minutes=5)
    assert lifecycle.next_attempt(deadline - timedelta(minutes=1), 51, deadline) is None


def test_alert_and_expiry_windows():
    deadline = T0 + timedelta(days=90)
    assert not lifecycle.alert_due(deadline - timedelta(days=2), deadline)
    assert lifecycle.alert_due(deadline - timedelta(hours=23), deadline)
    assert lifecycle.expires_within(deadline - timedelta(days=1), deadline)
    assert not lifecycle.expires_within(deadline - timedelta(days=3), deadline)
