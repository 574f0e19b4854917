# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The order desk's figures, against records made here (another company's are not
counted)."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestOrderDesk(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other = cls.env["res.company"].create({"name": "Other Wholesale"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Desk Customer", "is_company": True}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Desk product", "list_price": 5.0}
        )
        cls.serial = 0

    def document(self, company, state="imported", kind="order"):
        type(self).serial += 1
        return self.env["econnect.psb.document"].create(
            {
                "company_id": company.id,
                "topic": "OrderReceived",
                "document_type": kind,
                "state": state,
                "psb_document_id": f"desk-{self.serial}",
            }
        )

    def order(
        self,
        company=None,
        auto_state=False,
        confirm=False,
        response=None,
        age_days=0,
        pending=False,
    ):
        company = company or self.company
        document = self.document(company)
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "partner_id": self.customer.id,
                    "psb_document_id": document.id,
                    "psb_profile": "ordering",
                    "psb_order_ref": f"DESK-{document.id}",
                    "psb_auto_state": auto_state,
                    "order_line": [
                        fields.Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
        if response:
            self.env["econnect.psb.response"].create(
                {
                    "name": f"{order.name}-R1",
                    "sale_order_id": order.id,
                    "code": "AP",
                    "state": response,
                }
            )
        if pending:
            order.psb_pending_document_id = self.document(
                company, state="pending", kind="order_change"
            )
        if age_days:
            order.flush_recordset()
            self.env.cr.execute(
                "UPDATE sale_order SET create_date = create_date - %s WHERE id = %s",
                (timedelta(days=age_days), order.id),
            )
            order.invalidate_recordset(["create_date"])
        return order

    def figures(self, company=None):
        Desk = self.env["econnect.psb.dashboard"].with_company(company or self.company)
        return {card["key"]: card for card in Desk.get_figures()["figures"]}

    def test_figures(self):
        self.order(auto_state="confirmed", confirm=True, response="queued")
        self.order(auto_state="person", response="failed")
        self.order(age_days=30, pending=True)
        self.order(
            auto_state="off", confirm=True
        )  # confirmed by hand: its AP is queued
        self.document(self.company, state="error")
        self.document(self.company).psb_rule_state = "violations"
        # Another company's: none of it is counted here.
        self.order(
            company=self.other, auto_state="confirmed", confirm=True, response="failed"
        )
        self.order(company=self.other, age_days=40)
        self.document(self.other, state="error")
        self.document(self.other, state="error")
        self.document(self.other).psb_rule_state = "violations"

        figures = self.figures()
        values = {key: card["value"] for key, card in figures.items()}
        self.assertEqual(
            values,
            {
                "today": 3,
                "week": 3,
                "auto": 1,
                "waiting": 2,
                "waiting_buyer": 0,
                "overdue": 0,
                "queued": 2,
                "failed": 1,
                "errors": 1,
                "rules": 1,
                "pending": 1,
                "team_activities": 0,
                "touchless": "33 %",
            },
        )
        self.assertEqual(figures["waiting"]["hint"], "oldest 30 days")
        self.assertEqual(
            figures["touchless"]["hint"], "1 of 3 orders confirmed without a person"
        )
        # Every card opens the list of exactly what it counts.
        for key, card in figures.items():
            with self.subTest(card=key):
                count = self.env[card["model"]].search_count(card["domain"])
                self.assertEqual(count, 1 if key == "touchless" else card["value"])

        other = {key: card["value"] for key, card in self.figures(self.other).items()}
        self.assertEqual(
            other,
            {
                "today": 1,
                "week": 1,
                "auto": 1,
                "waiting": 1,
                "waiting_buyer": 0,
                "overdue": 0,
                "queued": 0,
                "failed": 1,
                "errors": 2,
                "rules": 1,
                "pending": 0,
                "team_activities": 0,
                "touchless": "100 %",
            },
        )

    def test_query_count_does_not_grow_with_the_orders(self):
        self.order(auto_state="person")
        # the registry's caches warm (the desk's list view looked up once)
        self.figures()
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.figures()
        few = self.env.cr.sql_log_count - before
        for _n in range(20):
            self.order(auto_state="person", response="queued")
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self.figures()
        self.assertEqual(self.env.cr.sql_log_count - before, few)
        self.assertLessEqual(few, 14)  # one query a figure, at most
