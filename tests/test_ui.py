# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tours in headless Chromium: what a sales user sees."""
from odoo.tests import HttpCase, new_test_user, tagged

from .common import upload_document
from .test_order_import import TestMatching


@tagged("post_install", "-at_install")
class TestUi(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "psb_tour_user", groups="sales_team.group_sale_salesman_all_leads")

    def upload(self, data):
        return upload_document(self.env, data)

    def test_incoming_order_to_quotation(self):
        document = self.upload(TestMatching.ORDER % {b"id": b"TOUR", b"buyer_kvk": b"87654321",
                                                     b"buyer_name": b"Tour BV", b"buyer_vat": b""})
        self.assertEqual(document.state, "imported")
        self.start_tour("/odoo/action-sale_econnect_psb.action_econnect_psb_document",
                        "sale_econnect_psb_incoming_order", login="psb_tour_user")

    def test_failed_document(self):
        self.assertEqual(self.upload(b"<Order><broken").state, "error")
        self.start_tour("/odoo/action-sale_econnect_psb.action_econnect_psb_document",
                        "sale_econnect_psb_failed_document", login="psb_tour_user")

    def test_readable_order(self):
        document = self.upload(TestMatching.ORDER % {b"id": b"READ", b"buyer_kvk": b"87654322",
                                                     b"buyer_name": b"Read BV", b"buyer_vat": b""})
        self.assertEqual(document.state, "imported")
        self.start_tour("/odoo/action-sale_econnect_psb.action_econnect_psb_document",
                        "sale_econnect_psb_readable_order", login="psb_tour_user")
