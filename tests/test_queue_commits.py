# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The queue's failure policy with real commits: the scheduled actions run as Odoo's
cron worker runs them (``ir.cron._process_job``), on cursors of their own, against the
PSB sandbox; nothing is rolled back by the test, so what each commit keeps, and the
wake-ups sent after it, are what production sees.

Each test works with buyers and order ids of its own and deletes what it committed when
it ends."""

import random
import re
import uuid
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from ..models import econnect_psb_document as document_module
from ..models import econnect_psb_queue_mixin as queue_module
from .common import DATA, OutboundHttpMixin, configure_psb, order_xml, start_sandbox

IMPORT_CRON = "sale_econnect_psb.ir_cron_psb_process_documents"
SEND_CRON = "sale_econnect_psb.ir_cron_psb_send_responses"
RULES_CRON = "sale_econnect_psb.ir_cron_psb_check_rules"
CRONS = (
    IMPORT_CRON,
    "sale_econnect_psb.ir_cron_psb_process_documents_backlog",
    SEND_CRON,
    RULES_CRON,
)
NO_ENDPOINT = re.compile(
    rb"<cbc:EndpointID[^>]*>[^<]*</cbc:EndpointID>\s*(?=<cac:PartyName>)"
)


@contextmanager
def as_in_production():
    """The code before issue 27 switched its commits off under Odoo's tests
    (``_in_test``): these tests run the queue as production does. (The queue no longer
    has such a switch; this only reaches older code.)"""
    with ExitStack() as stack:
        for module in (queue_module, document_module):
            stack.enter_context(
                patch.object(module, "_in_test", lambda: False, create=True)
            )
        yield


class RealCommitCase(OutboundHttpMixin, TransactionCase):
    """The company against a PSB sandbox, committed; the scheduled actions run only when
    a test runs them."""

    PARTY_ID = "0106:12345678"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_sandbox(cls, [cls.PARTY_ID])

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.tag = uuid.uuid4().hex[:8].upper()
        with self.committed() as env:
            company = env.company
            # What the tests write on the company, the PSB's access token included
            # (restored at the end).
            fields = [
                "psb_environment",
                "psb_api_url",
                "psb_identity_url",
                "psb_client_id",
                "psb_client_secret",
            ]
            fields += [
                "psb_party_id",
                "psb_webhook_secret",
                "psb_access_token",
                "psb_token_expires_at",
            ]
            fields += ["psb_auto_acknowledge", "psb_auto_confirm"]
            saved = company.read(fields)[0]
            saved.pop("id")
            configure_psb(
                company,
                self.sandbox.url,
                "odoo-client",
                "odoo-secret",
                self.PARTY_ID,
                "secret",
            )
            company.write({"psb_auto_acknowledge": True, "psb_auto_confirm": False})
            # Only a wake-up runs the actions now: their next interval is a day away, no
            # trigger is due.
            crons = self.crons(env)
            nextcalls = crons.mapped("nextcall")
            crons.write({"nextcall": datetime.now() + timedelta(days=1)})
            env["ir.cron.trigger"].search([("cron_id", "in", crons.ids)]).unlink()
            last_ids = self.last_ids(env)
        self.addCleanup(self.clean_up, saved, last_ids, nextcalls)
        stack = ExitStack()
        stack.enter_context(as_in_production())
        self.addCleanup(stack.close)

    @contextmanager
    def committed(self):
        """An environment on a cursor of its own, committed at the end."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SET lock_timeout = '20s'"
            )  # a lock waited for fails the test, not hangs it
            yield api.Environment(cr, SUPERUSER_ID, {})

    def crons(self, env):
        return env["ir.cron"].browse([env.ref(xmlid).id for xmlid in CRONS])

    CREATED = ("econnect.psb.document", "sale.order", "res.partner")

    def last_ids(self, env):
        return {
            model: env[model]
            .with_context(active_test=False)
            .search([], order="id desc", limit=1)
            .id
            or 0
            for model in self.CREATED
        }

    def clean_up(self, saved, last_ids, nextcalls):
        """Delete what the test committed (every record made after it began) and restore
        the settings."""
        with self.committed() as env:
            made = {
                model: env[model]
                .with_context(active_test=False)
                .search([("id", ">", last_ids[model])])
                for model in self.CREATED
            }
            made["econnect.psb.document"].write({"attachment_id": False})
            made["econnect.psb.document"].unlink()
            made["sale.order"].write({"psb_document_id": False})
            made["sale.order"].unlink()
            made["res.partner"].unlink()
            env.company.write(saved)
            for cron, nextcall in zip(self.crons(env), nextcalls, strict=True):
                cron.nextcall = nextcall

    def receive(self, xml, topic="OrderReceived"):
        """The PSB received ``xml`` and called the webhook: the event is stored (and
        committed) as it stores it."""
        document_id = self.sandbox.add_document(self.PARTY_ID, xml, topic=topic)
        with self.committed() as env:
            event = {
                "topic": topic,
                "partyId": self.PARTY_ID,
                "documentId": document_id,
                "details": {},
            }
            self.assertEqual(
                env["econnect.psb.document"]._psb_store_event(env.company, event),
                "stored",
            )
        return document_id

    def order(self, name, endpoint=True):
        """One of this test's orders, from a buyer of its own (``endpoint``: whether the
        buyer has a Peppol id)."""
        kvk = str(random.randint(10**7, 10**8 - 1))
        xml = order_xml(
            f"{self.tag}-{name}", buyer_kvk=kvk, buyer_name=f"Buyer {self.tag} {name}"
        )
        return xml if endpoint else NO_ENDPOINT.sub(b"", xml, count=1)

    def run_cron(self, xmlid):
        """Run a scheduled action as Odoo's cron worker does: its own transaction(s),
        its failures counted."""
        with self.registry.cursor() as cron_cr:
            IrCron = api.Environment(cron_cr, SUPERUSER_ID, {})["ir.cron"]
            job = type(IrCron)._acquire_one_job(
                cron_cr, IrCron.env.ref(xmlid).id, include_not_ready=True
            )
            self.assertTrue(job, f"{xmlid} could be taken")
            type(IrCron)._process_job(cron_cr, job)

    def ready_crons(self):
        """The scheduled actions Odoo's cron worker would run now (woken by a trigger:
        no interval is due)."""
        with self.committed() as env:
            IrCron = type(env["ir.cron"])
            ready = {job["id"] for job in IrCron._get_all_ready_jobs(env.cr)}
            return {xmlid for xmlid in CRONS if env.ref(xmlid).id in ready}

    def state_of(self, model, domain, fields):
        with self.committed() as env:
            return env[model].search_read(domain, fields, order="id")

    def documents(self, psb_ids):
        return self.state_of(
            "econnect.psb.document",
            [("psb_document_id", "in", psb_ids)],
            [
                "psb_document_id",
                "state",
                "error_message",
                "next_attempt_at",
                "sale_order_id",
            ],
        )

    def crons_health(self):
        return self.state_of(
            "ir.cron",
            [("id", "in", self.crons_ids())],
            ["name", "active", "failure_count", "first_failure_date"],
        )

    def crons_ids(self):
        with self.committed() as env:
            return self.crons(env).ids

    def assert_actions_healthy(self):
        for cron in self.crons_health():
            self.assertTrue(cron["active"], cron["name"])
            self.assertEqual(cron["failure_count"], 0, f"{cron['name']} failed")


@tagged("post_install", "-at_install")
class TestQueueRealCommits(RealCommitCase):
    def test_a_poisoned_answer_fails_alone_and_the_others_go_out(self):
        """An order whose buyer has no Peppol id (EndpointID) gets its automatic AB,
        which cannot be sent; the answers of the orders before and after it go out, it
        fails with a reason, the action stays healthy."""
        good_a = self.receive(self.order("A"))
        poisoned = self.receive(self.order("P", endpoint=False))
        good_b = self.receive(self.order("B"))
        self.run_cron(IMPORT_CRON)
        docs = {
            d["psb_document_id"]: d for d in self.documents([good_a, poisoned, good_b])
        }
        self.assertEqual({d["state"] for d in docs.values()}, {"imported"}, docs)
        self.assertIn(
            SEND_CRON,
            self.ready_crons(),
            "the import woke the answers' action after its commits",
        )
        self.run_cron(SEND_CRON)
        sent = {r["document_id"] for r in self.sandbox.responses}
        self.assertEqual(sent, {good_a, good_b}, "the good answers went out")
        for good in (good_a, good_b):
            [answer] = self.state_of(
                "econnect.psb.response",
                [("sale_order_id", "=", docs[good]["sale_order_id"][0])],
                ["state"],
            )
            self.assertEqual(answer["state"], "sent")
        answers = self.state_of(
            "econnect.psb.response",
            [("sale_order_id", "=", docs[poisoned]["sale_order_id"][0])],
            ["code", "state", "error_message", "can_retry"],
        )
        self.assertEqual([(a["code"], a["state"]) for a in answers], [("AB", "failed")])
        self.assertIn(
            "names no Peppol id of the buyer (EndpointID)", answers[0]["error_message"]
        )
        self.assertFalse(answers[0]["can_retry"])
        self.assert_actions_healthy()

    def test_an_unexpected_error_fails_that_answer_only(self):
        """Any exception a handler did not foresee fails that record alone, logged with
        its traceback."""
        received = [self.receive(self.order(name)) for name in ("U1", "U2", "U3")]
        self.run_cron(IMPORT_CRON)
        Response = type(self.env["econnect.psb.response"])
        deliver = Response._deliver

        def deliver_but_break_on_the_second(response, client):
            if response.sale_order_id.psb_document_id.psb_document_id == received[1]:
                raise KeyError("a bug in a handler")
            return deliver(response, client)

        with (
            patch.object(Response, "_deliver", deliver_but_break_on_the_second),
            self.assertLogs(queue_module.__name__, "ERROR") as logs,
        ):
            self.run_cron(SEND_CRON)
        self.assertIn("Traceback", "\n".join(logs.output))
        self.assertEqual(
            {r["document_id"] for r in self.sandbox.responses},
            {received[0], received[2]},
        )
        with self.committed() as env:
            broken = env["econnect.psb.document"].search(
                [("psb_document_id", "=", received[1])]
            )
            answer = broken.sale_order_id.psb_response_ids
            self.assertEqual(answer.state, "failed")
            self.assertIn(
                "Unexpected error: KeyError: 'a bug in a handler'", answer.error_message
            )
            self.assertTrue(
                broken.sale_order_id._psb_activities("answer"),
                "the salesperson is told",
            )
        self.assert_actions_healthy()

    def test_a_change_delivered_before_its_order_waits_then_applies(self):
        ref = f"Order-{self.tag}"
        order = (
            (DATA / "advanced_ordering" / "Order_sc1.xml")
            .read_bytes()
            .replace(b"Order-1", ref.encode())
        )
        change = (
            (DATA / "advanced_ordering" / "OrderChange_sc1.xml")
            .read_bytes()
            .replace(b"Order-1", ref.encode())
        )
        change_id = self.receive(change, topic="OrderChangeReceived")
        self.run_cron(IMPORT_CRON)
        [waiting] = self.documents([change_id])
        self.assertEqual(waiting["state"], "downloaded", waiting["error_message"])
        self.assertIn(
            f"waits for order {ref}, which is not in Odoo yet", waiting["error_message"]
        )
        self.assertGreater(
            waiting["next_attempt_at"],
            datetime.now(),
            "retried later, with the back-off",
        )
        order_id = self.receive(order)
        self.run_cron(IMPORT_CRON)
        imported, applied = self.documents([order_id, change_id])
        self.assertEqual(imported["state"], "imported", imported["error_message"])
        self.assertEqual(
            applied["sale_order_id"],
            imported["sale_order_id"],
            "the change found its order",
        )
        self.assertIn(
            applied["state"], ("imported", "pending"), applied["error_message"]
        )
        self.assertNotIn("waits for order", applied["error_message"] or "")
        self.assert_actions_healthy()

    def test_wake_ups_are_sent_after_the_commits(self):
        """The import commits each document's steps; the wake-ups its documents asked
        for (the answers, the rule checks) are sent after those commits, once per batch,
        and the next action runs at once."""
        received = [self.receive(self.order(f"W{n}")) for n in range(3)]
        self.run_cron(IMPORT_CRON)
        self.assertEqual({d["state"] for d in self.documents(received)}, {"imported"})
        ready = self.ready_crons()
        self.assertIn(SEND_CRON, ready)
        self.assertIn(RULES_CRON, ready)
        with self.committed() as env:
            send = env.ref(SEND_CRON)
            triggers = env["ir.cron.trigger"].search_count([("cron_id", "=", send.id)])
        self.assertEqual(triggers, 1, "one wake-up for the batch, not one per answer")
        self.run_cron(SEND_CRON)
        self.assertEqual(
            {r["document_id"] for r in self.sandbox.responses}, set(received)
        )
        self.assert_actions_healthy()

    def test_the_same_order_imported_by_another_worker_meanwhile_becomes_a_duplicate(
        self,
    ):
        """A race is told apart by what it is: the unique index says another worker
        imported the order after this transaction began; the document waits a moment
        (saying so, not "the PSB could not be reached") and is then marked a
        duplicate."""
        xml = self.order("RACE")
        first_id, second_id = (
            f"race-1-{self.tag}",
            f"race-2-{self.tag}",
        )  # the same order under two PSB documents
        with self.committed() as env:
            for psb_id in (first_id, second_id):  # downloaded: the race is the import's
                env["econnect.psb.document"].create(
                    {
                        "company_id": env.company.id,
                        "topic": "OrderReceived",
                        "document_type": "order",
                        "psb_document_id": psb_id,
                    }
                )._store_xml(xml)
        with self.committed() as env:
            first = env["econnect.psb.document"].search(
                [("psb_document_id", "=", first_id)]
            )
            self.assertEqual(
                first.state, "downloaded"
            )  # this transaction's snapshot is taken
            with self.committed() as other:
                other["econnect.psb.document"].search(
                    [("psb_document_id", "=", second_id)]
                )._process({}, commit=True)
            first._process({})
            self.assertEqual(first.state, "downloaded", "not imported, not an error")
            self.assertIn(
                "was imported by another worker at the same moment", first.error_message
            )
            self.assertNotIn("PSB", first.error_message)
            self.assertTrue(first.next_attempt_at)
        with self.committed() as env:
            first = env["econnect.psb.document"].search(
                [("psb_document_id", "=", first_id)]
            )
            first._process({}, commit=True)
            second = env["econnect.psb.document"].search(
                [("psb_document_id", "=", second_id)]
            )
            self.assertEqual(
                (first.state, first.duplicate_of_id),
                ("duplicate", second),
                first.error_message,
            )
