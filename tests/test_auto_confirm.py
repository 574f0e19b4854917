# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Straight-through orders: confirmed and accepted (AP) after import when every
condition is met."""

import contextlib
import html
from datetime import date, timedelta
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..psb.tests.samples import SELLER, ubl_head
from .common import PsbCase, configure_offline

ORDER = (
    ubl_head("Order", "order")
    + """ <cbc:ID>AUTO-{id}</cbc:ID>
 <cbc:IssueDate>{today}</cbc:IssueDate>{note}
 <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
 <cac:BuyerCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">{buyer}</cbc:EndpointID>
  <cac:PartyName><cbc:Name>Buyer {buyer}</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode>
   </cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Buyer {buyer}</cbc:RegistrationName>
   </cac:PartyLegalEntity>
 </cac:Party></cac:BuyerCustomerParty>
"""
    + SELLER
    + """ <cac:Delivery>{location}
  <cac:RequestedDeliveryPeriod><cbc:StartDate>{requested}</cbc:StartDate>
   </cac:RequestedDeliveryPeriod>
 </cac:Delivery>{charges}
{lines}
</Order>"""
)

LINE = """ <cac:OrderLine>{note}<cac:LineItem><cbc:ID>{n}</cbc:ID>
  <cbc:Quantity unitCode="{unit}">{qty}</cbc:Quantity>{allowance}
  <cac:Price><cbc:PriceAmount currencyID="{currency}">{price}</cbc:PriceAmount>
   </cac:Price>
  <cac:Item><cbc:Name>{name}</cbc:Name>{ids}</cac:Item>
 </cac:LineItem></cac:OrderLine>"""


# The company's settings under which an order that meets every condition is confirmed
# and accepted at once.
STRAIGHT_THROUGH = {
    "psb_auto_confirm": True,
    "psb_auto_acknowledge": True,
    "psb_answer_on_confirm": True,
}


@tagged("post_install", "-at_install")
class TestAutoConfirm(PsbCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(STRAIGHT_THROUGH)
        cls.eur = cls.env.ref("base.EUR")
        cls.chf = cls.env.ref("base.CHF")
        (cls.eur | cls.chf).active = True
        cls.env["res.currency.rate"].create(
            [
                {
                    "currency_id": c.id,
                    "rate": 1.0,
                    "name": "2020-01-01",
                    "company_id": cls.company.id,
                }
                for c in (cls.eur | cls.chf)
                if c != cls.company.currency_id
            ]
        )
        cls.salesman = new_test_user(
            cls.env, "psb_auto_user", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.screws = cls.env["product.product"].create(
            {"name": "Screws", "barcode": "5400000000017", "list_price": 10.0}
        )
        cls.nails = cls.env["product.product"].create(
            {"name": "Nails", "default_code": "AUTO-NAIL", "list_price": 4.6}
        )
        cls.glue = cls.env["product.product"].create(
            {"name": "Glue", "list_price": 3.0}
        )
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Known EUR",
                "currency_id": cls.eur.id,
                "company_id": cls.company.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.screws.id,
                            "compute_price": "fixed",
                            "fixed_price": 10.0,
                        },
                    )
                ],
            }
        )
        cls.customer = cls.make_customer("11112222", cls.pricelist)
        cls.env["econnect.psb.product.code"].create(
            {"partner_id": cls.customer.id, "code": "LIJM-9", "product_id": cls.glue.id}
        )

    @classmethod
    def make_customer(cls, kvk, pricelist):
        partner = cls.env["res.partner"].create(
            {
                "name": f"Buyer {kvk}",
                "is_company": True,
                "peppol_eas": "0106",
                "peppol_endpoint": kvk,
                "user_id": cls.salesman.id,
            }
        )
        partner.with_company(cls.company).property_product_pricelist = pricelist
        return partner

    def order_xml(
        self,
        order_id,
        buyer="11112222",
        currency="EUR",
        note="",
        requested=None,
        location="",
        lines=None,
        charges="",
    ):
        lines = lines or [
            {
                "ids": "<cac:StandardItemIdentification><cbc:ID "
                'schemeID="0160">5400000000017</cbc:ID>'
                "</cac:StandardItemIdentification>",
                "price": "10.00",
                "name": "Screws",
            },
            {
                "ids": "<cac:SellersItemIdentification><cbc:ID>AUTO-NAIL</cbc:ID></"
                "cac:SellersItemIdentification>",
                "price": "4.60",
                "name": "Nails",
            },
            {
                "ids": "<cac:BuyersItemIdentification><cbc:ID>LIJM-9</cbc:ID></cac:"
                "BuyersItemIdentification>",
                "price": "3.00",
                "name": "Glue",
            },
        ]
        body = "\n".join(
            LINE.format(
                n=n,
                currency=currency,
                **{"unit": "C62", "qty": 5, "note": "", "allowance": "", **line},
            )
            for n, line in enumerate(lines, start=1)
        )
        requested = requested or (date.today() + timedelta(days=7))
        return ORDER.format(
            id=order_id,
            today=date.today().isoformat(),
            currency=currency,
            buyer=buyer,
            note=f"\n <cbc:Note>{note}</cbc:Note>" if note else "",
            requested=requested.isoformat(),
            location=location,
            charges=charges,
            lines=body,
        ).encode()

    def imported(self, xml):
        document = self.deliver(xml)
        self.assertEqual(document.state, "imported", document.error_message)
        return document, document.sale_order_id

    def assert_needs_person(self, order, reason):
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.psb_auto_state, "person")
        self.assertIn(reason, order.psb_auto_reasons)
        self.assertNotIn("AP", order.psb_response_ids.mapped("code"))
        # One activity tells the responsible: the import's when it flagged something,
        # else one that names the reasons (README, "Who is told what").
        activities = order.activity_ids.filtered(
            lambda a: a.psb_kind in ("import", "confirm")
        )
        self.assertEqual(len(activities), 1, activities.mapped("summary"))
        if activities.psb_kind == "confirm":
            self.assertIn(reason, html.unescape(activities.note))
            self.assertEqual(
                activities.summary, f"Confirm the Peppol order {order.psb_order_ref}"
            )

    # ------------------------------------------------------------------
    def test_all_conditions_met(self):
        document, order = self.imported(self.order_xml("OK"))
        self.assertEqual(
            order.order_line.mapped("psb_match_method"),
            ["gtin", "seller_code", "buyer_code"],
        )
        self.assertEqual(order.state, "sale", order.psb_auto_reasons)
        self.assertEqual(order.psb_auto_state, "confirmed")
        self.assertFalse(order.activity_ids, "nobody is asked for anything")
        self.assertFalse(order.message_ids.notified_partner_ids, "nobody is notified")
        self.assertEqual(
            order.psb_response_ids.sorted("id").mapped("code"),
            ["AB", "AP"],
            "AB first, AP once",
        )
        self.assertFalse(order.psb_price_warning)
        self.assertFalse(any(order.order_line.mapped("psb_price_differs")))
        log = order.message_ids.filtered(
            lambda m: "Confirmed automatically" in (m.body or "")
        )
        self.assertEqual(len(log), 1)
        self.assertIn("all conditions met", log.body)
        self.assertIn("every line matched a product by GTIN", log.body)

        # A repeated delivery of the same order confirms (and answers) nothing twice.
        self.assertEqual(
            self.deliver(self.order_xml("OK")),
            document,
            "the same file is the same document",
        )
        again = self.deliver(
            self.order_xml("OK") + b"\n"
        )  # the same order under another document id
        self.assertEqual((again.state, again.sale_order_id), ("duplicate", order))
        document.action_process_now()
        self.env["econnect.psb.auto.confirm"]._run(document)
        self.assertEqual(order.psb_response_ids.mapped("code"), ["AB", "AP"])
        self.assertEqual(
            len(
                order.message_ids.filtered(
                    lambda m: "Confirmed automatically" in (m.body or "")
                )
            ),
            1,
        )

    def test_accept_once_without_answer_on_confirm_or_acknowledgement(self):
        self.company.write(
            {"psb_answer_on_confirm": False, "psb_auto_acknowledge": False}
        )
        _document, order = self.imported(self.order_xml("NOAB"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.psb_response_ids.mapped("code"), ["AP"])

    def test_each_condition_alone(self):
        past = date.today() - timedelta(days=1)
        nails_by_name = {"ids": "", "price": "4.60", "name": "Nails"}
        unknown_unit = {
            "ids": "<cac:SellersItemIdentification><cbc:ID>AUTO-NAIL</cbc:ID></cac:"
            "SellersItemIdentification>",
            "price": "4.60",
            "name": "Nails",
            "unit": "ZZZ",
        }
        cheap = {
            "ids": "<cac:StandardItemIdentification><cbc:ID "
            'schemeID="0160">5400000000017</cbc:ID>'
            "</cac:StandardItemIdentification>",
            "price": "9.99",
            "name": "Screws",
        }
        new_place = (
            "<cac:DeliveryLocation><cbc:ID "
            'schemeID="0088">8712345000099</cbc:ID><cac:Address>'
            "<cbc:StreetName>Elsewhere "
            "1</cbc:StreetName><cbc:CityName>Gouda</cbc:CityName>"
            "<cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:"
            "Country></cac:Address>"
            "</cac:DeliveryLocation>"
        )
        line_note = {
            **cheap,
            "price": "10.00",
            "note": "<cbc:Note>Blue ones</cbc:Note>",
        }
        cases = [
            (
                "name",
                {"lines": [nails_by_name]},
                "line 1: matched on the item name only",
                None,
            ),
            (
                "unit",
                {"lines": [unknown_unit]},
                "line 1: unit code ZZZ is not known",
                None,
            ),
            (
                "price",
                {"lines": [cheap]},
                "line 1: 9.99\xa0€ ordered, our price 10.00\xa0€ (−0.1 %, tolerance 0 "
                "%)",
                None,
            ),
            (
                "issue",
                {"location": new_place},
                "the import flagged: New delivery address",
                None,
            ),
            (
                "date",
                {"requested": past},
                f"the requested delivery date {past.strftime('%m/%d/%Y')} is in the "
                "past",
                None,
            ),
            (
                "note",
                {"note": "Call before delivery"},
                "the buyer wrote a note: Call before delivery",
                None,
            ),
            (
                "line-note",
                {"lines": [line_note]},
                "line 1: the buyer wrote a note: Blue ones",
                None,
            ),
            ("max", {}, "is above the maximum", {"psb_auto_max_amount": 10.0}),
            (
                "trusted",
                {},
                "is not trusted for automatic confirmation",
                {"psb_auto_trusted_only": True},
            ),
        ]
        for name, xml_args, reason, settings in cases:
            with self.subTest(condition=name):
                if settings:
                    self.company.write(settings)
                _document, order = self.imported(
                    self.order_xml(f"ALONE-{name}", **xml_args)
                )
                self.assert_needs_person(order, reason)
                if name in ("price", "date", "note", "line-note", "max", "trusted"):
                    self.assertEqual(
                        len(order.psb_auto_reasons.splitlines()),
                        1,
                        order.psb_auto_reasons,
                    )
                if settings:
                    self.company.write({key: False for key in settings})

    def test_activity_closed_by_confirming(self):
        _document, order = self.imported(
            self.order_xml("LATER", note="Call before delivery")
        )
        self.assert_needs_person(order, "the buyer wrote a note: Call before delivery")
        self.assertEqual(order.activity_ids.user_id, self.salesman)
        order.with_context(psb_confirm_anyway=True).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.activity_ids.filtered(lambda a: a.psb_kind == "confirm"))

    def test_customer_not_reviewed(self):
        self.customer.psb_needs_review = True
        _document, order = self.imported(self.order_xml("NEWCUST"))
        self.assert_needs_person(
            order, "the customer Buyer 11112222 was created from a Peppol order"
        )
        self.assertEqual(
            len(order.psb_auto_reasons.splitlines()), 1, order.psb_auto_reasons
        )

    def test_new_customer(self):
        _document, order = self.imported(self.order_xml("NEWBUYER", buyer="99998888"))
        self.assert_needs_person(
            order, "the customer Buyer 99998888 was created from a Peppol order"
        )

    def test_totals_differ(self):
        self.company.psb_auto_confirm = False
        document, order = self.imported(self.order_xml("TOTALS"))
        self.assertEqual((order.state, order.psb_auto_state), ("draft", "off"))
        # The totals check of the import (another step) found a difference: decided
        # again with it.
        self.company.psb_auto_confirm = True
        order.write({"psb_amounts_state": "differ", "psb_auto_state": False})
        self.env["econnect.psb.auto.confirm"]._run(document)
        self.assert_needs_person(order, "the totals differ from the buyer's order")
        self.assertEqual(
            order.psb_auto_reasons, "the totals differ from the buyer's order"
        )

    def test_price_flag_whatever_the_setting(self):
        self.company.psb_auto_confirm = False
        cheap = {
            "ids": "<cac:StandardItemIdentification><cbc:ID "
            'schemeID="0160">5400000000017</cbc:ID>'
            "</cac:StandardItemIdentification>",
            "price": "4.10",
            "name": "Screws",
        }
        _document, order = self.imported(self.order_xml("FLAG", lines=[cheap]))
        self.assertEqual((order.state, order.psb_auto_state), ("draft", "off"))
        self.assertTrue(order.order_line.psb_price_differs)
        self.assertEqual(order.order_line.psb_our_price, 10.0)
        self.assertEqual(
            order.psb_price_warning,
            "line 1: 4.10\xa0€ ordered, our price 10.00\xa0€ (−59 %, tolerance 0 %)",
        )

    @staticmethod
    def allowance_charge(charge, amount, reason, percent=None, base=None, code=None):
        """A cac:AllowanceCharge (of the order or, without a tax category, of a
        line)."""
        parts = [
            f"<cbc:ChargeIndicator>{'true' if charge else 'false'}</cbc:"
            "ChargeIndicator>"
        ]
        if code:
            parts.append(
                f"<cbc:AllowanceChargeReasonCode>{code}</cbc:AllowanceChargeReasonCode>"
            )
        parts.append(f"<cbc:AllowanceChargeReason>{reason}</cbc:AllowanceChargeReason>")
        if percent:
            parts.append(
                f"<cbc:MultiplierFactorNumeric>{percent}</cbc:MultiplierFactorNumeric>"
            )
        parts.append(f'<cbc:Amount currencyID="EUR">{amount}</cbc:Amount>')
        if base:
            parts.append(f'<cbc:BaseAmount currencyID="EUR">{base}</cbc:BaseAmount>')
        return "\n <cac:AllowanceCharge>" + "".join(parts) + "</cac:AllowanceCharge>"

    def with_totals(
        self, allowance_charge, allowances="0.00", charges="0.00", exclusive="88.00"
    ):
        """The order's own allowance or charge and its totals (the three lines make
        88.00; no tax here)."""
        return (
            allowance_charge + "\n <cac:AnticipatedMonetaryTotal>"
            '<cbc:LineExtensionAmount currencyID="EUR">88.00</cbc:LineExtensionAmount>'
            "<cbc:TaxExclusiveAmount "
            f'currencyID="EUR">{exclusive}</cbc:TaxExclusiveAmount>'
            "<cbc:AllowanceTotalAmount "
            f'currencyID="EUR">{allowances}</cbc:AllowanceTotalAmount>'
            f'<cbc:ChargeTotalAmount currencyID="EUR">{charges}</cbc:ChargeTotalAmount>'
            "<cbc:PayableAmount "
            f'currencyID="EUR">{exclusive}</cbc:PayableAmount></cac:'
            "AnticipatedMonetaryTotal>"
        )

    def test_document_charges_are_not_lines(self):
        """An order's own allowances and charges are quotation lines, not buyer's lines:
        nothing to match by product or to price against our pricelist. A charge passes;
        a discount the buyer takes is a price difference unless the company accepts the
        buyer's prices."""
        (self.screws | self.nails | self.glue).taxes_id = False
        freight = self.with_totals(
            self.allowance_charge(True, "12.50", "Freight", code="FC"),
            charges="12.50",
            exclusive="100.50",
        )
        _document, order = self.imported(self.order_xml("DOC-CHARGE", charges=freight))
        self.assertEqual(order.psb_amounts_state, "match", order.psb_amounts_note)
        charge_line = order.order_line.filtered("psb_allowance_kind")
        self.assertEqual(
            (charge_line.price_unit, charge_line.psb_price_differs), (12.5, False)
        )
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )
        self.assertFalse(order.psb_price_warning)

        contract = self.with_totals(
            self.allowance_charge(
                False, "1.76", "Contract discount", percent="2", base="88.00"
            ),
            allowances="1.76",
            exclusive="86.24",
        )
        _document, order = self.imported(
            self.order_xml("DOC-DISCOUNT", charges=contract)
        )
        self.assertEqual(
            (order.amount_untaxed, order.psb_amounts_state), (86.24, "match")
        )
        self.assertFalse(
            order.order_line.filtered("psb_allowance_kind").psb_price_differs
        )
        self.assert_needs_person(
            order,
            "the buyer's order takes a discount of 1.76\xa0€: Contract discount (2 % "
            "× 88.00",
        )
        self.assertEqual(
            len(order.psb_auto_reasons.splitlines()), 1, order.psb_auto_reasons
        )

        self.company.psb_auto_price_mode = "accept"
        _document, order = self.imported(
            self.order_xml("DOC-DISCOUNT-OK", charges=contract)
        )
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )

    def test_line_discount_is_part_of_the_price(self):
        """The buyer's net price (after its line allowance) is what is compared with
        ours."""
        self.company.psb_auto_price_tolerance = 2.0
        screws = {
            "ids": "<cac:StandardItemIdentification><cbc:ID "
            'schemeID="0160">5400000000017</cbc:ID>'
            "</cac:StandardItemIdentification>",
            "price": "10.00",
            "name": "Screws",
        }
        for percent, amount, confirmed in (("1", "0.50", True), ("5", "2.50", False)):
            with self.subTest(percent=percent):
                line = {
                    **screws,
                    "allowance": self.allowance_charge(
                        False, amount, "Project", percent, "50.00"
                    ),
                }
                _document, order = self.imported(
                    self.order_xml(f"LINE-DISC-{percent}", lines=[line])
                )
                self.assertEqual(
                    (order.order_line.price_unit, order.order_line.discount),
                    (10.0, float(percent)),
                )
                self.assertEqual(order.order_line.psb_price_differs, not confirmed)
                self.assertEqual(
                    order.state == "sale", confirmed, order.psb_auto_reasons
                )
                if not confirmed:
                    self.assertIn(
                        "line 1: 9.50\xa0€ ordered, our price 10.00\xa0€ (−5 %, "
                        "tolerance 2 %)",
                        order.psb_auto_reasons,
                    )

    def test_tolerance_per_customer_and_currency(self):
        self.company.psb_auto_price_tolerance = 2.0
        other = self.env["product.pricelist"].create(
            {
                "name": "Other EUR",
                "currency_id": self.eur.id,
                "company_id": self.company.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.screws.id,
                            "compute_price": "fixed",
                            "fixed_price": 12.0,
                        },
                    )
                ],
            }
        )
        swiss = self.env["product.pricelist"].create(
            {
                "name": "Swiss",
                "currency_id": self.chf.id,
                "company_id": self.company.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.screws.id,
                            "compute_price": "fixed",
                            "fixed_price": 11.0,
                        },
                    )
                ],
            }
        )
        self.make_customer("33334444", other)
        self.make_customer("55556666", swiss)

        def screws(price):
            return [
                {
                    "ids": "<cac:StandardItemIdentification><cbc:ID "
                    'schemeID="0160">5400000000017</cbc:ID>'
                    "</cac:StandardItemIdentification>",
                    "price": price,
                    "name": "Screws",
                }
            ]

        cases = [
            ("11112222", "EUR", "9.80", True),
            ("11112222", "EUR", "9.79", False),
            ("11112222", "EUR", "10.20", True),
            ("11112222", "EUR", "10.21", False),
            ("33334444", "EUR", "11.76", True),
            ("33334444", "EUR", "11.75", False),
            ("55556666", "CHF", "10.78", True),
            ("55556666", "CHF", "10.77", False),
        ]
        for buyer, currency, price, confirmed in cases:
            with self.subTest(buyer=buyer, price=price):
                _document, order = self.imported(
                    self.order_xml(
                        f"TOL-{buyer}-{price}",
                        buyer=buyer,
                        currency=currency,
                        lines=screws(price),
                    )
                )
                self.assertEqual(order.currency_id.name, currency)
                self.assertEqual(
                    order.state == "sale", confirmed, order.psb_auto_reasons
                )
                self.assertEqual(order.order_line.psb_price_differs, not confirmed)
                if not confirmed:
                    self.assertIn("tolerance 2 %", order.psb_auto_reasons)
        order = self.env["sale.order"].search(
            [("psb_order_ref", "=", "AUTO-TOL-55556666-10.77")]
        )
        self.assertIn(
            f"line 1: {self.chf.symbol}\xa010.77 ordered, our price "
            f"{self.chf.symbol}\xa011.00 (−2.1 %",
            order.psb_auto_reasons,
        )

    def test_confirmation_failing(self):
        SaleOrder = type(self.env["sale.order"])

        def failing(orders):
            # another module's error, simulated
            # pylint: disable-next=translation-required
            raise UserError("No route to deliver Screws")

        # Inside action_confirm, after the order was already written as confirmed.
        with patch.object(SaleOrder, "_action_confirm", failing):
            document, order = self.imported(self.order_xml("FAIL"))
        self.assertEqual(document.state, "imported", "the import stays")
        self.assertEqual(order.state, "draft", "the quotation is intact")
        self.assertEqual(len(order.order_line), 3)
        self.assertEqual(order.psb_auto_state, "person")
        self.assertEqual(
            order.psb_auto_reasons,
            "Automatic confirmation failed: No route to deliver Screws",
        )
        self.assertEqual(
            order.psb_response_ids.mapped("code"),
            ["AB"],
            "no AP for an order not confirmed",
        )
        activity = order.activity_ids.filtered(
            lambda a: "Confirm the Peppol order" in (a.summary or "")
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesman)
        self.assertIn("No route to deliver Screws", activity.note)

    def test_another_worker_changing_the_order_meanwhile(self):
        """PostgreSQL refuses the decision's write when another worker changed the order
        at the same moment (sending its AB): a scheduled run decides again on a fresh
        snapshot (the queue commits at the step's yield); otherwise a person is told."""
        AutoConfirm = type(self.env["econnect.psb.auto.confirm"])
        decide = AutoConfirm._decide
        conflicts = []

        def conflicting(model, order, times):
            if len(conflicts) < times:
                conflicts.append(order.id)
                raise psycopg2.errors.SerializationFailure(
                    "could not serialize access due to concurrent update"
                )
            return decide(model, order)

        self.company.psb_auto_confirm = False
        for name, times, commit, expected in (
            ("RACE-AGAIN", 1, True, ("sale", "confirmed")),
            ("RACE-PERSON", 3, True, ("draft", "person")),
            ("RACE-INLINE", 1, False, ("draft", "person")),
        ):
            with self.subTest(name):
                conflicts.clear()
                document, order = self.imported(self.order_xml(name))
                order.psb_auto_state = False
                self.company.psb_auto_confirm = True
                with patch.object(
                    AutoConfirm,
                    "_decide",
                    lambda model, o, t=times: conflicting(model, o, t),
                ):
                    # A step of the queue: at each yield the queue commits (a scheduled
                    # run) or not.
                    steps = self.env["econnect.psb.auto.confirm"]._decide_steps(
                        document
                    )
                    with contextlib.suppress(StopIteration):
                        steps.send(None)
                        while True:
                            steps.send(commit)
                self.assertEqual((order.state, order.psb_auto_state), expected)
                self.assertEqual(len(conflicts), times)
                if expected[1] == "person":
                    self.assertIn("changed by another process", order.psb_auto_reasons)
                    self.assertEqual(
                        len(
                            order.activity_ids.filtered(
                                lambda a: a.psb_kind == "confirm"
                            )
                        ),
                        1,
                    )
                self.company.psb_auto_confirm = False

    def test_confirmed_as_the_responsible_user(self):
        seen = []
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder.action_confirm

        def spy(orders):
            seen.append((orders.env.uid, orders.env.su, orders.env.company))
            return original(orders)

        with patch.object(SaleOrder, "action_confirm", spy):
            _document, order = self.imported(self.order_xml("USER"))
        self.assertEqual(order.state, "sale")
        self.assertEqual(seen, [(self.salesman.id, False, self.company)])

    def test_uploads_are_not_confirmed_automatically(self):
        """Issue 28, 9: nothing authenticates an uploaded file; a company setting (off)
        confirms them too."""
        self.assertFalse(self.company.psb_auto_confirm_uploads)
        order = self.upload(self.order_xml("UP1")).sale_order_id
        self.assertEqual((order.state, order.psb_auto_state), ("draft", "off"))
        self.assertIn("uploaded by hand", order.psb_auto_reasons)
        self.company.psb_auto_confirm_uploads = True
        order = self.upload(self.order_xml("UP2")).sale_order_id
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )

    def test_a_customer_found_by_name_only_is_not_confirmed(self):
        """Issue 28, 7: another buyer writing a known customer's exact name gets no
        automatic confirmation."""
        xml = self.order_xml("BYNAME").replace(
            b">11112222</cbc:EndpointID>", b">99990000</cbc:EndpointID>"
        )
        _document, order = self.imported(xml)
        self.assertEqual(
            order.partner_id, self.customer, "found by the name Buyer 11112222"
        )
        self.assertTrue(order.psb_customer_by_name)
        self.assertIn("was found by its name only", order.psb_import_issues)
        self.assert_needs_person(
            order, "the customer Buyer 11112222 was found by its name only"
        )

    def test_off_by_default(self):
        company = self.env["res.company"].create({"name": "Fresh company"})
        self.assertFalse(company.psb_auto_confirm)
        self.assertEqual(company.psb_auto_price_mode, "tolerance")
        self.assertTrue(
            company.psb_auto_known_customer and company.psb_auto_identified_lines
        )

    def test_each_company_its_own_settings(self):

        other = self.env["res.company"].create(
            {"name": "Other Wholesale", "currency_id": self.eur.id}
        )
        configure_offline(other, "0106:87878787", "other-secret")
        self.assertFalse(other.psb_auto_confirm)
        self.env.user.company_ids |= other
        document = self.upload(self.order_xml("OTHER"), company=other)
        self.assertEqual(document.state, "imported", document.error_message)
        order = document.sale_order_id
        self.assertEqual(order.company_id, other)
        self.assertEqual((order.state, order.psb_auto_state), ("draft", "off"))
        # The same order for this company (confirming automatically) is confirmed.
        _document, ours = self.imported(self.order_xml("OTHER"))
        self.assertEqual((ours.state, ours.psb_auto_state), ("sale", "confirmed"))

    def test_only_ordinary_order_types(self):
        consignment = self.order_xml("TYPE-227").replace(
            b"<cbc:DocumentCurrencyCode>",
            b"<cbc:OrderTypeCode>227</cbc:OrderTypeCode>\n <cbc:DocumentCurrencyCode>",
        )
        _document, order = self.imported(consignment)
        self.assert_needs_person(
            order,
            "the order type Consignment order (227) is not confirmed automatically",
        )
        self.assertEqual(
            len(order.psb_auto_reasons.splitlines()), 1, order.psb_auto_reasons
        )
        # An ordinary order (220) goes through; a company that confirms consignment
        # orders says so.
        ordinary = self.order_xml("TYPE-220").replace(
            b"<cbc:DocumentCurrencyCode>",
            b"<cbc:OrderTypeCode>220</cbc:OrderTypeCode>\n <cbc:DocumentCurrencyCode>",
        )
        self.assertEqual(self.imported(ordinary)[1].state, "sale")
        self.company.psb_auto_order_types = "220, 227"
        _document, order = self.imported(consignment.replace(b"TYPE-227", b"TYPE-227B"))
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )
        with self.assertRaisesRegex(
            ValidationError, "Order types confirmed: give order type codes"
        ):
            self.company.psb_auto_order_types = "220; consignment"

    def test_sub_cent_contract_price_passes(self):
        sand = self.env["product.product"].create(
            {"name": "Sand", "default_code": "AUTO-SAND", "list_price": 1.0}
        )
        self.pricelist.item_ids = [
            Command.create(
                {
                    "applied_on": "0_product_variant",
                    "product_id": sand.id,
                    "compute_price": "fixed",
                    "fixed_price": 0.145,
                }
            )
        ]
        sand_line = {
            "ids": "<cac:SellersItemIdentification><cbc:ID>AUTO-SAND</cbc:ID></cac:"
            "SellersItemIdentification>",
            "price": "0.145",
            "name": "Sand",
            "qty": 100,
        }
        _document, order = self.imported(self.order_xml("SUBCENT", lines=[sand_line]))
        line = order.order_line
        self.assertEqual((line.price_unit, line.psb_our_price), (0.145, 0.145))
        self.assertFalse(line.psb_price_differs)
        self.assertEqual(
            (order.state, order.psb_auto_state),
            ("sale", "confirmed"),
            order.psb_auto_reasons,
        )
        # A tenth of a cent off is a difference, for the line's flag and the decision
        # alike.
        _document, order = self.imported(
            self.order_xml("SUBCENT-OFF", lines=[{**sand_line, "price": "0.144"}])
        )
        self.assertTrue(order.order_line.psb_price_differs)
        self.assert_needs_person(
            order,
            "line 1: 0.1440\xa0€ ordered, our price 0.1450\xa0€ (−0.7 %, tolerance 0 "
            "%)",
        )

    def test_an_unreviewed_delivery_address_holds_every_order_to_it(self):
        place = (
            "<cac:DeliveryLocation><cbc:ID "
            'schemeID="0088">8712345000123</cbc:ID><cbc:Name>Gebouw B</cbc:Name>'
            "<cac:Address><cbc:StreetName>Havenweg "
            "4</cbc:StreetName><cbc:CityName>Gouda</cbc:CityName>"
            "<cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:"
            "Country></cac:Address>"
            "</cac:DeliveryLocation>"
        )
        party = (
            b"</cac:RequestedDeliveryPeriod>\n  <cac:DeliveryParty><cac:PartyName>"
            b"<cbc:Name>Centraal Magazijn - "
            b"Goederenontvangst</cbc:Name></cac:PartyName></cac:DeliveryParty>"
        )
        first_xml = self.order_xml("PLACE-1", location=place).replace(
            b"</cac:RequestedDeliveryPeriod>", party
        )
        _document, first = self.imported(first_xml)
        self.assert_needs_person(first, "the import flagged: New delivery address")
        address = first.partner_shipping_id
        self.assertEqual((address.name, address.psb_needs_review), ("Gebouw B", True))
        self.assertIn(
            "Centraal Magazijn - Goederenontvangst",
            str(address.comment),
            "the receiving party is kept",
        )
        # The second order to the same place, while the first still waits, finds the
        # address but is held too.
        _document, second = self.imported(self.order_xml("PLACE-2", location=place))
        self.assertEqual(second.partner_shipping_id, address)
        self.assert_needs_person(
            second,
            "the delivery address Buyer 11112222, Gebouw B was created from a Peppol "
            "order and not reviewed yet",
        )
        self.assertEqual(
            len(second.psb_auto_reasons.splitlines()), 1, second.psb_auto_reasons
        )
        # A person confirming the first order reviews the address: the next order goes
        # through.
        first.with_user(self.salesman).with_context(
            psb_confirm_anyway=True
        ).action_confirm()
        self.assertFalse(address.psb_needs_review)
        self.assertIn("Delivery address reviewed by", address.message_ids[:1].body)
        _document, third = self.imported(self.order_xml("PLACE-3", location=place))
        self.assertEqual(
            (third.state, third.psb_auto_state),
            ("sale", "confirmed"),
            third.psb_auto_reasons,
        )

    def test_a_line_issue_is_given_once(self):
        # The import notes a line's issue on the line and, as "Line 1: ...", on the
        # order: the reason "the import flagged" names it once.
        by_name = {"ids": "", "price": "4.60", "name": "Nails"}
        _document, order = self.imported(self.order_xml("ISSUE-ONCE", lines=[by_name]))
        self.assert_needs_person(order, "line 1: matched on the item name only")
        flagged = [
            reason
            for reason in order.psb_auto_reasons.splitlines()
            if reason.startswith("the import flagged:")
        ]
        self.assertEqual(len(flagged), 1, order.psb_auto_reasons)
        self.assertEqual(
            flagged[0].count("matched on the item name only: check the product"),
            1,
            flagged[0],
        )

    def test_the_buyers_order_is_read_once_to_confirm(self):
        # What confirming answers (AP, or CA with its lines) comes from the buyer's
        # order: the check before confirming and the confirmation share one reading.
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder._psb_original_order
        reads = []

        def counted(order):
            reads.append(order.id)
            return original(order)

        with patch.object(SaleOrder, "_psb_original_order", counted):
            _document, order = self.imported(self.order_xml("READ-ONCE"))
        self.assertEqual(order.psb_auto_state, "confirmed", order.psb_auto_reasons)
        self.assertEqual(order.psb_response_ids.mapped("code"), ["AB", "AP"])
        self.assertEqual(reads, [order.id])
