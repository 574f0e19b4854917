# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The queue the incoming documents and the outgoing answers go through
(``econnect.psb.queue.mixin``): a row lock per record, each record read again before it
is processed, progress committed per batch, one back-off until a deadline; and the
handlers' outcomes, which only the document writes."""

import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from ..models import econnect_psb_queue_mixin as queue_module
from ..models.econnect_psb_document import Outcome
from ..psb import lifecycle
from .common import DATA, PsbCase, order_xml
from .test_lifecycle import SandboxCase


def status_event_vals(company, **extra):
    """A received OrderResponseSent event that refers to no answer: processing it needs
    no PSB."""
    return {
        "company_id": company.id,
        "topic": "OrderResponseSent",
        "document_type": "response_status",
        "psb_document_id": f"queue-{uuid.uuid4()}",
        "payload": "{}",
        **extra,
    }


@tagged("post_install", "-at_install")
class TestQueueRowLocks(TransactionCase):
    """Two real transactions, as two workers (the test's own transaction sees nothing
    another commits)."""

    @contextmanager
    def two_workers(self, count):
        """``count`` due documents, committed; a worker's environment and another
        worker's cursor."""
        worker, other = self.registry.cursor(), self.registry.cursor()
        docs = None
        try:
            for cr in (worker, other):
                cr.execute(
                    "SET lock_timeout = '10s'"
                )  # a lock waited for fails the test, not hangs it
            env = api.Environment(worker, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            docs = env["econnect.psb.document"].create(
                [status_event_vals(company) for _n in range(count)]
            )
            worker.commit()
            yield env["econnect.psb.document"], docs, other
        finally:
            other.rollback()
            other.close()
            worker.rollback()
            if docs:
                worker.execute(
                    "DELETE FROM econnect_psb_document WHERE id IN %s",
                    [tuple(docs.ids)],
                )
                worker.commit()
            worker.close()

    def test_a_record_another_worker_holds_is_skipped_and_done_by_the_next_run(self):
        with self.two_workers(1) as (Document, doc, other):
            other.execute(
                "SELECT id FROM econnect_psb_document WHERE id = %s FOR UPDATE",
                [doc.id],
            )
            Document._cron_process_documents()
            doc.invalidate_recordset()
            self.assertEqual(
                doc.state,
                "received",
                "held by the other worker: skipped, not waited for",
            )
            other.rollback()  # the other worker let go of it without processing it
            Document._cron_process_documents()
            doc.invalidate_recordset()
            self.assertEqual(doc.state, "done")

    def test_a_record_another_worker_handled_since_the_search_is_skipped(self):
        with self.two_workers(2) as (Document, docs, other):
            first, second = docs
            processed = []
            original = type(Document)._queue_process_one

            def process_while_the_other_worker_handles_the_second(record, clients):
                processed.append(record.id)
                if record == first:
                    other.execute(
                        "UPDATE econnect_psb_document SET state = 'done' WHERE id = %s",
                        [second.id],
                    )
                    other.commit()
                return original(record, clients)

            with patch.object(
                type(Document),
                "_queue_process_one",
                process_while_the_other_worker_handles_the_second,
            ):
                Document._cron_process_documents()
            self.assertEqual(
                processed, [first.id], "the second was not processed again"
            )
            first.invalidate_recordset()
            self.assertEqual(first.state, "done")


@tagged("post_install", "-at_install")
class TestQueueBatches(PsbCase):
    @contextmanager
    def outside_tests(self):
        """The loop as a scheduled action's job runs it: commits and progress are
        recorded, not made (the commits themselves are tested in test_queue_commits)."""
        calls = []
        with ExitStack() as stack:
            for model in (self.Document, self.env["econnect.psb.response"]):
                stack.enter_context(
                    patch.object(type(model), "_queue_commits", lambda model: True)
                )
            stack.enter_context(
                patch.object(self.env.cr, "commit", lambda: calls.append("commit"))
            )
            Cron = type(self.env["ir.cron"])
            send = Cron._psb_send_triggers

            def send_triggers(cron, wake_ups):
                calls.append("triggers")
                return send(cron, wake_ups)

            stack.enter_context(patch.object(Cron, "_psb_send_triggers", send_triggers))
            stack.enter_context(
                patch.object(
                    Cron,
                    "_commit_progress",
                    lambda cron, processed=0, remaining=None: (
                        calls.append(("progress", processed, remaining))
                        or self.time_left
                    ),
                )
            )
            yield calls

    time_left = 60.0

    def test_progress_is_committed_per_batch_after_the_wake_ups(self):
        docs = self.Document.create(
            [status_event_vals(self.company) for _n in range(3)]
        )
        with self.outside_tests() as calls:
            self.Document._cron_process_documents(batch_size=2)
        self.assertEqual(docs.mapped("state"), ["done"] * 3)
        # The queue commits after each step of a record (a status event: its import,
        # then the rest); the wake-ups of other actions go before each batch's progress
        # (and at the end of the run).
        per_record = ["commit", "commit"]
        self.assertEqual(
            calls,
            [
                *per_record * 2,
                "triggers",
                ("progress", 2, 1),
                *per_record,
                "triggers",
                ("progress", 1, 0),
                "triggers",
            ],
        )

    def test_a_run_out_of_time_stops_after_its_batch(self):
        docs = self.Document.create(
            [status_event_vals(self.company) for _n in range(3)]
        )
        self.time_left = 0.0
        with self.outside_tests() as calls:
            self.Document._cron_process_documents(batch_size=2)
        self.assertEqual(
            docs.sorted("id").mapped("state"), ["done", "done", "received"]
        )
        self.assertEqual(
            calls, [*["commit"] * 4, "triggers", ("progress", 2, 1), "triggers"]
        )

    def test_a_job_out_of_time_hands_back_at_once(self):
        """Odoo calls the action at least ten times per job, each time with at least one
        batch: past the job's time a call processes nothing and says what is left, so
        that a worker running several jobs in a row stays within its CPU limit, and Odoo
        runs the job again right after the others."""
        docs = self.Document.create(
            [status_event_vals(self.company) for _n in range(3)]
        )
        Document = self.Document.with_context(cron_end_time=time.monotonic() - 1)
        with self.outside_tests() as calls:
            Document._cron_process_documents(batch_size=2)
        self.assertEqual(docs.mapped("state"), ["received"] * 3)
        self.assertEqual(calls, [("progress", 0, 3), "triggers"])
        with self.outside_tests() as calls:
            Document.with_context(
                cron_end_time=time.monotonic() + 60
            )._cron_process_documents(batch_size=2)
        self.assertEqual(docs.mapped("state"), ["done"] * 3)

    def test_a_job_running_out_of_time_stops_after_the_current_document(self):
        """A large order takes seconds: once the job's time is up, the rest of the batch
        waits for the next call."""
        docs = self.Document.create(
            [status_event_vals(self.company) for _n in range(3)]
        )
        self.time_left = (
            0.0  # what Odoo's _commit_progress says once the job's time is up
        )
        Document = type(self.Document)
        take = Document._queue_take
        taken = []

        def take_and_count(record, clients, wake_ups=None):
            taken.append(record.id)
            return take(record, clients, wake_ups)

        with (
            patch.object(Document, "_queue_take", take_and_count),
            patch.object(Document, "_queue_out_of_time", lambda model: bool(taken)),
            self.outside_tests() as calls,
        ):
            self.Document._queue_process_due(batch_size=2, wake_ups=set())
        self.assertEqual(
            docs.sorted("id").mapped("state"), ["done", "received", "received"]
        )
        self.assertEqual(calls, ["commit", "commit", "triggers", ("progress", 1, 2)])

    def test_answers_commit_after_each_send(self):
        partner = self.env["res.partner"].create({"name": "Queue buyer"})
        order = self.env["sale.order"].create(
            {"partner_id": partner.id, "psb_buyer_can_respond": "yes"}
        )
        Response = self.env["econnect.psb.response"]
        responses = Response.create(
            [
                {"name": f"Q-R{n}", "sale_order_id": order.id, "code": "AB"}
                for n in range(3)
            ]
        )
        sent = []

        def send(response, clients=None):
            sent.append(response.id)
            response.write({"state": "sent"})
            return True

        with patch.object(type(Response), "_send", send), self.outside_tests() as calls:
            Response._cron_send_responses(batch_size=2)
        self.assertEqual(sent, responses.sorted("id").ids)
        self.assertEqual(
            calls,
            [
                "commit",
                "commit",
                "triggers",
                ("progress", 2, 1),
                "commit",
                "triggers",
                ("progress", 1, 0),
                "triggers",
            ],
        )

    def test_an_answer_to_a_buyer_known_today_goes_in_one_step(self):
        """The PSB is asked whether the buyer takes Order Responses in a step of its
        own (what it said is committed whatever becomes of the answer); a buyer it said
        "yes" for within the day is not asked again, and its answer goes at once."""
        partner = self.env["res.partner"].create({"name": "Queue buyer"})
        Order, Response = self.env["sale.order"], self.env["econnect.psb.response"]
        endpoint = "0088:5790000000001"
        known, new = Order.create(
            [
                {"partner_id": partner.id, "psb_buyer_endpoint": endpoint},
                {"partner_id": partner.id, "psb_buyer_endpoint": "0088:5790000000002"},
            ]
        )
        Order.create(
            {
                "partner_id": partner.id,
                "psb_buyer_endpoint": endpoint,
                "psb_buyer_can_respond": "yes",
                "psb_buyer_checked_on": fields.Datetime.now(),
            }
        )
        asked = []

        def ask(order, now):
            asked.append(order)
            order.psb_buyer_can_respond = "yes"
            return "yes"

        def send(response, clients=None):
            response.write({"state": "sent"})

        def commits_to_answer(order):
            Response.create(
                {"name": f"Q-K{order.id}", "sale_order_id": order.id, "code": "AB"}
            )
            with (
                patch.object(type(Response), "_send", send),
                patch.object(type(Order), "_psb_ask_buyer", ask),
                self.outside_tests() as calls,
            ):
                Response._cron_send_responses()
            self.assertEqual(order.psb_buyer_can_respond, "yes")
            return calls.count("commit")

        self.assertEqual(commits_to_answer(known), 1)
        self.assertEqual(asked, [])
        self.assertEqual(commits_to_answer(new), 2)
        self.assertEqual(asked, [new])


@tagged("post_install", "-at_install")
class TestAnswerOutage(SandboxCase):
    def test_an_answer_is_retried_with_the_back_off_until_the_psb_lets_go_of_the_order(
        self,
    ):
        self.company.psb_auto_acknowledge = True
        t0 = datetime(2026, 12, 1, 8, 0)
        with freeze_time(t0):
            _document_id, document = self.receive(order_xml("QOUT1"), created_on=t0)
            self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        order.psb_buyer_can_respond = (
            "yes"  # this sandbox does not know the buyer's party
        )
        response = order.psb_response_ids
        self.assertEqual(response.code, "AB")
        deadline = document.psb_keep_until
        self.assertEqual(
            deadline, t0 + timedelta(days=7), "7 days after the first download"
        )
        self.sandbox.inject_fault("POST", r"/response$", status=503, count=10000)
        Response = self.env["econnect.psb.response"]
        now, waits = t0, []
        for _attempt in range(7):
            with freeze_time(now):
                Response._cron_send_responses()
            self.assertEqual(response.state, "queued", response.error_message)
            waits.append(response.next_attempt_at - now)
            now = response.next_attempt_at
        self.assertEqual(waits, [lifecycle.retry_delay(n) for n in range(1, 8)])
        self.assertEqual(
            waits[-2:],
            [timedelta(minutes=30)] * 2,
            "then every 30 minutes, as the documents",
        )
        self.assertIn("Attempt 7 failed, retrying", response.error_message)
        # Days later, still down: one last attempt shortly before the deadline, then the
        # answer fails.
        with freeze_time(deadline - timedelta(minutes=10)):
            Response._cron_send_responses()
        self.assertEqual(
            (response.state, response.next_attempt_at),
            ("queued", deadline - timedelta(minutes=5)),
        )
        with freeze_time(deadline - timedelta(minutes=5)):
            Response._cron_send_responses()
        self.assertEqual(response.state, "failed")
        self.assertTrue(response.can_retry)
        self.assertIn(
            f"could not be reached in 9 attempts up to {deadline}",
            response.error_message,
        )
        self.assertTrue(order._psb_activities("answer"), "the salesperson is told")
        self.assertFalse(
            [
                r
                for r in self.sandbox.responses
                if r["document_id"] == document.psb_document_id
            ]
        )


@tagged("post_install", "-at_install")
class TestOutcomes(PsbCase):
    """The handlers return what they came to; the document alone writes it
    (_apply_outcome)."""

    def downloaded(self, xml, topic="OrderReceived"):
        document = self.Document.create(
            {
                "company_id": self.company.id,
                "topic": topic,
                "psb_document_id": f"outcome-{uuid.uuid4()}",
                "document_type": {
                    "OrderReceived": "order",
                    "OrderCancellationReceived": "order_cancellation",
                }[topic],
            }
        )
        document._store_xml(xml)
        return document

    def test_a_repeated_order_comes_back_as_a_duplicate_outcome(self):
        first = self.deliver(order_xml("OC1"))
        again = self.downloaded(order_xml("OC1"))
        outcome = again._import()
        self.assertEqual(
            (outcome.state, outcome.sale_order, outcome.duplicate_of),
            ("duplicate", first.sale_order_id, first),
        )
        self.assertIn("was already imported as", outcome.message)
        self.assertEqual(
            (again.state, again.sale_order_id.id),
            ("downloaded", False),
            "not written by the handler",
        )
        again._apply_outcome(outcome)
        self.assertEqual(
            (again.state, again.sale_order_id, again.duplicate_of_id),
            ("duplicate", first.sale_order_id, first),
        )
        self.assertTrue(again.processed_on)

    def test_an_order_with_nothing_after_its_import_is_one_step(self):
        """Without automatic confirmation nothing is left after the import: one step
        (one savepoint: none of the import's own, no second step reading the document
        again), the earlier orders under its id and the follow-ups waiting for it found
        in one query."""
        from odoo import sql_db

        self.company.psb_auto_confirm = False
        document = self.downloaded(order_xml("OC5"))
        self.env.flush_all()
        statements = []
        execute = sql_db.Cursor.execute

        def noting(cr, query, params=None, log_exceptions=True):
            statements.append(getattr(query, "code", query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(sql_db.Cursor, "execute", noting):
            document._process()
        self.assertEqual(document.state, "imported", document.error_message)
        savepoints = [q for q in statements if q.startswith("SAVEPOINT")]
        self.assertEqual(len(savepoints), 1, statements)
        searches = [q for q in statements if '"buyer_order_ref" IN' in q]
        self.assertEqual(len(searches), 1, searches)
        self.assertIn('FROM "sale_order"', searches[0], "with the earlier orders'")

    def test_a_cancellation_of_an_unknown_order_waits_for_it(self):
        document = self.downloaded(
            (DATA / "advanced_ordering" / "OrderCancellation_sc4.xml").read_bytes(),
            "OrderCancellationReceived",
        )
        with self.assertRaises(queue_module.RetryLater) as wait:
            document._import()
        self.assertTrue(wait.exception.waiting)
        self.assertIn(
            "Cancellation-1 waits for order Order-1, which is not in Odoo yet",
            wait.exception.reason,
        )
        self.assertIn(
            "Cancellation-1 refers to order Order-1, which is not known in Odoo",
            wait.exception.final,
        )
        self.assertEqual(wait.exception.keep, {"buyer_order_ref": "Order-1"})

    def test_an_outcome_to_try_again_later_wakes_the_import(self):
        document = self.downloaded(order_xml("OC3"))
        later = datetime(2026, 12, 1, 9, 0)
        with patch.object(type(self.Document), "_trigger_processing") as trigger:
            document._apply_outcome(
                Outcome("downloaded", "Waiting for something", retry_at=later)
            )
        trigger.assert_called_once_with(later)
        self.assertEqual(
            (document.state, document.next_attempt_at, document.error_message),
            ("downloaded", later, "Waiting for something"),
        )
        self.assertFalse(document.processed_on, "not processed yet")

    def test_a_duplicate_behind_more_than_twenty_orders_under_its_id_is_a_duplicate(
        self,
    ):
        """Other buyers' orders under the same order id come first: every one is
        compared, so the repeated order is a duplicate (not a unique-index conflict
        retried as "another worker")."""
        partner = self.env["res.partner"].create({"name": "Other buyers"})
        self.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "psb_order_ref": "PO-MANY",
                    "psb_buyer_endpoint": f"0106:{10000000 + n}",
                }
                for n in range(25)
            ]
        )
        first = self.upload(order_xml("MANY"))
        self.assertEqual(first.state, "imported", first.error_message)
        again = self.upload(
            order_xml("MANY").replace(b"<Order ", b"<!-- again -->\n<Order ", 1)
        )
        self.assertEqual(
            (again.state, again.sale_order_id),
            ("duplicate", first.sale_order_id),
            again.error_message,
        )
        self.assertFalse(again.next_attempt_at)
