"""Plain data read from Peppol BIS 3 ordering documents, and the errors of reading them.

Everything here is a plain dataclass: amounts and quantities are
:class:`~decimal.Decimal`, dates :class:`~datetime.date`, times naive
:class:`~datetime.time`; an absent value is ``None`` and an absent repetition an empty
list. Nothing is Odoo-specific.
"""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from ..exceptions import ExplainedError

UBL_NS_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"

# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class UblError(ExplainedError, ValueError):
    """A document could not be read. ``message`` is written for the person who handles
    it (in English); ``error_code`` names the error stably and ``params`` holds its
    values, so that Odoo can show the message in the reader's language
    (``models/psb_messages.py``)."""


class XmlSecurityError(UblError):
    """The document uses XML features a Peppol document never has (DTD, entities,
    XInclude) or exceeds the parser's safety limits; it was refused without being
    processed."""


class MalformedXmlError(UblError):
    """The document is empty, too large, or not well-formed XML."""


class UnsupportedDocumentError(UblError):
    """Well-formed XML, but not a Peppol BIS 3 Order, Order Change or Order
    Cancellation."""


class InvalidDocumentError(UblError):
    """A Peppol ordering document that lacks mandatory content or holds unreadable
    values."""


# --------------------------------------------------------------------------------------
# Transactions and profiles (peppol-ordering.md §1.1 and §1.2)
# --------------------------------------------------------------------------------------

#: ``cbc:ProfileID`` -> short profile key.
PROFILES = {
    "urn:fdc:peppol.eu:poacc:bis:ordering:3": "ordering",
    "urn:fdc:peppol.eu:poacc:bis:advanced_ordering:3": "advanced_ordering",
    "urn:fdc:peppol.eu:poacc:bis:order_only:3": "order_only",
}


@dataclass(frozen=True)
class Transaction:
    """One Peppol transaction this package reads."""

    kind: str  # 'order' | 'order_change' | 'order_cancellation'
    label: str  # human name, used in messages
    root_tag: str  # Clark notation of the UBL root element
    customization_id: (
        str  # base cbc:CustomizationID (matched as a prefix, see reader.classify)
    )
    ubl_version: str  # the XSD version, last part of the document type identifier
    profiles: frozenset  # allowed profile keys (values of PROFILES)

    @property
    def root_name(self) -> str:
        return self.root_tag.rpartition("}")[2]

    @property
    def root_namespace(self) -> str:
        return self.root_tag[1:].partition("}")[0]


TRANSACTIONS = {
    t.kind: t
    for t in (
        Transaction(
            "order",
            "Order",
            f"{{{UBL_NS_PREFIX}Order-2}}Order",
            "urn:fdc:peppol.eu:poacc:trns:order:3",
            "2.1",
            frozenset({"ordering", "advanced_ordering", "order_only"}),
        ),
        Transaction(
            "order_change",
            "Order Change",
            f"{{{UBL_NS_PREFIX}OrderChange-2}}OrderChange",
            "urn:fdc:peppol.eu:poacc:trns:order_change:3",
            "2.3",
            frozenset({"advanced_ordering"}),
        ),
        Transaction(
            "order_cancellation",
            "Order Cancellation",
            f"{{{UBL_NS_PREFIX}OrderCancellation-2}}OrderCancellation",
            "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3",
            "2.3",
            frozenset({"advanced_ordering"}),
        ),
    )
}

#: Line status codes an Order Change may carry (UNCL1229_CHANGE, 2026.5 code list).
ORDER_CHANGE_LINE_STATUSES = {
    "1": "added",
    "2": "deleted",
    "3": "changed",
    "4": "no action",
    "74": "reopened",
}


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


@dataclass
class Envelope:
    """What a Standard Business Document Header (SBDH) around the document says.

    Participant identifiers keep their scheme prefix (``0088:7300010000001``).
    """

    sender: str | None = None
    receiver: str | None = None
    document_type_id: str | None = None  # Scope DOCUMENTID
    process_id: str | None = None  # Scope PROCESSID
    instance_id: str | None = None  # DocumentIdentification/InstanceIdentifier
    created: str | None = None  # DocumentIdentification/CreationDateAndTime, as written


@dataclass
class Address:
    street: str | None = None
    additional_street: str | None = None
    city: str | None = None
    zip: str | None = None
    country_code: str | None = None
    subdivision: str | None = None
    lines: list[str] = field(default_factory=list)


@dataclass
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class Party:
    endpoint_id: str | None = None
    endpoint_scheme: str | None = None
    identifiers: list[tuple[str, str | None]] = field(
        default_factory=list
    )  # [(id, schemeID)]
    name: str | None = None  # PartyName/Name (trading name)
    registration_name: str | None = None  # PartyLegalEntity/RegistrationName
    company_id: str | None = None  # PartyLegalEntity/CompanyID
    company_id_scheme: str | None = None
    vat: str | None = None  # PartyTaxScheme/CompanyID
    address: Address | None = None  # PostalAddress
    contact: Contact | None = None

    @property
    def display_name(self) -> str | None:
        """The trading name, else the legal name."""
        return self.name or self.registration_name

    @property
    def gln(self) -> str | None:
        """The first GLN (scheme 0088) among identifiers, legal company id and
        endpoint."""
        candidates = [
            *self.identifiers,
            (self.company_id, self.company_id_scheme),
            (self.endpoint_id, self.endpoint_scheme),
        ]
        return next(
            (value for value, scheme in candidates if value and scheme == "0088"), None
        )


@dataclass
class Delivery:
    location_id: str | None = None  # DeliveryLocation/ID (often a GLN)
    location_scheme: str | None = None
    location_name: str | None = None  # DeliveryLocation/Name
    address: Address | None = None  # DeliveryLocation/Address
    party_name: str | None = None  # DeliveryParty/PartyName/Name
    contact: Contact | None = None  # DeliveryParty/Contact
    requested_start: date | None = None  # RequestedDeliveryPeriod/StartDate
    requested_end: date | None = None  # RequestedDeliveryPeriod/EndDate


@dataclass
class AllowanceCharge:
    is_charge: bool  # ChargeIndicator: True = charge, False = allowance
    amount: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    percent: Decimal | None = None  # MultiplierFactorNumeric
    base_amount: Decimal | None = None
    tax_category: str | None = None  # TaxCategory/ID (document level)
    tax_percent: Decimal | None = None  # TaxCategory/Percent


@dataclass
class Attachment:
    """An AdditionalDocumentReference: embedded (``content``) and/or external
    (``uri``)."""

    id: str | None = None
    description: str | None = None  # DocumentType (Peppol's "document description")
    filename: str | None = None
    mime_code: str | None = None
    content: bytes | None = None  # decoded EmbeddedDocumentBinaryObject
    uri: str | None = None  # ExternalReference/URI


@dataclass
class OrderLine:
    line_id: str  # LineItem/ID: the key for responses and changes
    status_code: str | None = None  # LineStatusCode (Order Change only)
    quantity: Decimal | None = None
    unit_code: str | None = None  # Quantity/@unitCode (UN/ECE rec. 20/21)
    line_amount: Decimal | None = None  # LineExtensionAmount
    price: Decimal | None = None  # net Price/PriceAmount, for base_quantity units
    base_quantity: Decimal | None = None
    base_quantity_unit: str | None = None
    gross_price: Decimal | None = (
        None  # Price/AllowanceCharge/BaseAmount (price before its discount)
    )
    price_discount: Decimal | None = None  # Price/AllowanceCharge/Amount
    name: str | None = None
    description: str | None = None
    sellers_item_id: str | None = None
    buyers_item_id: str | None = None
    standard_item_id: str | None = None  # usually a GTIN (scheme 0160)
    standard_item_scheme: str | None = None
    manufacturers_item_id: str | None = None
    classifications: list[tuple[str, str | None]] = field(
        default_factory=list
    )  # [(code, listID)]
    tax_category: str | None = None
    tax_percent: Decimal | None = None
    note: str | None = None
    accounting_cost: str | None = None
    partial_delivery: bool | None = None
    requested_start: date | None = None  # line Delivery/RequestedDeliveryPeriod
    requested_end: date | None = None
    delivery_location_id: str | None = (
        None  # line Delivery/ID or Delivery/DeliveryLocation/ID
    )
    delivery_address: Address | None = (
        None  # line Delivery/DeliveryLocation/Address (2025.11)
    )
    allowance_charges: list[AllowanceCharge] = field(default_factory=list)
    properties: list[tuple[str | None, str | None]] = field(
        default_factory=list
    )  # [(name, value)]
    quotation_line_ref: str | None = None  # QuotationLineReference/LineID (2026.5)

    @property
    def unit_price(self) -> Decimal | None:
        """Net price of one ``unit_code``: PriceAmount / BaseQuantity (PriceAmount when
        no base)."""
        if self.price is None:
            return None
        if self.base_quantity:
            return self.price / self.base_quantity
        return self.price


@dataclass
class OrderDocument:
    kind: str  # 'order' | 'order_change' | 'order_cancellation'
    customization_id: str
    profile_id: str
    profile: str  # 'ordering' | 'advanced_ordering' | 'order_only'
    id: str
    issue_date: date | None = None
    issue_time: time | None = None
    order_type_code: str | None = None
    sales_order_id: str | None = (
        None  # SalesOrderID: the seller's order number, if known
    )
    notes: list[str] = field(default_factory=list)
    currency: str | None = None
    customer_reference: str | None = None
    accounting_cost: str | None = None
    validity_end: date | None = None
    order_reference_id: str | None = None  # OrderReference/ID (change, cancellation)
    sequence_number: int | None = None  # SequenceNumberID (change)
    cancellation_note: str | None = None  # CancellationNote (cancellation)
    quotation_reference: str | None = None
    contract_reference: str | None = None
    project_reference: str | None = None
    originator_document_reference: str | None = None
    order_document_reference: str | None = None
    catalogue_reference: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    buyer: Party | None = None
    seller: Party | None = None
    invoicee: Party | None = None  # AccountingCustomerParty
    originator: Party | None = None  # OriginatorCustomerParty
    delivery: Delivery | None = None
    delivery_terms: str | None = None  # "ID (location): special terms"
    payment_terms_note: str | None = None
    allowance_charges: list[AllowanceCharge] = field(default_factory=list)
    tax_amount: Decimal | None = None
    line_extension_amount: Decimal | None = None
    tax_exclusive_amount: Decimal | None = None
    tax_inclusive_amount: Decimal | None = None
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    payable_amount: Decimal | None = None
    prepaid_amount: Decimal | None = None
    payable_rounding_amount: Decimal | None = None
    lines: list[OrderLine] = field(default_factory=list)
    envelope: Envelope | None = None  # the SBDH, when the document came wrapped in one

    @property
    def transaction(self) -> Transaction:
        return TRANSACTIONS[self.kind]

    @property
    def document_type_id(self) -> str:
        """The Peppol document type identifier (busdox-docid-qns) of this document.

        Built from the document's own CustomizationID, so a national restriction such as
        the Italian NSO order keeps its own identifier (peppol-ordering.md §1.2).
        """
        trn = self.transaction
        document = f"{trn.root_namespace}::{trn.root_name}"
        return f"{document}##{self.customization_id}::{trn.ubl_version}"

    @property
    def requested_start(self) -> date | None:
        return self.delivery.requested_start if self.delivery else None

    @property
    def requested_end(self) -> date | None:
        return self.delivery.requested_end if self.delivery else None
