# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 30: an invoice goes to the buyer through the eConnect PSB from Odoo's *Send*
dialog: offered only for customers the PSB can deliver invoices to, checked against the
official rules, sent once by the queue, its delivery followed from the InvoiceSent*
events (signed webhook over HTTP) and the buyer's Invoice Response shown on the invoice;
only users who may send the invoice can."""

import re
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import PsbHttpCase
from .test_access_entry_points import RpcCase
from .test_invoice_references import InvoiceCase

PSB = "econnect_psb"
CAPABLE = "0106:87654321"
NOT_CAPABLE = "0106:11112222"
SELLER_ENDPOINT = re.compile(
    rb"(<cac:AccountingSupplierParty>\s*<cac:Party>\s*)<cbc:EndpointID[^>]*>[^<]*</"
    rb"cbc:EndpointID>"
)


class InvoiceSetup:
    """A Dutch seller, a 21 % tax, a product, and customers on Peppol (borrowed from the
    references' tests)."""

    @classmethod
    def setup_invoicing(cls):
        cls.env["res.currency"].search([("name", "=", "EUR")]).active = True
        InvoiceCase.make_seller.__func__(
            cls, "NL", vat="NL000099998B57", registry="12345678", eas="0106"
        )
        cls.tax21 = InvoiceCase.sale_tax.__func__(cls, 21.0, "S")
        cls.lamp = InvoiceCase.product.__func__(cls, "Desk lamp", "SEND-LAMP", 25.0)
        cls.capable = cls.customer("Bouwmarkt Utrecht BV", CAPABLE)
        cls.not_capable = cls.customer("Paper Only BV", NOT_CAPABLE)

    @classmethod
    def customer(cls, name, peppol_id):
        scheme, endpoint = peppol_id.split(":")
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "peppol_eas": scheme,
                "peppol_endpoint": endpoint,
                "company_registry": endpoint,
                "street": "Stadhuisplein 1",
                "city": "Utrecht",
                "zip": "3511 AA",
                "country_id": cls.env.ref("base.nl").id,
            }
        )

    def invoice(self, partner, user=None, move_type="out_invoice", ref="PO-4711"):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "ref": ref,
                "partner_bank_id": self.bank.id,
                "invoice_user_id": (user or self.env.user).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.lamp.id,
                            "quantity": 2,
                            "price_unit": 25.0,
                            "tax_ids": [Command.set(self.tax21.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def send_dialog(self, move, env=None):
        env = env or self.env
        return (
            env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )

    def send(self, move):
        wizard = self.send_dialog(move)
        wizard.sending_methods = [PSB]
        wizard.action_send_and_print()
        return move.psb_invoice_send_ids

    def queries(self):
        return [
            r
            for r in self.sandbox.requests
            if r["path"].endswith("/salesInvoice/queryRecipientParty")
        ]


@tagged("post_install", "-at_install")
class TestInvoiceSending(InvoiceSetup, PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_invoicing()

    def setUp(self):
        super().setUp()
        self.sandbox.invoice_capable = {CAPABLE}
        self.company._psb_register_webhook()

    def process_events(self):
        self.Document._cron_process_documents()

    def over_http(self, call, *args, **kwargs):
        """The sandbox calls Odoo's webhook (an outside client of the test server),
        which takes the event."""
        self.env.flush_all()
        delivered = len(self.sandbox.deliveries)
        with self.allow_requests(all_requests=True):
            call(*args, **kwargs)
        self.assertEqual(
            [d["status"] for d in self.sandbox.deliveries[delivered:]], [200]
        )

    def test_the_dialog_offers_the_psb_only_to_customers_that_can_receive_there(self):
        offered = self.send_dialog(self.invoice(self.capable)).sending_method_checkboxes
        self.assertEqual(offered[PSB]["label"], "Peppol through the eConnect PSB")
        self.assertNotIn(
            PSB,
            self.send_dialog(self.invoice(self.not_capable)).sending_method_checkboxes,
        )
        self.assertEqual(
            (self.capable.psb_invoice_receiver, self.not_capable.psb_invoice_receiver),
            ("yes", "no"),
        )
        self.assertTrue(self.capable.psb_invoice_checked_on)
        asked = len(self.queries())
        self.assertEqual(asked, 2, "each customer asked once")
        self.send_dialog(self.invoice(self.capable))
        self.send_dialog(self.invoice(self.not_capable))
        self.assertEqual(len(self.queries()), asked, "remembered on the customer")
        # A company not connected to the PSB offers nothing.
        self.company.psb_party_id = False
        self.assertNotIn(
            PSB, self.send_dialog(self.invoice(self.capable)).sending_method_checkboxes
        )

    def test_sent_once_then_delivered_then_the_buyer_rejects_and_pays(self):
        move = self.invoice(self.capable)
        sending = self.send(move)
        self.assertEqual((sending.state, sending.receiver), ("queued", CAPABLE))
        self.assertEqual(move.psb_send_state, "queued")
        self.assertEqual(
            sending.rule_check,
            "ok" if self.Document._psb_rules_validator() else "unavailable",
        )
        self.assertIn(
            b"urn:fdc:peppol.eu:2017:poacc:billing:3.0",
            sending.attachment_id.raw,
            "Peppol BIS 3",
        )
        self.assertIn(b"PO-4711", sending.attachment_id.raw)
        # A second Send (a double click) queues nothing more, and the dialog no longer
        # offers the PSB.
        self.assertNotIn(PSB, self.send_dialog(move).sending_method_checkboxes)
        self.env["econnect.psb.invoice.send"]._psb_queue(
            move, b"<x/>", "again.xml", "ok"
        )
        self.assertEqual(move.psb_invoice_send_ids, sending)
        self.env["econnect.psb.invoice.send"]._cron_send_invoices()
        self.assertEqual(sending.state, "sent", sending.error_message)
        self.assertEqual(list(self.sandbox.invoices), [sending.psb_document_id])
        [sent] = self.sandbox.invoices.values()
        self.assertEqual(sent["xml"], sending.attachment_id.raw)
        self.assertEqual(sent["receiver"], CAPABLE)

        self.over_http(
            self.sandbox.invoice_event, sending.psb_document_id, "InvoiceSent"
        )
        self.process_events()
        self.assertEqual(
            (sending.state, move.psb_send_state), ("delivered", "delivered")
        )

        self.over_http(
            self.sandbox.invoice_response,
            sending.psb_document_id,
            "RE",
            "Order number missing",
        )
        self.process_events()
        self.assertEqual(move.psb_invoice_response, "RE")
        self.assertEqual(move.psb_invoice_response_note, "Order number missing")
        activity = move._psb_invoice_activities("response")
        self.assertEqual(
            activity.user_id, move.invoice_user_id, "the invoice's responsible is asked"
        )
        self.assertIn("Order number missing", activity.note)

        self.over_http(self.sandbox.invoice_response, sending.psb_document_id, "PD")
        self.process_events()
        self.assertEqual(move.psb_invoice_response, "PD")
        self.assertFalse(
            move._psb_invoice_activities("response"), "paid: nothing left to do"
        )

    def test_a_failed_delivery_says_why_and_what_to_do(self):
        move = self.invoice(self.capable)
        sending = self.send(move)
        self.env["econnect.psb.invoice.send"]._cron_send_invoices()
        self.over_http(
            self.sandbox.invoice_event, sending.psb_document_id, "InvoiceSentRetry"
        )
        self.process_events()
        self.assertEqual(sending.state, "sent")
        self.assertIn("retrying the delivery", sending.error_message)
        self.over_http(
            self.sandbox.invoice_event,
            sending.psb_document_id,
            "InvoiceSentError",
            reason="Receiver AP unreachable",
        )
        self.process_events()
        self.assertEqual(move.psb_send_state, "failed")
        self.assertIn("Receiver AP unreachable", move.psb_send_message)
        self.assertTrue(move.psb_send_can_retry)
        activity = move._psb_invoice_activities("send")
        self.assertIn("Press Retry", activity.note)
        # Retry sends it again as a new document, and closes the activity once it went
        # out.
        move.action_psb_retry_send()
        self.assertEqual(sending.state, "queued")
        self.env["econnect.psb.invoice.send"]._cron_send_invoices()
        self.assertEqual(sending.state, "sent")
        self.assertEqual(len(self.sandbox.invoices), 2)
        self.assertFalse(move._psb_invoice_activities("send"))

    def test_an_invoice_breaking_the_rules_is_not_sent(self):
        if not self.Document._psb_rules_validator():
            self.skipTest("the official Peppol rules are not available")
        # Odoo's builder checks what it knows; the official rules catch the rest (here:
        # a UBL without the seller's Peppol id, PEPPOL-EN16931-R020).
        move = self.invoice(self.capable)
        Send = type(self.env["account.move.send.wizard"])
        build = Send._psb_invoice_xml

        def without_seller_endpoint(wizard, invoice, invoice_data):
            xml, name, errors = build(wizard, invoice, invoice_data)
            return SELLER_ENDPOINT.sub(rb"\1", xml, count=1), name, errors

        with (
            patch.object(Send, "_psb_invoice_xml", without_seller_endpoint),
            self.assertRaises(UserError) as raised,
        ):
            self.send(move)
        self.assertIn("PEPPOL-EN16931-R020", str(raised.exception))
        self.assertIn("breaks the official Peppol rules", str(raised.exception))
        self.assertFalse(move.psb_invoice_send_ids)
        self.assertFalse(self.sandbox.invoices)


@tagged("post_install", "-at_install")
class TestInvoiceSendingAccess(InvoiceSetup, RpcCase):
    """Only a user who may send the invoice (Odoo's invoicing rights) can send it
    through the PSB, or retry it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_invoicing()
        cls.billing = new_test_user(
            cls.env,
            "psb30_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.capable.write(
            {
                "psb_invoice_receiver": "yes",
                "psb_invoice_checked_on": "2099-01-01 00:00:00",
            }
        )

    def test_only_a_billing_user_sends(self):
        move = self.invoice(self.capable)
        context = {"active_model": "account.move", "active_ids": move.ids}
        self.refused(
            self.salesman,
            "",
            "account.move.send.wizard",
            "create",
            [{"move_id": move.id}],
            context=context,
        )
        self.assertFalse(move.psb_invoice_send_ids)
        [wizard_id] = self.allowed(
            self.billing,
            "account.move.send.wizard",
            "create",
            [{"move_id": move.id}],
            context=context,
        )
        self.allowed(
            self.billing,
            "account.move.send.wizard",
            "write",
            [wizard_id],
            {"sending_methods": [PSB]},
        )
        self.allowed(
            self.billing,
            "account.move.send.wizard",
            "action_send_and_print",
            [wizard_id],
        )
        sending = move.psb_invoice_send_ids
        self.assertEqual(sending.state, "queued")
        # A salesman opening the invoice sees where it is; the queue records are for
        # invoicing users.
        move.invoice_user_id = self.salesman
        self.allowed(self.salesman, "account.move", "get_views", [[False, "form"]])
        [values] = self.allowed(
            self.salesman,
            "account.move",
            "web_read",
            move.ids,
            specification={"psb_send_state": {}},
        )
        self.assertEqual(values["psb_send_state"], "queued")
        self.refused(
            self.salesman, "", "econnect.psb.invoice.send", "search_read", [], ["state"]
        )
        # The queue record is read-only for everyone; a failed one is retried by a
        # billing user only.
        self.refused(
            self.billing,
            "",
            "econnect.psb.invoice.send",
            "write",
            sending.ids,
            {"state": "sent"},
        )
        sending.sudo().write({"state": "failed", "can_retry": True})
        self.refused(
            self.salesman,
            "Only invoicing users can send invoices through the eConnect PSB.",
            "account.move",
            "action_psb_retry_send",
            move.ids,
        )
        self.assertEqual(sending.state, "failed")
        self.allowed(self.billing, "account.move", "action_psb_retry_send", move.ids)
        self.assertEqual(sending.state, "queued")
