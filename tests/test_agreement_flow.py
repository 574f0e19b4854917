# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The agreement with the buyer on the Odoo side (issue 26): each move of
psb/agreement.py where the order behaves differently, asserting what the buyer receives
(the queued answers and their lines) and what the quotation holds afterwards; Confirm,
the buttons, the banner, the desk and the activities read it."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DATA, order_products, order_xml
from .test_webhook import PsbHttpCase

UNKNOWN = "sale_econnect_psb.product_psb_unknown"


@tagged("post_install", "-at_install")
class TestAgreementFlow(PsbHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.screws, cls.nails = order_products(cls.env)
        Product = cls.env["product.product"]
        cls.glue = Product.create(
            {"name": "Wood glue 500 ml", "default_code": "GLUE-500", "list_price": 3.0}
        )
        cls.anchor = Product.create({"name": "Wall anchor", "list_price": 4.0})

    # -- helpers
    # -----------------------------------------------------------------------------
    def import_order(self, order_id="A1", xml=None):
        document = self.receive(xml or order_xml(order_id))
        self.assertEqual(document.state, "imported", document.error_message)
        return document.sale_order_id

    def import_advanced(self):
        return self.import_order(
            xml=(DATA / "advanced_ordering" / "Order_sc1.xml").read_bytes()
        )

    def advanced(self, name, topic):
        return self.receive((DATA / "advanced_ordering" / name).read_bytes(), topic)

    def answers(self, order):
        return order.psb_response_ids.sorted("id")

    def codes(self, order):
        return self.answers(order).mapped("code")

    def line(self, order, ref):
        return order.order_line.filtered(lambda ln: ln.psb_line_ref == ref)

    def wizard(self, action):
        return (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_context(**action.get("context", {}))
        )

    def confirm_dialog(self, order):
        action = order.with_context(psb_confirm_warn=True).action_confirm()
        self.assertIsInstance(
            action, dict, "Confirm opens its dialog before anything goes out"
        )
        self.assertEqual(action["res_model"], "econnect.psb.confirm.wizard")
        return self.wizard(action)

    def clean(self, order):
        """Every line identified and the import's notes checked: nothing needs a
        person."""
        placeholder = self.env.ref(UNKNOWN)
        for line in order.order_line.filtered(lambda ln: ln.product_id == placeholder):
            # the line's Peppol tax stays (a later change compares the buyer's totals)
            taxes = line.tax_ids
            line.write({"product_id": self.anchor.id})
            line.write(
                {
                    "price_unit": line.price_unit or 1.0,
                    "tax_ids": [fields.Command.set(taxes.ids)],
                }
            )
        order.action_psb_mark_checked()
        self.assertFalse(order._psb_open_issues())

    def propose(self, order, qty=None, price=None, reject=None):
        wizard = self.wizard(order.action_psb_accept_with_changes())
        first = wizard.line_ids.filtered(lambda ln: ln.order_line_ref == "1")
        if qty is not None:
            first.write({"status": "3", "quantity": qty})
        if price is not None:
            first.write({"status": "3", "price": price})
        if reject:
            wizard.line_ids.filtered(lambda ln: ln.order_line_ref == reject).write(
                {"status": "7", "note": "Sold out"}
            )
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        wizard.action_send()
        return self.answers(order)[-1]

    def reject(self, order, note="We cannot deliver this order"):
        wizard = self.wizard(order.action_psb_reject())
        wizard.note = note
        wizard.action_send()

    def assert_derived(self, order):
        """The state derived from the order's answers and documents (as at install) is
        the live one."""
        derived = order._psb_derive_agreement()
        self.assertEqual(
            (derived.state, derived.before or False),
            (order.psb_agreement_state, order.psb_agreement_before),
        )

    # -- 1. one agreement state, moved by our answers
    # ----------------------------------------
    def test_received_then_acknowledged_once(self):
        order = self.import_order("T1")
        self.assertEqual(self.codes(order), ["AB"], "the import acknowledges")
        self.assertEqual(order.psb_agreement_state, "acknowledged")
        self.assertEqual(order.psb_waits_for, "person")
        with self.assertRaisesRegex(
            UserError, r"already told the order is received \(AB\)"
        ):
            order.action_psb_acknowledge()
        self.assertEqual(self.codes(order), ["AB"], "no second AB")
        self.assertEqual(order.psb_offered_answers, "AP,CA,RE")
        self.assert_derived(order)

    def test_existing_orders_get_their_state_at_install(self):
        order = self.import_order("T0")
        order.action_psb_accept()
        order.write(
            {"psb_agreement_state": False, "psb_agreement_before": False}
        )  # as before the upgrade
        self.env.add_to_compute(
            order._fields["psb_agreement_state"], order
        )  # what Odoo does for a new column
        self.env.flush_all()
        self.assertEqual(order.psb_agreement_state, "accepted")

    def test_accept_once_per_agreement(self):
        order = self.import_order("T2")
        self.clean(order)
        order.action_psb_accept()
        self.assertEqual(order.psb_agreement_state, "accepted")
        with self.assertRaisesRegex(
            UserError, r"already told the order is accepted \(AP\)"
        ):
            order.action_psb_accept()
        with self.assertRaisesRegex(
            UserError, r"already told the order is accepted \(AP\)"
        ):
            self.wizard(order.action_psb_answer_menu()).action_accept()
        self.assertEqual(self.codes(order), ["AB", "AP"], "one AP reaches the buyer")
        self.assertFalse(order.psb_next_answer, "no Accept button any more")
        self.assertFalse(
            order.psb_offered_answers, "nothing else to answer in Ordering"
        )
        # Confirming an accepted quotation sends nothing more and asks nothing.
        self.assertIs(order.with_context(psb_confirm_warn=True).action_confirm(), True)
        self.assertEqual(self.codes(order), ["AB", "AP"])
        self.assert_derived(order)

    def test_answer_menu_offers_what_the_agreement_allows(self):
        order = self.import_order("T3")
        choice = self.wizard(order.action_psb_answer_menu())
        self.assertEqual(
            (
                choice.can_acknowledge,
                choice.can_accept,
                choice.can_propose,
                choice.can_reject,
            ),
            (False, True, True, True),
        )
        self.propose(order, qty=8)
        self.assertFalse(
            order.psb_offered_answers,
            "after our CA nothing more until the buyer answers",
        )

    # -- 2./4. a CA makes the quotation what we proposed; Confirm asks
    # -----------------------
    def test_ca_makes_the_quotation_the_proposal_and_waits_for_the_buyer(self):
        order = self.import_order("T4")
        ca = self.propose(order, qty=8, price=2.75, reject="2")
        lines = {ln.order_line_ref: ln for ln in ca.line_ids}
        self.assertEqual(
            (ca.code, lines["1"].status, lines["1"].quantity, lines["1"].price),
            ("CA", "3", 8, 2.75),
        )
        self.assertEqual(lines["2"].status, "7")
        first = self.line(order, "1")
        self.assertEqual(
            (first.product_uom_qty, first.price_unit),
            (8, 2.75),
            "the quotation is what we proposed",
        )
        self.assertEqual(
            self.line(order, "2").product_uom_qty, 0, "the rejected line at 0"
        )
        self.assertEqual(
            first.psb_ordered_qty, 10, "what the buyer ordered stays known"
        )
        self.assertEqual(
            (order.psb_agreement_state, order.psb_waits_for), ("proposed", "buyer")
        )
        self.assertTrue(order.psb_awaiting_buyer)
        self.assertIn("waiting for the buyer", order.psb_agreement_text)
        with self.assertRaisesRegex(UserError, "waits for the buyer's answer"):
            order.action_confirm()
        dialog = self.confirm_dialog(order)
        self.assertIn("the buyer has not answered yet", dialog.answer)
        dialog.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            self.codes(order), ["AB", "CA"], "confirming after our CA sends nothing"
        )
        self.assertEqual(self.line(order, "1").product_uom_qty, 8)
        self.assert_derived(order)

    def test_confirm_dialog_lists_the_ca_lines_before_anything_goes_out(self):
        order = self.import_order("T5")
        self.clean(order)
        self.line(order, "1").write({"product_uom_qty": 8})
        dialog = self.confirm_dialog(order)
        self.assertEqual(self.codes(order), ["AB"], "nothing sent yet")
        self.assertIn("CA (accepted with these changes)", dialog.answer)
        self.assertIn("Line 1 Screws (by GTIN): quantity 8", dialog.answer)
        dialog.action_confirm()
        ca = self.answers(order)[-1]
        self.assertEqual(ca.code, "CA")
        self.assertEqual(
            ca.line_ids.filtered(lambda ln: ln.order_line_ref == "1").quantity, 8
        )

    # -- 5. RE
    # ----------------------------------------------------------------------------------
    def test_re_cancels_the_quotation(self):
        order = self.import_order("T6")
        self.reject(order)
        self.assertEqual(self.codes(order), ["AB", "RE"])
        self.assertEqual(order.state, "cancel", "the buyer was told it is rejected")
        self.assertEqual(order.psb_agreement_state, "rejected")
        self.assertFalse(
            order.psb_waits_for,
            "counted neither as waiting for a person nor for the buyer",
        )
        with self.assertRaisesRegex(
            UserError, r"cannot be confirmed: The buyer was told the order is rejected"
        ):
            order.action_confirm()
        self.assertFalse(
            order.activity_ids.filtered("psb_kind"), "its activities are closed"
        )
        self.assert_derived(order)

    def test_re_on_a_confirmed_order_waits_for_the_cancellation(self):
        order = self.import_advanced()
        order.action_confirm()
        self.reject(order)
        self.assertEqual(
            (order.state, order.psb_agreement_state, order.psb_waits_for),
            ("sale", "rejected", "buyer"),
        )
        self.assertIn("waiting for the buyer's cancellation", order.psb_agreement_text)
        invoicing = self.env["sale.advance.payment.inv"].with_context(
            active_ids=order.ids, active_model="sale.order"
        )
        warning = invoicing.create(
            {"sale_order_ids": [fields.Command.set(order.ids)]}
        ).psb_invoicing_warning
        self.assertIn("do not deliver or invoice it", warning)
        cancellation = self.advanced(
            "OrderCancellation_sc5.xml", "OrderCancellationReceived"
        )
        self.assertEqual(cancellation.state, "imported", cancellation.error_message)
        self.assertEqual(
            (order.state, order.psb_agreement_state), ("cancel", "cancelled")
        )
        self.assertEqual(
            self.codes(order),
            ["AB", "AP", "RE"],
            "the buyer's confirmation gets no answer",
        )
        self.assert_derived(order)

    # -- 3. identification is not a substitution
    # ------------------------------------------------
    def test_identifying_the_placeholder_answers_ap_and_remembers_the_code(self):
        order = self.import_order("T7")
        glue_line = self.line(order, "3")
        self.assertEqual(
            glue_line.product_id, self.env.ref(UNKNOWN), "LIJM-9 is not known yet"
        )
        price, taxes = glue_line.price_unit, glue_line.tax_ids
        self.glue.taxes_id = self.env["account.tax"].create(
            {"name": "Exports 0%", "amount": 0, "type_tax_use": "sale"}
        )
        glue_line.product_id = self.glue
        self.assertEqual(
            (glue_line.price_unit, glue_line.tax_ids, glue_line.product_uom_qty),
            (price, taxes, 4),
            "the buyer's price, tax and quantity",
        )
        self.line(order, "4").product_id = self.anchor
        order.action_psb_mark_checked()
        dialog = self.confirm_dialog(order)
        self.assertIn("AP (accepted as ordered)", dialog.answer)
        self.assertIn("LIJM-9 is [GLUE-500] Wood glue 500 ml", dialog.codes)
        self.assertTrue(dialog.remember_codes)
        dialog.action_confirm()
        self.assertEqual(
            self.codes(order),
            ["AB", "AP"],
            "an identification is no substitution: AP, not CA",
        )
        code = self.env["econnect.psb.product.code"].search([("code", "=", "LIJM-9")])
        self.assertEqual(
            (code.product_id, code.partner_id),
            (self.glue, order.partner_id.commercial_partner_id),
        )
        again = self.import_order("T7b")
        self.assertEqual(
            self.line(again, "3").product_id,
            self.glue,
            "the next order matches by itself",
        )

    # -- 6. a change on a quotation that needs attention
    # ----------------------------------------
    def test_change_on_a_quotation_needing_attention_waits_for_confirm(self):
        order = self.import_advanced()
        self.assertTrue(order._psb_open_issues(), "line 2 is not identified")
        change = self.advanced("OrderChange_sc1.xml", "OrderChangeReceived")
        self.assertEqual(change.state, "imported", change.error_message)
        self.assertEqual(self.line(order, "1").product_uom_qty, 5, "applied")
        self.assertEqual(
            self.codes(order),
            ["AB"],
            "not answered behind the back of the person who checks",
        )
        self.assertEqual(
            (order.psb_agreement_state, order.psb_change_to_answer),
            ("change", "Change-1"),
        )
        self.assertEqual(order.psb_waits_for, "person")
        self.assertIn("Change-1 was applied", order.psb_agreement_text)
        self.clean(order)
        dialog = self.confirm_dialog(order)
        self.assertIn("AP (accepted as ordered)", dialog.answer)
        dialog.action_confirm()
        answer = self.answers(order)[-1]
        self.assertEqual((answer.code, answer.order_change_ref), ("AP", "Change-1"))
        self.assertEqual(
            (order.psb_agreement_state, order.psb_change_to_answer), ("accepted", False)
        )
        self.assert_derived(order)

    def test_change_on_a_clean_quotation_is_accepted_at_once(self):
        order = self.import_advanced()
        self.clean(order)
        change = self.advanced("OrderChange_sc1.xml", "OrderChangeReceived")
        self.assertEqual(change.state, "imported", change.error_message)
        answer = self.answers(order)[-1]
        self.assertEqual((answer.code, answer.order_change_ref), ("AP", "Change-1"))
        self.assertEqual(order.psb_agreement_state, "accepted")
        # Agreed already: confirming sends nothing more.
        self.assertIn("sends no Peppol answer", self.confirm_dialog(order).answer)

    # -- 8. deciding twice, a cancellation superseding a change
    # ---------------------------------
    def pending_change(self, order):
        change = self.advanced("OrderChange_sc2.xml", "OrderChangeReceived")
        change.write(
            {
                "received_on": fields.Datetime.now() - timedelta(hours=1),
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        self.Document._cron_process_documents()
        self.assertEqual(change.state, "pending", change.error_message)
        self.assertEqual(order.psb_agreement_state, "change")
        return change

    def test_deciding_twice_says_already_decided(self):
        order = self.import_advanced()
        order.action_confirm()
        self.pending_change(order)
        order.action_psb_accept_pending()
        self.assertEqual(order.psb_agreement_state, "accepted")
        with self.assertRaisesRegex(UserError, "already decided"):
            order.action_psb_accept_pending()
        with self.assertRaisesRegex(UserError, "already decided"):
            self.env["econnect.psb.order.change"]._decide(
                order, accept=False, note="late"
            )
        self.assertEqual(
            self.codes(order), ["AB", "AP", "AP"], "one answer to the change"
        )
        self.assert_derived(order)

    def test_refusing_the_change_goes_back(self):
        order = self.import_advanced()
        order.action_confirm()
        self.pending_change(order)
        wizard = self.wizard(order.action_psb_refuse_pending())
        wizard.note = "Already packed"
        wizard.action_send()
        self.assertEqual(
            order.psb_agreement_state, "accepted", "the last agreed order stands"
        )
        self.assertEqual(self.answers(order)[-1].code, "RE")

    def test_a_cancellation_supersedes_a_pending_change(self):
        self.company.psb_auto_cancel = True
        order = self.import_advanced()
        order.action_confirm()
        change = self.pending_change(order)
        cancellation = self.advanced(
            "OrderCancellation_sc4.xml", "OrderCancellationReceived"
        )
        self.assertEqual(cancellation.state, "imported", cancellation.error_message)
        self.assertEqual(
            (order.state, order.psb_agreement_state), ("cancel", "cancelled")
        )
        self.assertEqual(change.state, "done")
        self.assertIn("Superseded", change.error_message)
        self.assertFalse(
            order.psb_pending_document_id,
            "no Apply and accept (AP) on the cancelled order",
        )
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.psb_kind == "decide"),
            "its activity is closed",
        )
        self.assertEqual(
            [(a.code, a.order_change_ref or False) for a in self.answers(order)],
            [("AB", False), ("AP", False), ("AP", "Cancellation-1")],
            "the change is never answered",
        )
        with self.assertRaisesRegex(UserError, "already decided"):
            order.action_psb_accept_pending()

    # -- 9. activities
    # --------------------------------------------------------------------------
    def test_activities_close_on_confirm_and_cancel(self):
        order = self.import_order("T9")
        order._psb_activity("confirm", summary="Confirm", note="<p>x</p>")
        self.assertEqual(
            set(order.activity_ids.mapped("psb_kind")), {"import", "confirm"}
        )
        order.with_context(psb_confirm_anyway=True).action_confirm()
        self.assertFalse(order.activity_ids.filtered("psb_kind"))
        other = self.import_order("T9b")
        self.assertTrue(other.activity_ids.filtered(lambda a: a.psb_kind == "import"))
        other._action_cancel()
        self.assertFalse(other.activity_ids.filtered("psb_kind"))

    # -- 2. the desk counts whom the order waits for
    # --------------------------------------------
    def test_desk_counts_person_and_buyer_apart(self):
        Dashboard = self.env["econnect.psb.dashboard"]

        def counts():
            cards = {
                card["key"]: card["value"]
                for card in Dashboard.get_figures()["figures"]
            }
            return cards["waiting"], cards["waiting_buyer"]

        start_person, start_buyer = counts()
        first, second = self.import_order("D1"), self.import_order("D2")
        self.assertEqual(counts(), (start_person + 2, start_buyer))
        self.propose(first, qty=8)
        self.assertEqual(counts(), (start_person + 1, start_buyer + 1))
        self.reject(second)
        self.assertEqual(
            counts(),
            (start_person, start_buyer + 1),
            "a rejected quotation waits for nobody",
        )
