# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared helpers of the Odoo tests: where the official Peppol examples are, and a company set up
against the PSB sandbox (a real HTTP server on loopback, see psb_sandbox/)."""

import base64
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from odoo.tests import HttpCase, TransactionCase

from ..psb import signature
from ..psb_sandbox.server import PsbSandbox

MODULE_ROOT = Path(os.path.realpath(__file__)).parents[1]
DATA = Path(os.path.realpath(__file__)).parent / "data"
WEBHOOK = "/econnect_psb/webhook"

# A small hand-made Peppol BIS 3 Order (Ordering profile) for the buyer and products of the tests.
ORDER_TEMPLATE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
 <cbc:ID>PO-%(id)s</cbc:ID>
 <cbc:IssueDate>2026-11-20</cbc:IssueDate>
 <cbc:Note>Please deliver at the back door</cbc:Note>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cbc:CustomerReference>REF-77</cbc:CustomerReference>
 <cac:BuyerCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">%(buyer_kvk)s</cbc:EndpointID>
  <cac:PartyName><cbc:Name>%(buyer_name)s</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>Hoofdstraat 1</cbc:StreetName><cbc:CityName>Utrecht</cbc:CityName>
   <cbc:PostalZone>3511 AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country>
  </cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>%(buyer_vat)s</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>%(buyer_name)s</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:BuyerCustomerParty>
 <cac:SellerSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
  <cac:PostalAddress><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>Our Wholesale BV</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:SellerSupplierParty>
 <cac:Delivery>
  <cac:DeliveryLocation><cbc:ID schemeID="0088">8712345000017</cbc:ID>
   <cac:Address><cbc:StreetName>Magazijnweg 5</cbc:StreetName><cbc:CityName>Nieuwegein</cbc:CityName>
    <cbc:PostalZone>3439 AB</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:Address>
  </cac:DeliveryLocation>
  <cac:RequestedDeliveryPeriod><cbc:StartDate>2026-12-01</cbc:StartDate><cbc:EndDate>2026-12-02</cbc:EndDate></cac:RequestedDeliveryPeriod>
 </cac:Delivery>
 <cac:OrderLine><cac:LineItem><cbc:ID>1</cbc:ID><cbc:Quantity unitCode="H87">10</cbc:Quantity>
  <cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="H87">10</cbc:BaseQuantity></cac:Price>
  <cac:Item><cbc:Name>Screws (by GTIN)</cbc:Name><cac:StandardItemIdentification><cbc:ID schemeID="0160">08712345678906</cbc:ID></cac:StandardItemIdentification></cac:Item>
 </cac:LineItem></cac:OrderLine>
 <cac:OrderLine><cac:LineItem><cbc:ID>2</cbc:ID><cbc:Quantity unitCode="KGM">2.5</cbc:Quantity>
  <cac:Item><cbc:Name>Nails (by our ref)</cbc:Name><cac:SellersItemIdentification><cbc:ID>NAIL-01</cbc:ID></cac:SellersItemIdentification></cac:Item>
 </cac:LineItem></cac:OrderLine>
 <cac:OrderLine><cac:LineItem><cbc:ID>3</cbc:ID><cbc:Quantity unitCode="XBX">4</cbc:Quantity>
  <cac:Price><cbc:PriceAmount currencyID="EUR">12.50</cbc:PriceAmount></cac:Price>
  <cac:Item><cbc:Name>Glue (by their code)</cbc:Name><cac:BuyersItemIdentification><cbc:ID>LIJM-9</cbc:ID></cac:BuyersItemIdentification></cac:Item>
 </cac:LineItem></cac:OrderLine>
 <cac:OrderLine><cac:LineItem><cbc:ID>4</cbc:ID><cbc:Quantity unitCode="ZZZ">1</cbc:Quantity>
  <cac:Item><cbc:Name>Something we do not sell</cbc:Name></cac:Item>
 </cac:LineItem></cac:OrderLine>
</Order>"""


def order_xml(order_id="1", buyer_kvk="87654321", buyer_name="Bouwmarkt Utrecht BV", buyer_vat=""):
    """The hand-made order with its id (``PO-<order_id>``) and buyer."""
    return ORDER_TEMPLATE % {
        b"id": order_id.encode(),
        b"buyer_kvk": buyer_kvk.encode(),
        b"buyer_name": buyer_name.encode(),
        b"buyer_vat": buyer_vat.encode(),
    }


def peppol_dir():
    """The official Peppol material (../shared/peppol beside the repository), or None when absent."""
    candidate = os.environ.get("PEPPOL_SHARED_DIR") or MODULE_ROOT.parent / "shared" / "peppol"
    candidate = Path(candidate)
    return candidate if (candidate / "examples").is_dir() else None


NO_PEPPOL_MSG = "the official Peppol examples (../shared/peppol) are absent on this machine"


def official_orders():
    base = peppol_dir()
    if not base:
        return []
    return sorted((base / "examples" / "order" / "official").rglob("*.xml"))


def event_body(party_id, document_id, topic="OrderReceived", **extra):
    now = datetime.now(timezone.utc).isoformat()
    event = {
        "topic": topic,
        "partyId": party_id,
        "hookId": "hook-1",
        "documentId": document_id,
        "message": f"'{topic}' event.",
        "details": {},
        "createdOn": now,
        "sentOn": now,
        **extra,
    }
    return json.dumps(event).encode()


def signed_headers(secret, body):
    return {"Content-Type": "application/json", "X-EConnect-Signature": signature.sign(secret, body)}


def activate_dutch(env):
    """Dutch installed, with this module's Dutch terms (i18n/nl.po) loaded."""
    env["res.lang"]._activate_lang("nl_NL")
    env["ir.module.module"]._load_module_terms(["sale_econnect_psb"], ["nl_NL"], overwrite=True)


def configure_psb(company, url, client_id, client_secret, party_id, secret):
    """Point a company's PSB connection at ``url`` (the sandbox, or a closed port)."""
    company.write(
        {
            "psb_environment": "custom",
            "psb_api_url": url,
            "psb_identity_url": url,
            "psb_client_id": client_id,
            "psb_client_secret": client_secret,
            "psb_party_id": party_id,
            "psb_webhook_secret": secret,
        }
    )


def upload_document(env, xml_bytes, company=None, filename="order.xml"):
    """Feed a document into the pipeline as a user does with the import wizard; it is processed at once."""
    wizard = env["econnect.psb.import.wizard"].create(
        {
            "mode": "upload",
            "company_id": (company or env.company).id,
            "file": base64.b64encode(xml_bytes),
            "filename": filename,
        }
    )
    wizard.action_import()
    # The wizard opens the quotation when there is one; the document is found by the file's checksum.
    return env["econnect.psb.document"].search(
        [("psb_document_id", "=", f"upload:{hashlib.sha256(xml_bytes).hexdigest()}")], limit=1
    )


def deliver_document(env, xml_bytes, company=None, topic="OrderReceived"):
    """A document the PSB delivered (so it can be answered through the PSB), without the HTTP download:
    the event is stored as the webhook stores it, the XML as the download stores it, then it is processed."""
    Document = env["econnect.psb.document"].sudo()
    company = company or env.company
    psb_id = f"delivered-{hashlib.sha256(xml_bytes).hexdigest()[:32]}"
    document = Document.search([("company_id", "=", company.id), ("psb_document_id", "=", psb_id)], limit=1)
    if not document:
        document = Document.create(
            {
                "company_id": company.id,
                "topic": topic,
                "psb_document_id": psb_id,
                "source": "webhook",
                "document_type": {
                    "OrderReceived": "order",
                    "OrderChangeReceived": "order_change",
                    "OrderCancellationReceived": "order_cancellation",
                }[topic],
            }
        )
        document._store_xml(xml_bytes)
    document._process({}, commit=False)
    return document


class OutboundHttpMixin:
    """Odoo's test harness lets tests reach loopback only, and compares a request's timeout with a
    number; the PSB client uses a (connect, read) pair, so give the harness the larger one."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)


class PsbCase(OutboundHttpMixin, TransactionCase):
    """A company configured for the PSB; documents are fed through the same pipeline as in production."""

    PARTY_ID = "0106:12345678"
    SECRET = "test-webhook-secret"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        configure_psb(cls.company, "http://127.0.0.1:9", "client", "secret", cls.PARTY_ID, cls.SECRET)
        cls.Document = cls.env["econnect.psb.document"]

    def upload(self, xml_bytes, company=None, filename="order.xml"):
        return upload_document(self.env, xml_bytes, company or self.company, filename)

    def deliver(self, xml_bytes, company=None, topic="OrderReceived"):
        return deliver_document(self.env, xml_bytes, company or self.company, topic)


class PsbHttpCase(OutboundHttpMixin, HttpCase):
    """Odoo's HTTP server and the PSB sandbox, both on loopback."""

    PARTY_ID = "0106:12345678"
    SECRET = "webhook-secret-A"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = PsbSandbox(clients={"odoo-client": "odoo-secret"}, parties=[cls.PARTY_ID, "0106:87654321"])
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.company = cls.env.company
        cls.configure(cls.company, cls.PARTY_ID, cls.SECRET)
        cls.Document = cls.env["econnect.psb.document"]

    @classmethod
    def configure(cls, company, party_id, secret):
        configure_psb(company, cls.sandbox.url, "odoo-client", "odoo-secret", party_id, secret)

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())

    def post_event(self, body, headers):
        return self.url_open(WEBHOOK, data=body, headers=headers)

    def documents(self, document_id):
        return self.Document.search([("psb_document_id", "=", document_id)])
