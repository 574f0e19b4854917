"""Plain data read from Peppol ordering documents, and the errors of reading them."""
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

PROFILES = {
    "urn:fdc:peppol.eu:poacc:bis:ordering:3": "ordering",
    "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3": "advanced_ordering",
    "urn:fdc:peppol.eu:poacc:bis:order_only:3": "order_only",
}
DOCUMENT_TYPE_IDS = {
    "order": "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order"
             "##urn:fdc:peppol.eu:poacc:trns:order:3::2.1",
    "order_change": "urn:oasis:names:specification:ubl:schema:xsd:OrderChange-2::OrderChange"
                    "##urn:fdc:peppol.eu:poacc:trns:order_change:3::2.3",
    "order_cancellation": "urn:oasis:names:specification:ubl:schema:xsd:OrderCancellation-2::OrderCancellation"
                          "##urn:fdc:peppol.eu:poacc:trns:order_cancellation:3::2.3",
}


class UblError(ValueError):
    """A document could not be read. ``message`` is meant for the person who handles it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class XmlSecurityError(UblError):
    """The document uses XML features a Peppol document never has (DTD, entities, XInclude)."""


class MalformedXmlError(UblError):
    """Not well-formed XML, empty or too large."""


class UnsupportedDocumentError(UblError):
    """Well-formed, but not a Peppol BIS 3 Order, Order Change or Order Cancellation."""


class InvalidDocumentError(UblError):
    """A Peppol ordering document that lacks mandatory content or has unreadable values."""


@dataclass
class Address:
    street: str = None
    additional_street: str = None
    city: str = None
    zip: str = None
    country_code: str = None
    subdivision: str = None
    lines: list = field(default_factory=list)


@dataclass
class Contact:
    name: str = None
    phone: str = None
    email: str = None


@dataclass
class Party:
    endpoint_id: str = None
    endpoint_scheme: str = None
    identifiers: list = field(default_factory=list)   # [(id, scheme)]
    name: str = None
    registration_name: str = None
    company_id: str = None
    company_id_scheme: str = None
    vat: str = None
    address: Address = None
    contact: Contact = None

    @property
    def display_name(self):
        return self.registration_name or self.name or self.endpoint_id

    @property
    def gln(self):
        candidates = [*self.identifiers, (self.company_id, self.company_id_scheme),
                      (self.endpoint_id, self.endpoint_scheme)]
        return next((value for value, scheme in candidates if value and scheme == "0088"), None)


@dataclass
class Delivery:
    location_id: str = None
    location_scheme: str = None
    address: Address = None
    party_name: str = None
    contact: Contact = None
    requested_start: date = None
    requested_end: date = None


@dataclass
class AllowanceCharge:
    is_charge: bool
    amount: Decimal = None
    reason: str = None
    reason_code: str = None
    percent: Decimal = None
    base_amount: Decimal = None


@dataclass
class Attachment:
    id: str = None
    description: str = None
    filename: str = None
    mime_code: str = None
    content: bytes = None
    uri: str = None


@dataclass
class OrderLine:
    line_id: str
    status_code: str = None
    quantity: Decimal = None
    unit_code: str = None
    line_amount: Decimal = None
    price: Decimal = None
    base_quantity: Decimal = None
    base_quantity_unit: str = None
    name: str = None
    description: str = None
    sellers_item_id: str = None
    buyers_item_id: str = None
    standard_item_id: str = None
    standard_item_scheme: str = None
    manufacturers_item_id: str = None
    classifications: list = field(default_factory=list)
    tax_category: str = None
    tax_percent: Decimal = None
    note: str = None
    accounting_cost: str = None
    partial_delivery: bool = None
    requested_start: date = None
    requested_end: date = None
    delivery_location_id: str = None
    delivery_address: Address = None
    allowance_charges: list = field(default_factory=list)
    properties: list = field(default_factory=list)
    quotation_line_ref: str = None

    @property
    def unit_price(self):
        """Net price for one ``unit_code``: PriceAmount / BaseQuantity."""
        if self.price is None:
            return None
        if self.base_quantity:
            return self.price / self.base_quantity
        return self.price


@dataclass
class OrderDocument:
    kind: str
    customization_id: str
    profile_id: str
    profile: str
    id: str
    issue_date: date = None
    issue_time: time = None
    order_type_code: str = None
    notes: list = field(default_factory=list)
    currency: str = None
    customer_reference: str = None
    accounting_cost: str = None
    validity_end: date = None
    order_reference_id: str = None
    sequence_number: int = None
    cancellation_note: str = None
    quotation_reference: str = None
    contract_reference: str = None
    project_reference: str = None
    originator_document_reference: str = None
    order_document_reference: str = None
    catalogue_reference: str = None
    attachments: list = field(default_factory=list)
    buyer: Party = None
    seller: Party = None
    invoicee: Party = None
    originator: Party = None
    delivery: Delivery = None
    delivery_terms: str = None
    payment_terms_note: str = None
    allowance_charges: list = field(default_factory=list)
    tax_amount: Decimal = None
    line_extension_amount: Decimal = None
    tax_exclusive_amount: Decimal = None
    tax_inclusive_amount: Decimal = None
    allowance_total: Decimal = None
    charge_total: Decimal = None
    payable_amount: Decimal = None
    lines: list = field(default_factory=list)

    @property
    def document_type_id(self):
        return DOCUMENT_TYPE_IDS[self.kind]

    @property
    def requested_start(self):
        return self.delivery.requested_start if self.delivery else None

    @property
    def requested_end(self):
        return self.delivery.requested_end if self.delivery else None
