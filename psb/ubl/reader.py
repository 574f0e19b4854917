"""Read Peppol BIS 3 Order (T01), Order Change (T114) and Order Cancellation (T115) documents.

``read_document(bytes)`` parses safely, routes by root element, CustomizationID and ProfileID,
and returns an :class:`~.model.OrderDocument`. Anything else raises a :class:`~.model.UblError`
subclass whose message says what the document is and why it was refused. The work is linear in
the number of lines (one pass over each line element).
"""
import base64
import binascii
from datetime import date, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from ..xmlsafe import parse_xml
from .model import (
    PROFILES,
    Address,
    AllowanceCharge,
    Attachment,
    Contact,
    Delivery,
    InvalidDocumentError,
    OrderDocument,
    OrderLine,
    Party,
    UnsupportedDocumentError,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# kind -> (root element, CustomizationID, allowed profiles)
TRANSACTIONS = {
    "order": ("{urn:oasis:names:specification:ubl:schema:xsd:Order-2}Order",
              "urn:fdc:peppol.eu:poacc:trns:order:3", {"ordering", "advanced_ordering", "order_only"}),
    "order_change": ("{urn:oasis:names:specification:ubl:schema:xsd:OrderChange-2}OrderChange",
                     "urn:fdc:peppol.eu:poacc:trns:order_change:3", {"advanced_ordering"}),
    "order_cancellation": ("{urn:oasis:names:specification:ubl:schema:xsd:OrderCancellation-2}OrderCancellation",
                           "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3", {"advanced_ordering"}),
}
LABELS = {"order": "Order", "order_change": "Order Change", "order_cancellation": "Order Cancellation"}


def _customization_matches(value, base):
    """Peppol's rules test CustomizationID with starts-with; a national restriction may follow after ':'."""
    return value == base or value.startswith(base + ":")


def _local(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def classify(root):
    """Return ``(kind, profile)`` of a parsed document, or raise UnsupportedDocumentError."""
    local = _local(root.tag)
    customization = (root.findtext("cbc:CustomizationID", namespaces=NS) or "").strip()
    profile_id = (root.findtext("cbc:ProfileID", namespaces=NS) or "").strip()
    if local in ("Invoice", "CreditNote"):
        raise UnsupportedDocumentError(
            f"This is an {local} (CustomizationID {customization or 'none'}), not a purchase order: "
            "invoices are not handled by sales.")
    if local == "OrderResponse":
        raise UnsupportedDocumentError("This is an Order Response, which a supplier sends, not an order.")
    if customization.startswith("urn:www.cenbii.eu:"):
        raise UnsupportedDocumentError(
            f"This {local} follows the old Peppol BIS 2 ({customization}), which is no longer supported: "
            "ask the customer to send Peppol BIS 3 (urn:fdc:peppol.eu:poacc:trns:order:3).")
    for kind, (root_tag, base, profiles) in TRANSACTIONS.items():
        if not _customization_matches(customization, base):
            continue
        if ":extended:" in customization:
            raise UnsupportedDocumentError(
                f"This {LABELS[kind]} uses an extended national profile ({customization}) "
                "that this addon does not read.")
        if root.tag != root_tag:
            raise UnsupportedDocumentError(
                f"The document's root element {local} does not match its CustomizationID {customization}.")
        profile = PROFILES.get(profile_id)
        if profile not in profiles:
            raise UnsupportedDocumentError(
                f"The {LABELS[kind]} has ProfileID {profile_id or 'none'}, which Peppol does not allow for it "
                f"(allowed: {', '.join(sorted(profiles))}).")
        return kind, profile
    if not customization:
        raise UnsupportedDocumentError(f"The {local or 'document'} has no CustomizationID: it is not a Peppol document.")
    raise UnsupportedDocumentError(
        f"This {local} ({customization}) is not a Peppol BIS 3 Order, Order Change or Order Cancellation.")


class _Reader:
    """Namespace-aware, typed access to one element."""

    def __init__(self, kind):
        self.kind = kind

    @staticmethod
    def text(node, path):
        if node is None:
            return None
        value = node.findtext(path, namespaces=NS)
        if value is None:
            return None
        value = " ".join(value.split())
        return value or None

    def _typed(self, node, path, convert, what):
        value = self.text(node, path)
        if value is None:
            return None
        try:
            return convert(value)
        except (ValueError, InvalidOperation):
            raise InvalidDocumentError(f"{path} has the value {value!r}, which is not {what}.") from None

    @staticmethod
    def _finite_decimal(value):
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(value)
        return number

    def decimal(self, node, path):
        return self._typed(node, path, self._finite_decimal, "a number")

    def date(self, node, path):
        return self._typed(node, path, lambda v: date.fromisoformat(v[:10]), "a date (YYYY-MM-DD)")

    def time(self, node, path):
        return self._typed(node, path, lambda v: time.fromisoformat(v[:8]), "a time")

    @staticmethod
    def attr(node, path, name):
        if node is None:
            return None
        element = node.find(path, namespaces=NS)
        return element.get(name) if element is not None else None

    def address(self, node):
        if node is None:
            return None
        return Address(
            street=self.text(node, "cbc:StreetName"),
            additional_street=self.text(node, "cbc:AdditionalStreetName"),
            city=self.text(node, "cbc:CityName"),
            zip=self.text(node, "cbc:PostalZone"),
            country_code=self.text(node, "cac:Country/cbc:IdentificationCode"),
            subdivision=self.text(node, "cbc:CountrySubentity"),
            lines=[" ".join(line.text.split()) for line in node.iterfind("cac:AddressLine/cbc:Line", NS)
                   if line.text and line.text.strip()],
        )

    def contact(self, node):
        if node is None:
            return None
        contact = Contact(self.text(node, "cbc:Name"), self.text(node, "cbc:Telephone"),
                          self.text(node, "cbc:ElectronicMail"))
        return contact if any((contact.name, contact.phone, contact.email)) else None

    def party(self, node):
        if node is None:
            return None
        identifiers = [(" ".join(el.text.split()), el.get("schemeID"))
                       for el in node.iterfind("cac:PartyIdentification/cbc:ID", NS) if el.text and el.text.strip()]
        party = Party(
            endpoint_id=self.text(node, "cbc:EndpointID"),
            endpoint_scheme=self.attr(node, "cbc:EndpointID", "schemeID"),
            identifiers=identifiers,
            name=self.text(node, "cac:PartyName/cbc:Name"),
            registration_name=self.text(node, "cac:PartyLegalEntity/cbc:RegistrationName"),
            company_id=self.text(node, "cac:PartyLegalEntity/cbc:CompanyID"),
            company_id_scheme=self.attr(node, "cac:PartyLegalEntity/cbc:CompanyID", "schemeID"),
            vat=self.text(node, "cac:PartyTaxScheme/cbc:CompanyID"),
            address=self.address(node.find("cac:PostalAddress", NS)),
            contact=self.contact(node.find("cac:Contact", NS)),
        )
        return party

    def allowance_charges(self, node):
        result = []
        for el in node.iterfind("cac:AllowanceCharge", NS):
            result.append(AllowanceCharge(
                is_charge=(self.text(el, "cbc:ChargeIndicator") or "").lower() == "true",
                amount=self.decimal(el, "cbc:Amount"),
                reason=self.text(el, "cbc:AllowanceChargeReason"),
                reason_code=self.text(el, "cbc:AllowanceChargeReasonCode"),
                percent=self.decimal(el, "cbc:MultiplierFactorNumeric"),
                base_amount=self.decimal(el, "cbc:BaseAmount"),
            ))
        return result

    def delivery(self, node):
        if node is None:
            return None
        location = node.find("cac:DeliveryLocation", NS)
        party = node.find("cac:DeliveryParty", NS)
        address = self.address(location.find("cac:Address", NS)) if location is not None else None
        return Delivery(
            location_id=self.text(location, "cbc:ID"),
            location_scheme=self.attr(location, "cbc:ID", "schemeID"),
            address=address,
            party_name=self.text(party, "cac:PartyName/cbc:Name"),
            contact=self.contact(party.find("cac:Contact", NS)) if party is not None else None,
            requested_start=self.date(node, "cac:RequestedDeliveryPeriod/cbc:StartDate"),
            requested_end=self.date(node, "cac:RequestedDeliveryPeriod/cbc:EndDate"),
        )

    def attachments(self, root):
        result = []
        for ref in root.iterfind("cac:AdditionalDocumentReference", NS):
            binary = ref.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)
            content = None
            if binary is not None and binary.text:
                if len(binary.text) > MAX_ATTACHMENT_BYTES * 4 // 3 + 4:
                    raise InvalidDocumentError("An embedded attachment is larger than 10 MiB.")
                try:
                    content = base64.b64decode("".join(binary.text.split()), validate=True)
                except (binascii.Error, ValueError):
                    raise InvalidDocumentError("An embedded attachment is not valid base64.") from None
            result.append(Attachment(
                id=self.text(ref, "cbc:ID"),
                description=self.text(ref, "cbc:DocumentDescription"),
                filename=binary.get("filename") if binary is not None else None,
                mime_code=binary.get("mimeCode") if binary is not None else None,
                content=content,
                uri=self.text(ref, "cac:Attachment/cac:ExternalReference/cbc:URI"),
            ))
        return result

    def line(self, order_line, position):
        item = order_line.find("cac:LineItem", NS)
        if item is None:
            raise InvalidDocumentError(f"Order line {position} has no LineItem.")
        line_id = self.text(item, "cbc:ID")
        if not line_id:
            raise InvalidDocumentError(f"Order line {position} has no LineItem/ID.")
        quantity = self.decimal(item, "cbc:Quantity")
        unit_code = self.attr(item, "cbc:Quantity", "unitCode")
        if quantity is not None and not unit_code:
            raise InvalidDocumentError(f"The quantity of line {line_id} has no unitCode.")
        price_node = item.find("cac:Price", NS)
        article = item.find("cac:Item", NS)
        delivery = item.find("cac:Delivery", NS)
        tax = article.find("cac:ClassifiedTaxCategory", NS) if article is not None else None
        partial = self.text(item, "cbc:PartialDeliveryIndicator")
        location = delivery.find("cac:DeliveryLocation", NS) if delivery is not None else None
        return OrderLine(
            line_id=line_id,
            status_code=self.text(item, "cbc:LineStatusCode"),
            quantity=quantity,
            unit_code=unit_code,
            line_amount=self.decimal(item, "cbc:LineExtensionAmount"),
            price=self.decimal(price_node, "cbc:PriceAmount"),
            base_quantity=self.decimal(price_node, "cbc:BaseQuantity"),
            base_quantity_unit=self.attr(price_node, "cbc:BaseQuantity", "unitCode"),
            name=self.text(article, "cbc:Name"),
            description=self.text(article, "cbc:Description"),
            sellers_item_id=self.text(article, "cac:SellersItemIdentification/cbc:ID"),
            buyers_item_id=self.text(article, "cac:BuyersItemIdentification/cbc:ID"),
            standard_item_id=self.text(article, "cac:StandardItemIdentification/cbc:ID"),
            standard_item_scheme=self.attr(article, "cac:StandardItemIdentification/cbc:ID", "schemeID"),
            manufacturers_item_id=self.text(article, "cac:ManufacturersItemIdentification/cbc:ID"),
            classifications=[(" ".join(el.text.split()), el.get("listID")) for el in (
                article.iterfind("cac:CommodityClassification/cbc:ItemClassificationCode", NS)
                if article is not None else ()) if el.text and el.text.strip()],
            tax_category=self.text(tax, "cbc:ID"),
            tax_percent=self.decimal(tax, "cbc:Percent"),
            note=self.text(item, "cbc:Note"),
            accounting_cost=self.text(item, "cbc:AccountingCost"),
            partial_delivery=None if partial is None else partial.lower() == "true",
            requested_start=self.date(delivery, "cac:RequestedDeliveryPeriod/cbc:StartDate"),
            requested_end=self.date(delivery, "cac:RequestedDeliveryPeriod/cbc:EndDate"),
            delivery_location_id=self.text(location, "cbc:ID"),
            delivery_address=self.address(location.find("cac:Address", NS)) if location is not None else None,
            allowance_charges=self.allowance_charges(item),
            properties=[(self.text(el, "cbc:Name"), self.text(el, "cbc:Value")) for el in (
                article.iterfind("cac:AdditionalItemProperty", NS) if article is not None else ())],
            quotation_line_ref=self.text(order_line, "cac:QuotationLineReference/cbc:LineID"),
        )


def read_root(root):
    """Read an already parsed (and SBDH-unwrapped) document element."""
    kind, profile = classify(root)
    r = _Reader(kind)
    label = LABELS[kind]
    doc_id = r.text(root, "cbc:ID")
    if not doc_id:
        raise InvalidDocumentError(f"The {label} has no ID.")
    buyer = r.party(root.find("cac:BuyerCustomerParty/cac:Party", NS))
    if buyer is None or not (buyer.endpoint_id or buyer.display_name):
        raise InvalidDocumentError(f"The {label} {doc_id} has no buyer (BuyerCustomerParty).")
    sequence = r.text(root, "cbc:SequenceNumberID")
    try:
        sequence_number = int(sequence) if sequence is not None else None
    except ValueError:
        sequence_number = None
    totals = root.find("cac:AnticipatedMonetaryTotal", NS)
    document = OrderDocument(
        kind=kind,
        customization_id=r.text(root, "cbc:CustomizationID"),
        profile_id=r.text(root, "cbc:ProfileID"),
        profile=profile,
        id=doc_id,
        issue_date=r.date(root, "cbc:IssueDate"),
        issue_time=r.time(root, "cbc:IssueTime"),
        order_type_code=r.text(root, "cbc:OrderTypeCode"),
        notes=[" ".join(el.text.split()) for el in root.iterfind("cbc:Note", NS) if el.text and el.text.strip()],
        currency=r.text(root, "cbc:DocumentCurrencyCode"),
        customer_reference=r.text(root, "cbc:CustomerReference"),
        accounting_cost=r.text(root, "cbc:AccountingCost"),
        validity_end=r.date(root, "cac:ValidityPeriod/cbc:EndDate"),
        order_reference_id=r.text(root, "cac:OrderReference/cbc:ID"),
        sequence_number=sequence_number,
        cancellation_note=r.text(root, "cbc:CancellationNote"),
        quotation_reference=r.text(root, "cac:QuotationDocumentReference/cbc:ID"),
        contract_reference=r.text(root, "cac:Contract/cbc:ID"),
        project_reference=r.text(root, "cac:ProjectReference/cbc:ID"),
        originator_document_reference=r.text(root, "cac:OriginatorDocumentReference/cbc:ID"),
        order_document_reference=r.text(root, "cac:OrderDocumentReference/cbc:ID"),
        catalogue_reference=r.text(root, "cac:CatalogueReference/cbc:ID"),
        attachments=r.attachments(root),
        buyer=buyer,
        seller=r.party(root.find("cac:SellerSupplierParty/cac:Party", NS)),
        invoicee=r.party(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
        originator=r.party(root.find("cac:OriginatorCustomerParty/cac:Party", NS)),
        delivery=r.delivery(root.find("cac:Delivery", NS)),
        delivery_terms=" ".join(filter(None, [r.text(root, "cac:DeliveryTerms/cbc:ID"),
                                              r.text(root, "cac:DeliveryTerms/cbc:SpecialTerms")])) or None,
        payment_terms_note=r.text(root, "cac:PaymentTerms/cbc:Note"),
        allowance_charges=r.allowance_charges(root),
        tax_amount=r.decimal(root, "cac:TaxTotal/cbc:TaxAmount"),
        line_extension_amount=r.decimal(totals, "cbc:LineExtensionAmount"),
        tax_exclusive_amount=r.decimal(totals, "cbc:TaxExclusiveAmount"),
        tax_inclusive_amount=r.decimal(totals, "cbc:TaxInclusiveAmount"),
        allowance_total=r.decimal(totals, "cbc:AllowanceTotalAmount"),
        charge_total=r.decimal(totals, "cbc:ChargeTotalAmount"),
        payable_amount=r.decimal(totals, "cbc:PayableAmount"),
    )
    if kind in ("order_change", "order_cancellation") and not document.order_reference_id:
        raise InvalidDocumentError(f"The {label} {doc_id} does not say which order it refers to (OrderReference).")
    if kind == "order_cancellation":
        return document
    document.lines = [r.line(el, position) for position, el in enumerate(root.iterfind("cac:OrderLine", NS), 1)]
    if not document.lines:
        raise InvalidDocumentError(f"The {label} {doc_id} has no order line.")
    seen = set()
    for line in document.lines:
        if line.line_id in seen:
            raise InvalidDocumentError(f"The {label} {doc_id} has two lines with the id {line.line_id}.")
        seen.add(line.line_id)
    return document


def read_document(data):
    """Parse ``data`` (bytes) safely and read it. Raises only :class:`~.model.UblError` subclasses."""
    return read_root(parse_xml(data))
