# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""No CA loses a line: with 60 changed lines every line reaches the buyer (Send Order
Responses as UBL) or the user is told before anything is sent (the PSB's JSON note)."""

import re
from xml.etree import ElementTree as ET

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..psb.peppol_rules import PeppolValidator
from .common import NO_PEPPOL_MSG, PsbHttpCase, load_plain_module, peppol_dir

CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
LINES = 60


def bench_orders():
    """bench/orders.py (plain Python): consistent orders of any size that pass the
    official rules."""
    return load_plain_module("psb_bench_orders", "bench/orders.py")


@tagged("post_install", "-at_install")
class TestAnswerLines(PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.orders = bench_orders()
        cls.env["product.product"].create(
            [
                {
                    "name": f"Bench article {n}",
                    "default_code": cls.orders.product_code(n),
                    "list_price": 1.0,
                }
                for n in range(LINES)
            ]
        )
        cls.salesman = new_test_user(
            cls.env,
            "psb_long_ca_user",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.psb_admin = new_test_user(
            cls.env,
            "psb_long_ca_admin",
            groups="sales_team.group_sale_salesman_all_leads,sale_econnect_psb.group_"
            "psb_manager",
        )

    def import_changed_order(self, order_id):
        """A 60-line order imported, every line given its own new quantity and price on
        the quotation."""
        document_id = self.sandbox.add_document(
            self.PARTY_ID, self.orders.order_xml(order_id, LINES)
        )
        wizard = self.env["econnect.psb.import.wizard"].create(
            {"mode": "document_id", "psb_document_id": document_id}
        )
        document = self.Document.browse(wizard.action_import()["res_id"])
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        goods = order.order_line.filtered("psb_line_ref")
        self.assertEqual(len(goods), LINES)
        for line in goods:
            line.write(
                {
                    "product_uom_qty": line.product_uom_qty + 20,
                    "price_unit": line.price_unit + 0.5,
                }
            )
        self.env["econnect.psb.response"]._cron_send_responses()  # the AB
        return document_id, order

    def answers(self, document_id, code="CA"):
        return [
            r
            for r in self.sandbox.responses
            if r["document_id"] == document_id and r["status"] == code
        ]

    def open_ca(self, order, user):
        action = order.with_user(user).action_psb_accept_with_changes()
        return self.env[action["res_model"]].with_user(user).browse(action["res_id"])

    def assert_every_line_received(self, received):
        """The sandbox got the UBL itself, with all 60 lines, valid against the official
        rules."""
        self.assertEqual(received["content_type"], "application/xml")
        root = ET.fromstring(received["xml"])
        refs = [
            ol.findtext(f"{CAC}OrderLineReference/{CBC}LineID")
            for ol in root.iter(f"{CAC}OrderLine")
        ]
        self.assertEqual(refs, [str(n) for n in range(1, LINES + 1)])
        statuses = {
            ol.findtext(f"{CAC}LineItem/{CBC}LineStatusCode")
            for ol in root.iter(f"{CAC}OrderLine")
        }
        self.assertEqual(statuses, {"3"}, "every line changed")
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        result = PeppolValidator(base).validate(received["xml"])
        self.assertTrue(result.ok, str(result))

    def test_json_the_user_is_told_before_sending(self):
        document_id, order = self.import_changed_order("LONG-1")
        wizard = self.open_ca(order, self.salesman)
        self.assertFalse(
            wizard.line_ids.filtered(lambda ln: ln.status != "3"),
            "every line pre-filled as changed",
        )
        warning = wizard.note_warning
        self.assertTrue(warning, "said in the dialog, before anything is sent")
        named = re.search(
            rf"lines (\d+)-{LINES} \((\d+) lines\) would not reach the buyer", warning
        )
        self.assertTrue(named, "the lines that would not reach the buyer, named")
        left_out = f"{named[1]}-{LINES}"
        self.assertEqual(int(named[2]), LINES - int(named[1]) + 1)
        self.assertIn("Send Order Responses as UBL", warning)
        with self.assertRaisesRegex(UserError, f"lines {left_out} "):
            wizard.action_send()
        self.assertFalse(
            order.psb_response_ids.filtered(lambda r: r.code == "CA"), "nothing queued"
        )
        self.assertFalse(self.answers(document_id))
        with self.assertRaisesRegex(UserError, "PSB administrator"):
            wizard.action_send_as_ubl()
        self.assertFalse(self.company.psb_responses_as_ubl)

    def test_json_an_automatic_ca_is_held_with_a_message(self):
        """Confirming answers CA by itself: it is not sent cut, it fails with the lines
        named and an activity for the salesperson; with the UBL setting on, Retry sends
        every line."""
        document_id, order = self.import_changed_order("LONG-2")
        order.action_confirm()
        self.env["econnect.psb.response"]._cron_send_responses()
        ca = order.psb_response_ids.filtered(lambda r: r.code == "CA")
        self.assertEqual(ca.state, "failed")
        self.assertRegex(
            ca.error_message,
            rf"lines \d+-{LINES} \(\d+ lines\) would not reach the buyer",
        )
        self.assertTrue(ca.can_retry)
        activity = order.activity_ids.filtered(lambda a: "CA" in (a.summary or ""))
        self.assertIn("would not reach the buyer", activity.note)
        self.assertFalse(self.answers(document_id), "nothing reached the PSB")
        self.company.psb_responses_as_ubl = True
        ca.action_retry()
        self.env["econnect.psb.response"]._cron_send_responses()
        self.assertEqual(ca.state, "sent")
        [received] = self.answers(document_id)
        self.assert_every_line_received(received)

    def test_ubl_every_line_reaches_the_buyer(self):
        """A PSB administrator, told in the dialog, sends as UBL: the setting goes on
        for the company."""
        document_id, order = self.import_changed_order("LONG-3")
        wizard = self.open_ca(order, self.psb_admin)
        self.assertTrue(wizard.note_warning)
        wizard.action_send_as_ubl()
        self.assertTrue(self.company.psb_responses_as_ubl)
        self.assertFalse(
            self.open_ca(order, self.psb_admin).note_warning,
            "with UBL nothing is left out",
        )
        self.env["econnect.psb.response"]._cron_send_responses()
        [received] = self.answers(document_id)
        self.assert_every_line_received(received)
        ca = order.psb_response_ids.filtered(lambda r: r.code == "CA")
        self.assertEqual(
            ca.attachment_id.raw, received["xml"], "what was sent is what is kept"
        )
