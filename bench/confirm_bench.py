"""What figure 2c adds to an import, in one process: the automatic confirmation's
decision and Odoo's ``action_confirm`` with the AP queued and the chatter (``decide``),
and sending the order's answers, AB and AP, built and recorded (``send``; the PSB is a
stand-in that answers at once, so only Odoo's side is counted). Against a database set
up by ``odoo_bench.py setup`` (no sandbox needed):

    python bench/confirm_bench.py [--lines 10 --runs 10 --top 30] -- <odoo options>
    python bench/confirm_bench.py --cprofile F [--runs 20] -- <odoo options>
    PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no --cache-sim=no \\
        python bench/confirm_bench.py --instructions decide [--runs 3] -- <odoo options>

Each run imports one straight-through order (generated as in 2c) with *Confirm Peppol
orders automatically* on, in its own transaction, rolled back, as a scheduled run does
(the wake-ups of other scheduled actions batched; each answer sent as the queue takes
it, each step in a savepoint, but nothing committed). The import itself is not
counted: its writes are flushed before the decision (as the scheduled action's commit
between the two steps does). Queries are exact; with ``--top`` the queries of each part
are also charged to the innermost function of the addon that led to them (the last
run's queries printed to stderr). With ``--instructions PART``, callgrind counts only
that part (``all``: both; run it under valgrind as above: the count does not depend on
the machine's load; callgrind's total over ``--runs``); ``--cprofile`` profiles both.
With ``--commits``, each commit of the queue (after the import, after each step of an
answer) clears Odoo's record cache as a real commit does, without committing: every
part then reads what it needs again, as in the scheduled actions.
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
from odoo_bench import (  # noqa: E402 - after the sys.path entry above
    _run_ours,
    callgrind,
    environment,
    open_registry,
    patch_odoo_commits,
)
from stats import summary  # noqa: E402 - after the sys.path entry above

PARTS = ("decide", "send")
ORDER_REF = "CONFIRM-1"


class StandInClient:
    """The PSB as the sending sees it: every buyer takes Order Responses, every answer
    is taken."""

    def query_recipient_party(self, party_id, endpoints):
        return {"found": list(endpoints)}

    def send_order_response(self, party_id, document_id, status, **kwargs):
        return {"id": f"stand-in-{uuid.uuid4()}"}


class Meter:
    """The queries, seconds (and, as asked, callgrind's instrumentation and cProfile)
    of the measured parts of one run."""

    def __init__(self, args):
        self.args = args
        self.callers = Counter()
        self.query_ms = Counter()
        self.queries = []  # with --top: the last run's, with their callers
        self.profiler = None
        if args.cprofile:
            import cProfile

            self.profiler = cProfile.Profile()

    def _instrument(self, name, state):
        if self.args.instructions in (name, "all"):
            callgrind("-i", state)

    @contextlib.contextmanager
    def part(self, env, figures, name):
        from odoo import sql_db

        env.flush_all()
        execute = sql_db.Cursor.execute
        callers = self.callers

        def charged(cr, query, params=None, log_exceptions=True):
            key = f"{name}: {_addon_caller()}"
            callers[key] += 1
            self.queries.append(f"{key}\n    {str(query)[:160]}")
            started = time.perf_counter()
            try:
                return execute(cr, query, params, log_exceptions)
            finally:
                self.query_ms[key] += (time.perf_counter() - started) * 1000

        if self.args.top:
            if name == PARTS[0]:
                self.queries = []
            sql_db.Cursor.execute = charged
        self._instrument(name, "on")
        if self.profiler:
            self.profiler.enable()
        queries, started = sql_db.sql_counter, time.perf_counter()
        try:
            yield
            env.flush_all()
        finally:
            seconds = time.perf_counter() - started
            if self.profiler:
                self.profiler.disable()
            self._instrument(name, "off")
            sql_db.Cursor.execute = execute
        figures[name] = {
            "queries": sql_db.sql_counter - queries,
            "seconds": seconds,
        }


def _addon_caller():
    """``file:line:function`` of the innermost frame of this addon on the stack, and
    the innermost three functions below it that led to the query."""
    frame, below = sys._getframe(2), []
    while frame:
        path = frame.f_code.co_filename
        if "/sale_econnect_psb/" in path and "/bench/" not in path:
            name = Path(path).name
            inner = " < ".join(below[:3])
            return f"{name}:{frame.f_lineno}:{frame.f_code.co_name} .. {inner}"
        below.append(frame.f_code.co_name)
        frame = frame.f_back
    return "(outside the addon) .. " + " < ".join(below[:3])


@contextlib.contextmanager
def patched(cls, name, value):
    """``cls.name`` replaced by ``value`` for the block (the registry's class: every
    environment of the run)."""
    setattr(cls, name, value)
    try:
        yield
    finally:
        delattr(cls, name)


def cache_cleared(record, commit=True, wake_ups=None):
    """The queue's commit as ``--commits`` has it: what is pending written, Odoo's
    record cache cleared (as ``cr.commit()`` clears it), nothing committed."""
    record.env.flush_all()
    record.env.transaction.clear()
    return True


def commits_emulated(env, on):
    """With ``on``, the queue's commits clear the cache (:func:`cache_cleared`) and the
    record is taken again at once after each (no other worker to wait for)."""
    stack = contextlib.ExitStack()
    if on:
        for model in ("econnect.psb.document", "econnect.psb.response"):
            stack.enter_context(
                patched(type(env[model]), "_queue_commit", cache_cleared)
            )
            stack.enter_context(
                patched(type(env[model]), "_queue_relock", lambda self: True)
            )
    return stack


def one_run(registry, xml, meter):
    """Import ``xml`` with the automatic confirmation on, then send its answers: the
    figures of the two parts, and what became of the order."""
    commits = meter.args.commits
    with environment(registry) as env:
        company = env.ref("base.main_company")
        company.psb_auto_confirm = True
        figures = {}
        AutoConfirm = type(env["econnect.psb.auto.confirm"])
        decide_steps = AutoConfirm._decide_steps

        def measured_steps(self, document):
            with meter.part(self.env, figures, "decide"):
                yield from decide_steps(self, document)

        stand_in = StandInClient()
        with (
            patched(AutoConfirm, "_decide_steps", measured_steps),
            patched(type(company), "_psb_client", lambda self: stand_in),
            commits_emulated(env, commits),
            # as in a scheduled run: the wake-ups of other actions sent once per batch
            env["ir.cron"]._psb_batched_triggers(),
        ):
            _run_ours(env, company, xml, trace=False, commit=commits)  # as figure 3's
            order = env["sale.order"].search(
                [("psb_order_ref", "=", ORDER_REF)], order="id desc", limit=1
            )
            responses = order.psb_response_ids.filtered(lambda r: r.state == "queued")
            if commits:
                cache_cleared(order)  # the import's last step committed
            with meter.part(env, figures, "send"):
                clients = {company.id: stand_in}
                for response in responses.sorted("id"):
                    # as the scheduled action takes it: its steps, each in a savepoint
                    response._queue_reader()._queue_attempt(clients, commits)
        figures["order"] = f"{order.state} ({order.psb_auto_state})"
        figures["answers"] = [
            f"{r.code} {r.state}" for r in order.psb_response_ids.sorted("id")
        ]
        return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("odoo_args", nargs="*", help="after --: Odoo's options")
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--top", type=int, default=0, help="the queries by the addon's function"
    )
    parser.add_argument("--cprofile", default="", help="profile into this file")
    parser.add_argument(
        "--instructions",
        choices=(*PARTS, "all"),
        help="count the instructions of this part (all: both) under valgrind",
    )
    parser.add_argument(
        "--commits",
        action="store_true",
        help="clear Odoo's cache at each of the queue's commits, as they do",
    )
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    odoo_args = args.odoo_args
    if odoo_args and "--log-level" not in " ".join(odoo_args):
        odoo_args.append("--log-level=error")
    registry = open_registry(odoo_args)
    patch_odoo_commits()
    xml = orders.order_xml(ORDER_REF, args.lines, straight_through=True)
    idle = Meter(
        argparse.Namespace(top=0, cprofile="", instructions=None, commits=args.commits)
    )
    for _ in range(args.warmup):
        one_run(registry, xml, idle)
    meter = Meter(args)
    runs = [one_run(registry, xml, meter) for _ in range(args.runs)]
    out = {
        "lines": args.lines,
        "runs": args.runs,
        "commits": args.commits,
        "order": runs[-1]["order"],
        "answers": runs[-1]["answers"],
    }
    for name in PARTS:
        out[f"{name}_queries"] = sorted({r[name]["queries"] for r in runs})
        out[f"{name}_ms"] = summary([r[name]["seconds"] * 1000 for r in runs], 1)
    if args.top:
        out["by_caller"] = {
            key: f"{count / args.runs:g} queries, "
            f"{meter.query_ms[key] / args.runs:.1f} ms"
            for key, count in meter.callers.most_common(args.top)
        }
    if args.top:
        print("\n".join(meter.queries), file=sys.stderr)
    if meter.profiler:
        import io
        import pstats

        meter.profiler.dump_stats(args.cprofile)
        text = io.StringIO()
        pstats.Stats(meter.profiler, stream=text).sort_stats("cumulative").print_stats(
            40
        )
        print(text.getvalue(), file=sys.stderr)
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
