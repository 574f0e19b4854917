# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tours in headless Chromium: what a sales user sees."""

from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged

from .common import ALL_LEADS, SALESMAN, PsbHttpCase, order_xml, upload_document


def future_order_xml(order_id):
    """The test order with its requested delivery a month ahead: a past date makes
    Odoo's form warn that the requested date is too soon (a dialog over the form)
    whenever an edit recomputes the expected date."""
    start, end = date.today() + timedelta(days=30), date.today() + timedelta(days=31)
    xml = order_xml(order_id)
    return xml.replace(b"2026-12-01", start.isoformat().encode()).replace(
        b"2026-12-02", end.isoformat().encode()
    )


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_tour_user", groups=ALL_LEADS)

    def upload(self, data):
        return upload_document(self.env, data)

    def tour(self, action, name):
        """The tour ``name`` from the menu's action ``action``, as the salesperson."""
        self.start_tour(
            f"/odoo/action-sale_econnect_psb.{action}", name, login="psb_tour_user"
        )

    def test_incoming_order_to_quotation(self):
        document = self.upload(order_xml("TOUR", "87654321", "Tour BV"))
        self.assertEqual(document.state, "imported")
        self.tour("action_econnect_psb_document", "sale_econnect_psb_incoming_order")

    def test_failed_document(self):
        self.assertEqual(self.upload(b"<Order><broken").state, "error")
        self.tour("action_econnect_psb_document", "sale_econnect_psb_failed_document")

    def test_order_desk(self):
        self.env.company.psb_auto_confirm = True
        self.env.company.psb_auto_confirm_uploads = (
            True  # the order is uploaded (README, "Who sees and does what")
        )
        document = self.upload(order_xml("DESK", "87650000", "Desk BV"))
        self.assertEqual(document.sale_order_id.psb_auto_state, "person")
        self.tour("action_psb_order_desk", "sale_econnect_psb_order_desk")

    def test_order_desk_empty(self):
        """No Peppol order in this company: the desk's cards open empty lists that say
        why, no sample orders."""
        self.assertFalse(
            self.env["sale.order"].search_count([("psb_document_id", "!=", False)])
        )
        self.start_tour(
            "/odoo/action-sale_econnect_psb.action_psb_order_desk",
            "sale_econnect_psb_order_desk_empty",
            login="psb_tour_user",
        )

    def test_team_activities_from_the_desk(self):
        colleague = new_test_user(self.env, "psb_tour_colleague", groups=SALESMAN)
        self.env["crm.team"].create(
            {
                "name": "Peppol Team Tour",
                "user_id": self.salesman.id,
                "member_ids": [(6, 0, [colleague.id])],
            }
        )
        partner = self.env["res.partner"].create(
            {"name": "Team Tour BV", "is_company": True}
        )
        document = self.env["econnect.psb.document"].create(
            {
                "company_id": self.env.company.id,
                "topic": "OrderReceived",
                "document_type": "order",
                "psb_document_id": "team-tour",
                "state": "imported",
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": colleague.id,
                "psb_document_id": document.id,
                "team_id": self.env["crm.team"]
                .search([("name", "=", "Peppol Team Tour")])
                .id,
            }
        )
        order._psb_activity(
            "import",
            summary="Check the Peppol order TEAM-1",
            note="<p>x</p>",
            user=colleague,
        )
        self.tour("action_psb_order_desk", "sale_econnect_psb_team_activities")

    def test_readable_order(self):
        document = self.upload(order_xml("READ", "87654322", "Read BV"))
        self.assertEqual(document.state, "imported")
        self.tour("action_econnect_psb_document", "sale_econnect_psb_readable_order")


@tagged("post_install", "-at_install")
class TestUiAnswering(PsbHttpCase):
    """The answering flow in a browser: Confirm's warning, and refusing a buyer's
    cancellation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_tour_answer", groups=ALL_LEADS)

    def tour(self, order, name):
        """The tour ``name`` on the order's form, as the salesperson who answers."""
        self.start_tour(f"/odoo/sales/{order.id}", name, login="psb_tour_answer")

    def codes(self, order):
        return order.psb_response_ids.sorted("id").mapped("code")

    def test_confirm_warning(self):
        order = self.receive(order_xml("TW1")).sale_order_id
        self.tour(order, "sale_econnect_psb_confirm_warning")
        self.assertEqual(order.state, "draft", "going back does not confirm")
        self.assertEqual(order.psb_response_ids.mapped("code"), ["AB"])

    def test_identify_the_placeholder_then_confirm(self):
        """Replacing "Unidentified Peppol item" in the browser, then Confirm: AP, and
        the buyer's code is kept."""
        glue = self.env["product.product"].create(
            {"name": "Wood glue 500 ml", "list_price": 3.0}
        )
        order = self.receive(future_order_xml("TW2")).sale_order_id
        placeholder = self.env.ref("sale_econnect_psb.product_psb_unknown")
        self.assertEqual(
            order.order_line.filtered(lambda ln: ln.psb_line_ref == "3").product_id,
            placeholder,
        )
        self.tour(order, "sale_econnect_psb_identify_placeholder")
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.codes(order), ["AB", "AP"], "AP, not CA")
        code = self.env["econnect.psb.product.code"].search([("code", "=", "LIJM-9")])
        self.assertEqual(
            (code.product_id, code.partner_id),
            (glue, order.partner_id.commercial_partner_id),
        )

    def test_proposal_then_confirm(self):
        """Our CA makes the quotation our proposal; Confirm then asks first, and going
        back sends nothing."""
        order = self.receive(future_order_xml("TW3")).sale_order_id
        wizard = self.open_wizard(order.action_psb_accept_with_changes())
        wizard.line_ids.filtered(lambda ln: ln.order_line_ref == "1").write(
            {"status": "3", "quantity": 8}
        )
        wizard.line_ids.filtered(lambda ln: not ln.status).status = "5"
        wizard.action_send()
        self.assertEqual(order.psb_agreement_state, "proposed")
        self.tour(order, "sale_econnect_psb_proposal_then_confirm")
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.codes(order), ["AB", "CA"], "nothing more went out")

    def test_rejected_then_confirm(self):
        """Our RE cancels the quotation; set back to a quotation, Confirm is refused
        with our reason."""
        order = self.receive(future_order_xml("TW4")).sale_order_id
        wizard = self.open_wizard(order.action_psb_reject())
        wizard.note = "We cannot deliver this order"
        wizard.action_send()
        self.assertEqual(order.state, "cancel")
        self.tour(order, "sale_econnect_psb_rejected_then_confirm")
        self.assertNotEqual(order.state, "sale")
        self.assertEqual(self.codes(order), ["AB", "RE"], "no AP after our RE")

    def test_refuse_cancellation(self):
        order = self.receive(self.example("order", 1, "Order_sc1.xml")).sale_order_id
        order.action_confirm()
        order.user_id = (
            self.salesman
        )  # the order's salesperson decides (README, "Who sees and does what")
        cancellation = self.receive(
            self.example("order_cancellation", 4, "OrderCancellation_sc4.xml"),
            "OrderCancellationReceived",
        )
        self.assertEqual(cancellation.state, "pending", cancellation.error_message)
        self.tour(order, "sale_econnect_psb_refuse_cancellation")
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.psb_cancellation_note)
        self.assertEqual(order.psb_response_ids.sorted("id")[-1].code, "RE")
