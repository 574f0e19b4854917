"""Order Responses: built from plain data, valid against the official XSD and Schematron, and
equal in meaning to the official example responses."""
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from psb.peppol_rules import PeppolValidator
from psb.ubl.reader import read_document
from psb.ubl.response import (
    OrderResponseData,
    ResponseError,
    ResponseItem,
    ResponseLine,
    ResponseParty,
    build_order_response,
    check,
    psb_request,
)

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture(scope="module")
def validator(peppol):
    return PeppolValidator(peppol)


def data(code="AP", profile="ordering", lines=(), **kw):
    return OrderResponseData(
        code=code, response_id="SO042-R1", issue_date=date(2026, 11, 28), profile=profile, order_id="PO-1",
        currency="EUR", seller=ResponseParty("12345678", "0106", registration_name="Wholesale BV"),
        buyer=ResponseParty("87654321", "0106", registration_name="Bouwmarkt BV"), sales_order_id="S00042",
        lines=list(lines), **kw)


def line(status, ref="1", **kw):
    return ResponseLine(line_id=ref, status_code=status, order_line_id=ref,
                        item=ResponseItem("Screws", sellers_item_id="SKU-1"), **kw)


EVERY_LINE = [
    line("5", "1"),
    line("3", "2", quantity=Decimal("8"), unit_code="C62", note="Only 8 in stock"),
    line("3", "3", price=Decimal("2.4500"), promised_start=date(2026, 12, 3), promised_end=date(2026, 12, 4)),
    line("3", "4", substitute=ResponseItem("Screws (new model)", sellers_item_id="SKU-1B",
                                           standard_item_id="08712345678906")),
    line("7", "5", note="No longer sold"),
    line("42", "6"),
    line("3", "7", quantity=Decimal("5"), unit_code="C62", max_backorder_quantity=Decimal("5")),
    ResponseLine("8", "1", "7", ResponseItem("Screws, second delivery"), quantity=Decimal("5"), unit_code="C62",
                 promised_start=date(2027, 1, 10)),
]
ANSWERS = {
    "AB": data("AB", note="Received"),
    "AP": data("AP"),
    "RE": data("RE", note="We do not deliver to this address"),
    "CA": data("CA", note="Accepted with changes", lines=EVERY_LINE, customer_reference="REF-77"),
}


@pytest.mark.parametrize("profile", ["ordering", "advanced_ordering"])
@pytest.mark.parametrize("code", sorted(ANSWERS))
def test_every_answer_is_valid(validator, profile, code):
    answer = ANSWERS[code]
    answer.profile = profile
    xml = build_order_response(answer)
    result = validator.validate(xml)
    assert result.ok, str(result)
    tree = etree.fromstring(xml)
    assert not tree.xpath("//*[not(*) and not(normalize-space())]"), "no empty element"
    assert tree.find("cbc:UBLVersionID", NS) is None
    assert tree.findtext("cbc:SalesOrderID", namespaces=NS) == "S00042"


def test_advanced_answer_to_a_change_is_valid(validator):
    answer = data("AP", profile="advanced_ordering", order_change_id="Change-2")
    tree = etree.fromstring(build_order_response(answer))
    assert tree.findtext("cac:OrderChangeDocumentReference/cbc:ID", namespaces=NS) == "Change-2"
    assert validator.validate(etree.tostring(tree)).ok


@pytest.mark.parametrize("answer, words", [
    (data("AP", profile="order_only"), "Order Only"),
    (data("AP", lines=[line("5")]), "no lines"),
    (data("CA"), "every order line"),
    (data("CA", lines=[line("9")]), "not one of"),
    (data("CA", lines=[line("3")]), "changes nothing"),
    (data("CA", lines=[line("5"), line("5")]), "Two response lines"),
    (data("AP", order_change_id="Change-1"), "Advanced Ordering"),
    (data("CA", lines=[line("3", price=Decimal("-1"))]), "negative"),
    (data("ZZ"), "not one of"),
])
def test_rule_violations_are_caught_before_building(answer, words):
    with pytest.raises(ResponseError, match=words):
        check(answer)


def test_psb_request_body():
    assert psb_request(data("AB", note="Received")) == {"status": "AB", "note": "Received"}
    assert psb_request(data("AP")) == {"status": "AP"}
    body = psb_request(ANSWERS["CA"])
    assert body["status"] == "CA"
    assert "line 2: quantity 8 C62 (Only 8 in stock)" in body["note"]
    assert "line 5: rejected (No longer sold)" in body["note"]
    assert "line 1:" not in body["note"], "unchanged lines are not spelled out"


def _official_pairs(peppol):
    base = peppol / "examples"
    pairs = [(base / f"order/official/UC{i}_Order.xml", base / f"order_response/official/UC{i}_Order_response.xml")
             for i in range(1, 6)]
    pairs += [(base / "order/official/advanced_ordering_sc1/Order_sc1.xml",
               base / f"order_response_advanced/official/advanced_ordering_sc{n}/OrderResponse_sc{n}.xml")
              for n in range(1, 6)]
    return pairs


def _meaning(tree):
    lines = sorted((ol.findtext("cac:OrderLineReference/cbc:LineID", namespaces=NS),
                    ol.findtext("cac:LineItem/cbc:LineStatusCode", namespaces=NS),
                    ol.findtext("cac:LineItem/cbc:Quantity", namespaces=NS),
                    ol.findtext("cac:LineItem/cac:Price/cbc:PriceAmount", namespaces=NS),
                    ol.findtext("cac:LineItem/cac:Delivery/cac:PromisedDeliveryPeriod/cbc:StartDate", namespaces=NS))
                   for ol in tree.findall("cac:OrderLine", NS))
    return {
        "code": tree.findtext("cbc:OrderResponseCode", namespaces=NS),
        "order": tree.findtext("cac:OrderReference/cbc:ID", namespaces=NS),
        "seller": tree.findtext("cac:SellerSupplierParty/cac:Party/cbc:EndpointID", namespaces=NS),
        "buyer": tree.findtext("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS),
        "lines": [(ref, status, qty and str(Decimal(qty).normalize()), price and str(Decimal(price).normalize()), start)
                  for ref, status, qty, price, start in lines],
    }


def test_official_examples_reproduced(peppol, validator):
    """Answer each official example order as the official response does, and compare the meaning."""
    checked = 0
    for order_path, response_path in _official_pairs(peppol):
        if not (order_path.exists() and response_path.exists()):
            continue
        official = etree.parse(str(response_path)).getroot()
        order = read_document(order_path.read_bytes())
        profile = "advanced_ordering" if "advanced" in official.findtext("cbc:ProfileID", namespaces=NS) else "ordering"
        seller_ep = official.find("cac:SellerSupplierParty/cac:Party/cbc:EndpointID", NS)
        buyer_ep = official.find("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", NS)
        lines = []
        for position, ol in enumerate(official.findall("cac:OrderLine", NS), 1):
            item = ol.find("cac:LineItem", NS)
            qty = item.find("cbc:Quantity", NS)
            price = item.findtext("cac:Price/cbc:PriceAmount", namespaces=NS)
            start = item.findtext("cac:Delivery/cac:PromisedDeliveryPeriod/cbc:StartDate", namespaces=NS)
            end = item.findtext("cac:Delivery/cac:PromisedDeliveryPeriod/cbc:EndDate", namespaces=NS)
            ref = ol.findtext("cac:OrderLineReference/cbc:LineID", namespaces=NS)
            ordered = next((ln for ln in order.lines if ln.line_id == ref), None)
            substitute = ol.find("cac:SellerSubstitutedLineItem", NS)
            lines.append(ResponseLine(
                line_id=str(position), status_code=item.findtext("cbc:LineStatusCode", namespaces=NS),
                order_line_id=ref, item=ResponseItem(item.findtext("cac:Item/cbc:Name", namespaces=NS)
                                                     or (ordered and ordered.name)),
                quantity=Decimal(qty.text) if qty is not None else None,
                unit_code=qty.get("unitCode") if qty is not None else None,
                price=Decimal(price) if price else None,
                promised_start=date.fromisoformat(start) if start else None,
                promised_end=date.fromisoformat(end) if end else None,
                note=item.findtext("cbc:Note", namespaces=NS),
                substitute=ResponseItem(
                    substitute.findtext("cac:Item/cbc:Name", namespaces=NS),
                    sellers_item_id=substitute.findtext("cac:Item/cac:SellersItemIdentification/cbc:ID",
                                                        namespaces=NS),
                ) if substitute is not None else None))
        code = official.findtext("cbc:OrderResponseCode", namespaces=NS)
        answer = OrderResponseData(
            code=code, response_id="R-1", issue_date=date(2026, 11, 28), profile=profile, order_id=order.id,
            currency=order.currency, seller=ResponseParty(seller_ep.text, seller_ep.get("schemeID"),
                                                          registration_name="Seller"),
            buyer=ResponseParty(buyer_ep.text, buyer_ep.get("schemeID"), registration_name="Buyer"),
            order_change_id=official.findtext("cac:OrderChangeDocumentReference/cbc:ID", namespaces=NS),
            note=official.findtext("cbc:Note", namespaces=NS), lines=lines if code == "CA" else [])
        ours = build_order_response(answer)
        assert validator.validate(ours).ok, (response_path.name, str(validator.validate(ours)))
        mine, theirs = _meaning(etree.fromstring(ours)), _meaning(official)
        assert mine == theirs, response_path.name
        checked += 1
    assert checked == 10
