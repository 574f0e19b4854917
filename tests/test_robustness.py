# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.tests import tagged

from .common import PsbCase
from .test_order_import import TestMatching

BAD_DOCUMENTS = {
    "malformed": (b"<Order><cbc:ID>1</Order", "well-formed"),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY x SYSTEM '
        b'"file:///etc/passwd">]>'
        b"<Order "
        b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2">&x;</Order>',
        "DTD",
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>",
        "DTD",
    ),
    "invoice": (
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        b'CommonBasicComponents-2">'
        b"<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:"
        b"2017:poacc:billing:3.0</cbc:CustomizationID>"
        b"<cbc:ID>INV-1</cbc:ID></Invoice>",
        "nvoice",
    ),
    "BIS 2 order": (
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        b'CommonBasicComponents-2">'
        b"<cbc:CustomizationID>urn:www.cenbii.eu:transaction:biitrns001:ver2.0:"
        b"extended:urn:www.peppol.eu:bis:peppol3a:ver2.0</cbc:CustomizationID>"
        b"<cbc:ProfileID>urn:www.cenbii.eu:profile:bii03:ver2.0</cbc:ProfileID><cbc:"
        b"ID>1</cbc:ID></Order>",
        "BIS 2",
    ),
    "empty": (b"", "The document is empty."),
}


@tagged("post_install", "-at_install")
class TestBadInput(PsbCase):
    """Bad documents end in a readable error state, create nothing, and the worker keeps
    going."""

    def test_bad_documents(self):
        orders_before = self.env["sale.order"].search_count([])
        for label, (data, words) in BAD_DOCUMENTS.items():
            with self.subTest(document=label):
                document = self.Document.sudo().create(
                    {
                        "company_id": self.company.id,
                        "topic": "OrderReceived",
                        "document_type": "order",
                        "psb_document_id": f"bad-{label}",
                        "source": "upload",
                    }
                )
                if data:
                    document._store_xml(data)
                else:
                    document.write({"state": "downloaded"})
                    document.attachment_id = self.env["ir.attachment"].create(
                        {"name": "empty.xml", "raw": b""}
                    )
                self.Document._cron_process_documents()
                self.assertEqual(document.state, "error")
                self.assertIn(words, document.error_message)
                self.assertNotIn("Traceback", document.error_message)
                self.assertFalse(document.sale_order_id)
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        # A good document queued after the bad ones is still imported by the same run.
        good = self.upload(
            TestMatching.ORDER
            % {
                b"id": b"ok",
                b"buyer_kvk": b"1",
                b"buyer_name": b"X BV",
                b"buyer_vat": b"",
            }
        )
        self.assertEqual(good.state, "imported")

    def test_retry_button_reprocesses_a_fixed_document(self):
        document = self.upload(b"<not-xml")
        self.assertEqual(document.state, "error")
        document.attachment_id.raw = TestMatching.ORDER % {
            b"id": b"fixed",
            b"buyer_kvk": b"1",
            b"buyer_name": b"X BV",
            b"buyer_vat": b"",
        }
        document.action_process_now()
        self.assertEqual(document.state, "imported")


@tagged("post_install", "-at_install")
class TestTriggers(PsbCase):
    def test_trigger_while_a_run_is_due(self):
        """The first call wakes the cron workers (Odoo's _trigger, with its NOTIFY);
        while that run is due, a further call adds only its trigger row, which a run
        going on at that moment does not delete when it ends, so nothing committed
        meanwhile waits for the next interval."""
        Trigger = self.env["ir.cron.trigger"]
        for xmlid, wake in (
            (
                "sale_econnect_psb.ir_cron_psb_process_documents",
                self.Document._trigger_processing,
            ),
            (
                "sale_econnect_psb.ir_cron_psb_send_responses",
                self.env["econnect.psb.response"]._trigger_sending,
            ),
        ):
            with self.subTest(cron=xmlid):
                cron = self.env.ref(xmlid)
                Trigger.search([("cron_id", "=", cron.id)]).unlink()
                calls = []
                original = type(cron)._trigger

                def spy(record, at=None, calls=calls, original=original):
                    calls.append(at)
                    return original(record, at)

                with patch.object(type(cron), "_trigger", spy):
                    wake()
                    wake()
                    wake()
                self.assertEqual(calls, [None], "Odoo's trigger (and NOTIFY) once")
                self.assertEqual(
                    Trigger.search_count([("cron_id", "=", cron.id)]),
                    3,
                    "a row per call",
                )
