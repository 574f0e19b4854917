# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCustomerProductCode(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Code = cls.env["econnect.psb.product.code"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Bouwmarkt Utrecht BV", "is_company": True}
        )
        cls.glue = cls.env["product.product"].create({"name": "Glue"})
        cls.other = cls.env["product.product"].create({"name": "Other glue"})

    def create_code(self, product, company):
        return self.Code.create(
            {
                "partner_id": self.customer.id,
                "code": "LIJM-9",
                "product_id": product.id,
                "company_id": company.id if company else False,
            }
        )

    def test_a_code_is_unique_per_customer_and_company_even_without_a_company(self):
        for company in (self.env.company, False):
            with self.subTest(company=company):
                self.create_code(self.glue, company)
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(IntegrityError),
                    self.cr.savepoint(),
                ):
                    self.create_code(self.other, company)

    def test_the_same_code_for_one_company_and_for_all_companies(self):
        self.create_code(self.glue, self.env.company)
        self.assertTrue(self.create_code(self.other, False))
