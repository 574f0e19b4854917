# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest

from psb import invoice_response
from psb.ubl.model import UblError
from psb_sandbox.server import invoice_response_xml

INVOICE = b"""<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>INV/2026/00007</cbc:ID>
 <cac:AccountingSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID></cac:Party>
 </cac:AccountingSupplierParty></Invoice>"""


def sent(receiver="0106:87654321"):
    return {"xml": INVOICE, "receiver": receiver}


def test_a_rejection_with_its_reason():
    response = invoice_response.read(
        invoice_response_xml(sent(), "RE", "Order number missing")
    )
    assert response.code == "RE"
    assert response.invoice_number == "INV/2026/00007"
    assert response.reasons == ("Order number missing",)
    assert response.sender == "0106:87654321"
    assert (
        "RE" in invoice_response.NEEDS_A_PERSON
        and "PD" not in invoice_response.NEEDS_A_PERSON
    )


@pytest.mark.parametrize("code", ["AB", "IP", "UQ", "CA", "AP", "PD"])
def test_every_status(code):
    assert invoice_response.read(invoice_response_xml(sent(), code)).code == code


def test_not_an_invoice_response():
    with pytest.raises(invoice_response.InvoiceResponseError):
        invoice_response.read(INVOICE)
    with pytest.raises(invoice_response.InvoiceResponseError):
        invoice_response.read(
            invoice_response_xml(sent(), "AP").replace(b">AP<", b">ZZ<")
        )
    with pytest.raises(UblError):
        invoice_response.read(b"<not xml")
