"""Figure 2: a backlog of Peppol orders delivered at once through the PSB sandbox, then
imported.

    python bench/backlog.py deliver --sandbox URL --count 1000 --lines 10 --prefix BL1
    --out F python bench/backlog.py wait --dsn DSN --prefix BL1 --count 1000 --out F
    [--timeout 300] python bench/backlog.py deliver --changes ... / wait --changes ...
    (2d: one Order Change per order)

``deliver`` stores each order in the sandbox and has the sandbox deliver its signed
webhook event to Odoo (control API ``POST /_sandbox/documents`` with ``deliver: true``),
eight at a time. ``wait`` polls the database until every document of the backlog is
imported (or failed), records the progress over time, and checks that no buyer order
became two sale orders.
"""

import argparse
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orders  # noqa: E402 - after the sys.path entry above
from stats import summary  # noqa: E402 - after the sys.path entry above


def post_json(url, payload, timeout=60):
    request = urllib.request.Request(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.load(answer)


def backlog_xmls(args):
    """The backlog's orders; with ``--changes``, one Order Change for each of them
    instead."""
    if args.changes:
        return [
            orders.change_xml(
                f"{args.prefix}-{i:05d}",
                f"{args.prefix}-CH-{i:05d}",
                buyer_index=i,
                first_product=i * args.lines,
            ).decode()
            for i in range(args.count)
        ]
    return [
        orders.order_xml(
            f"{args.prefix}-{i:05d}",
            args.lines,
            buyer_index=i,
            first_product=i * args.lines,
            straight_through=args.straight_through,
            advanced=args.advanced,
        ).decode()
        for i in range(args.count)
    ]


def cmd_deliver(args):
    xmls = backlog_xmls(args)
    topic = "OrderChangeReceived" if args.changes else "OrderReceived"
    results = [None] * args.count
    document_ids = [None] * args.count
    next_index = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.timeout

    def worker():
        while time.monotonic() < deadline:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= args.count:
                return
            try:
                answer = post_json(
                    f"{args.sandbox}/_sandbox/documents",
                    {
                        "partyId": orders.PARTY_ID,
                        "xml": xmls[index],
                        "deliver": True,
                        "topic": topic,
                    },
                )
                results[index] = [d.get("status") for d in answer.get("deliveries", [])]
                document_ids[index] = answer.get("documentId")
            except OSError as exc:
                results[index] = [f"error: {exc}"]

    started = time.perf_counter()
    threads = [
        threading.Thread(target=worker, daemon=True) for _ in range(args.concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()))
    seconds = time.perf_counter() - started
    delivered = sum(1 for r in results if r == [200])
    out = {
        "count": args.count,
        "lines": args.lines,
        "delivered_200": delivered,
        "seconds": round(seconds, 2),
        "per_second": round(args.count / seconds, 1),
        "failures": [r for r in results if r != [200]][:5],
        "document_ids": document_ids,
    }
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(
        json.dumps({k: v for k, v in out.items() if k != "document_ids"}),
        file=sys.stderr,
    )


def snapshot(cr, prefix, decided=False):
    cr.execute(
        "SELECT state, count(*) FROM econnect_psb_document WHERE buyer_order_ref LIKE "
        "%s GROUP BY state",
        (prefix + "-%",),
    )
    states = dict(cr.fetchall())
    if decided:
        # With automatic confirmation an order is done once it is decided (confirmed, or
        # left for a person).
        cr.execute(
            "SELECT count(*) FROM sale_order WHERE psb_order_ref LIKE %s AND "
            "psb_auto_state IS NOT NULL",
            (prefix + "-%",),
        )
        states["imported"] = min(states.get("imported", 0), cr.fetchone()[0])
    return states


def database_cursor(dsn):
    """A cursor on the database ``dsn``, each statement committed by itself."""
    import psycopg2

    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    return connection.cursor()


def poll(args, states_of, finished_of):
    """Polls ``states_of()`` (the documents of the backlog by state) every ``--poll``
    seconds until ``finished_of(states)`` reaches ``--count`` or ``--timeout`` passes.

    Returns the last states, the progress as (seconds, imported) pairs, and when the
    first document left the state 'received' (seconds, or None)."""
    started = time.perf_counter()
    progress = []
    began = None
    states = {}
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        states = states_of()
        now = time.perf_counter() - started
        done = states.get("imported", 0)
        if (
            began is None
            and states.get("received", 0) < args.count
            and sum(states.values()) >= args.count
        ):
            began = max(0.0, now - args.poll / 2)
        if not progress or progress[-1][1] != done:
            progress.append((round(now, 3), done))
        if finished_of(states) >= args.count:
            break
        time.sleep(args.poll)
    return states, progress, began


def timing(progress, began, done, per_second):
    """The seconds a wait took (from launch, and from when processing began) and
    ``done`` per second of processing, under the key ``per_second``."""
    seconds = progress[-1][0] if progress else None
    window = seconds - began if seconds is not None and began is not None else seconds
    return {
        "seconds_from_launch": seconds,
        "seconds_processing": round(window, 3) if window else None,
        per_second: round(done / window, 2) if window else None,
    }


def every(count, *numbers):
    """Whether each of ``numbers`` is ``count``."""
    return all(number == count for number in numbers)


def write_wait(args, out, progress):
    """The wait's result, ``progress`` thinned to about 60 points, to ``--out``; all
    but the progress to stderr."""
    out["progress"] = progress[:: max(1, len(progress) // 60)]
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))
    print(
        json.dumps({k: v for k, v in out.items() if k != "progress"}, default=str),
        file=sys.stderr,
    )


def cmd_wait(args):
    cr = database_cursor(args.dsn)
    states, progress, began = poll(
        args,
        lambda: snapshot(cr, args.prefix, decided=args.confirmed),
        lambda states: sum(
            states.get(s, 0) for s in ("imported", "error", "duplicate")
        ),
    )

    # Throughput per slice of the backlog (orders 0-99, 100-199, ...): the repeated
    # measurement.
    def time_at(count):
        for t, n in progress:
            if n >= count:
                return t
        return None

    slice_size = max(1, args.count // 10)
    rates = []
    for start in range(0, args.count, slice_size):
        t0 = time_at(start) if start else began
        t1 = time_at(start + slice_size)
        if t0 is not None and t1 is not None and t1 > t0:
            rates.append(slice_size / (t1 - t0))

    downloads = None
    if args.sandbox and args.documents:
        wanted = set(
            json.loads(Path(args.documents).read_text()).get("document_ids") or []
        )
        with urllib.request.urlopen(
            f"{args.sandbox}/_sandbox/requests", timeout=60
        ) as answer:
            requests_log = json.load(answer)
        counts = {}
        for request in requests_log:
            path = request.get("path") or ""
            if request.get("method") == "GET" and path.endswith("/download"):
                document_id = urllib.parse.unquote(path.rsplit("/", 2)[-2])
                if document_id in wanted:
                    counts[document_id] = counts.get(document_id, 0) + 1
        downloads = {
            "documents": len(wanted),
            "downloaded": len(counts),
            "downloads": sum(counts.values()),
            "downloaded_more_than_once": sum(1 for n in counts.values() if n > 1),
        }

    cr.execute(
        """SELECT count(*), count(DISTINCT psb_order_ref), count(*) FILTER
           (WHERE state = 'draft')
                  FROM sale_order WHERE psb_order_ref LIKE %s""",
        (args.prefix + "-%",),
    )
    orders_total, distinct_refs, drafts = cr.fetchone()
    cr.execute(
        """SELECT psb_order_ref, count(*) FROM sale_order WHERE psb_order_ref
           LIKE %s
                  GROUP BY 1 HAVING count(*) > 1""",
        (args.prefix + "-%",),
    )
    twice = cr.fetchall()
    cr.execute(
        """SELECT count(*) FROM sale_order_line l JOIN sale_order o ON o.id =
           l.order_id
                  WHERE o.psb_order_ref LIKE %s""",
        (args.prefix + "-%",),
    )
    lines = cr.fetchone()[0]
    cr.execute(
        """SELECT count(*) FROM sale_order_line l JOIN sale_order o ON o.id =
           l.order_id
                  JOIN product_product p ON p.id = l.product_id
                  WHERE o.psb_order_ref LIKE %s AND p.default_code LIKE 'BENCH-%%'""",
        (args.prefix + "-%",),
    )
    matched = cr.fetchone()[0]
    cr.execute(
        """SELECT min(downloaded_on), max(processed_on) FROM
           econnect_psb_document
                  WHERE buyer_order_ref LIKE %s""",
        (args.prefix + "-%",),
    )
    db_first, db_last = cr.fetchone()
    cr.execute(
        """SELECT error_message FROM econnect_psb_document
                  WHERE buyer_order_ref LIKE %s AND state != 'imported' AND
                   error_message IS NOT NULL
                  LIMIT 3""",
        (args.prefix + "-%",),
    )
    errors = [row[0] for row in cr.fetchall()]
    imported = states.get("imported", 0)
    cr.execute(
        """SELECT count(*) FILTER (WHERE o.state = 'sale'), count(*) FILTER
           (WHERE o.psb_auto_state = 'confirmed'),
                         count(*) FILTER (WHERE o.psb_auto_state = 'person'),
                         (SELECT count(*) FROM econnect_psb_response r JOIN sale_order
                          s ON s.id = r.sale_order_id
                          WHERE s.psb_order_ref LIKE %s AND r.code = 'AP')
                  FROM sale_order o WHERE o.psb_order_ref LIKE %s""",
        (args.prefix + "-%", args.prefix + "-%"),
    )
    confirmed, auto_confirmed, for_a_person, ap_answers = cr.fetchone()
    cr.execute(
        """SELECT psb_auto_reasons_data::text FROM sale_order WHERE psb_order_ref LIKE
           %s AND psb_auto_state = 'person'
                  LIMIT 3""",
        (args.prefix + "-%",),
    )
    reasons = [row[0] for row in cr.fetchall()]
    out = {
        "count": args.count,
        "states": states,
        "all_quotations": every(args.count, imported, drafts),
        "all_confirmed": every(args.count, imported, auto_confirmed, ap_answers),
        "confirmed": confirmed,
        "auto_confirmed": auto_confirmed,
        "for_a_person": for_a_person,
        "ap_answers": ap_answers,
        "not_confirmed_because": reasons,
        **timing(progress, began, imported, "orders_per_second"),
        "orders_per_second_slices": summary(rates, 2),
        "db_window": [str(db_first), str(db_last)],
        "sale_orders": orders_total,
        "distinct_order_refs": distinct_refs,
        "draft": drafts,
        "created_twice": len(twice),
        "sale_order_lines": lines,
        "lines_matched": matched,
        "errors": errors,
        "psb_downloads": downloads,
    }
    write_wait(args, out, progress)


def change_states(cr, prefix):
    cr.execute(
        """SELECT state, count(*) FROM econnect_psb_document
                  WHERE document_type = 'order_change' AND buyer_order_ref LIKE %s
                   GROUP BY state""",
        (prefix + "-%",),
    )
    return dict(cr.fetchall())


def cmd_wait_changes(args):
    """2d: the Order Changes of the backlog ``--prefix`` (one per order), until each is
    applied or waits."""
    cr = database_cursor(args.dsn)
    states, progress, began = poll(
        args,
        lambda: change_states(cr, args.prefix),
        lambda states: sum(
            n for state, n in states.items() if state not in ("received", "downloaded")
        ),
    )
    cr.execute(
        """SELECT count(*), count(DISTINCT r.order_change_ref) FROM
           econnect_psb_response r
                  JOIN sale_order s ON s.id = r.sale_order_id
                  WHERE s.psb_order_ref LIKE %s AND r.code = 'AP' AND
                   r.order_change_ref LIKE %s""",
        (args.prefix + "-%", args.prefix + "-CH-%"),
    )
    ap_answers, ap_changes = cr.fetchone()
    cr.execute(
        """SELECT count(*) FILTER (WHERE l.product_uom_qty =
           (l.psb_line_ref::int - 1) %% 9 + 2)
                  FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
                  WHERE o.psb_order_ref LIKE %s AND l.psb_line_ref = '1' AND o.state =
                   'sale'""",
        (args.prefix + "-%",),
    )
    changed_lines = cr.fetchone()[0]
    cr.execute(
        """SELECT coalesce(d.error_message, o.psb_pending_summary) FROM
           econnect_psb_document d
                  LEFT JOIN sale_order o ON o.psb_pending_document_id = d.id
                  WHERE d.document_type = 'order_change' AND d.buyer_order_ref LIKE %s
                   AND d.state != 'imported'
                  LIMIT 3""",
        (args.prefix + "-%",),
    )
    not_applied = [row[0] for row in cr.fetchall()]
    applied = states.get("imported", 0)
    out = {
        "count": args.count,
        "states": states,
        "all_applied": every(args.count, applied, ap_changes, ap_answers),
        "applied": applied,
        "lines_changed": changed_lines,
        "ap_answers": ap_answers,
        "changes_answered_ap": ap_changes,
        "not_applied_because": not_applied,
        **timing(progress, began, applied, "changes_per_second"),
    }
    write_wait(args, out, progress)


def add_flags(parser, *flags):
    """Options that are on or off: ``flags`` are (name, help) pairs."""
    for name, meaning in flags:
        parser.add_argument(name, action="store_true", help=meaning)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    deliver = sub.add_parser("deliver")
    option = deliver.add_argument
    option("--sandbox", required=True)
    option("--count", type=int, default=1000)
    option("--lines", type=int, default=10)
    option("--prefix", required=True)
    option("--concurrency", type=int, default=8)
    option("--timeout", type=float, default=240)
    option("--out", required=True)
    add_flags(
        deliver,
        (
            "--straight-through",
            "orders meeting every condition of automatic confirmation",
        ),
        ("--advanced", "orders in the Advanced Ordering profile"),
        ("--changes", "one Order Change per order of the backlog --prefix, instead"),
    )
    wait = sub.add_parser("wait")
    option = wait.add_argument
    option("--dsn", required=True)
    option("--prefix", required=True)
    option("--count", type=int, default=1000)
    option("--timeout", type=float, default=300)
    option("--poll", type=float, default=0.25)
    option("--sandbox", default="")
    option("--documents", default="", help="the deliver step's JSON (its document ids)")
    option("--out", required=True)
    add_flags(
        wait,
        (
            "--confirmed",
            "automatic confirmation is on: an order is done once it is decided",
        ),
        ("--changes", "wait for the Order Changes of the backlog --prefix (2d)"),
    )
    args = parser.parse_args()
    if args.cmd == "wait" and args.changes:
        cmd_wait_changes(args)
        return
    {"deliver": cmd_deliver, "wait": cmd_wait}[args.cmd](args)


if __name__ == "__main__":
    main()
