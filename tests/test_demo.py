# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo (tools/demo.sh) shows straight-through: its setup (tools/demo_data.py, the
same code the demo runs) and the official examples as the demo delivers them (dates
moved ahead, Dutch VAT): the trusted customer's clean order confirms by itself with AP,
the others say why not."""

from datetime import date

from odoo.tests import tagged

from .common import NO_PEPPOL_MSG, PsbCase, load_plain_module, peppol_dir


def demo_data():
    return load_plain_module("psb_demo_data", "tools/demo_data.py")


@tagged("post_install", "-at_install")
class TestDemo(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = demo_data()
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.company.currency_id = eur
        # The test database has no Dutch chart (l10n_nl): the Dutch rates the demo finds
        # in it, made here.
        for rate in (21, 9, 0):
            cls.env["account.tax"].create(
                {
                    "name": f"{rate}% (NL)",
                    "amount": rate,
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                }
            )
        cls.salesman = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Demo Salesman",
                    "login": "demo_salesman",
                    "group_ids": [
                        (6, 0, [cls.env.ref("sales_team.group_sale_salesman").id])
                    ],
                }
            )
        )

    def test_dutch_example(self):
        """Dates ahead by the same days, Dutch rates, the tax total and payable amount
        follow (plain Python)."""
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        reader = self.demo.reader
        path = base / "examples" / "order" / "official" / "UC1_Order.xml"
        order = reader.read_document(
            self.demo.dutch_example(path.read_bytes(), date(2030, 1, 10))
        )
        self.assertEqual(str(order.issue_date), "2030-01-10")
        self.assertEqual(
            str(order.delivery.requested_start),
            "2030-01-24",
            "14 days after the issue, as in UC1",
        )
        self.assertEqual(
            {(line.tax_category, int(line.tax_percent)) for line in order.lines},
            {("S", 21)},
        )
        self.assertEqual(
            (str(order.tax_amount), str(order.payable_amount)), ("24.15", "139.15")
        )

    def test_straight_through(self):
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        examples = base / "examples"
        self.demo.setup(
            self.env, self.company, self.salesman, examples, first_setup=True
        )
        self.assertTrue(
            self.company.psb_auto_confirm and self.company.psb_auto_trusted_only
        )
        tax21 = self.company.account_sale_tax_id
        self.assertEqual((tax21.amount, tax21.ubl_cii_tax_category_code), (21, "S"))
        orders = {}
        for path in sorted((examples / "order" / "official").glob("*.xml")):
            document = self.deliver(self.demo.dutch_example(self.demo.variant(path)))
            orders[path.stem] = document.sale_order_id
        confirmed = {
            name
            for name, order in orders.items()
            if order.psb_auto_state == "confirmed"
        }
        held = {
            name: order.psb_auto_reasons
            for name, order in orders.items()
            if order.psb_auto_state == "person"
        }
        self.assertEqual(confirmed, {"UC5_Order"}, held)
        uc5 = orders["UC5_Order"]
        self.assertEqual(uc5.state, "sale")
        self.assertEqual(
            uc5.psb_response_ids.mapped("code")[-1:],
            ["AP"],
            "confirmed by itself, accepted (AP)",
        )
        self.assertEqual(
            uc5.order_line.filtered("product_id").tax_ids, tax21, "the Dutch 21 %"
        )
        self.assertGreater(
            uc5.commitment_date.date(),
            date.today(),
            "the requested delivery moved ahead",
        )
        self.assertIn(
            "the buyer wrote a note",
            held["UC4_Order"],
            "the trusted customer's other order: why not",
        )
        self.assertIn(
            "is not trusted", held["UC1_Order"], "another customer's order says why not"
        )
        self.assertIn("227", held["UC6_Order"], "a consignment order names its type")
        self.assertEqual(set(confirmed) | set(held), set(orders), "every order decided")

    def test_settings_on_first_setup_only(self):
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        self.demo.setup(
            self.env, self.company, self.salesman, base / "examples", first_setup=True
        )
        self.company.psb_auto_confirm = False
        self.demo.setup(
            self.env, self.company, self.salesman, base / "examples", first_setup=False
        )
        self.assertFalse(
            self.company.psb_auto_confirm, "a re-run keeps what the user changed"
        )
