# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Changes to an order confirmed automatically: applied and accepted (AP) by themselves
when safe, else a person decides, told which condition failed."""

from datetime import date, timedelta

from odoo.tests import tagged

from ..psb.tests.samples import SELLER, ubl_head
from .common import PsbCase
from .test_auto_confirm import LINE, ORDER, STRAIGHT_THROUGH

ADVANCED = b"urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"

CHANGE = (
    ubl_head("OrderChange", "order_change", "advanced_ordering")
    + """ <cbc:ID>{id}</cbc:ID>
 <cbc:IssueDate>{today}</cbc:IssueDate>
 <cbc:SequenceNumberID>1</cbc:SequenceNumberID>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>AUTO-{order}</cbc:ID></cac:OrderReference>
 <cac:BuyerCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">11112222</cbc:EndpointID>
  <cac:PartyLegalEntity><cbc:RegistrationName>Buyer 11112222</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:BuyerCustomerParty>
"""
    + SELLER
    + """{lines}
</OrderChange>"""
)

CHANGE_LINE = """ <cac:OrderLine><cac:LineItem><cbc:ID>{n}</cbc:ID>
  <cbc:LineStatusCode>{status}</cbc:LineStatusCode>
  <cbc:Quantity unitCode="C62">{qty}</cbc:Quantity>
  <cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount></cac:Price>
  <cac:Item><cbc:Name>{name}</cbc:Name>{ids}</cac:Item>
 </cac:LineItem></cac:OrderLine>"""

SCREWS = {
    "name": "Screws",
    "ids": "<cac:StandardItemIdentification><cbc:ID "
    'schemeID="0160">5400000000017</cbc:ID>'
    "</cac:StandardItemIdentification>",
}
NAILS = {
    "name": "Nails",
    "ids": "<cac:SellersItemIdentification><cbc:ID>AUTO-NAIL</cbc:ID></cac:"
    "SellersItemIdentification>",
}


def changed(n, qty, price, product, status="3"):
    """Line ``n`` of a change (status 3: changed, 1: added) at ``qty`` and ``price``,
    for SCREWS or NAILS."""
    return {"n": n, "status": status, "qty": qty, "price": price, **product}


@tagged("post_install", "-at_install")
class TestAutoChange(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(STRAIGHT_THROUGH)
        eur = cls.env.ref("base.EUR")
        eur.active = True
        if eur != cls.company.currency_id:
            cls.env["res.currency.rate"].create(
                {
                    "currency_id": eur.id,
                    "rate": 1.0,
                    "name": "2020-01-01",
                    "company_id": cls.company.id,
                }
            )
        Product = cls.env["product.product"]
        cls.screws = Product.create(
            {"name": "Screws", "barcode": "5400000000017", "list_price": 10.0}
        )
        cls.nails = Product.create(
            {"name": "Nails", "default_code": "AUTO-NAIL", "list_price": 4.6}
        )
        pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Contract EUR",
                "currency_id": eur.id,
                "company_id": cls.company.id,
            }
        )
        customer = cls.env["res.partner"].create(
            {
                "name": "Buyer 11112222",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": "11112222",
            }
        )
        customer.with_company(cls.company).property_product_pricelist = pricelist

    def confirmed_order(self, order_id):
        """An Advanced Ordering order of 5 screws at €10.00, confirmed and accepted (AP)
        automatically."""
        line = LINE.format(
            n=1,
            unit="C62",
            qty=5,
            note="",
            allowance="",
            currency="EUR",
            price="10.00",
            **SCREWS,
        )
        xml = ORDER.format(
            id=order_id,
            today=date.today().isoformat(),
            currency="EUR",
            buyer="11112222",
            note="",
            requested=(date.today() + timedelta(days=7)).isoformat(),
            location="",
            charges="",
            lines=line,
        ).encode()
        document = self.deliver(
            xml.replace(b"urn:fdc:peppol.eu:poacc:bis:ordering:3", ADVANCED)
        )
        order = document.sale_order_id
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )
        self.assertEqual(
            order.psb_response_ids.sorted("id").mapped("code"), ["AB", "AP"]
        )
        return order

    def change(self, order_id, change_id, *lines):
        body = "\n".join(CHANGE_LINE.format(**line) for line in lines)
        xml = CHANGE.format(
            id=change_id, today=date.today().isoformat(), order=order_id, lines=body
        ).encode()
        return self.deliver(xml, topic="OrderChangeReceived")

    def assert_waits(self, order, change, reason):
        self.assertEqual(change.state, "pending", change.error_message)
        self.assertEqual(order.psb_pending_document_id, change)
        self.assertIn(f"Not applied automatically: {reason}", order.psb_pending_summary)
        self.assertEqual(order.psb_agreement_state, "change")
        self.assertEqual(
            order.psb_response_ids.sorted("id").mapped("code"),
            ["AB", "AP"],
            "not answered behind a person's back",
        )
        screws = order.order_line.filtered(lambda ln: ln.psb_line_ref == "1")
        self.assertEqual(
            (screws.product_uom_qty, screws.price_unit),
            (5, 10),
            "the order before the change stands",
        )

    def test_safe_change_is_applied_and_accepted(self):
        order = self.confirmed_order("CH-OK")
        change = self.change(
            "CH-OK",
            "Change-OK",
            changed(1, 8, "10.00", SCREWS),
            changed(2, 3, "4.60", NAILS, status="1"),
        )
        self.assertEqual(change.state, "imported", change.error_message)
        self.assertFalse(order.psb_pending_document_id)
        by_ref = {line.psb_line_ref: line for line in order.order_line}
        self.assertEqual(
            (by_ref["1"].product_uom_qty, by_ref["2"].product_id), (8, self.nails)
        )
        self.assertEqual(
            by_ref["2"].psb_our_price, 4.6, "an added line is compared with our price"
        )
        answer = order.psb_response_ids.sorted("id")[-1]
        self.assertEqual((answer.code, answer.order_change_ref), ("AP", "Change-OK"))
        self.assertEqual(len(order.psb_response_ids), 3, "answered once")
        self.assertEqual(order.psb_agreement_state, "accepted")
        self.assertEqual(order.psb_agreement_state, order._psb_derive_agreement().state)
        log = order.message_ids.filtered(lambda m: "Change-OK" in m.body)[:1].body
        self.assertIn("was applied automatically", log)
        self.assertIn("Line 1: quantity 5.0 → 8", log)
        self.assertIn("Line 2: added 3 C62 Nails", log)

    def test_price_outside_the_tolerance_waits_for_a_person(self):
        order = self.confirmed_order("CH-PRICE")
        change = self.change("CH-PRICE", "Change-P", changed(1, 5, "8.00", SCREWS))
        self.assert_waits(
            order,
            change,
            "line 1: 8.00\xa0€ ordered, our price 10.00\xa0€ (−20 %, tolerance 0 %)",
        )
        # The person applies it: the change is accepted as before.
        order.action_psb_accept_pending()
        self.assertEqual(order.order_line.price_unit, 8)
        self.assertEqual(order.psb_agreement_state, "accepted")

    def test_partly_delivered_line_waits_for_a_person(self):
        order = self.confirmed_order("CH-DELIVERED")
        order.order_line.qty_delivered = 2
        change = self.change("CH-DELIVERED", "Change-D", changed(1, 8, "10.00", SCREWS))
        self.assert_waits(order, change, "line 1: 2.0 already delivered")

    def test_not_confirmed_automatically_waits_as_before(self):
        order = self.confirmed_order("CH-OFF")
        self.company.psb_auto_confirm = False
        change = self.change("CH-OFF", "Change-X", changed(1, 8, "10.00", SCREWS))
        self.assertEqual(change.state, "pending", change.error_message)
        self.assertNotIn("Not applied automatically", order.psb_pending_summary)
