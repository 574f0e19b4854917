# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The invoice of a Peppol order carries the buyer's references, in Odoo and in Odoo's
own Peppol BIS Billing 3 UBL, which passes the official rules; several Peppol orders of
one customer are invoiced one by one when the customer needs it."""

from lxml import etree

from odoo import Command
from odoo.tests import Form, tagged

from ..psb.peppol_rules import (
    BILLING_CUSTOMIZATION_ID,
    PeppolValidator,
    default_peppol_dir,
)
from ..psb.tests.samples import CAC, CBC, SELLER, ubl_head
from .common import NO_PEPPOL_MSG, PsbCase, peppol_dir

NS = {"cac": CAC, "cbc": CBC}

# A Peppol order of two lines with every reference an invoice carries back, and an
# invoicee of its own.
ORDER = (
    ubl_head("Order", "order")
    + """ <cbc:ID>%(order_id)s</cbc:ID>
 <cbc:IssueDate>2026-11-20</cbc:IssueDate>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cbc:CustomerReference>INKOOP-4711</cbc:CustomerReference>
 <cbc:AccountingCost>KST-100</cbc:AccountingCost>
 <cac:Contract><cbc:ID>CT-2026-9</cbc:ID></cac:Contract>
 <cac:ProjectReference><cbc:ID>PRJ-42</cbc:ID></cac:ProjectReference>
 <cac:BuyerCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="%(scheme)s">%(endpoint)s</cbc:EndpointID>
  <cac:PartyName><cbc:Name>%(buyer)s</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>Stadhuisplein 1</cbc:StreetName>
   <cbc:CityName>Utrecht</cbc:CityName>
   <cbc:PostalZone>3511 AA</cbc:PostalZone>
     <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
  </cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>%(buyer)s</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:BuyerCustomerParty>
"""
    + SELLER
    + """ %(invoicee)s
 %(lines)s
</Order>"""
)

LINE = """<cac:OrderLine><cac:LineItem><cbc:ID>%(id)s</cbc:ID>
  <cbc:Quantity unitCode="C62">%(qty)s</cbc:Quantity>
  <cbc:LineExtensionAmount currencyID="EUR">%(amount)s</cbc:LineExtensionAmount>%(cost)s
  <cac:Price><cbc:PriceAmount currencyID="EUR">%(price)s</cbc:PriceAmount></cac:Price>
  <cac:Item><cbc:Name>%(name)s</cbc:Name>
   <cac:SellersItemIdentification><cbc:ID>%(code)s</cbc:ID>
    </cac:SellersItemIdentification>
   <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent>
    <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
     </cac:Item>
 </cac:LineItem></cac:OrderLine>"""
LINES = [
    {
        "id": "10",
        "qty": "4",
        "amount": "100.00",
        "price": "25.00",
        "name": "Desk lamp",
        "code": "INV-LAMP",
        "cost": "\n  <cbc:AccountingCost>KST-100-A</cbc:AccountingCost>",
    },
    {
        "id": "20",
        "qty": "2",
        "amount": "30.00",
        "price": "15.00",
        "name": "Lamp bulb",
        "code": "INV-BULB",
        "cost": "",
    },
]

INVOICEE = """<cac:AccountingCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">11223344</cbc:EndpointID>
  <cac:PartyLegalEntity>
   <cbc:RegistrationName>Shared Accounting Office BV</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>"""

OIN = "00000001003214345000"  # a Dutch public body's OIN (20 digits, scheme 0190)


def order_xml(
    order_id,
    scheme="0106",
    endpoint="87654321",
    buyer="Bouwmarkt Utrecht BV",
    invoicee=False,
):
    values = {
        "order_id": order_id,
        "scheme": scheme,
        "endpoint": endpoint,
        "buyer": buyer,
        "invoicee": INVOICEE if invoicee else "",
        "lines": "\n ".join(LINE % line for line in LINES),
    }
    return (ORDER % values).encode()


def text(node, path):
    return node.findtext(path, namespaces=NS)


class InvoiceCase(PsbCase):
    """A Dutch seller (KVK, VAT, IBAN) whose products and 21 % tax the orders name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.currency"].search([("name", "in", ("EUR", "NOK"))]).active = True
        cls.make_seller("NL", vat="NL000099998B57", registry="12345678", eas="0106")
        cls.tax21 = cls.sale_tax(21.0, "S")
        cls.lamp = cls.product("Desk lamp", "INV-LAMP", 25.0)
        cls.bulb = cls.product("Lamp bulb", "INV-BULB", 15.0)
        cls.cable = cls.product("Extension cable", "INV-CABLE", 9.5)
        cls.validator = (
            PeppolValidator(default_peppol_dir()) if default_peppol_dir() else None
        )

    @classmethod
    def make_seller(cls, country, vat, registry, eas):
        cls.company.write(
            {
                "country_id": cls.env.ref(f"base.{country.lower()}").id,
                "vat": vat,
                "company_registry": registry,
                "street": "Industrieweg 8",
                "city": "Amersfoort",
                "zip": "3821 BA",
            }
        )
        cls.company.partner_id.write({"peppol_eas": eas, "peppol_endpoint": registry})
        cls.bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "NL91ABNA0417164300",
                "partner_id": cls.company.partner_id.id,
                "allow_out_payment": True,
            }
        )

    @classmethod
    def sale_tax(cls, percent, category):
        return cls.env["account.tax"].create(
            {
                "name": f"{category} {percent:g}% (test)",
                "amount": percent,
                "type_tax_use": "sale",
                "ubl_cii_tax_category_code": category,
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def product(cls, name, code, price):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "list_price": price,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.set(cls.tax21.ids)],
            }
        )

    def import_order(self, xml):
        document = self.upload(xml)
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def post(self, invoice):
        invoice.partner_bank_id = self.bank
        invoice.action_post()
        return invoice

    def ubl(self, move):
        """Odoo's own Peppol BIS Billing 3 document of ``move``, after its own checks
        found nothing."""
        xml, errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's own checks of the Peppol invoice")
        return xml

    def assertPassesPeppolRules(self, xml):
        if not self.validator:
            self.skipTest(NO_PEPPOL_MSG)
        result = self.validator.validate(xml)
        self.assertEqual(result.xsd_errors, [], "the UBL 2.1 XSD")
        self.assertEqual(
            result.fatal,
            [],
            "CEN-EN16931-UBL and PEPPOL-EN16931-UBL: no fatal assertion",
        )

    def line_refs(self, tree, line_tag="cac:InvoiceLine"):
        """{item name: (OrderLineReference/LineID, AccountingCost)} of the UBL's
        lines."""
        return {
            text(line, "cac:Item/cbc:Name"): (
                text(line, "cac:OrderLineReference/cbc:LineID"),
                text(line, "cbc:AccountingCost"),
            )
            for line in tree.iterfind(line_tag, NS)
        }


@tagged("post_install", "-at_install")
class TestInvoiceReferences(InvoiceCase):
    def setUp(self):
        super().setUp()
        self.invoicee = self.env["res.partner"].create(
            {
                "name": "Shared Accounting Office BV",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "11223344",
                "company_registry": "11223344",
                "street": "Kantoorlaan 3",
                "city": "Utrecht",
                "zip": "3500 AB",
                "country_id": self.env.ref("base.nl").id,
            }
        )

    def test_invoice_of_a_hand_made_order_carries_every_reference(self):
        order = self.import_order(order_xml("PO-INV-1", invoicee=True))
        self.assertEqual(order.psb_contract_reference, "CT-2026-9")
        self.assertEqual(order.psb_project_reference, "PRJ-42")
        self.assertEqual(order.psb_accounting_cost, "KST-100")
        self.assertEqual(
            order.partner_invoice_id, self.invoicee, "the order's invoicee"
        )
        # A line the buyer did not order.
        order.order_line = [
            Command.create({"product_id": self.cable.id, "product_uom_qty": 1})
        ]
        invoice = self.post(order._create_invoices())

        # In Odoo.
        self.assertEqual(invoice.partner_id, self.invoicee)
        self.assertEqual(invoice.psb_sale_order_ids, order)
        self.assertEqual(invoice.psb_order_ref, "PO-INV-1")
        self.assertEqual(invoice.psb_buyer_reference, "INKOOP-4711")
        self.assertEqual(invoice.psb_contract_reference, "CT-2026-9")
        self.assertEqual(invoice.psb_project_reference, "PRJ-42")
        self.assertEqual(invoice.psb_accounting_cost, "KST-100")
        self.assertFalse(invoice.psb_orders_warning)
        by_product = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(by_product[self.lamp].psb_line_ref, "10")
        self.assertEqual(by_product[self.lamp].psb_accounting_cost, "KST-100-A")
        self.assertEqual(by_product[self.bulb].psb_line_ref, "20")
        self.assertFalse(
            by_product[self.cable].psb_line_ref,
            "a line the buyer did not order refers to none",
        )

        # In the UBL.
        xml = self.ubl(invoice)
        tree = etree.fromstring(xml)
        self.assertEqual(text(tree, "cbc:CustomizationID"), BILLING_CUSTOMIZATION_ID)
        self.assertEqual(text(tree, "cac:OrderReference/cbc:ID"), "PO-INV-1")
        self.assertEqual(text(tree, "cac:OrderReference/cbc:SalesOrderID"), order.name)
        self.assertEqual(text(tree, "cbc:BuyerReference"), "INKOOP-4711")
        self.assertEqual(text(tree, "cbc:AccountingCost"), "KST-100")
        self.assertEqual(
            text(tree, "cac:ContractDocumentReference/cbc:ID"), "CT-2026-9"
        )
        self.assertEqual(text(tree, "cac:ProjectReference/cbc:ID"), "PRJ-42")
        customer = tree.find("cac:AccountingCustomerParty/cac:Party", NS)
        self.assertEqual(
            text(customer, "cbc:EndpointID"), "11223344", "the invoicee, not the buyer"
        )
        self.assertEqual(
            self.line_refs(tree),
            {
                "Desk lamp": ("10", "KST-100-A"),
                "Lamp bulb": ("20", None),
                "Extension cable": (None, None),
            },
        )
        self.assertPassesPeppolRules(xml)

        # A credit note refers to its invoice as Odoo does, and to the order and its
        # lines.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Damaged lamp", "journal_id": invoice.journal_id.id})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.filtered(
            lambda line: line.product_id != self.lamp
        ).unlink()
        self.post(credit_note)
        self.assertEqual(credit_note.psb_order_ref, "PO-INV-1")
        xml = self.ubl(credit_note)
        tree = etree.fromstring(xml)
        self.assertEqual(etree.QName(tree).localname, "CreditNote")
        self.assertIn(
            invoice.name,
            text(tree, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        )
        self.assertEqual(text(tree, "cac:OrderReference/cbc:ID"), "PO-INV-1")
        self.assertEqual(text(tree, "cbc:BuyerReference"), "INKOOP-4711")
        self.assertEqual(
            text(tree, "cac:ContractDocumentReference/cbc:ID"), "CT-2026-9"
        )
        project = tree.find(
            "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']", NS
        )
        self.assertEqual(
            text(project, "cbc:ID"), "PRJ-42", "a credit note's project (BT-11)"
        )
        self.assertEqual(
            self.line_refs(tree, "cac:CreditNoteLine"),
            {"Desk lamp": ("10", "KST-100-A")},
        )
        self.assertPassesPeppolRules(xml)

    def test_dutch_public_buyer(self):
        """A Dutch public buyer named by its OIN (0190): invoiced to the buyer, its OIN
        as legal id."""
        order = self.import_order(
            order_xml("PO-GOV-1", scheme="0190", endpoint=OIN, buyer="Gemeente Utrecht")
        )
        invoice = self.post(order._create_invoices())
        self.assertEqual(invoice.partner_id.peppol_eas, "0190")
        xml = self.ubl(invoice)
        tree = etree.fromstring(xml)
        customer = tree.find("cac:AccountingCustomerParty/cac:Party", NS)
        self.assertEqual(customer.find("cbc:EndpointID", NS).get("schemeID"), "0190")
        legal = customer.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        self.assertEqual((legal.text, legal.get("schemeID")), (OIN, "0190"))
        self.assertEqual(text(tree, "cac:OrderReference/cbc:ID"), "PO-GOV-1")
        self.assertEqual(text(tree, "cbc:BuyerReference"), "INKOOP-4711")
        self.assertEqual(
            self.line_refs(tree),
            {"Desk lamp": ("10", "KST-100-A"), "Lamp bulb": ("20", None)},
        )
        self.assertPassesPeppolRules(xml)
        # Odoo's Dutch NLCIUS builder is built on the BIS 3 one: the same references.
        nlcius = etree.fromstring(
            self.env["account.edi.xml.ubl_nl"]._export_invoice(invoice)[0]
        )
        self.assertEqual(text(nlcius, "cac:OrderReference/cbc:ID"), "PO-GOV-1")
        self.assertEqual(self.line_refs(nlcius), self.line_refs(tree))

    def test_an_invoice_without_peppol_order_is_odoos(self):
        """An invoice of an ordinary sale order: Odoo's references, no order line
        references."""
        partner = self.invoicee.copy({"ref": "CUST-9", "peppol_endpoint": "11223355"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "client_order_ref": "THEIR-PO",
                "order_line": [
                    Command.create({"product_id": self.lamp.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        invoice = self.post(order._create_invoices())
        self.assertFalse(invoice.psb_order_ref)
        tree = etree.fromstring(self.ubl(invoice))
        self.assertEqual(text(tree, "cac:OrderReference/cbc:ID"), "THEIR-PO")
        self.assertEqual(text(tree, "cbc:BuyerReference"), "CUST-9")
        self.assertIsNone(tree.find("cac:ContractDocumentReference", NS))
        self.assertEqual(self.line_refs(tree), {"Desk lamp": (None, None)})


@tagged("post_install", "-at_install")
class TestInvoiceOfficialOrder(InvoiceCase):
    def test_official_example_order(self):
        """Order_Example.xml (a Norwegian buyer, in NOK): its references on the invoice,
        and the UBL passes."""
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        self.sale_tax(25.0, "S")
        self.sale_tax(0.0, "Z")
        for code, name in (("121212", "Needle 4mm"), ("SItemNo011", "Wet tissues")):
            self.product(name, code, 10.0)
        order = self.import_order(
            (
                base / "examples" / "order" / "official" / "Order_Example.xml"
            ).read_bytes()
        )
        self.assertEqual(
            (
                order.psb_contract_reference,
                order.psb_project_reference,
                order.psb_accounting_cost,
            ),
            ("34322", "PID33", "Project123"),
        )
        invoice = self.post(order._create_invoices())
        self.assertEqual(invoice.currency_id.name, "NOK")
        self.assertEqual(invoice.psb_order_ref, "34")
        xml = self.ubl(invoice)
        tree = etree.fromstring(xml)
        self.assertEqual(text(tree, "cac:OrderReference/cbc:ID"), "34")
        self.assertEqual(text(tree, "cac:OrderReference/cbc:SalesOrderID"), order.name)
        self.assertEqual(text(tree, "cbc:BuyerReference"), "9000012345")
        self.assertEqual(text(tree, "cbc:AccountingCost"), "Project123")
        self.assertEqual(text(tree, "cac:ContractDocumentReference/cbc:ID"), "34322")
        self.assertEqual(text(tree, "cac:ProjectReference/cbc:ID"), "PID33")
        refs = self.line_refs(tree)
        self.assertEqual(refs["Needle 4mm"], ("1", "12345678"))
        self.assertEqual(refs["Wet tissues"], ("2", "ProjectID123"))
        # The order's own discount and charge are our lines, not the buyer's: no order
        # line reference.
        self.assertEqual(len(refs), 4)
        self.assertEqual(sorted(ref for ref, _cost in refs.values() if ref), ["1", "2"])
        self.assertPassesPeppolRules(xml)


@tagged("post_install", "-at_install")
class TestOneOrderPerInvoice(InvoiceCase):
    def two_orders(self):
        first = self.import_order(order_xml("PO-SPLIT-1"))
        second = self.import_order(order_xml("PO-SPLIT-2"))
        self.assertEqual(first.partner_id, second.partner_id)
        return first | second

    def invoice_together(self, orders):
        wizard = Form(
            self.env["sale.advance.payment.inv"].with_context(
                active_model="sale.order", active_ids=orders.ids
            )
        )
        wizard.consolidated_billing = True
        wizard = wizard.save()
        warning = wizard.psb_invoicing_warning
        wizard.create_invoices()
        return orders.invoice_ids, warning

    def test_split_by_order_when_the_customer_requires_it(self):
        orders = self.two_orders()
        customer = orders.partner_invoice_id.commercial_partner_id
        self.assertTrue(customer.psb_invoice_per_order, "on by default")
        invoices, warning = self.invoice_together(orders)
        self.assertIn("are invoiced one by one", warning)
        self.assertIn(orders[0].name, warning)
        self.assertEqual(len(invoices), 2)
        for order in orders:
            invoice = order.invoice_ids
            self.assertEqual(invoice.psb_sale_order_ids, order)
            self.assertEqual(invoice.psb_order_ref, order.psb_order_ref)
            self.assertFalse(invoice.psb_orders_warning)
            tree = etree.fromstring(self.ubl(self.post(invoice)))
            self.assertEqual(
                text(tree, "cac:OrderReference/cbc:ID"), order.psb_order_ref
            )
            self.assertEqual(
                self.line_refs(tree),
                {"Desk lamp": ("10", "KST-100-A"), "Lamp bulb": ("20", None)},
            )

    def test_an_ordinary_order_is_still_grouped(self):
        """Only the Peppol orders go apart: the customer's other orders are invoiced
        together as before."""
        orders = self.two_orders()
        partner = orders.partner_id
        others = self.env["sale.order"]
        for _index in range(2):
            others |= self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "partner_shipping_id": orders[0].partner_shipping_id.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.cable.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
        others.action_confirm()
        invoices = (orders | others)._create_invoices()
        self.assertEqual(len(invoices), 3)
        self.assertEqual(
            len(others.invoice_ids), 1, "the ordinary orders on one invoice"
        )
        self.assertEqual(
            orders[0].invoice_ids,
            invoices.filtered(lambda inv: inv.psb_order_ref == "PO-SPLIT-1"),
        )

    def test_together_with_a_warning_when_the_customer_allows_it(self):
        orders = self.two_orders()
        orders.partner_invoice_id.commercial_partner_id.psb_invoice_per_order = False
        invoices, warning = self.invoice_together(orders)
        self.assertIn("go on one invoice", warning)
        self.assertEqual(len(invoices), 1)
        self.assertEqual(invoices.psb_sale_order_ids, orders)
        self.assertEqual(invoices.psb_order_ref, "PO-SPLIT-1, PO-SPLIT-2")
        self.assertIn("several Peppol orders", invoices.psb_orders_warning)
        tree = etree.fromstring(self.ubl(self.post(invoices)))
        self.assertEqual(
            text(tree, "cac:OrderReference/cbc:ID"), "PO-SPLIT-1, PO-SPLIT-2"
        )
        # Line ids of two orders would be ambiguous: none is given.
        self.assertFalse([ref for ref, _cost in self.line_refs(tree).values() if ref])
        self.assertFalse(tree.findall(".//cac:OrderLineReference", NS))

    def test_grouped_off_in_the_wizard(self):
        """Without consolidated billing each order has its invoice anyway: nothing to
        warn about."""
        orders = self.two_orders()
        wizard = Form(
            self.env["sale.advance.payment.inv"].with_context(
                active_model="sale.order", active_ids=orders.ids
            )
        )
        wizard.consolidated_billing = False
        self.assertFalse(wizard.psb_invoicing_warning)
