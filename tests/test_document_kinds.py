# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The registry of document kinds (issue 31): each kind is said once, by its handler,
and the document, the webhook, the import wizard and the list's filters ask the
registry."""

from unittest.mock import patch

from odoo.tests import tagged

from ..psb import event as psb_event
from .common import PsbCase, order_xml


@tagged("post_install", "-at_install")
class TestDocumentKinds(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kind = cls.env["econnect.psb.kind"]

    def test_each_kind_is_one_handler_in_the_documents_type(self):
        kinds = [handler._psb_kind for handler in self.Kind._psb_handlers()]
        expected = [
            "order",
            "order_change",
            "order_cancellation",
            "response_status",
            "invoice_status",
        ]
        self.assertEqual(kinds, [*expected, "invoice_response"])
        self.assertEqual(
            self.Document._fields["document_type"]._description_selection(self.env),
            [(kind, self.Kind._psb_handler(kind)._psb_label()) for kind in kinds],
        )
        self.assertEqual(
            self.Kind._psb_handler("order_change")._name,
            "econnect.psb.kind.order.change",
        )
        with self.assertRaises(KeyError):
            self.Kind._psb_handler("despatch_advice")

    def test_topics_and_roots_name_their_kind(self):
        self.assertEqual(
            self.Kind._psb_kind_of_topic("OrderCancellationReceived"),
            "order_cancellation",
        )
        self.assertEqual(
            self.Kind._psb_kind_of_topic("InvoiceSentRetry"), "invoice_status"
        )
        self.assertIsNone(self.Kind._psb_kind_of_topic("Ping"))
        self.assertEqual(self.Kind._psb_kind_of_root("OrderChange"), "order_change")
        self.assertIsNone(self.Kind._psb_kind_of_root("Invoice"))
        topics = [
            topic
            for handler in self.Kind._psb_handlers()
            for topic in handler._psb_topics
        ]
        self.assertEqual(len(topics), len(set(topics)), "a topic announces one kind")

    def test_a_topic_said_by_its_handler_is_a_document_for_the_webhook_and_the_document(
        self,
    ):
        handler_class = type(self.env["econnect.psb.kind.invoice.status"])
        event = {
            "topic": "InvoiceSentLater",
            "partyId": self.PARTY_ID,
            "documentId": "inv-later-1",
        }
        self.assertEqual(self.Document._psb_store_event(self.company, event), "ignored")
        with patch.object(
            handler_class, "_psb_topics", ("InvoiceSent", "InvoiceSentLater")
        ):
            with self.assertRaises(
                psb_event.EventError
            ):  # a document's topic needs a document id
                psb_event.check(
                    {**event, "documentId": ""}, self.Kind._psb_topic_kinds()
                )
            self.assertEqual(
                self.Document._psb_store_event(self.company, event), "stored"
            )
        document = self.Document.search([("psb_document_id", "=", "inv-later-1")])
        self.assertEqual(document.document_type, "invoice_status")

    def test_the_form_and_the_filter_follow_the_kind(self):
        order = self.upload(order_xml("KD1"))
        status = self.Document.create(
            {
                "company_id": self.company.id,
                "topic": "InvoiceSent",
                "document_type": "invoice_status",
                "psb_document_id": "kind-status-1",
            }
        )
        self.assertEqual(
            (order.psb_kind_readable, order.psb_kind_linkable), (True, False)
        )
        self.assertTrue(order.psb_kind_ordering)
        self.assertEqual(
            (status.psb_kind_readable, status.psb_kind_linkable), (False, False)
        )
        self.assertTrue(self.Kind._psb_handler("order_cancellation")._psb_linkable())
        ordering = self.Document.search([("psb_kind_ordering", "=", True)])
        self.assertIn(order, ordering)
        self.assertNotIn(status, ordering)
        self.assertIn(status, self.Document.search([("psb_kind_ordering", "=", False)]))
        wizard_topics = [
            topic
            for topic, _label in self.env[
                "econnect.psb.import.wizard"
            ]._selection_topic()
        ]
        self.assertEqual(
            wizard_topics,
            ["OrderReceived", "OrderChangeReceived", "OrderCancellationReceived"],
        )
