"""Sending invoices through the PSB: the client's salesInvoice calls against the sandbox
over loopback, its status events and the buyer's Invoice Response (psb-api.md, "Sending
invoices")."""

import json

import pytest
from lxml import etree

from psb import signature
from psb.exceptions import PsbNotFoundError, PsbRequestError, PsbTransientError
from psb.tests.hooks import Receiver
from psb_sandbox.server import PsbSandbox

from .test_client import PARTY, make_client

BUYER = "0106:87654321"
INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>INV/2026/00001</cbc:ID>
 <cac:AccountingSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">87654321</cbc:EndpointID>
 </cac:Party></cac:AccountingCustomerParty>
</Invoice>"""


class Hooks(Receiver):
    """The webhook endpoint of the invoice's status events, which the sandbox signs and
    posts."""

    def __init__(self):
        super().__init__()
        self.url += "/hook#hook-secret"

    def next(self):
        _path, headers, body = super().next()
        assert signature.verify("hook-secret", body, headers["X-EConnect-Signature"])
        return json.loads(body)


@pytest.fixture()
def box():
    with PsbSandbox(
        clients={"cid": "csecret"}, parties=[PARTY], auto_invoice_hooks=True
    ) as sandbox:
        yield sandbox


@pytest.fixture()
def hooks(box):
    endpoint = Hooks()
    make_client(box).put_hook(
        {
            "id": "h",
            "name": "h",
            "action": endpoint.url,
            "topics": ["Invoice*"],
            "isActive": True,
        },
        PARTY,
    )
    yield endpoint
    endpoint.close()


def test_an_invoice_is_sent_once_under_its_document_id(box, hooks):
    client = make_client(box)
    assert client.send_invoice(
        PARTY, INVOICE, "inv-1", filename="INV_2026_00001.xml"
    ) == {"id": "inv-1"}
    # A double click or a crash after sending: the same id again is taken as done, not
    # sent twice.
    assert client.send_invoice(PARTY, INVOICE, "inv-1") == {
        "id": "inv-1",
        "duplicate": True,
    }
    assert list(box.invoices) == ["inv-1"]
    sent = box.invoices["inv-1"]
    assert (sent["xml"], sent["filename"], sent["receiver"]) == (
        INVOICE,
        "INV_2026_00001.xml",
        BUYER,
    )
    event = hooks.next()
    assert (event["topic"], event["documentId"], event["details"]["recipient"]) == (
        "InvoiceSent",
        "inv-1",
        BUYER,
    )
    assert [
        status["name"] for status in client.sales_invoice_status(PARTY, "inv-1")
    ] == ["Received", "InvoiceSent"]


def test_a_receiver_that_cannot_receive_invoices(box, hooks):
    client = make_client(box)
    box.invoice_capable = {"0106:11111111"}
    with pytest.raises(PsbNotFoundError):
        client.query_recipient_party(PARTY, [BUYER], family="salesInvoice")
    assert (
        client.query_recipient_party(PARTY, ["0106:11111111"], family="salesInvoice")[
            "id"
        ]
        == "0106:11111111"
    )
    # Order Responses are another capability.
    assert client.query_recipient_party(PARTY, [BUYER])["id"] == BUYER
    client.send_invoice(PARTY, INVOICE, "inv-2")
    event = hooks.next()
    assert event["topic"] == "InvoiceSentError"
    assert "cannot receive invoices" in event["details"]["reason"]
    # receiverId names another receiver than the invoice's customer.
    client.send_invoice(PARTY, INVOICE, "inv-3", receiver_id="0106:11111111")
    assert box.invoices["inv-3"]["receiver"] == "0106:11111111"
    assert hooks.next()["topic"] == "InvoiceSent"


def test_faults_and_refusals(box):
    client = make_client(box)
    box.inject_fault("POST", r"/salesInvoice/send$", status=503)
    with pytest.raises(PsbTransientError):
        client.send_invoice(PARTY, INVOICE, "inv-4")
    assert not box.invoices, "a refused send kept nothing"
    assert client.send_invoice(PARTY, INVOICE, "inv-4") == {"id": "inv-4"}
    with pytest.raises(PsbRequestError) as refused:
        client.send_invoice(
            PARTY,
            b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>",
            "x",
        )
    assert refused.value.status == 400
    with pytest.raises(PsbNotFoundError):
        client.sales_invoice_status(PARTY, "unknown")


def test_retry_events_and_the_buyers_invoice_response(box, hooks):
    client = make_client(box)
    client.send_invoice(PARTY, INVOICE, "inv-5")
    assert hooks.next()["topic"] == "InvoiceSent"
    box.invoice_event("inv-5", "InvoiceSentRetry", attempt="2")
    assert hooks.next()["details"]["attempt"] == "2"
    response_id = box.invoice_response("inv-5", "RE", note="Order number missing")
    event = hooks.next()
    assert (event["topic"], event["documentId"], event["refToDocumentId"]) == (
        "InvoiceResponseReceived",
        response_id,
        "inv-5",
    )
    assert event["details"]["statusCode"] == "RE"
    xml = client.download_sales_order(PARTY, response_id, family="generic")
    root = etree.fromstring(xml)
    ns = {
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:"
        "CommonAggregateComponents-2",
    }
    assert (
        root.findtext(
            "cac:DocumentResponse/cac:Response/cbc:ResponseCode", namespaces=ns
        )
        == "RE"
    )
    assert (
        root.findtext(
            "cac:DocumentResponse/cac:DocumentReference/cbc:ID", namespaces=ns
        )
        == "INV/2026/00001"
    )
    assert "Order number missing" in xml.decode()
    with pytest.raises(ValueError):
        box.invoice_response("inv-5", "XX")
