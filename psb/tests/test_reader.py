"""Reading Peppol ordering documents: the official examples value by value, routing,
invalid content, tolerance of missing optional content, a large order, and the unit
codes."""

import time
from datetime import date
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from psb.ubl import reader, units
from psb.ubl.model import (
    Address,
    AllowanceCharge,
    Contact,
    InvalidDocumentError,
    OrderDocument,
    UblError,
    UnsupportedDocumentError,
)
from psb.ubl.reader import classify, read_document
from psb.xmlsafe import parse_xml

UBL = "urn:oasis:names:specification:ubl:schema:xsd"

DATA = Path(__file__).parent / "data"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
D = Decimal


def example(peppol, relative):
    return read_document((peppol / "examples" / relative).read_bytes())


def data_file(name):
    return (DATA / name).read_bytes()


def variant(name, *replacements):
    """A data file with text replaced; each replacement must apply, so a test cannot go
    stale."""
    text = data_file(name).decode()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode()


def lines(doc):
    return [
        (line.line_id, line.quantity, line.unit_code, line.price) for line in doc.lines
    ]


# --------------------------------------------------------------------------------------
# Official examples (POACC v3.0.15)
# --------------------------------------------------------------------------------------


def test_every_official_order_and_snippet_reads_as_its_xml_says(peppol):
    """Checked against an independent lxml reading of each file."""
    files = sorted((peppol / "examples" / "order").rglob("*.xml"))
    assert len(files) >= 11
    for path in files:
        data = path.read_bytes()
        tree = etree.fromstring(data)
        doc = read_document(data)
        assert isinstance(doc, OrderDocument) and doc.kind == "order", path
        assert doc.id == tree.findtext("cbc:ID", namespaces=NS)
        assert doc.currency == tree.findtext("cbc:DocumentCurrencyCode", namespaces=NS)
        assert doc.issue_date.isoformat() == tree.findtext(
            "cbc:IssueDate", namespaces=NS
        )
        endpoint = tree.find("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", NS)
        assert (doc.buyer.endpoint_id, doc.buyer.endpoint_scheme) == (
            endpoint.text,
            endpoint.get("schemeID"),
        )
        endpoint = tree.find("cac:SellerSupplierParty/cac:Party/cbc:EndpointID", NS)
        assert (doc.seller.endpoint_id, doc.seller.endpoint_scheme) == (
            endpoint.text,
            endpoint.get("schemeID"),
        )
        items = tree.findall("cac:OrderLine/cac:LineItem", NS)
        assert [line.line_id for line in doc.lines] == [
            item.findtext("cbc:ID", namespaces=NS) for item in items
        ]
        for line, item in zip(doc.lines, items, strict=True):
            quantity = item.find("cbc:Quantity", NS)
            assert (line.quantity, line.unit_code) == (
                D(quantity.text),
                quantity.get("unitCode"),
            )
            assert line.name == item.findtext("cac:Item/cbc:Name", namespaces=NS)
            price = item.findtext("cac:Price/cbc:PriceAmount", namespaces=NS)
            assert line.price == (D(price) if price else None)
            assert line.sellers_item_id == item.findtext(
                "cac:Item/cac:SellersItemIdentification/cbc:ID", namespaces=NS
            )


def test_uc1_order(peppol):
    doc = example(peppol, "order/official/UC1_Order.xml")
    assert (doc.kind, doc.profile, doc.id) == ("order", "order_only", "1")
    assert (doc.issue_date, doc.issue_time) == (date(2013, 7, 1), clock(5, 10, 10))
    assert (doc.currency, doc.accounting_cost, doc.contract_reference) == (
        "EUR",
        "MAFO",
        "C1",
    )
    assert doc.validity_end == date(2013, 7, 30)
    assert doc.notes == [] and doc.attachments == [] and doc.allowance_charges == []
    assert doc.document_type_id == (
        "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:fdc:peppol."
        "eu:poacc:trns:order:3::2.1"
    )

    buyer = doc.buyer
    assert (buyer.endpoint_id, buyer.endpoint_scheme) == ("7300010000001", "0088")
    assert buyer.identifiers == [("7300010000001", "0088")]
    assert (buyer.name, buyer.registration_name, buyer.display_name) == (
        "City Hospital",
        "City Hospital 345433",
        "City Hospital",
    )
    assert (buyer.company_id, buyer.company_id_scheme, buyer.gln) == (
        "7300010000001",
        "0088",
        "7300010000001",
    )
    assert buyer.contact == Contact(
        "Martin Foggerty", "+46555785488", "martin.foggerty@cityhospital.se"
    )
    assert buyer.address is None and buyer.vat is None

    seller = doc.seller
    assert (seller.endpoint_id, seller.endpoint_scheme, seller.gln) == (
        "987654325",
        "0192",
        None,
    )
    assert seller.display_name == "The Supplier AB"
    assert seller.address == Address(
        "Harbour street", "Dock 45", "Bergen", "5005", "NO", "Region West", ["Gate 34"]
    )

    delivery = doc.delivery
    assert delivery.address == Address(
        "Lower street 5", "Reception", "Stockholm", "11120", "SE"
    )
    assert (doc.requested_start, doc.requested_end) == (
        date(2013, 7, 15),
        date(2013, 7, 16),
    )
    assert delivery.party_name == "Hospital Tourist Department"
    assert delivery.contact == Contact("John", "+465558877523", "john@cityhospital.se")
    assert delivery.location_id is None

    assert (doc.tax_amount, doc.line_extension_amount, doc.payable_amount) == (
        D("28.75"),
        D(115),
        D("143.75"),
    )
    assert (
        doc.tax_exclusive_amount is None
        and doc.invoicee is None
        and doc.originator is None
    )

    assert lines(doc) == [
        ("1", D(10), "NAR", D(4)),
        ("2", D(5), "NAR", D(6)),
        ("3", D(15), "NAR", D(3)),
    ]
    assert [
        (
            line.name,
            line.sellers_item_id,
            line.standard_item_id,
            line.standard_item_scheme,
        )
        for line in doc.lines
    ] == [
        ("Brown sauce", "SN-33", "05704066204093", "0160"),
        ("White sauce", "SN-34", "08722700575887", "0160"),
        ("Pepper sauce", "SN-35", "08722700577584", "0160"),
    ]
    first = doc.lines[0]
    assert (first.description, first.line_amount, first.accounting_cost) == (
        "1x12 pack sauce bags",
        D(40),
        "MAFO-1",
    )
    assert (first.tax_category, first.tax_percent, first.unit_price) == (
        "S",
        D(25),
        D(4),
    )
    assert (
        first.status_code is None
        and first.buyers_item_id is None
        and first.note is None
    )


def test_order_example(peppol):
    doc = example(peppol, "order/official/Order_Example.xml")
    assert (doc.id, doc.sales_order_id, doc.order_type_code, doc.profile) == (
        "34",
        "112233",
        "220",
        "order_only",
    )
    assert (doc.issue_date, doc.issue_time) == (date(2018, 9, 1), clock(12, 30))
    assert doc.notes == ["Information text for the whole order"]
    assert (doc.currency, doc.customer_reference, doc.accounting_cost) == (
        "NOK",
        "9000012345",
        "Project123",
    )
    assert (
        doc.quotation_reference,
        doc.order_document_reference,
        doc.originator_document_reference,
    ) == (
        "QuoteID123",
        "RjectedOrderID123",
        "MAFO",
    )
    assert (doc.catalogue_reference, doc.contract_reference, doc.project_reference) == (
        "Cat2023-03-07",
        "34322",
        "PID33",
    )

    external, embedded = doc.attachments
    assert (external.id, external.description, external.uri, external.content) == (
        "Doc1",
        "Timesheet",
        "http://www.suppliersite.eu/sheet001.html",
        None,
    )
    assert (
        embedded.id,
        embedded.description,
        embedded.mime_code,
        embedded.filename,
    ) == (
        "Doc2",
        "Drawing",
        "application/pdf",
        "Hours-spend.csv",
    )
    assert embedded.content == b"R0lGODlhcgGSALMAAAQCAEMmCZtuMFQxDS8b"

    assert (doc.buyer.endpoint_id, doc.buyer.endpoint_scheme, doc.buyer.vat) == (
        "987654325",
        "0192",
        "NO9311867455MVA",
    )
    assert (doc.buyer.company_id, doc.buyer.company_id_scheme, doc.buyer.gln) == (
        "931186755",
        "0082",
        "7300010000001",
    )
    assert doc.buyer.address == Address(
        "Sinsenveien 40",
        "Oppgang B",
        "Oslo",
        "0501",
        "NO",
        "Region",
        ["Address Line 3"],
    )
    assert (doc.seller.endpoint_id, doc.seller.display_name) == ("123456785", "Medical")
    assert (doc.originator.display_name, doc.originator.contact.name) == (
        "Helseavdeling",
        "Julie Jensen",
    )
    assert (doc.invoicee.display_name, doc.invoicee.endpoint_id) == (
        "Accounting",
        "987654325",
    )

    delivery = doc.delivery
    assert (delivery.location_id, delivery.location_scheme) == ("7300010000001", "0088")
    assert delivery.address == Address(
        "Solheimsveien 10",
        "Add",
        "Lørenskog",
        "1473",
        "NO",
        "Region",
        ["3rd Address line"],
    )
    assert (delivery.requested_start, delivery.requested_end) == (
        date(2012, 10, 10),
        date(2012, 10, 20),
    )
    assert (delivery.party_name, delivery.contact.email) == (
        "Helseavdeling",
        "ole@helseforetak.no",
    )
    assert doc.delivery_terms == "FOB (FOB Oslo): CAD"
    assert doc.payment_terms_note == "Payment terms description"

    assert doc.allowance_charges == [
        AllowanceCharge(
            True,
            D("400.00"),
            "Miscellaneous services",
            "ABK",
            tax_category="Z",
            tax_percent=D(0),
        ),
        AllowanceCharge(
            False, D("652.50"), "Discount", "95", D(10), D("6525.00"), "S", D(25)
        ),
    ]
    assert (
        doc.tax_amount,
        doc.line_extension_amount,
        doc.tax_exclusive_amount,
        doc.tax_inclusive_amount,
    ) == (
        D(100),
        D(6525),
        D("6272.50"),
        D("6372.50"),
    )
    assert (doc.allowance_total, doc.charge_total, doc.payable_amount) == (
        D("652.50"),
        D(400),
        D(6363),
    )

    first, second = doc.lines
    assert (first.line_id, first.quantity, first.unit_code, first.line_amount) == (
        "1",
        D(120),
        "EA",
        D(6300),
    )
    assert (
        first.price,
        first.base_quantity,
        first.base_quantity_unit,
        first.unit_price,
    ) == (D(50), D(1), "EA", D(50))
    assert (first.note, first.partial_delivery, first.accounting_cost) == (
        "Freetext note on line 1",
        False,
        "12345678",
    )
    assert (first.requested_start, first.requested_end) == (
        date(2010, 2, 10),
        date(2010, 2, 25),
    )
    assert (first.name, first.description) == ("Needle 4mm", "Needle 4mm")
    assert (
        first.buyers_item_id,
        first.sellers_item_id,
        first.manufacturers_item_id,
    ) == (
        "123456",
        "121212",
        "manid659",
    )
    assert (first.standard_item_id, first.standard_item_scheme) == (
        "7560000012345",
        "0160",
    )
    assert first.classifications == [("12345678", "MP")]
    assert (first.tax_category, first.tax_percent) == ("S", D(25))
    assert first.properties == [("Length", "30 mm")]
    assert first.allowance_charges == [
        AllowanceCharge(True, D(600), "Miscellaneous services", "ABK"),
        AllowanceCharge(False, D(300), "Discount", "95", D(5), D(6000)),
    ]
    assert (second.line_id, second.quantity, second.price, second.partial_delivery) == (
        "2",
        D(15),
        D(15),
        True,
    )
    assert (second.note, second.sellers_item_id, second.buyers_item_id) == (
        "Freetext note on line 2",
        "SItemNo011",
        None,
    )
    assert second.properties == [("Weight", "100 g")] and second.allowance_charges == []


def test_uc5_ordering_profile_with_delivery_location(peppol):
    doc = example(peppol, "order/official/UC5_Order.xml")
    assert (doc.profile, doc.id, doc.currency) == ("ordering", "5", "SEK")
    location = doc.delivery
    assert (location.location_id, location.location_scheme, location.location_name) == (
        "73512333000108",
        "0088",
        "Southern Hospital",
    )
    assert (location.address.city, location.address.lines) == (
        "Borås",
        ["Portkod 1234"],
    )
    assert doc.invoicee.gln == "7351233370051"
    assert lines(doc) == [
        ("1", D(10), "EA", D(4)),
        ("2", D(5), "EA", D(6)),
        ("3", D(15), "EA", D(3)),
    ]


def test_advanced_ordering_order(peppol):
    doc = example(peppol, "order/official/advanced_ordering_sc1/Order_sc1.xml")
    assert (doc.kind, doc.profile, doc.id) == ("order", "advanced_ordering", "Order-1")
    assert (doc.buyer.endpoint_id, doc.seller.endpoint_id) == (
        "7300010000001",
        "7302347231110",
    )
    assert doc.originator_document_reference == "2139239"
    assert (doc.tax_inclusive_amount, doc.payable_amount) == (D(840), D(840))
    assert lines(doc) == [("1", D(10), "NAR", D(40)), ("2", D(50), "NAR", D(6))]


@pytest.mark.parametrize(
    "relative, change_id, sequence, note, statuses",
    [
        (
            "OrderChange_Example.xml",
            "Change-1",
            1,
            "Changes according to Order reponse",
            ["3", "3"],
        ),
        (
            "advanced_ordering_sc1/OrderChange_sc1.xml",
            "Change-1",
            1,
            "Changes according to Order reponse",
            ["3", "3"],
        ),
        ("advanced_ordering_sc2/OrderChange_sc2.xml", "Change-2", 2, None, ["4", "2"]),
        (
            "advanced_ordering_sc3/OrderChange_sc3.xml",
            "Change-3",
            2,
            "Changes according to Order reponse",
            ["3", "3"],
        ),
    ],
)
def test_official_order_changes(peppol, relative, change_id, sequence, note, statuses):
    doc = example(peppol, f"order_change/official/{relative}")
    assert (doc.kind, doc.profile, doc.id, doc.order_reference_id) == (
        "order_change",
        "advanced_ordering",
        change_id,
        "Order-1",
    )
    assert (doc.sequence_number, doc.notes) == (sequence, [note] if note else [])
    assert [line.status_code for line in doc.lines] == statuses
    assert doc.document_type_id.endswith(
        "OrderChange##urn:fdc:peppol.eu:poacc:trns:order_change:3::2.3"
    )
    assert (doc.buyer.endpoint_id, doc.seller.endpoint_id) == (
        "7300010000001",
        "7302347231110",
    )


def test_order_change_values(peppol):
    sc1 = example(
        peppol, "order_change/official/advanced_ordering_sc1/OrderChange_sc1.xml"
    )
    assert lines(sc1) == [("1", D(5), "NAR", D(40)), ("2", D(50), "NAR", D(6))]
    sc3 = example(
        peppol, "order_change/official/advanced_ordering_sc3/OrderChange_sc3.xml"
    )
    assert (sc3.lines[0].requested_start, sc3.lines[0].requested_end) == (
        date(2022, 3, 1),
        date(2022, 4, 1),
    )
    assert sc3.lines[1].requested_start is None
    assert sc3.delivery.address.lines == ["Right"]


PHONE_CALL = "With reference to phone call"


@pytest.mark.parametrize(
    "scenario, issued, note",
    [
        ("", date(2022, 2, 1), PHONE_CALL),  # OrderCancellation_Example.xml
        ("sc1", date(2022, 2, 1), PHONE_CALL),
        ("sc3", date(2022, 2, 10), PHONE_CALL),
        ("sc4", date(2022, 2, 20), PHONE_CALL),
        ("sc5", date(2022, 2, 20), "To accept response from Seller"),
    ],
)
def test_official_order_cancellations(peppol, scenario, issued, note):
    relative = (
        f"advanced_ordering_{scenario}/OrderCancellation_{scenario}.xml"
        if scenario
        else "OrderCancellation_Example.xml"
    )
    doc = example(peppol, f"order_cancellation/official/{relative}")
    assert (doc.kind, doc.profile, doc.id, doc.issue_date) == (
        "order_cancellation",
        "advanced_ordering",
        "Cancellation-1",
        issued,
    )
    assert (doc.cancellation_note, doc.order_reference_id, doc.lines) == (
        note,
        "Order-1",
        [],
    )
    assert (doc.sequence_number, doc.currency, doc.buyer.endpoint_id) == (
        None,
        None,
        "7300010000001",
    )


def test_snippets_of_changes_and_cancellations(peppol):
    change = example(peppol, "order_change/snippets/snippet-advanced.xml")
    cancellation = example(peppol, "order_cancellation/snippets/snippet-advanced.xml")
    assert change.kind == "order_change" and len(change.lines) == 3
    assert cancellation.kind == "order_cancellation" and cancellation.cancellation_note


# --------------------------------------------------------------------------------------
# Hand-made documents
# --------------------------------------------------------------------------------------


def test_releases_2025_11_and_2026_5_content():
    doc = read_document(data_file("order_2026.xml"))
    assert (doc.profile, doc.id, doc.quotation_reference) == (
        "advanced_ordering",
        "PO-2026-0042",
        "Q-77",
    )
    assert doc.issue_time == clock(10, 15)
    assert doc.notes == ["Deliver at the back entrance.\nCall Anna before 9:00."]
    assert (
        doc.buyer.display_name == "Bouwmarkt Utrecht"
    )  # trading name, whitespace tidied
    assert (doc.buyer.vat, doc.buyer.gln) == ("NL123456789B01", "8712345000017")
    assert doc.delivery is None and doc.requested_start is None

    (attachment,) = doc.attachments
    assert (
        attachment.id,
        attachment.description,
        attachment.filename,
        attachment.mime_code,
    ) == (
        "DRW-1",
        "Drawing",
        "drawing.txt",
        "text/plain",
    )
    assert attachment.content == b"Drawing of the part, page 1"

    first, second = doc.lines
    assert (first.line_id, first.name, first.note) == (
        "A-1",
        "Screws 4 x 40",
        "Pack per 10.",
    )
    assert (first.price, first.base_quantity, first.unit_price) == (
        D(25),
        D(10),
        D("2.5"),
    )
    assert (first.partial_delivery, first.quotation_line_ref) == (True, "Q-77-3")
    assert (first.requested_start, first.requested_end) == (
        date(2026, 3, 10),
        date(2026, 3, 11),
    )
    assert first.delivery_location_id == "8712345000024"
    assert first.delivery_address == Address(
        "Bouwput 3", None, "Nieuwegein", "3439 AB", "NL", None, ["Gate B"]
    )
    assert (second.line_id, second.quantity, second.unit_code) == (
        "A-2",
        D("2.5"),
        "KGM",
    )
    assert (
        second.price,
        second.unit_price,
        second.delivery_address,
        second.requested_start,
    ) == (None,) * 4


def test_missing_optional_content_is_tolerated():
    doc = read_document(
        variant(
            "order_minimal.xml",
            ("<cbc:IssueDate>2026-03-02</cbc:IssueDate>", ""),
            ("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", ""),
        )
    )
    assert (
        doc.id,
        doc.issue_date,
        doc.currency,
        doc.seller,
        doc.delivery,
        doc.payable_amount,
    ) == (
        "PO-1",
        None,
        None,
        None,
        None,
        None,
    )
    assert lines(doc) == [("1", D(2), "C62", None)]
    assert (
        doc.buyer.display_name == "Bouwmarkt Utrecht BV" and doc.buyer.address is None
    )


def test_an_order_change_may_reopen_a_line():
    doc = read_document(data_file("order_change_minimal.xml"))
    assert (doc.kind, doc.order_reference_id, doc.sequence_number) == (
        "order_change",
        "PO-1",
        1,
    )
    assert [line.status_code for line in doc.lines] == ["74"]


# --------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------

ORDER_CID = (
    "<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>"
)
ORDERING = "<cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>"


def order_with(customization=None, profile=None):
    replacements = []
    if customization is not None:
        replacements.append(
            (
                ORDER_CID,
                f"<cbc:CustomizationID>{customization}</cbc:CustomizationID>"
                if customization
                else "",
            )
        )
    if profile is not None:
        replacements.append(
            (ORDERING, f"<cbc:ProfileID>{profile}</cbc:ProfileID>" if profile else "")
        )
    return variant("order_minimal.xml", *replacements)


def rooted(root, data):
    """The same content under another UBL root element."""
    return data.replace(
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"',
        f'<{root} xmlns="{UBL}:{root}-2"'.encode(),
    ).replace(b"</Order>", f"</{root}>".encode())


@pytest.mark.parametrize(
    "data, words",
    [
        (
            data_file("invoice_bis3.xml"),
            r"is an Invoice \(CustomizationID urn:cen.eu:en16931.*Accounting",
        ),
        (rooted("CreditNote", data_file("order_minimal.xml")), "is a Credit Note"),
        (data_file("order_response.xml"), "is an Order Response"),
        (
            rooted("ApplicationResponse", data_file("order_minimal.xml")),
            "Message Level Response",
        ),
        (
            order_with(
                "urn:www.cenbii.eu:transaction:biitrns001:ver2.0:extended:urn:www."
                "peppol.eu:bis:peppol3a:ver2.0"
            ),
            "old Peppol BIS 2",
        ),
        (
            order_with(
                "urn:fdc:peppol.eu:poacc:trns:order:3:extended:urn:fdc:anskaffelser."
                "no:2019:ehf:spec:3.0"
            ),
            "extended national profile",
        ),
        (order_with(""), "no CustomizationID"),
        (
            order_with(profile="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"),
            "ProfileID .*billing.*not allow",
        ),
        (order_with(profile=""), "no ProfileID"),
        (
            order_with("urn:fdc:peppol.eu:poacc:trns:order_response:3"),
            "declares the Peppol transaction .*order_response:3",
        ),
        (
            order_with("urn:fdc:peppol.eu:poacc:trns:order:30"),
            "order:30, which is not a BIS 3 Order",
        ),
        (
            order_with("urn:fdc:imda.gov.sg:trns:order_balance:1"),
            "national or private format",
        ),
        (
            order_with("urn:fdc:peppol.eu:poacc:trns:order_change:3"),
            "root element Order does not match",
        ),
        (
            rooted("OrderChange", data_file("order_minimal.xml")),
            "root element OrderChange does not match",
        ),
        (
            variant("order_change_minimal.xml", ("advanced_ordering:3", "ordering:3")),
            "Order Change has ProfileID",
        ),
        (
            b"<Order><ID>1</ID></Order>",
            "not a UBL business document.*without a namespace",
        ),
        (
            b'<x:Order xmlns:x="urn:example"/>',
            "not a UBL business document.*urn:example",
        ),
    ],
)
def test_routing_refuses_what_is_not_a_bis3_order(data, words):
    with pytest.raises(UnsupportedDocumentError, match=words):
        read_document(data)


def test_italian_restrictive_order_is_accepted():
    customization = (
        "urn:fdc:peppol.eu:poacc:trns:order:3:restrictive:urn:www.agid.gov.it:trns:"
        "ordine:3.1"
    )
    doc = read_document(
        order_with(customization, "urn:fdc:peppol.eu:poacc:bis:order_only:3")
    )
    assert (doc.kind, doc.profile, doc.customization_id) == (
        "order",
        "order_only",
        customization,
    )
    assert doc.document_type_id.endswith(f"Order##{customization}::2.1")


def test_sbdh_wrapped_order_is_accepted():
    doc = read_document(data_file("order_sbdh.xml"))
    assert (doc.id, doc.kind, doc.envelope.sender, doc.envelope.receiver) == (
        "PO-SBDH-1",
        "order",
        "0106:87654321",
        "0106:12345678",
    )
    assert doc.envelope.document_type_id == doc.document_type_id
    assert read_document(data_file("order_minimal.xml")).envelope is None


def test_classify_and_typed_entry_points():
    order = parse_xml(data_file("order_minimal.xml"))
    change = parse_xml(data_file("order_change_minimal.xml"))
    assert classify(order) == ("order", "ordering")
    assert classify(change) == ("order_change", "advanced_ordering")
    assert reader.read_order(order).id == "PO-1"
    assert reader.read_order_change(change).id == "CHG-1"
    with pytest.raises(
        UnsupportedDocumentError,
        match="Expected an Order, but this document is an Order Change",
    ):
        reader.read_order(change)
    with pytest.raises(
        UnsupportedDocumentError, match="Expected an Order Cancellation"
    ):
        reader.read_order_cancellation(order)


# --------------------------------------------------------------------------------------
# Invalid content
# --------------------------------------------------------------------------------------

QUANTITY = '<cbc:Quantity unitCode="C62">2</cbc:Quantity>'
LINE = "<cac:OrderLine>\n    <cac:LineItem>\n      <cbc:ID>1</cbc:ID>"
TOTALS = (
    "<cac:AnticipatedMonetaryTotal><cbc:PayableAmount>{}</cbc:PayableAmount></cac:"
    "AnticipatedMonetaryTotal>"
)


@pytest.mark.parametrize(
    "replacements, words",
    [
        (
            [(QUANTITY, '<cbc:Quantity unitCode="C62">two</cbc:Quantity>')],
            r"^Line 1: LineItem/Quantity has the value 'two', which is not a number",
        ),
        (
            [(QUANTITY, '<cbc:Quantity unitCode="C62">1e3</cbc:Quantity>')],
            "'1e3', which is not a number",
        ),
        (
            [(QUANTITY, '<cbc:Quantity unitCode="C62">NaN</cbc:Quantity>')],
            "'NaN', which is not a number",
        ),
        (
            [(QUANTITY, '<cbc:Quantity unitCode="C62">1_000</cbc:Quantity>')],
            "'1_000', which is not a number",
        ),
        (
            [
                (
                    QUANTITY,
                    "<cbc:Quantity "
                    'unitCode="C62">1000000000000000000000</cbc:Quantity>',
                )
            ],
            "too large",
        ),
        (
            [
                (
                    QUANTITY,
                    '<cbc:Quantity unitCode="C62">' + "9" * 100 + "</cbc:Quantity>",
                )
            ],
            r"LineItem/Quantity has the value '9{37}\.\.\.', which is too large",
        ),
        (
            [(QUANTITY, "")],
            r"Line 1: the ordered quantity \(LineItem/Quantity\) is missing",
        ),
        (
            [(QUANTITY, "<cbc:Quantity>2</cbc:Quantity>")],
            r"Line 1: the quantity has no unit \(unitCode\)",
        ),
        (
            [("<cbc:ID>1</cbc:ID>", "")],
            r"Order line 1 has no line number \(LineItem/ID\)",
        ),
        (
            [("<cbc:ID>1</cbc:ID>", "<cbc:ID>  </cbc:ID>")],
            "Order line 1 has no line number",
        ),
        (
            [("<cbc:IssueDate>2026-03-02", "<cbc:IssueDate>tomorrow")],
            "^IssueDate has the value 'tomorrow', which is not a date",
        ),
        (
            [("<cbc:IssueDate>2026-03-02", "<cbc:IssueDate>2026-02-30")],
            "'2026-02-30', which is not a date",
        ),
        (
            [("<cbc:IssueDate>2026-03-02", "<cbc:IssueDate>20260302")],
            "'20260302', which is not a date",
        ),
        (
            [
                (
                    "</cbc:IssueDate>",
                    "</cbc:IssueDate><cbc:IssueTime>25:00:00</cbc:IssueTime>",
                )
            ],
            "not a time",
        ),
        (
            [
                (
                    "</cbc:Quantity>",
                    "</cbc:Quantity><cbc:PartialDeliveryIndicator>maybe</cbc:"
                    "PartialDeliveryIndicator>",
                )
            ],
            "Line 1: LineItem/PartialDeliveryIndicator has the value 'maybe', which "
            "is neither true nor false",
        ),
        (
            [
                (
                    "</cbc:Quantity>",
                    "</cbc:Quantity><cac:Price><cbc:PriceAmount>12,50</cbc:"
                    "PriceAmount></cac:Price>",
                )
            ],
            "Line 1: Price/PriceAmount has the value '12,50'",
        ),
        (
            [
                (
                    "</cbc:Quantity>",
                    "</cbc:Quantity><cac:AllowanceCharge><cbc:Amount>1</cbc:Amount></"
                    "cac:AllowanceCharge>",
                )
            ],
            "no ChargeIndicator",
        ),
        (
            [
                (
                    "</cbc:DocumentCurrencyCode>",
                    "</cbc:DocumentCurrencyCode>" + TOTALS.format("lots"),
                )
            ],
            "^AnticipatedMonetaryTotal/PayableAmount has the value 'lots'",
        ),
        (
            [
                (
                    "</cac:OrderLine>",
                    "</cac:OrderLine>"
                    + LINE.replace("\n", "")
                    + QUANTITY
                    + "</cac:LineItem></cac:OrderLine>",
                )
            ],
            "has two lines numbered 1",
        ),
        (
            [
                (LINE, "<cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID>"),
                ("<cac:OrderLine>", "<cac:Other>"),
                ("</cac:OrderLine>", "</cac:Other>"),
            ],
            "The Order PO-1 has no order line",
        ),
        ([("<cbc:ID>PO-1</cbc:ID>", "")], r"The Order has no number \(ID\)"),
        (
            [
                ('<cbc:EndpointID schemeID="0106">87654321</cbc:EndpointID>', ""),
                (
                    "<cbc:RegistrationName>Bouwmarkt Utrecht BV</cbc:RegistrationName>",
                    "",
                ),
            ],
            "does not say who the buyer is",
        ),
    ],
)
def test_invalid_order_content_is_named(replacements, words):
    with pytest.raises(InvalidDocumentError, match=words):
        read_document(variant("order_minimal.xml", *replacements))


@pytest.mark.parametrize(
    "replacements, words",
    [
        (
            [("<cbc:LineStatusCode>74</cbc:LineStatusCode>", "")],
            r"Line 1: the line status \(LineStatusCode\) is missing",
        ),
        (
            [("<cbc:LineStatusCode>74", "<cbc:LineStatusCode>5")],
            r"the line status '5' cannot be used in an Order Change \(allowed: 1 "
            r"added, 2 deleted",
        ),
        (
            [("<cbc:SequenceNumberID>1", "<cbc:SequenceNumberID>A1")],
            "'A1', which is not a whole number",
        ),
        (
            [("<cbc:SequenceNumberID>1", "<cbc:SequenceNumberID>9999999999")],
            "not a whole number of at most 9 digits",
        ),
        (
            [("<cbc:ID>PO-1</cbc:ID>", "")],
            r"does not say which order it refers to \(OrderReference/ID\)",
        ),
    ],
)
def test_invalid_order_change_content_is_named(replacements, words):
    with pytest.raises(InvalidDocumentError, match=words):
        read_document(variant("order_change_minimal.xml", *replacements))


def test_invalid_attachments(monkeypatch):
    embedded = "RHJhd2luZyBvZiB0aGUg\n        cGFydCwgcGFnZSAx"
    with pytest.raises(
        InvalidDocumentError,
        match="The attached document drawing.txt is not valid base64",
    ):
        read_document(variant("order_2026.xml", (embedded, "not base64 at all!")))
    content = b"Drawing of the part, page 1"
    monkeypatch.setattr(reader, "MAX_ATTACHMENT_BYTES", len(content))
    assert read_document(data_file("order_2026.xml")).attachments[0].content == content
    monkeypatch.setattr(reader, "MAX_ATTACHMENT_BYTES", len(content) - 1)
    with pytest.raises(InvalidDocumentError, match="drawing.txt is larger than"):
        read_document(data_file("order_2026.xml"))


def test_every_error_is_a_ubl_error_with_a_message():
    for error in (InvalidDocumentError, UnsupportedDocumentError):
        assert issubclass(error, UblError) and issubclass(error, ValueError)
    with pytest.raises(UblError) as caught:
        read_document(order_with(""))
    assert str(caught.value) == caught.value.message


# --------------------------------------------------------------------------------------
# Size
# --------------------------------------------------------------------------------------


def test_a_5000_line_order_is_read_in_one_pass():
    line = (
        "<cac:OrderLine><cac:LineItem><cbc:ID>{0}</cbc:ID><cbc:Quantity "
        'unitCode="C62">3</cbc:Quantity>'
        "<cac:Price><cbc:PriceAmount "
        'currencyID="EUR">1.25</cbc:PriceAmount></cac:Price>'
        "<cac:Item><cbc:Name>Item "
        "{0}</cbc:Name><cac:SellersItemIdentification><cbc:ID>SKU-{0}</cbc:ID>"
        "</cac:SellersItemIdentification></cac:Item></cac:LineItem></cac:OrderLine>"
    )
    template = data_file("order_minimal.xml").decode()
    first, last = (
        template.index("<cac:OrderLine>"),
        template.rindex("</cac:OrderLine>") + len("</cac:OrderLine>"),
    )
    data = (
        template[:first]
        + "".join(line.format(n) for n in range(1, 5001))
        + template[last:]
    ).encode()
    started = time.monotonic()
    doc = read_document(data)
    assert (
        time.monotonic() - started < 5
    )  # about 0.15 s; the reader's docstring has the figures
    assert len(doc.lines) == 5000
    assert (
        doc.lines[-1].line_id,
        doc.lines[-1].sellers_item_id,
        doc.lines[-1].price,
    ) == (
        "5000",
        "SKU-5000",
        D("1.25"),
    )


# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, key",
    [
        ("C62", "unit"),
        ("EA", "unit"),
        ("H87", "unit"),
        ("NIU", "unit"),
        ("PCE", "unit"),
        ("XPP", "unit"),
        ("DZN", "dozen"),
        ("KGM", "kg"),
        ("GRM", "g"),
        ("TNE", "ton"),
        ("LTR", "litre"),
        ("MLT", "ml"),
        ("MTR", "m"),
        ("CMT", "cm"),
        ("MMT", "mm"),
        ("KMT", "km"),
        ("MTK", "m2"),
        ("MTQ", "m3"),
        ("HUR", "hour"),
        ("DAY", "day"),
        ("MIN", "minute"),
        ("LBR", "lb"),
        ("ONZ", "oz"),
        ("INH", "inch"),
        ("FOT", "foot"),
        ("YRD", "yard"),
        ("SMI", "mile"),
        ("GLL", "gallon"),
        ("QT", "quart"),
        ("QTL", "quart"),
        ("OZA", "fl_oz"),
        ("FTK", "ft2"),
        ("FTQ", "ft3"),
        ("INQ", "in3"),
        ("KWH", "kwh"),
        ("XBX", "box"),
        ("XCT", "carton"),
        ("XPK", "package"),
        ("XPA", "packet"),
        ("XPX", "pallet"),
        (" nar ", "unit"),
        ("ZZZ", None),
        (None, None),
    ],
)
def test_unit_keys(code, key):
    assert units.unit_key(code) == key


def test_odoo_units_and_the_codes_we_write():
    assert units.ODOO_UOM_XMLIDS["unit"] == "uom.product_uom_unit"
    assert units.ODOO_UOM_XMLIDS["m2"] == "uom.product_uom_square_meter"
    assert all(
        units.unit_key(units.unece_code_for_xmlid(xmlid)) == key
        for key, xmlid in units.ODOO_UOM_XMLIDS.items()
    )
    assert units.unece_code_for_xmlid("uom.product_uom_unit") == "C62"
    assert units.unece_code_for_xmlid("uom.product_uom_qt") == "QTL"
    assert units.unece_code_for_xmlid("my_module.box_of_6") == "C62"
    assert units.unece_code_for_xmlid(None, default="") == ""
    assert {"box", "carton", "pallet"}.isdisjoint(units.ODOO_UOM_XMLIDS)


def test_every_code_we_write_is_in_the_peppol_code_list(peppol):
    tree = etree.parse(peppol / "codelists" / "UNECERec20-11e.xml")
    valid = {el.text for el in tree.iter("{*}Id")}
    assert len(valid) > 1000
    assert set(units.CANONICAL_CODES.values()) <= valid
    assert set(units.UNIT_KEYS) - valid == {
        "PCE",
        "QT",
    }  # retired codes, still accepted on input
