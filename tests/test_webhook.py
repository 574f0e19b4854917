# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo.tests import tagged

from .common import PsbHttpCase, event_body, order_xml, signed_headers


@tagged("post_install", "-at_install")
class TestWebhook(PsbHttpCase):
    def test_good_signature_stores_then_cron_imports(self):
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("W1"))
        body = event_body(self.PARTY_ID, document_id)
        response = self.post_event(body, signed_headers(self.SECRET, body))
        self.assertEqual(response.status_code, 200)
        document = self.documents(document_id)
        self.assertEqual(
            (document.state, document.company_id), ("received", self.company)
        )
        self.assertEqual(
            self.sandbox.downloads(document_id),
            0,
            "the webhook itself never calls the PSB",
        )
        cron = self.env.ref("sale_econnect_psb.ir_cron_psb_process_documents")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "processing was triggered",
        )
        self.Document._cron_process_documents()
        self.assertEqual(document.state, "imported", document.error_message)
        self.assertEqual(document.sale_order_id.client_order_ref, "PO-W1")
        self.assertEqual(self.sandbox.downloads(document_id), 1)
        self.assertEqual(document.attachment_id.raw, order_xml("W1"))

    def test_bad_or_missing_signature(self):
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("W2"))
        body = event_body(self.PARTY_ID, document_id)
        cases = {
            "wrong secret": signed_headers("not-the-secret", body),
            "missing": {"Content-Type": "application/json"},
            "garbage": {
                "Content-Type": "application/json",
                "X-EConnect-Signature": "sha256=zz",
            },
            "tampered body": signed_headers(
                self.SECRET, body.replace(b"OrderReceived", b"OrderReceivex")
            ),
        }
        for label, headers in cases.items():
            with self.subTest(case=label):
                response = self.post_event(body, headers)
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self.documents(document_id))

    def test_replayed_old_event_refused(self):
        old = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
        body = event_body(self.PARTY_ID, "old-doc", sentOn=old)
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).status_code, 401
        )
        self.assertFalse(self.documents("old-doc"))

    def test_unknown_party_refused(self):
        for party in ("0106:99999999", "%", "0106:1234567_"):
            body = event_body(party, "doc-x")
            self.assertEqual(
                self.post_event(body, signed_headers(self.SECRET, body)).status_code,
                401,
                party,
            )
        self.assertFalse(self.documents("doc-x"))
        body = event_body(self.PARTY_ID, "doc-y")
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).status_code, 200
        )

    def test_same_delivery_twice_one_sale_order(self):
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("W3"))
        body = event_body(self.PARTY_ID, document_id)
        for _attempt in range(2):
            response = self.post_event(body, signed_headers(self.SECRET, body))
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "duplicate")
        self.assertEqual(len(self.documents(document_id)), 1)
        self.Document._cron_process_documents()
        self.post_event(body, signed_headers(self.SECRET, body))
        self.Document._cron_process_documents()
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-W3")]), 1
        )
        self.assertEqual(self.sandbox.downloads(document_id), 1)

    def test_simultaneous_deliveries_of_one_event(self):
        """Two workers receive the same event at the same moment: both find no stored
        event, the second insert fails on the unique index (after the first committed)
        and answers duplicate."""
        body = event_body(self.PARTY_ID, "race-1")
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).json()["status"],
            "stored",
        )
        Model = type(self.Document)
        with patch.object(Model, "search_count", lambda *args, **kwargs: 0):
            response = self.post_event(body, signed_headers(self.SECRET, body))
        self.assertEqual(
            (response.status_code, response.json()["status"]), (200, "duplicate")
        )
        self.assertEqual(len(self.documents("race-1")), 1)
        # the request's transaction was rolled back cleanly: the next delivery is stored
        # as usual
        body = event_body(self.PARTY_ID, "race-2")
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).json()["status"],
            "stored",
        )
        self.assertEqual(len(self.documents("race-2")), 1)

    def test_unknown_topic_is_acknowledged_and_ignored(self):
        body = event_body(self.PARTY_ID, "inv-1", topic="InvoiceReceived")
        response = self.post_event(body, signed_headers(self.SECRET, body))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "ignored")
        self.assertFalse(self.documents("inv-1"))

    def test_not_json(self):
        body = b"topic=OrderReceived"
        self.assertEqual(
            self.post_event(body, signed_headers(self.SECRET, body)).status_code, 400
        )

    def test_event_payload_is_kept(self):
        document_id = self.sandbox.add_document(self.PARTY_ID, order_xml("W4"))
        body = event_body(
            self.PARTY_ID,
            document_id,
            details={"sender": "0106:87654321", "id": "PO-W4"},
        )
        self.post_event(body, signed_headers(self.SECRET, body))
        document = self.documents(document_id)
        self.assertEqual(json.loads(document.payload)["documentId"], document_id)
        self.assertEqual(
            (document.sender, document.buyer_order_ref), ("0106:87654321", "PO-W4")
        )
