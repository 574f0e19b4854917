# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from decimal import Decimal
from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools.sql import index_exists, make_index_name

from ..psb.ubl import amounts, reader
from .common import NO_PEPPOL_MSG, ORDER_TEMPLATE, PsbCase, official_orders, order_xml

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
UNIT_XMLIDS = {
    "C62": "uom.product_uom_unit",
    "EA": "uom.product_uom_unit",
    "NAR": "uom.product_uom_unit",
    "H87": "uom.product_uom_unit",
    "DAY": "uom.product_uom_day",
    "KGM": "uom.product_uom_kgm",
}


def text(node, path):
    return node.findtext(path, namespaces=NS)


@tagged("post_install", "-at_install")
class TestOfficialOrders(PsbCase):
    """Every official Peppol example order becomes a draft quotation, checked against
    its XML."""

    def _seed_taxes(self, tree):
        """Sale taxes as the order states them (category and percent), as a supplier
        selling to it has."""
        Tax = self.env["account.tax"]
        for category in [
            *tree.iterfind(".//cac:ClassifiedTaxCategory", NS),
            *tree.iterfind("cac:AllowanceCharge/cac:TaxCategory", NS),
        ]:
            code, percent = (
                text(category, "cbc:ID").strip(),
                float(text(category, "cbc:Percent") or 0),
            )
            domain = [
                ("type_tax_use", "=", "sale"),
                ("amount", "=", percent),
                ("ubl_cii_tax_category_code", "=", code),
                ("company_id", "=", self.company.id),
            ]
            if not Tax.search_count(domain):
                Tax.create(
                    {
                        "name": f"{code} {percent:g}% (test)",
                        "amount": percent,
                        "type_tax_use": "sale",
                        "ubl_cii_tax_category_code": code,
                        "company_id": self.company.id,
                    }
                )

    def _seed_products(self, tree):
        """Create catalogue products for every other line (by GTIN or our reference), so
        that both matched and unmatched lines are exercised."""
        expected = {}
        for index, item in enumerate(
            tree.iterfind(".//cac:OrderLine/cac:LineItem", NS)
        ):
            line_id = text(item, "cbc:ID")
            if index % 2:
                expected[line_id] = None
                continue
            gtin = text(item, "cac:Item/cac:StandardItemIdentification/cbc:ID")
            ours = text(item, "cac:Item/cac:SellersItemIdentification/cbc:ID")
            if not (gtin or ours):
                expected[line_id] = None
                continue
            domain = [("barcode", "=", gtin)] if gtin else [("default_code", "=", ours)]
            product = self.env["product.product"].search(domain, limit=1) or self.env[
                "product.product"
            ].create(
                {
                    "name": f"Catalogue {text(item, 'cac:Item/cbc:Name')}",
                    "barcode": gtin or False,
                    "default_code": False if gtin else ours,
                }
            )
            expected[line_id] = product
        return expected

    def test_official_examples(self):
        files = official_orders()
        if not files:
            self.skipTest(NO_PEPPOL_MSG)
        self.assertGreaterEqual(len(files), 8)
        for path in files:
            with self.subTest(example=path.name):
                order = self._check_example(path.read_bytes())
                # Several examples reuse a buyer's order id: each is checked on its own.
                order.unlink()

    def _check_example(self, data):
        tree = etree.fromstring(data)
        self._seed_taxes(tree)
        expected_products = self._seed_products(tree)
        document = self.upload(data)
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.company_id, self.company)
        self.assertEqual(order.client_order_ref, text(tree, "cbc:ID"))
        self.assertEqual(order.psb_order_ref, text(tree, "cbc:ID"))
        self.assertEqual(
            order.psb_profile, text(tree, "cbc:ProfileID").rsplit(":", 2)[-2]
        )
        self.assertEqual(
            order.psb_currency_code, text(tree, "cbc:DocumentCurrencyCode")
        )

        buyer = tree.find("cac:BuyerCustomerParty/cac:Party", NS)
        endpoint = buyer.find("cbc:EndpointID", NS)
        self.assertEqual(
            order.psb_buyer_endpoint,
            f"{endpoint.get('schemeID')}:{endpoint.text.strip()}",
        )
        names = {
            text(buyer, "cac:PartyLegalEntity/cbc:RegistrationName"),
            text(buyer, "cac:PartyName/cbc:Name"),
        }
        self.assertIn(order.partner_id.name, names)
        self.assertTrue(
            order.partner_id.psb_needs_review,
            "a customer created from an order is flagged",
        )
        contact = text(buyer, "cac:Contact/cbc:Name")
        if contact:
            self.assertIn(
                contact,
                order.partner_id.child_ids.filtered(
                    lambda c: c.type == "contact"
                ).mapped("name"),
            )
        # Created by the system: no "contact created" log, no followers.
        self.assertFalse(order.partner_id.message_ids)

        # The original XML is kept on the sale order.
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertIn(data, attachments.mapped("raw"))

        requested = text(
            tree, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate"
        ) or text(tree, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate")
        if requested:
            self.assertEqual(str(order.commitment_date.date()), requested)
        for note in tree.findall("cbc:Note", NS):
            self.assertIn(note.text.strip(), order.psb_buyer_note)

        items = tree.findall(".//cac:OrderLine/cac:LineItem", NS)
        goods = order.order_line.filtered(lambda ln: not ln.psb_allowance_kind)
        self.assertEqual(len(goods), len(items))
        lines = {line.psb_line_ref: line for line in goods}
        for item in items:
            line = lines[text(item, "cbc:ID")]
            quantity = item.find("cbc:Quantity", NS)
            self.assertEqual(Decimal(str(line.product_uom_qty)), Decimal(quantity.text))
            unit = quantity.get("unitCode")
            self.assertEqual(line.psb_unit_code, unit)
            if unit in UNIT_XMLIDS:
                self.assertEqual(line.product_uom_id, self.env.ref(UNIT_XMLIDS[unit]))
            price = text(item, "cac:Price/cbc:PriceAmount")
            if price is not None and item.find("cac:AllowanceCharge", NS) is None:
                base = Decimal(text(item, "cac:Price/cbc:BaseQuantity") or 1)
                self.assertAlmostEqual(
                    line.price_unit, float(Decimal(price) / base), places=4
                )
            amount = text(item, "cbc:LineExtensionAmount")
            if amount is not None:
                # The buyer's net line amount, to the cent, whatever allowances and
                # charges it carries.
                self.assertEqual(
                    self._cents(line.price_subtotal),
                    Decimal(amount).quantize(Decimal("0.01")),
                )
                self.assertEqual(
                    self._cents(line.psb_ordered_amount),
                    Decimal(amount).quantize(Decimal("0.01")),
                )
                self.assertFalse(line._psb_price_changed())
            product = expected_products[text(item, "cbc:ID")]
            if product:
                self.assertEqual(line.product_id, product)
                self.assertFalse(line.psb_import_issue)
            else:
                self.assertEqual(
                    line.product_id,
                    self.env.ref("sale_econnect_psb.product_psb_unknown"),
                )
                self.assertIn("product not found", line.psb_import_issue)
                self.assertIn(text(item, "cac:Item/cbc:Name"), line.name)
        self._check_totals(order, data, tree)
        # Whatever needs a person is listed in one activity for the salesperson.
        if any(p is None for p in expected_products.values()):
            self.assertTrue(order.psb_needs_attention)
            activity = order.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertIn("product not found", activity.note)
        return order

    @staticmethod
    def _cents(value):
        return Decimal(str(value)).quantize(Decimal("0.01"))

    def _check_totals(self, order, data, tree):
        """Untaxed = TaxExclusiveAmount (or LineExtensionAmount); tax = TaxTotal when
        the order's own tax categories give its TaxTotal, otherwise the difference is
        named."""
        parsed = reader.read_document(data)
        self.assertEqual(
            order.currency_id.name,
            parsed.currency,
            "the quotation is in the order's currency",
        )
        document_lines = order.order_line.filtered("psb_allowance_kind")
        self.assertEqual(len(document_lines), len(parsed.allowance_charges))
        untaxed = (
            parsed.tax_exclusive_amount
            if parsed.tax_exclusive_amount is not None
            else parsed.line_extension_amount
        )
        if untaxed is not None:
            self.assertEqual(
                self._cents(order.amount_untaxed), untaxed.quantize(Decimal("0.01"))
            )
        if parsed.tax_amount is None:
            return
        own_tax = amounts.order_tax(parsed)
        if own_tax is None:
            # a line without a tax category (UC3): the order does not say how its tax is
            # made
            return
        if own_tax == parsed.tax_amount:
            self.assertEqual(
                self._cents(order.amount_tax),
                parsed.tax_amount.quantize(Decimal("0.01")),
            )
            self.assertEqual(order.psb_amounts_state, "match", order.psb_amounts_note)
        else:
            # e.g. Order_Example.xml: TaxTotal 100.00 where its 25 % lines give
            # 1,468.13.
            self.assertEqual(order.psb_amounts_state, "differ")
            self.assertIn("Tax: the buyer's order says", order.psb_amounts_note)
            self.assertIn(
                "does not match its own tax categories", order.psb_amounts_note
            )
            self.assertIn("Tax: the buyer's order says", order.psb_import_issues)


@tagged("post_install", "-at_install")
class TestMatching(PsbCase):
    """Customer, delivery address, product and unit matching, on a small hand-made
    order."""

    ORDER = ORDER_TEMPLATE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.unit = cls.env.ref("uom.product_uom_unit")
        cls.screws = cls.env["product.product"].create(
            {"name": "Screws", "barcode": "8712345678906"}
        )
        cls.nails = cls.env["product.product"].create(
            {
                "name": "Nails",
                "default_code": "NAIL-01",
                "uom_id": cls.kg.id,
                "list_price": 7.0,
            }
        )
        cls.glue = cls.env["product.product"].create(
            {"name": "Glue", "list_price": 3.0}
        )
        cls.box = cls.env["uom.uom"].create(
            {
                "name": "Box of 6",
                "relative_factor": 6,
                "relative_uom_id": cls.unit.id,
                "psb_unece_code": "XBX",
            }
        )

    def order_xml(
        self,
        order_id="1",
        buyer_kvk="87654321",
        buyer_name="Bouwmarkt Utrecht BV",
        buyer_vat="NL123456789B01",
    ):
        return order_xml(order_id, buyer_kvk, buyer_name, buyer_vat)

    def test_customer_matching_order(self):
        by_name = self.env["res.partner"].create(
            {"name": "Bouwmarkt Utrecht BV", "is_company": True}
        )
        by_vat = self.env["res.partner"].create(
            {"name": "Other name", "is_company": True, "vat": "NL123456789B01"}
        )
        order = self.upload(self.order_xml("1")).sale_order_id
        self.assertEqual(order.partner_id, by_vat, "VAT wins over the name")
        by_endpoint = self.env["res.partner"].create(
            {
                "name": "Third",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "87654321",
            }
        )
        order = self.upload(self.order_xml("2")).sale_order_id
        self.assertEqual(
            order.partner_id, by_endpoint, "the Peppol endpoint wins over VAT"
        )
        order = self.upload(
            self.order_xml("3", buyer_kvk="11112222", buyer_vat="")
        ).sale_order_id
        self.assertEqual(order.partner_id, by_name, "the exact name is the last resort")
        self.assertFalse(order.partner_id.psb_needs_review)

    def test_new_customer_and_delivery_address(self):
        order = self.upload(
            self.order_xml("10", buyer_name="Brand New BV")
        ).sale_order_id
        customer = order.partner_id
        self.assertEqual(customer.name, "Brand New BV")
        self.assertTrue(customer.psb_needs_review)
        self.assertEqual(
            (customer.peppol_eas, customer.peppol_endpoint), ("0106", "87654321")
        )
        self.assertEqual(customer.city, "Utrecht")
        shipping = order.partner_shipping_id
        self.assertEqual((shipping.parent_id, shipping.type), (customer, "delivery"))
        self.assertEqual(
            (shipping.street, shipping.zip, shipping.ref),
            ("Magazijnweg 5", "3439 AB", "8712345000017"),
        )
        self.assertIn("New customer", order.psb_import_issues)
        # The next order of the same customer finds both again.
        order2 = self.upload(
            self.order_xml("11", buyer_name="Brand New BV")
        ).sale_order_id
        self.assertEqual(order2.partner_id, customer)
        self.assertEqual(order2.partner_shipping_id, shipping)
        self.assertNotIn("New customer", order2.psb_import_issues or "")

    def test_new_customer_vat(self):
        order = self.upload(
            self.order_xml("12", buyer_name="Valid Vat BV", buyer_vat="NL004495445B01")
        ).sale_order_id
        self.assertEqual(order.partner_id.vat, "NL004495445B01")

    def test_new_customer_invalid_vat(self):
        """A VAT number Odoo's check refuses is kept in the customer's note, not in its
        VAT field; the customer is still created (Odoo's own check, validation
        "setnull": base_vat, when installed, empties a number it refuses; here it is
        made to refuse)."""
        Partner = type(self.env["res.partner"])
        seen = []

        def refuse(partners, country, vat, partner_name="", validation="error"):
            seen.append((vat, validation))
            return "", False

        with patch.object(Partner, "_run_vat_checks", refuse):
            order = self.upload(
                self.order_xml(
                    "15", buyer_name="Wrong Vat BV", buyer_vat="NL000000000B00"
                )
            ).sale_order_id
        self.assertEqual(seen[0], ("NL000000000B00", "setnull"))
        self.assertEqual(order.partner_id.name, "Wrong Vat BV")
        self.assertFalse(order.partner_id.vat)
        self.assertIn(
            "VAT number in the Peppol order: NL000000000B00",
            str(order.partner_id.comment),
        )

    def test_activity_for_the_salesperson_without_email(self):
        """The rule (README, "Who is told what"): a new order notifies nobody; what
        needs doing is one activity for the responsible, which sends no e-mail of its
        own."""
        salesman = self.env["res.users"].create(
            {
                "name": "Sales Sam",
                "login": "sam-psb",
                "email": "sam@example.com",
                "notification_type": "email",
                "group_ids": [
                    Command.link(self.env.ref("sales_team.group_sale_salesman").id)
                ],
            }
        )
        self.company.psb_user_id = salesman
        order = self.upload(
            self.order_xml("13", buyer_name="Attention BV")
        ).sale_order_id
        self.assertEqual(order.activity_ids.user_id, salesman)
        self.assertIn("New customer", order.activity_ids.note)
        notice = order.message_ids.filtered(
            lambda m: "Quotation created from Peppol order" in str(m.body)
        )
        self.assertFalse(notice.notified_partner_ids)
        self.assertEqual(
            notice.attachment_ids.mapped("raw"),
            [self.order_xml("13", buyer_name="Attention BV")],
        )
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "sale.order"), ("res_id", "=", order.id)]
            ),
            "no e-mail, neither for the order nor for the activity",
        )
        self.assertFalse(
            self.env["mail.notification"].search(
                [("res_partner_id", "=", salesman.partner_id.id)]
            )
        )
        # A clean order: logged, no activity (nothing to do but confirm it, from the
        # order desk).
        salesman.notification_type = "inbox"
        for line in ("3", "4"):
            self.env["product.product"].create(
                {"name": f"Item {line}", "default_code": f"X-{line}", "list_price": 5.0}
            )
        clean_xml = (
            self.order_xml("14", buyer_name="Attention BV")
            .replace(
                b"<cbc:Name>Glue (by their code)</cbc:Name>",
                b"<cbc:Name>Glue</cbc:Name><cac:SellersItemIdentification><cbc:ID>X-"
                b"3</cbc:ID>"
                b"</cac:SellersItemIdentification>",
            )
            .replace(
                b"<cbc:Name>Something we do not sell</cbc:Name>",
                b"<cbc:Name>Item "
                b"4</cbc:Name><cac:SellersItemIdentification><cbc:ID>X-4</cbc:ID>"
                b"</cac:SellersItemIdentification>",
            )
            .replace(b'unitCode="ZZZ"', b'unitCode="H87"')
            .replace(b"EUR", self.company.currency_id.name.encode())
        )
        clean = self.upload(clean_xml).sale_order_id
        self.assertFalse(clean.psb_attention_text, clean.psb_attention_text)
        self.assertFalse(clean.activity_ids)
        notice = clean.message_ids.filtered(
            lambda m: "Quotation created from Peppol order" in str(m.body)
        )
        self.assertEqual(len(notice), 1)
        self.assertFalse(notice.notified_partner_ids)
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "sale.order"), ("res_id", "=", clean.id)]
            )
        )

    def test_lines(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Bouwmarkt Utrecht BV",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "87654321",
            }
        )
        self.env["econnect.psb.product.code"].create(
            {"partner_id": customer.id, "code": "LIJM-9", "product_id": self.glue.id}
        )
        document = self.upload(self.order_xml("20"))
        order = document.sale_order_id
        self.assertEqual(order.client_order_ref, "PO-20")
        self.assertEqual(order.psb_customer_reference, "REF-77")
        self.assertEqual(str(order.commitment_date.date()), "2026-12-01")
        self.assertIn("back door", order.psb_buyer_note)
        self.assertIn("back door", str(order.note))
        lines = {line.psb_line_ref: line for line in order.order_line}
        self.assertEqual(lines["1"].product_id, self.screws)
        self.assertEqual(lines["1"].product_uom_id, self.unit)
        self.assertAlmostEqual(
            lines["1"].price_unit, 2.5, msg="net price per base quantity"
        )
        self.assertEqual(lines["2"].product_id, self.nails)
        self.assertEqual(
            (lines["2"].product_uom_qty, lines["2"].product_uom_id), (2.5, self.kg)
        )
        self.assertAlmostEqual(
            lines["2"].price_unit, 7.0, msg="no price in the order: the pricelist price"
        )
        self.assertEqual(lines["3"].product_id, self.glue)
        self.assertEqual(
            lines["3"].product_uom_id, self.box, "a user-defined unit code"
        )
        self.assertAlmostEqual(lines["3"].price_unit, 12.5)
        self.assertEqual(
            lines["4"].product_id, self.env.ref("sale_econnect_psb.product_psb_unknown")
        )
        self.assertIn("ZZZ", lines["4"].psb_import_issue)
        self.assertTrue(order.psb_needs_attention)
        self.assertEqual(set(order.activity_ids.mapped("user_id")), {order.user_id})
        # The buyer's prices stay as ordered: recomputing prices does not replace them.
        lines["1"].product_uom_qty = 20
        self.assertAlmostEqual(lines["1"].price_unit, 2.5)

    def test_exact_item_name_is_the_last_resort(self):
        named = self.env["product.product"].create({"name": "Something we do not sell"})
        order = self.upload(self.order_xml("21")).sale_order_id
        line = order.order_line.filtered(lambda ln: ln.psb_line_ref == "4")
        self.assertEqual(line.product_id, named)
        self.assertIn("item name only", line.psb_import_issue)
        self.env["product.product"].create(
            {"name": "Something we do not sell"}
        )  # now ambiguous
        order = self.upload(self.order_xml("22")).sale_order_id
        line = order.order_line.filtered(lambda ln: ln.psb_line_ref == "4")
        self.assertEqual(
            line.product_id, self.env.ref("sale_econnect_psb.product_psb_unknown")
        )

    def test_duplicate_buyer_order(self):
        first = self.upload(self.order_xml("30"))
        self.assertEqual(first.state, "imported")
        # The same order under another PSB document id (here: another file, the same
        # content; other content under the same id needs a person, see
        # test_lifecycle.TestRevisedOrders).
        second = self.upload(
            self.order_xml("30").replace(b"<Order ", b"<!-- again -->\n<Order ", 1)
        )
        self.assertEqual(second.state, "duplicate")
        self.assertEqual(second.sale_order_id, first.sale_order_id)
        self.assertEqual(second.duplicate_of_id, first)
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-30")]), 1
        )

    def test_the_buyer_order_id_is_looked_up_through_an_index(self):
        """Every import, change and cancellation finds its order by the buyer's order
        id: without an index PostgreSQL reads all of the company's orders each time."""
        name = make_index_name("sale_order", "psb_order_ref")
        self.assertTrue(index_exists(self.env.cr, name))

    def test_upload_same_file_twice(self):
        first = self.upload(self.order_xml("31"))
        again = self.upload(self.order_xml("31"))
        self.assertEqual(first, again)
        self.assertEqual(
            self.env["sale.order"].search_count([("psb_order_ref", "=", "PO-31")]), 1
        )

    def test_wizard_attachment_is_base64(self):
        # the wizard is the path a person uses: the stored XML is byte-identical to the
        # file
        document = self.upload(self.order_xml("32"), filename="po.xml")
        self.assertEqual(document.attachment_id.raw, self.order_xml("32"))
        self.assertEqual(document.attachment_id.name, "po.xml")
        self.assertEqual(
            base64.b64decode(document.attachment_id.datas), self.order_xml("32")
        )
