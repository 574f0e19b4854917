"""Figure 1: webhook acknowledgement latency under 1, 8 and 32 concurrent deliveries
(plain Python).

    python bench/webhook_load.py --url http://127.0.0.1:PORT/econnect_psb/webhook
    --secret S \
        --dsn "dbname=psb_bench user=odoo" --out F [--levels 1,8,32] [--rounds 3]
        [--requests 1:150,8:400,32:640]

Each delivery is a properly signed ``OrderReceived`` event (``psb.signature.sign`` over
the exact body, fresh ``sentOn``) on its own connection, as the PSB sends them. About
one event in ten is delivered twice on purpose: half of these repeats go out at the same
moment as the first delivery (a race between two workers), the other half later (a PSB
retry). Latency is measured from the connection to the last byte of the answer.
Afterwards the stored documents are counted in the database: every event exactly once,
none lost, none duplicated.
"""

import argparse
import http.client
import json
import queue
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from stats import percentile, summary  # noqa: E402 - after the sys.path entry above

from psb.signature import sign  # noqa: E402 - after the sys.path entry above

PARTY = "0106:12345678"


def event_body(document_id):
    now = datetime.now(timezone.utc).isoformat()
    return json.dumps(
        {
            "topic": "OrderReceived",
            "partyId": PARTY,
            "hookId": "bench-hook",
            "documentId": document_id,
            "message": "'Order' received.",
            "details": {"sender": "0106:90000001", "id": f"PO-{document_id}"},
            "createdOn": now,
            "sentOn": now,
        }
    ).encode()


def deliver(url, secret, document_id, timeout=30):
    parts = urlsplit(url)
    body = event_body(document_id)
    headers = {
        "Content-Type": "application/json",
        "X-EConnect-Signature": sign(secret, body),
        "Connection": "close",
        "User-Agent": "PSB-bench",
    }
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        status = response.status
    except OSError as exc:
        return time.perf_counter() - started, None, str(exc)
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    try:
        answer = json.loads(payload).get("status")
    except ValueError:
        answer = payload[:100].decode("utf-8", "replace")
    return elapsed, status, answer


def fetch(url, timeout=30):
    """GET ``url`` on its own connection: Odoo's floor (``/web/health`` needs no
    database)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError as exc:
        return time.perf_counter() - started, None, str(exc)
    finally:
        connection.close()
    return time.perf_counter() - started, status, "ok"


def plan(prefix, count):
    """The deliveries of one round: ``count`` sends, of which ~10% repeat an earlier
    event."""
    sends, events = [], []
    n = 0
    while len(sends) < count:
        document_id = f"{prefix}-{n:05d}"
        events.append(document_id)
        sends.append(document_id)
        if n % 20 == 7 and len(sends) < count:
            sends.append(
                document_id
            )  # at the same moment (the next free worker takes it)
        n += 1
    # a PSB retry, later: every 20th event again at the end
    retries = [events[i] for i in range(0, len(events), 20)][: max(1, count // 20)]
    sends = sends[: count - len(retries)] + retries
    return sends, sorted(set(sends))


def run_round(url, secret, concurrency, sends, deadline, call=None):
    work = queue.Queue()
    for document_id in sends:
        work.put(document_id)
    results = []
    lock = threading.Lock()

    def worker():
        while time.monotonic() < deadline:
            try:
                document_id = work.get_nowait()
            except queue.Empty:
                return
            result = call(url) if call else deliver(url, secret, document_id)
            with lock:
                results.append((document_id, *result))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()))
    return results, time.perf_counter() - started


def count_documents(dsn, prefix):
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cr:
        cr.execute(
            "SELECT psb_document_id, count(*) FROM econnect_psb_document WHERE "
            "psb_document_id LIKE %s GROUP BY 1",
            (prefix + "%",),
        )
        return dict(cr.fetchall())


def delete_documents(dsn, prefix):
    import psycopg2

    with psycopg2.connect(dsn) as connection, connection.cursor() as cr:
        cr.execute(
            "DELETE FROM econnect_psb_document WHERE psb_document_id LIKE %s",
            (prefix + "%",),
        )
        cr.execute("DELETE FROM ir_cron_trigger")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", default="1:150,8:400,32:640")
    parser.add_argument(
        "--budget", type=float, default=150, help="seconds for the whole figure"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="Odoo HTTP workers (for the report)"
    )
    parser.add_argument(
        "--dbfilter",
        action="store_true",
        help="Odoo runs with --db-filter (for the report: it then lists the databases "
        "on every request)",
    )
    parser.add_argument(
        "--floor-url",
        default="",
        help="also measure this GET (Odoo's floor), one round per level",
    )
    args = parser.parse_args()
    counts = {
        int(k): int(v)
        for k, v in (item.split(":") for item in args.requests.split(","))
    }
    levels = [int(level) for level in args.levels.split(",")]
    run_id = uuid.uuid4().hex[:8]
    prefix = f"bench-wh-{run_id}"
    deadline = time.monotonic() + args.budget

    # Warm-up: every HTTP worker loads the registry on its first request.
    warm, _ = run_round(
        args.url, args.secret, 8, [f"{prefix}-warm-{i}" for i in range(48)], deadline
    )
    warm_failures = [r for r in warm if r[2] != 200]

    out = {
        "levels": [],
        "run_id": run_id,
        "warmup_failures": len(warm_failures),
        "odoo_workers": args.workers,
        "dbfilter": args.dbfilter,
    }
    all_expected = {f"{prefix}-warm-{i}" for i in range(48)}
    all_sends = 48
    for concurrency in levels:
        per_round = []
        for rnd in range(args.rounds):
            if per_round and time.monotonic() > deadline:
                break
            sends, unique = plan(
                f"{prefix}-c{concurrency}-r{rnd}", counts.get(concurrency, 200)
            )
            results, wall = run_round(
                args.url, args.secret, concurrency, sends, deadline
            )
            all_expected.update(unique)
            all_sends += len(sends)
            latencies = [r[1] * 1000 for r in results if r[2] == 200]
            statuses = {}
            for r in results:
                statuses[str(r[3]) if r[2] == 200 else f"http {r[2]}: {r[3]}"] = (
                    statuses.get(
                        str(r[3]) if r[2] == 200 else f"http {r[2]}: {r[3]}", 0
                    )
                    + 1
                )
            per_round.append(
                {
                    "sent": len(sends),
                    "answered": len(results),
                    "unique_events": len(unique),
                    "repeats": len(sends) - len(unique),
                    "statuses": statuses,
                    "p50_ms": percentile(latencies, 50),
                    "p95_ms": percentile(latencies, 95),
                    "p99_ms": percentile(latencies, 99),
                    "max_ms": max(latencies) if latencies else None,
                    "per_second": len(results) / wall if wall else None,
                }
            )
            print(
                f"webhook c={concurrency} round {rnd + 1}: p50 "
                f"{per_round[-1]['p50_ms']:.1f} ms, p95 "
                f"{per_round[-1]['p95_ms']:.1f} ms, p99 {per_round[-1]['p99_ms']:.1f} "
                f"ms, {statuses}",
                file=sys.stderr,
                flush=True,
            )
        floor = None
        if args.floor_url and time.monotonic() < deadline:
            count = max(20, counts.get(concurrency, 200) // 2)
            results, _ = run_round(
                args.floor_url, None, concurrency, [None] * count, deadline, call=fetch
            )
            latencies = [r[1] * 1000 for r in results if r[2] == 200]
            floor = {
                "requests": len(results),
                "p50_ms": percentile(latencies, 50),
                "p95_ms": percentile(latencies, 95),
                "p99_ms": percentile(latencies, 99),
            }
        out["levels"].append(
            {
                "floor": floor,
                "concurrency": concurrency,
                "rounds": per_round,
                "p50_ms": summary([r["p50_ms"] for r in per_round], 2),
                "p95_ms": summary([r["p95_ms"] for r in per_round], 2),
                "p99_ms": summary([r["p99_ms"] for r in per_round], 2),
                "per_second": summary([r["per_second"] for r in per_round], 1),
                "stored": sum(r["statuses"].get("stored", 0) for r in per_round),
                "duplicate_answers": sum(
                    r["statuses"].get("duplicate", 0) for r in per_round
                ),
                "errors": sum(
                    n
                    for r in per_round
                    for k, n in r["statuses"].items()
                    if k not in ("stored", "duplicate")
                ),
            }
        )

    stored = count_documents(args.dsn, prefix)
    lost = sorted(all_expected - set(stored))
    duplicated = {k: v for k, v in stored.items() if v != 1}
    unexpected = sorted(set(stored) - all_expected)
    out["integrity"] = {
        "deliveries": all_sends,
        "events": len(all_expected),
        "stored_rows": sum(stored.values()),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "unexpected": len(unexpected),
        "ok": not lost and not duplicated and not unexpected,
        "examples": {"lost": lost[:5], "duplicated": list(duplicated)[:5]},
    }
    delete_documents(args.dsn, prefix)
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out["integrity"]), file=sys.stderr)


if __name__ == "__main__":
    main()
