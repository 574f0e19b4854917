"""Build Peppol Order Responses (T76 for Ordering, T116 for Advanced Ordering) from plain data.

The seller's answer is described by :class:`OrderResponseData`; :func:`check` applies the rules of
the standard that can be known before building, :func:`build_order_response` writes the UBL, and
:func:`psb_request` the body of the PSB's ``POST /api/v1/{partyId}/salesOrder/{documentId}/response``.

How the answer travels to the PSB (one choice, made here and in ``PsbClient.send_order_response``):
the PSB's documented JSON model carries only ``status`` (AB/AP/CA/RE) and ``note``; it has no lines.
The addon therefore sends that JSON, with a CA's line changes spelled out in the note in plain
words, and keeps the full UBL Order Response it built (valid against the Peppol BIS rules) on the
sale order as the record of the answer. Newer eConnect pages say the same path also takes the UBL
as ``application/xml``; once confirmed on acceptance, ``PsbClient.send_order_response(xml=...)``
sends the UBL instead, and nothing else changes.
"""
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from lxml import etree

NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_ROOT = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"

PROFILES = {
    "ordering": ("urn:fdc:peppol.eu:poacc:trns:order_response:3", "urn:fdc:peppol.eu:poacc:bis:ordering:3"),
    "advanced_ordering": ("urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3",
                          "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3"),
}
DOCUMENT_TYPE_IDS = {
    "ordering": "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2::OrderResponse"
                "##urn:fdc:peppol.eu:poacc:trns:order_response:3::2.1",
    "advanced_ordering": "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2::OrderResponse"
                         "##urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3::2.3",
}
CODES = ("AB", "AP", "CA", "RE")
LINE_STATUSES = {"1": "added", "3": "changed", "5": "accepted", "7": "rejected", "42": "already delivered"}
NOTE_LIMIT = 1000


class ResponseError(ValueError):
    """The answer would break a rule of the standard; the message says which, for a person."""


@dataclass
class ResponseParty:
    endpoint_id: str
    endpoint_scheme: str
    registration_name: str = None
    identifier: str = None
    identifier_scheme: str = None


@dataclass
class ResponseItem:
    name: str
    sellers_item_id: str = None
    buyers_item_id: str = None
    standard_item_id: str = None
    standard_item_scheme: str = "0160"


@dataclass
class ResponseLine:
    line_id: str
    status_code: str
    order_line_id: str
    item: ResponseItem
    quantity: Decimal = None
    unit_code: str = None
    max_backorder_quantity: Decimal = None
    price: Decimal = None
    base_quantity: Decimal = None
    promised_start: date = None
    promised_end: date = None
    substitute: ResponseItem = None
    substitute_line_id: str = None
    note: str = None

    @property
    def changes_something(self):
        return any(v is not None for v in (self.quantity, self.max_backorder_quantity, self.price,
                                           self.promised_start, self.promised_end, self.substitute))


@dataclass
class OrderResponseData:
    code: str
    response_id: str
    issue_date: date
    profile: str
    order_id: str
    currency: str
    seller: ResponseParty
    buyer: ResponseParty
    issue_time: time = None
    sales_order_id: str = None
    note: str = None
    customer_reference: str = None
    order_change_id: str = None
    promised_start: date = None
    promised_end: date = None
    lines: list = field(default_factory=list)


def document_type_id(profile):
    return DOCUMENT_TYPE_IDS[profile]


def check(data):
    """Raise ResponseError when ``data`` breaks a rule of Peppol BIS (Advanced) Ordering."""
    if data.profile == "order_only":
        raise ResponseError("An Order Only order gets no Order Response.")
    if data.profile not in PROFILES:
        raise ResponseError(f"Unknown Peppol profile {data.profile!r}: only ordering and advanced ordering "
                            "orders are answered.")
    if data.code not in CODES:
        raise ResponseError(f"Order Response code {data.code!r} is not one of AB, AP, CA, RE.")
    for label, value in (("response id", data.response_id), ("order id", data.order_id),
                         ("currency", data.currency), ("seller Peppol id", data.seller and data.seller.endpoint_id),
                         ("buyer Peppol id", data.buyer and data.buyer.endpoint_id)):
        if not value:
            raise ResponseError(f"The answer needs the {label}.")
    for party, label in ((data.seller, "seller"), (data.buyer, "buyer")):
        if not party.endpoint_scheme:
            raise ResponseError(f"The {label}'s Peppol id has no scheme (e.g. 0106:12345678).")
        if not (party.registration_name or party.identifier):
            raise ResponseError(f"The {label} needs a registration name or an identifier.")
    if data.order_change_id and data.profile != "advanced_ordering":
        raise ResponseError("Only Advanced Ordering answers refer to an Order Change or Cancellation.")
    if data.code in ("AB", "AP", "RE") and data.lines:
        raise ResponseError(f"A {data.code} answer carries no lines; use CA to change lines.")
    if data.code == "CA" and not data.lines:
        raise ResponseError("An acceptance with changes (CA) lists every order line with its status.")
    _check_period(data.promised_start, data.promised_end, "the promised delivery")
    seen = set()
    for line in data.lines:
        where = f"response line {line.line_id} (order line {line.order_line_id})"
        if line.status_code not in LINE_STATUSES:
            raise ResponseError(f"Line status {line.status_code!r} of {where} is not one of 1, 3, 5, 7, 42.")
        if line.line_id in seen:
            raise ResponseError(f"Two response lines have the id {line.line_id}.")
        seen.add(line.line_id)
        if not line.order_line_id:
            raise ResponseError(f"{where} does not refer to an order line.")
        if not (line.item and line.item.name):
            raise ResponseError(f"{where} needs the item name.")
        if line.status_code == "3" and not line.changes_something and not line.note:
            # (the official sc1 example marks a line changed for an added item id, explained in its note)
            raise ResponseError(f"{where} is marked changed but changes nothing and says nothing.")
        if line.quantity is not None and (line.quantity < 0 or not line.unit_code):
            raise ResponseError(f"The quantity of {where} must be positive and have a unit code.")
        if line.price is not None and line.price < 0:
            raise ResponseError(f"The price of {where} cannot be negative.")
        _check_period(line.promised_start, line.promised_end, where)


def _check_period(start, end, where):
    if start and end and end < start:
        raise ResponseError(f"The end of {where} is before its start.")


def _amount(value, max_decimals):
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-max_decimals)).normalize()
    text = format(value, "f")
    return text


def _quantity(value):
    value = Decimal(str(value)).normalize()
    return format(value, "f")


class _Builder:
    def __init__(self):
        self.cac = lambda parent, tag: etree.SubElement(parent, f"{{{NS_CAC}}}{tag}")

    @staticmethod
    def cbc(parent, tag, text, **attrs):
        if text is None or str(text).strip() == "":
            return None
        element = etree.SubElement(parent, f"{{{NS_CBC}}}{tag}", {k: v for k, v in attrs.items() if v})
        element.text = str(text)
        return element

    def party(self, parent, tag, party):
        wrapper = self.cac(self.cac(parent, tag), "Party")
        self.cbc(wrapper, "EndpointID", party.endpoint_id, schemeID=party.endpoint_scheme)
        if party.identifier:
            self.cbc(self.cac(wrapper, "PartyIdentification"), "ID", party.identifier,
                     schemeID=party.identifier_scheme)
        if party.registration_name:
            self.cbc(self.cac(wrapper, "PartyLegalEntity"), "RegistrationName", party.registration_name)

    def period(self, parent, start, end):
        if not (start or end):
            return
        period = self.cac(self.cac(parent, "Delivery"), "PromisedDeliveryPeriod")
        self.cbc(period, "StartDate", start.isoformat() if start else None)
        self.cbc(period, "EndDate", end.isoformat() if end else None)

    def item(self, parent, item):
        element = self.cac(parent, "Item")
        self.cbc(element, "Name", item.name)
        if item.buyers_item_id:
            self.cbc(self.cac(element, "BuyersItemIdentification"), "ID", item.buyers_item_id)
        if item.sellers_item_id:
            self.cbc(self.cac(element, "SellersItemIdentification"), "ID", item.sellers_item_id)
        if item.standard_item_id:
            self.cbc(self.cac(element, "StandardItemIdentification"), "ID", item.standard_item_id,
                     schemeID=item.standard_item_scheme)

    def line(self, root, line, data):
        order_line = self.cac(root, "OrderLine")
        item = self.cac(order_line, "LineItem")
        self.cbc(item, "ID", line.line_id)
        self.cbc(item, "Note", line.note)
        self.cbc(item, "LineStatusCode", line.status_code)
        if line.quantity is not None:
            self.cbc(item, "Quantity", _quantity(line.quantity), unitCode=line.unit_code)
        if line.max_backorder_quantity is not None:
            self.cbc(item, "MaximumBackorderQuantity", _quantity(line.max_backorder_quantity),
                     unitCode=line.unit_code)
        self.period(item, line.promised_start, line.promised_end)
        if line.price is not None:
            price = self.cac(item, "Price")
            self.cbc(price, "PriceAmount", _amount(line.price, 4), currencyID=data.currency)
            if line.base_quantity is not None:
                self.cbc(price, "BaseQuantity", _quantity(line.base_quantity), unitCode=line.unit_code)
        self.item(item, line.item)
        if line.substitute:
            substituted = self.cac(order_line, "SellerSubstitutedLineItem")
            self.cbc(substituted, "ID", line.substitute_line_id or line.line_id)
            self.item(substituted, line.substitute)
        self.cbc(self.cac(order_line, "OrderLineReference"), "LineID", line.order_line_id)


def build_order_response(data):
    """The UBL Order Response (bytes, UTF-8), checked with :func:`check` first."""
    check(data)
    customization, profile = PROFILES[data.profile]
    b = _Builder()
    root = etree.Element(f"{{{NS_ROOT}}}OrderResponse", nsmap={None: NS_ROOT, "cac": NS_CAC, "cbc": NS_CBC})
    b.cbc(root, "CustomizationID", customization)
    b.cbc(root, "ProfileID", profile)
    b.cbc(root, "ID", data.response_id)
    b.cbc(root, "SalesOrderID", data.sales_order_id)
    b.cbc(root, "IssueDate", data.issue_date.isoformat())
    b.cbc(root, "IssueTime", data.issue_time.strftime("%H:%M:%S") if data.issue_time else None)
    b.cbc(root, "OrderResponseCode", data.code)
    b.cbc(root, "Note", data.note)
    b.cbc(root, "DocumentCurrencyCode", data.currency)
    b.cbc(root, "CustomerReference", data.customer_reference)
    b.cbc(b.cac(root, "OrderReference"), "ID", data.order_id)
    if data.order_change_id:
        b.cbc(b.cac(root, "OrderChangeDocumentReference"), "ID", data.order_change_id)
    b.party(root, "SellerSupplierParty", data.seller)
    b.party(root, "BuyerCustomerParty", data.buyer)
    b.period(root, data.promised_start, data.promised_end)
    for line in data.lines:
        b.line(root, line, data)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _describe(line):
    parts = []
    if line.status_code == "7":
        parts.append("rejected")
    elif line.status_code == "42":
        parts.append("already delivered")
    elif line.status_code == "1":
        parts.append(f"added: {line.item.name}")
    if line.status_code in ("1", "3"):
        if line.quantity is not None:
            parts.append(f"quantity {_quantity(line.quantity)} {line.unit_code or ''}".rstrip())
        if line.price is not None:
            parts.append(f"price {_amount(line.price, 4)}")
        if line.promised_start or line.promised_end:
            parts.append(f"delivery {(line.promised_start or line.promised_end).isoformat()}")
        if line.substitute:
            parts.append(f"replaced by {line.substitute.name}")
    if line.max_backorder_quantity is not None:
        parts.append(f"{_quantity(line.max_backorder_quantity)} more later")
    text = f"line {line.order_line_id}: " + ", ".join(parts)
    return f"{text} ({line.note})" if line.note else text


def psb_request(data):
    """The JSON body for the PSB. A CA's line changes are spelled out in the note (the JSON has no lines)."""
    body = {"status": data.code}
    note = (data.note or "").strip()
    if data.code == "CA":
        changes = [_describe(line) for line in data.lines if line.status_code != "5"]
        if changes:
            note = (note + "\n" if note else "") + "; ".join(changes)
    if note:
        body["note"] = note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1] + "…"
    return body
