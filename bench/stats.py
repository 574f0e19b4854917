"""Small statistics helpers shared by the benchmark scripts (plain Python)."""

import statistics


def percentile(values, pct):
    """The ``pct`` percentile (0-100) of ``values``, by linear interpolation between
    closest ranks."""
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def summary(values, digits=4):
    """Median and spread of repeated measurements: {median, min, max, spread_pct, n,
    runs}.

    ``spread_pct`` is (max - min) / median in percent: how far apart the repeated runs
    were.
    """
    data = [v for v in values if v is not None]
    if not data:
        return {
            "median": None,
            "min": None,
            "max": None,
            "spread_pct": None,
            "n": 0,
            "runs": [],
        }
    median = statistics.median(data)
    spread = (max(data) - min(data)) / median * 100 if median else 0.0
    return {
        "median": round(median, digits),
        "min": round(min(data), digits),
        "max": round(max(data), digits),
        "spread_pct": round(spread, 1),
        "n": len(data),
        "runs": [round(v, digits) for v in data],
    }


def fmt(stat, unit="", digits=1, scale=1.0):
    """'12.3 unit [11.9-13.0]' for a summary()."""
    if not stat or stat.get("median") is None:
        return "n/a"
    m, lo, hi = (stat[k] * scale for k in ("median", "min", "max"))
    if stat.get("n", 0) <= 1:
        return f"{m:.{digits}f}{unit}"
    return f"{m:.{digits}f}{unit} [{lo:.{digits}f}-{hi:.{digits}f}]"
