"""Peppol BIS 3 Orders (T01, profile Ordering) of any size, for the benchmarks.

Plain Python (no Odoo). Every line names one of the catalogue's products by its
``SellersItemIdentification`` (= the product's internal reference ``BENCH-00001``...),
so both importers match every line; amounts and totals are consistent, so the orders
pass the official XSD and Peppol Schematron (checked by ``bench/run.sh``).
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

PARTY_ID = "0106:12345678"  # our company at the PSB (the seller)
CATALOGUE_SIZE = 5000  # products BENCH-00001 .. BENCH-05000
BUYERS = 20  # customers 0106:900000xx, each with one delivery address


def product_code(index):
    return f"BENCH-{index % CATALOGUE_SIZE + 1:05d}"


def product_price(index):
    return Decimal(index % CATALOGUE_SIZE % 97 + 1) + Decimal("0.25")


def gln(first12):
    """A GLN (GS1 global location number): 12 digits and the GS1 check digit."""
    odd = sum(int(d) for d in first12[-1::-2])
    even = sum(int(d) for d in first12[-2::-2])
    return first12 + str((10 - (odd * 3 + even) % 10) % 10)


def buyer(index):
    number = index % BUYERS
    return {
        "endpoint": f"900000{number:02d}",
        "name": f"Bench Buyer {number:02d} BV",
        "vat": f"NL8000000{number:02d}B01",
        "gln": gln(f"871000000{number:03d}"),
        "street": f"Inkoopstraat {number + 1}",
        "city": "Utrecht",
        "zip": f"35{number:02d} AB",
    }


def _money(value):
    return f"{_money_dec(value)}"


# The price and the item's name and code, as an order line and an Order Change's line
# give them.
PRICE_AND_ITEM = """      <cac:Price>
        <cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount>
      </cac:Price>
      <cac:Item>
        <cbc:Name>Bench article {code}</cbc:Name>
        <cac:SellersItemIdentification>
          <cbc:ID>{code}</cbc:ID>
        </cac:SellersItemIdentification>
"""

LINE = (
    """  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>{line_id}</cbc:ID>
      <cbc:Quantity unitCode="C62">{qty}</cbc:Quantity>
      <cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
"""
    + PRICE_AND_ITEM
    + """        <cac:ClassifiedTaxCategory>
          <cbc:ID>S</cbc:ID>
          <cbc:Percent>21</cbc:Percent>
          <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
        </cac:ClassifiedTaxCategory>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>
"""
)

ORDERING = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
ADVANCED_ORDERING = "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"


def document_start(root, transaction, profile):
    """The start of a UBL document ``root`` of the Peppol ``transaction`` (``order``,
    ``order_change``) in ``profile``: up to its ID."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:{transaction}:3</cbc:CustomizationID>
  <cbc:ProfileID>{profile}</cbc:ProfileID>
"""


HEADER = (
    document_start("Order", "order", ORDERING)
    + """  <cbc:ID>{order_id}</cbc:ID>
  <cbc:IssueDate>2026-11-20</cbc:IssueDate>
  <cbc:IssueTime>09:30:00</cbc:IssueTime>
  <cbc:Note>Benchmark order with {count} lines</cbc:Note>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:CustomerReference>REF-{order_id}</cbc:CustomerReference>
  <cac:ValidityPeriod>
    <cbc:EndDate>2026-12-31</cbc:EndDate>
  </cac:ValidityPeriod>
  <cac:BuyerCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0106">{b[endpoint]}</cbc:EndpointID>
      <cac:PartyIdentification>
        <cbc:ID schemeID="0088">{b[gln]}</cbc:ID>
      </cac:PartyIdentification>
      <cac:PartyName>
        <cbc:Name>{b[name]}</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>{b[street]}</cbc:StreetName>
        <cbc:CityName>{b[city]}</cbc:CityName>
        <cbc:PostalZone>{b[zip]}</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>{b[vat]}</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{b[name]}</cbc:RegistrationName>
      </cac:PartyLegalEntity>
      <cac:Contact>
        <cbc:Name>Purchasing</cbc:Name>
        <cbc:ElectronicMail>purchasing@buyer{b[endpoint]}.example</cbc:ElectronicMail>
      </cac:Contact>
    </cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
      <cac:PostalAddress>
        <cbc:StreetName>Groothandelsweg 1</cbc:StreetName>
        <cbc:CityName>Amersfoort</cbc:CityName>
        <cbc:PostalZone>3800 AA</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>Bench Wholesale BV</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:SellerSupplierParty>
  <cac:Delivery>
    <cac:DeliveryLocation>
      <cbc:ID schemeID="0088">{b[gln]}</cbc:ID>
      <cac:Address>
        <cbc:StreetName>Magazijnweg {b[endpoint]}</cbc:StreetName>
        <cbc:CityName>Nieuwegein</cbc:CityName>
        <cbc:PostalZone>3439 AB</cbc:PostalZone>
        <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
      </cac:Address>
    </cac:DeliveryLocation>
    <cac:RequestedDeliveryPeriod>
      <cbc:StartDate>2026-12-01</cbc:StartDate>
      <cbc:EndDate>2026-12-02</cbc:EndDate>
    </cac:RequestedDeliveryPeriod>
  </cac:Delivery>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
  </cac:TaxTotal>
  <cac:AnticipatedMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">{total}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">{total}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">{payable}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">{payable}</cbc:PayableAmount>
  </cac:AnticipatedMonetaryTotal>
"""
)


def order_xml(
    order_id,
    lines,
    buyer_index=0,
    first_product=0,
    straight_through=False,
    advanced=False,
):
    """The UTF-8 bytes of an Order ``order_id`` with ``lines`` lines, products from
    ``first_product`` on.

    ``straight_through``: an order meeting every condition of automatic confirmation (no
    buyer's note, a requested delivery date ahead). ``advanced``: in the Advanced
    Ordering profile, so that the buyer may send Order Changes for it
    (``change_xml``)."""
    parts, total = [], Decimal(0)
    for n in range(lines):
        index = first_product + n
        qty = Decimal(n % 9 + 1)
        price = product_price(index)
        amount = qty * price
        total += amount
        parts.append(
            LINE.format(
                line_id=n + 1,
                qty=qty,
                amount=_money(amount),
                price=_money(price),
                code=product_code(index),
            )
        )
    tax = total * Decimal("0.21")
    header = HEADER.format(
        order_id=escape(order_id),
        count=lines,
        b=buyer(buyer_index),
        total=_money(total),
        tax=_money(tax),
        payable=_money(total + _money_dec(tax)),
    )
    if straight_through:
        ahead = datetime.date.today() + datetime.timedelta(days=7)
        header = re.sub(r"\n  <cbc:Note>[^<]*</cbc:Note>", "", header)
        header = header.replace("2026-12-01", ahead.isoformat()).replace(
            "2026-12-02", (ahead + datetime.timedelta(days=1)).isoformat()
        )
    if advanced:
        header = header.replace(ORDERING, ADVANCED_ORDERING)
    return (header + "".join(parts) + "</Order>\n").encode("utf-8")


CHANGE_HEADER = (
    document_start("OrderChange", "order_change", ADVANCED_ORDERING)
    + """  <cbc:ID>{change_id}</cbc:ID>
  <cbc:IssueDate>{today}</cbc:IssueDate>
  <cbc:SequenceNumberID>1</cbc:SequenceNumberID>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:OrderReference>
    <cbc:ID>{order_id}</cbc:ID>
  </cac:OrderReference>
  <cac:BuyerCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0106">{b[endpoint]}</cbc:EndpointID>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>{b[name]}</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>Bench Wholesale BV</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:SellerSupplierParty>
"""
)

CHANGE_LINE = (
    """  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>{line_id}</cbc:ID>
      <cbc:LineStatusCode>3</cbc:LineStatusCode>
      <cbc:Quantity unitCode="C62">{qty}</cbc:Quantity>
"""
    + PRICE_AND_ITEM
    + """      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>
"""
)


def change_xml(order_id, change_id, buyer_index=0, first_product=0, changed=1):
    """An Order Change ``change_id`` of the Advanced Ordering order ``order_id`` (made
    by ``order_xml`` with the same ``buyer_index`` and ``first_product``): the first
    ``changed`` lines' quantities raised by one, at the same price, which the automatic
    confirmation's conditions still accept."""
    parts = []
    for n in range(changed):
        index = first_product + n
        parts.append(
            CHANGE_LINE.format(
                line_id=n + 1,
                qty=Decimal(n % 9 + 2),
                price=_money(product_price(index)),
                code=product_code(index),
            )
        )
    header = CHANGE_HEADER.format(
        change_id=escape(change_id),
        order_id=escape(order_id),
        today=datetime.date.today().isoformat(),
        b=buyer(buyer_index),
    )
    return (header + "".join(parts) + "</OrderChange>\n").encode("utf-8")


def _money_dec(value):
    """Rounded to the cent half up, as the Peppol rules and Odoo round (Decimal's
    default is half even)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
