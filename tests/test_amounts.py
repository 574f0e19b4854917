# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The quotation is the buyer's order to the cent: line allowances and charges, document
allowances and charges, taxes from the order's categories, the totals check, the
currency rule (hand-made orders in tests/data/)."""

import contextlib

from odoo import Command
from odoo.tests import Form, tagged

from .common import MODULE_ROOT, PsbCase

DATA = MODULE_ROOT / "tests" / "data"


def order_xml(name, order_id, currency="EUR", order_type="220"):
    data = (DATA / name).read_text()
    return (
        data.replace("{cur}", currency)
        .replace("{id}", order_id)
        .replace("{type}", order_type)
        .encode()
    )


@tagged("post_install", "-at_install")
class TestAmounts(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Peppol computes tax per category on the total: a company rounding globally
        # gives the same cents.
        cls.company.tax_calculation_rounding_method = "round_globally"
        eur = cls.env.ref("base.EUR")
        eur.active = True
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "Euro", "currency_id": eur.id, "company_id": cls.company.id}
        )
        Tax = cls.env["account.tax"]

        def tax(name, amount, code):
            return Tax.create(
                {
                    "name": name,
                    "amount": amount,
                    "type_tax_use": "sale",
                    "company_id": cls.company.id,
                    "ubl_cii_tax_category_code": code,
                }
            )

        cls.tax21 = tax("BTW 21%", 21, "S")
        cls.tax9 = tax("BTW 9%", 9, "S")
        cls.tax_e = tax("BTW vrijgesteld", 0, "E")
        cls.tax_ae = tax("BTW verlegd", 0, "AE")
        cls.products = {
            code: cls.env["product.product"].create(
                {
                    "name": code,
                    "default_code": code,
                    "taxes_id": [Command.set(cls.tax21.ids)],
                }
            )
            for code in ("MPX-18", "SCHR-440", "ISO-100", "CURSUS-VW", "MONT-UUR")
        }
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Bouwbedrijf De Vries BV",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "76543210",
                "street": "Industrieweg 12",
                "zip": "3821 AB",
                "city": "Amersfoort",
                "country_id": cls.env.ref("base.nl").id,
            }
        )

    def import_order(self, data):
        document = self.upload(data)
        self.assertEqual(document.state, "imported", document.error_message)
        return document.sale_order_id

    def lines(self, order):
        return {
            line.psb_line_ref: line for line in order.order_line if line.psb_line_ref
        }

    def test_allowances_charges_and_taxes_to_the_cent(self):
        order = self.import_order(
            order_xml("order_amounts.xml", "AM-1", order_type="227")
        )
        lines = self.lines(order)
        # 10 x 20.00 - 5 % + 12.50 cutting charge: a net price that gives 202.50, what
        # was applied in the text
        self.assertAlmostEqual(lines["1"].price_unit, 20.25)
        self.assertEqual(lines["1"].discount, 0)
        self.assertEqual(lines["1"].price_subtotal, 202.50)
        self.assertIn("−5 % projectkorting", lines["1"].name)
        self.assertIn("zaagkosten", lines["1"].name)
        self.assertAlmostEqual(lines["1"].psb_ordered_gross_price, 20.0)
        # BaseQuantity 100: 250 at 12.34 per 100
        self.assertAlmostEqual(lines["2"].price_unit, 0.1234, places=6)
        self.assertEqual(lines["2"].price_subtotal, 30.85)
        # one percentage allowance: the line's discount, the gross price stays visible
        self.assertEqual((lines["3"].price_unit, lines["3"].discount), (25.0, 5.0))
        self.assertAlmostEqual(lines["3"].psb_ordered_price, 23.75)
        self.assertEqual(lines["3"].psb_ordered_amount, 95.0)
        # the order's tax categories win where an exactly matching tax exists
        self.assertEqual(lines["1"].tax_ids, self.tax21)
        self.assertEqual(lines["3"].tax_ids, self.tax9)
        self.assertEqual(lines["4"].tax_ids, self.tax_e)
        self.assertEqual(lines["5"].tax_ids, self.tax_ae)
        self.assertFalse(any(line.psb_import_issue for line in order.order_line))
        # the document allowance and the freight charge are lines of their own
        discount = order.order_line.filtered(
            lambda ln: ln.psb_allowance_kind == "allowance"
        )
        freight = order.order_line.filtered(
            lambda ln: ln.psb_allowance_kind == "charge"
        )
        self.assertEqual(
            discount.product_id,
            self.env.ref("sale_econnect_psb.product_psb_order_discount"),
        )
        self.assertEqual(
            (discount.price_subtotal, discount.tax_ids), (-4.67, self.tax21)
        )
        self.assertIn("Contractkorting (2 %", discount.name)
        self.assertEqual(
            (freight.price_subtotal, freight.tax_ids, freight.name),
            (15.0, self.tax21, "Vracht"),
        )
        # the totals are the buyer's
        self.assertEqual(order.currency_id.name, "EUR")
        self.assert_totals(order, (558.68, 59.72, 618.40))
        self.assertFalse(order.psb_amounts_note)
        # the only thing to look at: the new delivery place
        self.assertEqual(
            order.psb_import_issues.splitlines(),
            [
                "New delivery address Bouwbedrijf De Vries BV, Bouwplaats Vathorst "
                "was created for Bouwbedrijf De Vries BV."
            ],
        )
        # what else the buyer wrote: the delivery place and its contact, the order type
        shipping = order.partner_shipping_id
        self.assertNotEqual(
            shipping,
            self.customer,
            "same street as the customer, but a place of its own",
        )
        self.assertEqual(
            (shipping.name, shipping.type, shipping.ref),
            ("Bouwplaats Vathorst", "delivery", "8712345000123"),
        )
        contact = shipping.child_ids
        self.assertEqual(
            (contact.name, contact.email, contact.phone),
            ("Jan Bakker", "jan.bakker@devries.example", "+31 6 12345678"),
        )
        self.assertEqual(order.psb_order_type, "227")
        self.assertIn(
            order, self.env["sale.order"].search([("psb_order_type", "=", "227")])
        )
        # a CA built from this quotation reports no line as changed, and no "added"
        # document allowance
        response_lines = order._psb_response_lines()
        self.assertEqual([vals["status"] for vals in response_lines], ["5"] * 5)
        self.assertFalse(any(vals["price_changed"] for vals in response_lines))
        lines["3"].discount = 0
        self.assertTrue(lines["3"]._psb_price_changed())
        changed = {vals["order_line_ref"]: vals for vals in order._psb_response_lines()}
        self.assertEqual(
            (changed["3"]["status"], changed["3"]["price_changed"]), ("3", True)
        )

    def test_fiscal_position_taxes_are_the_lines(self):
        """The import gives every line its taxes: ours through the customer's fiscal
        position where they are the order's or the order states none, the order's where
        ours differ and its tax exists."""
        position = self.env["account.fiscal.position"].create(
            {"name": "Verlegd (bouw)", "company_id": self.company.id}
        )
        reverse = self.env["account.tax"].create(
            {
                "name": "BTW verlegd (bouw)",
                "amount": 0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "ubl_cii_tax_category_code": "AE",
                "fiscal_position_ids": [Command.set(position.ids)],
                "original_tax_ids": [Command.set(self.tax21.ids)],
            }
        )
        self.customer.property_account_position_id = position
        data = order_xml("order_amounts.xml", "AM-FP")
        line4 = data.index(b"<cbc:ID>4</cbc:ID>")
        start = data.index(b"<cac:ClassifiedTaxCategory>", line4)
        end = data.index(b"</cac:ClassifiedTaxCategory>", start) + len(
            b"</cac:ClassifiedTaxCategory>"
        )
        data = data[:start] + data[end:]  # line 4 states no tax category
        data = data.replace(
            b"<cbc:ID>S</cbc:ID><cbc:Percent>9</cbc:Percent>",
            b"<cbc:ID>S</cbc:ID><cbc:Percent>6</cbc:Percent>",
        )
        order = self.import_order(data)
        lines = self.lines(order)
        self.assertEqual(order.fiscal_position_id, position)
        self.assertEqual(
            lines["5"].tax_ids,
            reverse,
            "ours through the fiscal position: the order's AE",
        )
        self.assertEqual(
            lines["4"].tax_ids,
            reverse,
            "no category in the order: ours through the fiscal position",
        )
        self.assertEqual(
            lines["1"].tax_ids, self.tax21, "the order's S 21 %: it exists, it wins"
        )
        self.assertEqual(lines["3"].tax_ids, reverse, "no S 6 % here: ours stays")
        self.assertIn("standard rate (S) 6 %", lines["3"].psb_import_issue)
        self.assertFalse(lines["4"].psb_import_issue or lines["5"].psb_import_issue)
        # what Odoo computes for the line is what the import gave it
        for line in (lines["3"], lines["4"], lines["5"]):
            self.assertEqual(line.tax_ids, position.map_tax(line.product_id.taxes_id))

    def test_one_cent_off_is_named(self):
        data = (
            order_xml("order_amounts.xml", "AM-2")
            .replace(b">59.72<", b">59.73<")
            .replace(b">618.40<", b">618.41<")
        )
        order = self.import_order(data)
        self.assertEqual(order.psb_amounts_state, "differ")
        self.assertIn(
            order,
            self.env["sale.order"].search([("psb_amounts_state", "=", "differ")]),
            "the filter Peppol: amounts differ finds it",
        )
        note = order.psb_amounts_note
        self.assertIn("Tax: the buyer's order says", note)
        self.assertIn("59.73", note)
        self.assertIn("59.72", note)
        self.assertIn("Total: the buyer's order says", note)
        self.assertIn("does not match its own tax categories", note)
        self.assertNotIn("Untaxed amount", note)
        self.assertTrue(order.psb_needs_attention)
        self.assertIn("Tax: the buyer's order says", order.activity_ids.note)

    def test_tax_rounding_per_line_is_named(self):
        self.company.tax_calculation_rounding_method = "round_per_line"
        order = self.import_order(order_xml("order_amounts.xml", "AM-3"))
        # 21 % per line: 42.53 + 6.48 - 0.98 + 3.15 = 51.18, the order's 21 % of 243.68
        # = 51.17
        self.assertEqual(order.amount_untaxed, 558.68)
        self.assertEqual(order.psb_amounts_state, "differ")
        self.assertIn("tax rounding", order.psb_amounts_note)

    def test_inconsistent_order_is_flagged_not_crashed(self):
        order = self.import_order(order_xml("order_inconsistent.xml", "AM-4"))
        lines = self.lines(order)
        self.assertIn("states a line amount of", lines["1"].psb_import_issue)
        self.assertEqual(lines["1"].price_subtotal, 90.0, "quantity x price is kept")
        documents = order.order_line.filtered("psb_allowance_kind")
        self.assertEqual(len(documents), 3, "never a silent drop")
        by_name = {line.name.split(" (")[0]: line for line in documents}
        self.assertIn("has no base amount", by_name["Staffelkorting"].psb_import_issue)
        self.assertEqual(by_name["Staffelkorting"].price_unit, 0)
        self.assertIn(
            "neither an amount nor a percentage",
            by_name["Administratiekosten"].psb_import_issue,
        )
        self.assertIn(
            "standard rate (S) 6 %", by_name["Milieutoeslag"].psb_import_issue
        )
        self.assertEqual(by_name["Milieutoeslag"].price_subtotal, 2.0)
        issues = order.psb_import_issues
        self.assertIn("The buyer's order does not add up: its sum of the lines", issues)
        self.assertEqual(order.psb_amounts_state, "differ")
        self.assertIn(
            "Sum of the lines: the buyer's order says", order.psb_amounts_note
        )
        self.assertIn(
            "line 1 differs from the ordered line amount", order.psb_amounts_note
        )
        self.assertIn("Order charges: the buyer's order says", order.psb_amounts_note)

    def test_order_without_totals_is_unchecked(self):
        data = order_xml("order_amounts.xml", "AM-5")
        start, end = (
            data.index(b"<cac:TaxTotal>"),
            data.index(b"</cac:AnticipatedMonetaryTotal>"),
        )
        data = data[:start] + data[end + len(b"</cac:AnticipatedMonetaryTotal>") :]
        order = self.import_order(data)
        self.assertEqual(order.psb_amounts_state, "unchecked")

    def test_currency_gets_a_pricelist_or_stops(self):
        order = self.import_order(
            order_xml("order_amounts.xml", "AM-6", currency="AUD")
        )
        self.assertEqual(order.currency_id.name, "AUD")
        self.assertEqual(order.pricelist_id.name, "AUD")
        self.assertIn(
            "The order is in AUD: the pricelist AUD (AUD) was created",
            order.psb_import_issues,
        )
        self.assertEqual(order.amount_untaxed, 558.68)
        # the next AUD order uses that pricelist
        again = self.import_order(
            order_xml("order_amounts.xml", "AM-7", currency="AUD")
        )
        self.assertEqual(again.pricelist_id, order.pricelist_id)
        self.company.psb_create_pricelist = False
        document = self.upload(order_xml("order_amounts.xml", "AM-8", currency="CHF"))
        self.assertEqual(document.state, "error")
        self.assertIn("no pricelist uses that currency", document.error_message)
        self.assertFalse(document.sale_order_id)

    def test_no_query_per_line(self):
        """Taxes, allowance products and the totals check are looked up once per order,
        not per line."""
        from odoo import sql_db

        template = order_xml("order_amounts.xml", "{id}")
        first = template.index(b" <cac:OrderLine>")
        head, body = template[:first], template[first : template.index(b"</Order>")]
        # Five different lines (allowances, base quantity, S 21 / S 9 / E / AE),
        # repeated with new ids.
        lines = body.split(b" <cac:OrderLine>")[1:]

        def order_of(order_id, copies):
            parts = []
            for n in range(copies):
                for index, line in enumerate(lines, start=1):
                    parts.append(
                        b" <cac:OrderLine>"
                        + line.replace(
                            b"<cbc:ID>%d</cbc:ID>" % index,
                            b"<cbc:ID>%d</cbc:ID>" % (n * 5 + index),
                            1,
                        )
                    )
            return (
                head.replace(b"{id}", order_id.encode())
                + b"".join(parts)
                + b"</Order>\n"
            )

        def queries(order_id, copies):
            before = sql_db.sql_counter
            order = self.import_order(order_of(order_id, copies))
            self.env.flush_all()
            self.assertEqual(len(order.order_line.filtered("psb_line_ref")), 5 * copies)
            return sql_db.sql_counter - before

        queries("Q-0", 1)  # the delivery address is created once
        small, large = queries("Q-1", 1), queries("Q-2", 8)
        self.assertLess(
            large - small, 35, f"{small} queries for 5 lines, {large} for 40"
        )

    @contextlib.contextmanager
    def edit_line(self, order, line):
        """The order's form, editing ``line`` (saved when the block ends)."""
        with (
            Form(order) as form,
            form.order_line.edit(list(order.order_line).index(line)) as edited,
        ):
            yield edited

    def assert_totals(self, order, totals):
        """The order's totals are ``totals`` (untaxed, tax, total), and they match the
        buyer's."""
        self.assertEqual(
            (order.amount_untaxed, order.amount_tax, order.amount_total), totals
        )
        self.assertEqual(order.psb_amounts_state, "match")

    def test_replacing_a_product_keeps_the_orders_tax(self):
        """The tax the import took from the order stays when a person replaces the
        line's product (as a form does, and by write); a tax chosen by hand is checked
        against the buyer's totals again, and the Peppol tab and the banner say so."""
        export_tax = self.env["account.tax"].create(
            {
                "name": "0% Export",
                "amount": 0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "ubl_cii_tax_category_code": "G",
            }
        )
        export = self.env["product.product"].create(
            {
                "name": "Export plywood",
                "default_code": "EXP-18",
                "taxes_id": [Command.set(export_tax.ids)],
            }
        )
        order = self.import_order(order_xml("order_amounts.xml", "AM-TAX"))
        totals = (order.amount_untaxed, order.amount_tax, order.amount_total)
        self.assertEqual(totals, (558.68, 59.72, 618.40))
        lines = self.lines(order)
        self.assertTrue(lines["1"].psb_tax_from_order)
        lines["3"].product_id = export  # by write
        self.assertEqual(lines["3"].tax_ids, self.tax9)
        self.assert_totals(order, totals)
        with self.edit_line(order, lines["1"]) as line:
            line.product_id = export
            self.assertEqual(
                line.tax_ids[:], self.tax21, "the form shows the order's tax still"
            )
            # Odoo's form puts our list price; the tax is what this test is about
            line.price_unit = 20.25
        self.assertEqual(
            (lines["1"].product_id, lines["1"].tax_ids), (export, self.tax21)
        )
        self.assert_totals(order, totals)

        # Another tax, chosen by hand: the totals are checked again, the tab and the
        # banner say they differ.
        with self.edit_line(order, lines["1"]) as line:
            line.tax_ids.clear()
            line.tax_ids.add(export_tax)
        self.assertEqual(lines["1"].tax_ids, export_tax)
        self.assertFalse(lines["1"].psb_tax_from_order, "no longer the order's tax")
        self.assertEqual(order.psb_amounts_state, "differ")
        self.assertIn("Tax", order.psb_amounts_note)
        noted = [
            issue
            for issue in order.psb_import_issues.splitlines()
            if issue.startswith("After a change")
        ]
        self.assertTrue(noted and "59.72" in noted[0], noted)
        self.assertTrue(order.psb_needs_attention)
        lines["1"].tax_ids = self.tax21  # by write, back to the order's
        self.assertEqual(order.psb_amounts_state, "match")
        self.assertFalse(order.psb_amounts_note)
        self.assertFalse(
            [
                i
                for i in order.psb_import_issues.splitlines()
                if i.startswith("After a change")
            ]
        )
