# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""End to end: the PSB sandbox delivers signed webhooks to Odoo's HTTP server, the
scheduled action downloads from the sandbox and imports."""

from odoo import fields
from odoo.tests import tagged

from .common import NO_PEPPOL_MSG, PsbHttpCase, official_orders, order_xml


@tagged("post_install", "-at_install")
class TestSandboxEndToEnd(PsbHttpCase):
    def setUp(self):
        super().setUp()
        self.company._psb_register_webhook()

    def deliver(self, xml, party_id=None, topic="OrderReceived"):
        document_id = self.sandbox.add_document(
            party_id or self.PARTY_ID, xml, topic=topic
        )
        # The sandbox is an outside client of Odoo's test server: let its request in.
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            results = self.sandbox.deliver(document_id)
        self.assertEqual([r["status"] for r in results], [200], results)
        return document_id, self.documents(document_id)

    def test_register_webhook(self):
        hooks = self.sandbox.hooks[self.PARTY_ID]
        self.assertEqual(len(hooks), 1)
        hook = next(iter(hooks.values())) if isinstance(hooks, dict) else hooks[0]
        self.assertTrue(
            hook["action"].startswith(self.base_url() + "/econnect_psb/webhook#")
        )
        self.assertIn("OrderReceived", hook["topics"])
        self.assertEqual(self.company.psb_hook_state, "registered")
        # Registering again updates the same hook instead of adding one.
        self.company._psb_register_webhook()
        self.assertEqual(len(self.sandbox.hooks[self.PARTY_ID]), 1)

    def test_webhook_to_quotation(self):
        document_id, document = self.deliver(order_xml("E1"))
        self.assertEqual(document.state, "received")
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        self.assertEqual(document.sale_order_id.state, "draft")
        self.assertEqual(self.sandbox.downloads(document_id), 1)

    def test_official_examples_through_the_sandbox(self):
        files = official_orders()
        if not files:
            self.skipTest(NO_PEPPOL_MSG)
        documents = self.Document
        for path in files:
            documents |= self.deliver(path.read_bytes())[1]
        self.Document._cron_process_documents()
        # Some examples reuse a buyer's order id: with other content, a person decides
        # (Needs a person); never a second quotation on its own.
        orders = {
            (order.psb_buyer_endpoint, order.psb_order_ref)
            for order in documents.sale_order_id
        }
        self.assertEqual(
            len(documents.filtered(lambda d: d.state == "imported")), len(orders)
        )
        self.assertLessEqual(
            set(documents.mapped("state")),
            {"imported", "duplicate", "pending"},
            documents.mapped("error_message"),
        )
        self.assertTrue(
            all(d.psb_revision_summary for d in documents if d.state == "pending")
        )
        self.assertEqual(len(documents.sale_order_id), len(orders))
        self.assertGreaterEqual(len(orders), 5)

    def test_psb_500_then_200_is_imported_on_retry(self):
        self.sandbox.inject_fault("GET", r"/download$", status=500, count=1)
        document_id, document = self.deliver(order_xml("E2"))
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "received")
        self.assertEqual(document.attempt_count, 1)
        self.assertGreater(document.next_attempt_at, fields.Datetime.now())
        self.assertIn("retrying", document.error_message)
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "received", "not retried before its time")
        document.next_attempt_at = fields.Datetime.now()
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-E2")]), 1
        )

    def test_psb_404_is_a_readable_error(self):
        document_id, document = self.deliver(order_xml("E3"))
        self.sandbox.inject_fault("GET", r"/download$", status=404, count=1)
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "error")
        self.assertIn(document_id, document.error_message)
        self.assertFalse(document.sale_order_id)

    def test_psb_down_then_admin_retries(self):
        self.sandbox.inject_fault("GET", r"/download$", status=503, count=100)
        _document_id, document = self.deliver(order_xml("E4"))
        for _attempt in range(10):
            document.next_attempt_at = False
            self.Document._cron_process_documents()
        # A transient failure is retried until the PSB's retention deadline, never left
        # in Error.
        self.assertEqual(document.state, "received")
        self.assertIn("retrying at", document.error_message)
        self.sandbox.reset_faults() if hasattr(
            self.sandbox, "reset_faults"
        ) else self.sandbox.inject_fault("GET", r"/download$", status=503, count=0)
        document.action_process_now()
        self.assertEqual(document.state, "imported", document.error_message)

    def test_import_by_document_id(self):
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("E5"))
        wizard = self.env["econnect.psb.import.wizard"].create(
            {"mode": "document_id", "psb_document_id": document_id}
        )
        document = self.Document.browse(wizard.action_import()["res_id"])
        self.assertEqual(
            (document.state, document.source),
            ("imported", "manual"),
            document.error_message,
        )

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Wholesale B"})
        self.configure(company_b, "0106:87654321", "webhook-secret-B")
        self.env.user.company_ids |= company_b
        company_b._psb_register_webhook()
        _document_id, document = self.deliver(order_xml("E6"), party_id="0106:87654321")
        self.assertEqual(document.company_id, company_b)
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        self.assertEqual(document.sale_order_id.company_id, company_b)
        self.assertFalse(
            self.env["sale.order"].search(
                [("psb_order_ref", "=", "PO-E6"), ("company_id", "=", self.company.id)]
            )
        )
