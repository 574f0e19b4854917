# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Orders that need a person are answered in time: the due moment, the desk's figure,
the leader's activity."""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import PsbCase, order_xml


@tagged("post_install", "-at_install")
class TestAnsweringTime(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"psb_auto_acknowledge": False, "psb_answer_hours": 24})
        cls.leader = new_test_user(
            cls.env,
            "psb_clock_leader",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Peppol desk", "user_id": cls.leader.id}
        )

    def imported(self, order_id):
        document = self.deliver(order_xml(order_id))
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        order.team_id = self.team
        return document, order

    def overdue_figure(self):
        figures = self.env["econnect.psb.dashboard"].get_figures()["figures"]
        return next(card for card in figures if card["key"] == "overdue")

    def test_due_from_reception_and_the_customers_own_time(self):
        document, order = self.imported("CLOCK-1")
        self.assertEqual(
            order.psb_answer_due, document.create_date + timedelta(hours=24)
        )
        self.assertFalse(order.psb_answer_overdue)
        order.partner_id.commercial_partner_id.psb_answer_hours = 4
        self.assertEqual(
            order.psb_answer_due, document.create_date + timedelta(hours=4)
        )
        self.company.psb_answer_hours = 0
        order.partner_id.commercial_partner_id.psb_answer_hours = 0
        self.assertFalse(order.psb_answer_due, "0: no answering time")

    def test_overdue_asks_the_team_leader_once_and_answering_closes_it(self):
        _document, order = self.imported("CLOCK-2")
        later = order.psb_answer_due + timedelta(minutes=1)
        Order = self.env["sale.order"]
        Order._cron_psb_overdue_answers(now=order.psb_answer_due - timedelta(minutes=1))
        self.assertFalse(order._psb_activities("overdue"), "not due yet")
        Order._cron_psb_overdue_answers(now=later)
        Order._cron_psb_overdue_answers(now=later)
        activity = order._psb_activities("overdue")
        self.assertEqual(len(activity), 1, "asked once")
        self.assertEqual(activity.user_id, self.leader)
        self.assertIn(f"Answer the Peppol order {order.name}", activity.summary)
        # The desk counts it once its time has passed (the figure opens exactly those
        # orders).
        order.psb_answer_due = fields.Datetime.now() - timedelta(minutes=1)
        card = self.overdue_figure()
        self.assertEqual(card["value"], 1)
        self.assertEqual(self.env["sale.order"].search(card["domain"]), order)
        self.assertEqual(
            Order.search([("psb_answer_overdue", "=", True), ("id", "=", order.id)]),
            order,
        )
        # Accepting answers the buyer: no longer due, the activity is done, the desk no
        # longer counts it.
        order.action_psb_accept()
        self.assertFalse(order.psb_answer_due)
        self.assertFalse(order._psb_activities("overdue"))
        self.assertEqual(self.overdue_figure()["value"], 0)

    def test_an_answered_order_is_never_overdue(self):
        _document, order = self.imported("CLOCK-3")
        order.with_context(psb_confirm_anyway=True).action_confirm()
        self.assertIn(order.psb_response_ids.code, ("AP", "CA"))
        self.assertFalse(order.psb_answer_due)
        self.env["sale.order"]._cron_psb_overdue_answers(
            now=fields.Datetime.now() + timedelta(days=30)
        )
        self.assertFalse(order._psb_activities("overdue"))
