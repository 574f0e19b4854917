"""Figure 2c's work per order in one process, as the scheduled actions do it, with their
real commits: ``--orders`` straight-through orders (received, their XML stored, as the
webhook and the download leave them) imported, decided, confirmed and answered (AB,
AP) by ``_cron_process_documents`` and ``_cron_send_responses`` themselves. Each of
the queue's commits empties Odoo's cache, so every step reads what it needs again, as
on a running server; unlike figure 2c, the figures do not depend on a second worker,
the machine's load or the PSB (a stand-in that takes every answer at once).

It commits: run it on a copy of a database set up by ``odoo_bench.py setup``::

    createdb -T psb_bench psb_flow
    python bench/flow_bench.py [--orders 20 --lines 10] -- <odoo options, -d psb_flow>
    PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no --cache-sim=no \\
        python bench/flow_bench.py --instructions [--orders 10] -- <odoo options>

Prints the seconds, queries and (with ``--instructions``, under valgrind) the
instructions of the two scheduled actions per order, and what became of the orders.
"""

import argparse
import contextlib
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orders  # noqa: E402 - after the sys.path entry above
from confirm_bench import StandInClient, _addon_caller, patched  # noqa: E402 - as above
from odoo_bench import callgrind, open_registry, received_document  # noqa: E402 - as above

#: The scheduled actions of figure 2c, in the order they run here: (model, XML id,
#: method).
ACTIONS = (
    (
        "econnect.psb.document",
        "ir_cron_psb_process_documents",
        "_cron_process_documents",
    ),
    ("econnect.psb.response", "ir_cron_psb_send_responses", "_cron_send_responses"),
)


def received_orders(registry, count, lines):
    """``count`` straight-through orders received for the company, committed; the
    company confirming automatically (without deleting the documents at the PSB)."""
    from odoo import SUPERUSER_ID, api

    run = uuid.uuid4().hex[:6]
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        company.write({"psb_auto_confirm": True, "psb_delete_after_import": False})
        for index in range(count):
            xml = orders.order_xml(f"FLOW-{run}-{index}", lines, straight_through=True)
            received_document(env, company, xml, prefix=f"flow-{run}")
    return f"FLOW-{run}-"


def cron_env(cr, xmlid):
    """The environment of a scheduled action's job (its user, its ``cron_id``)."""
    from odoo import api

    cron = api.Environment(cr, 1, {}).ref(xmlid)
    return api.Environment(cr, cron.user_id.id, {"cron_id": cron.id})


def run_actions(registry, args):
    """The two scheduled actions, as their jobs run them: the seconds and queries of
    each (the instructions of both, with ``--instructions``)."""
    from odoo import SUPERUSER_ID, api, sql_db

    stand_in = StandInClient()
    figures = {}
    with registry.cursor() as cr:
        Company = type(api.Environment(cr, SUPERUSER_ID, {})["res.company"])
        with (
            patched(Company, "_psb_client", lambda self: stand_in),
            listed_queries(args.queries),
        ):
            if args.instructions:
                callgrind("-i", "on")
            for name, xmlid, method in ACTIONS:
                env = cron_env(cr, f"sale_econnect_psb.{xmlid}")
                queries, started = sql_db.sql_counter, time.perf_counter()
                getattr(env[name], method)()
                figures[method] = (
                    time.perf_counter() - started,
                    sql_db.sql_counter - queries,
                )
            if args.instructions:
                callgrind("-i", "off")
            cr.commit()
    return figures


@contextlib.contextmanager
def listed_queries(on):
    """With ``on``, every query and the addon's function that made it, on stderr."""
    from odoo import sql_db

    execute = sql_db.Cursor.execute

    def listed(cr, query, params=None, log_exceptions=True):
        print(f"{_addon_caller()}\n    {str(query)[:150]}", file=sys.stderr)
        return execute(cr, query, params, log_exceptions)

    if on:
        sql_db.Cursor.execute = listed
    try:
        yield
    finally:
        sql_db.Cursor.execute = execute


def outcome(registry, prefix):
    """What became of the measured orders: confirmed automatically, answers sent."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        orders_ = env["sale.order"].search([("psb_order_ref", "=like", prefix + "%")])
        sent = orders_.psb_response_ids.filtered(lambda r: r.state == "sent")
        auto = orders_.filtered(lambda o: o.psb_auto_state == "confirmed")
        return {
            "orders": len(orders_),
            "confirmed_automatically": len(auto),
            "answers_sent": dict(Counter(sent.mapped("code"))),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("odoo_args", nargs="*", help="after --: Odoo's options")
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument(
        "--warmup", type=int, default=3, help="orders first, unmeasured"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="run under valgrind (callgrind)"
    )
    parser.add_argument("--out", default="", help="also write the figures here (JSON)")
    parser.add_argument(
        "--queries",
        action="store_true",
        help="list every query and its caller (stderr)",
    )
    args = parser.parse_args()
    odoo_args = args.odoo_args
    if "--log-level" not in " ".join(odoo_args):
        odoo_args.append("--log-level=error")
    registry = open_registry(odoo_args)
    if args.warmup:
        received_orders(registry, args.warmup, args.lines)
        run_actions(registry, argparse.Namespace(instructions=False, queries=False))
    prefix = received_orders(registry, args.orders, args.lines)
    figures = run_actions(registry, args)
    per_order = args.orders

    def ms(seconds):
        return round(seconds / per_order * 1000, 1)

    out = {
        "orders": args.orders,
        "lines": args.lines,
        "ms_per_order": ms(sum(f[0] for f in figures.values())),
        "queries_per_order": round(sum(f[1] for f in figures.values()) / per_order, 1),
        "by_action": {
            method: {
                "ms_per_order": ms(f[0]),
                "queries_per_order": round(f[1] / per_order, 1),
            }
            for method, f in figures.items()
        },
        **outcome(registry, prefix),
    }
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
