# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared helpers of the Odoo tests: where the official Peppol examples are, and a
company set up against the PSB sandbox (a real HTTP server on loopback, see
psb_sandbox/)."""

import base64
import hashlib
import importlib.util
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..psb import signature
from ..psb.tests.samples import SELLER, ubl_head
from ..psb_sandbox.server import PsbSandbox

# The groups of the users the tests create.
SALESMAN = "sales_team.group_sale_salesman"
ALL_LEADS = "sales_team.group_sale_salesman_all_leads"
PSB_MANAGER = "sale_econnect_psb.group_psb_manager"

MODULE_ROOT = Path(os.path.realpath(__file__)).parents[1]
DATA = Path(os.path.realpath(__file__)).parent / "data"
WEBHOOK = "/econnect_psb/webhook"

# A small hand-made Peppol BIS 3 Order (Ordering profile) for the buyer and products of
# the tests.
ORDER_TEMPLATE = (
    ubl_head("Order", "order")
    + """ <cbc:ID>PO-%(id)s</cbc:ID>
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
"""
    + SELLER
    + """ <cac:Delivery>
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
).encode()


def order_xml(
    order_id="1", buyer_kvk="87654321", buyer_name="Bouwmarkt Utrecht BV", buyer_vat=""
):
    """The hand-made order with its id (``PO-<order_id>``) and buyer."""
    return ORDER_TEMPLATE % {
        b"id": order_id.encode(),
        b"buyer_kvk": buyer_kvk.encode(),
        b"buyer_name": buyer_name.encode(),
        b"buyer_vat": buyer_vat.encode(),
    }


def peppol_dir():
    """The official Peppol material (../shared/peppol beside the repository), or None
    when absent."""
    candidate = (
        os.environ.get("PEPPOL_SHARED_DIR") or MODULE_ROOT.parent / "shared" / "peppol"
    )
    candidate = Path(candidate)
    return candidate if (candidate / "examples").is_dir() else None


NO_PEPPOL_MSG = (
    "the official Peppol examples (../shared/peppol) are absent on this machine"
)


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
    return {
        "Content-Type": "application/json",
        "X-EConnect-Signature": signature.sign(secret, body),
    }


def load_plain_module(name, relative_path):
    """A plain-Python file of this repository outside the addon's packages (the bench's
    order generator, the demo's data), loaded by its path."""
    spec = importlib.util.spec_from_file_location(name, MODULE_ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_with_note(case, record, method, note, refusal, field="note"):
    """``record.method()`` is refused without a note (a UserError matching
    ``refusal``); once ``note`` is written in ``field``, it runs."""
    with case.assertRaisesRegex(UserError, refusal):
        getattr(record, method)()
    record[field] = note
    return getattr(record, method)()


def activate_dutch(env):
    """Dutch installed, with this module's Dutch terms (i18n/nl.po) loaded."""
    env["res.lang"]._activate_lang("nl_NL")
    env["ir.module.module"]._load_module_terms(
        ["sale_econnect_psb"], ["nl_NL"], overwrite=True
    )


def dutch_user(env, login, groups=SALESMAN):
    """Dutch activated (see activate_dutch), and a user who reads it."""
    activate_dutch(env)
    return new_test_user(env, login, groups=groups, lang="nl_NL")


def order_products(env):
    """The products lines 1 and 2 of the hand-made order (ORDER_TEMPLATE) find: screws
    by GTIN, nails (sold by the kilogram) by our reference."""
    Product = env["product.product"]
    screws = Product.create(
        {"name": "Screws", "barcode": "8712345678906", "list_price": 2.5}
    )
    nails = Product.create(
        {
            "name": "Nails",
            "default_code": "NAIL-01",
            "list_price": 7.0,
            "uom_id": env.ref("uom.product_uom_kgm").id,
        }
    )
    return screws, nails


def start_sandbox(case_class, parties):
    """A PSB sandbox on loopback for the test class (stopped after it), with the
    credentials the tests use."""
    sandbox = PsbSandbox(clients={"odoo-client": "odoo-secret"}, parties=parties)
    sandbox.start()
    case_class.addClassCleanup(sandbox.stop)
    return sandbox


def configure_offline(company, party_id, secret):
    """A company's PSB connection pointed at a closed port: configured, but nothing
    reaches a PSB."""
    configure_psb(company, "http://127.0.0.1:9", "client", "secret", party_id, secret)


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
    """Feed a document into the pipeline as a user does with the import wizard; it is
    processed at once."""
    wizard = env["econnect.psb.import.wizard"].create(
        {
            "mode": "upload",
            "company_id": (company or env.company).id,
            "file": base64.b64encode(xml_bytes),
            "filename": filename,
        }
    )
    wizard.action_import()
    # The wizard opens the quotation when there is one; the document is found by the
    # file's checksum.
    return env["econnect.psb.document"].search(
        [("psb_document_id", "=", f"upload:{hashlib.sha256(xml_bytes).hexdigest()}")],
        limit=1,
    )


def deliver_document(env, xml_bytes, company=None, topic="OrderReceived"):
    """A document the PSB delivered (so it can be answered through the PSB), without the
    HTTP download: the event is stored as the webhook stores it, the XML as the download
    stores it, then it is processed."""
    Document = env["econnect.psb.document"].sudo()
    company = company or env.company
    psb_id = f"delivered-{hashlib.sha256(xml_bytes).hexdigest()[:32]}"
    document = Document.search(
        [("company_id", "=", company.id), ("psb_document_id", "=", psb_id)], limit=1
    )
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
    """Odoo's test harness lets tests reach loopback only, and compares a request's
    timeout with a number; the PSB client uses a (connect, read) pair, so give the
    harness the larger one."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(kw["timeout"])
        return super()._request_handler(s, r, **kw)


class PsbCase(OutboundHttpMixin, TransactionCase):
    """A company configured for the PSB; documents are fed through the same pipeline as
    in production."""

    PARTY_ID = "0106:12345678"
    SECRET = "test-webhook-secret"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        configure_offline(cls.company, cls.PARTY_ID, cls.SECRET)
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
        cls.sandbox = start_sandbox(cls, [cls.PARTY_ID, "0106:87654321"])
        cls.company = cls.env.company
        cls.configure(cls.company, cls.PARTY_ID, cls.SECRET)
        cls.Document = cls.env["econnect.psb.document"]
        cls.Response = cls.env["econnect.psb.response"]

    @classmethod
    def configure(cls, company, party_id, secret):
        configure_psb(
            company, cls.sandbox.url, "odoo-client", "odoo-secret", party_id, secret
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", self.base_url()
        )

    def post_event(self, body, headers):
        return self.url_open(WEBHOOK, data=body, headers=headers)

    def documents(self, document_id):
        return self.Document.search([("psb_document_id", "=", document_id)])

    def receive(self, xml, topic="OrderReceived"):
        """The PSB delivers a document: it is downloaded by its PSB id with the import
        wizard and processed."""
        document_id = self.sandbox.add_document(self.PARTY_ID, xml, topic=topic)
        wizard = self.env["econnect.psb.import.wizard"].create(
            {"mode": "document_id", "psb_document_id": document_id, "topic": topic}
        )
        return self.Document.browse(wizard.action_import()["res_id"])

    def import_order(self, order_id, xml=None):
        """The PSB delivered the order (the hand-made one with ``order_id``, or
        ``xml``), imported: its PSB id and its quotation."""
        document = self.receive(xml or order_xml(order_id))
        self.assertEqual(document.state, "imported", document.error_message)
        return document.psb_document_id, document.sale_order_id

    def send(self):
        """The scheduled action sends the queued Order Responses."""
        self.Response._cron_send_responses()

    def open_wizard(self, action, user=None):
        """The wizard an action opens (with the action's context), as ``user`` when
        given."""
        wizard = (
            self.env[action["res_model"]]
            .browse(action["res_id"])
            .with_context(**action.get("context", {}))
        )
        return wizard.with_user(user) if user else wizard

    def refuse_responses(self, count=1):
        """The PSB refuses the next ``count`` Order Responses as invalid (400 with its
        error body)."""
        body = {"code": "API400", "message": "The order response is not valid"}
        self.sandbox.inject_fault(
            "POST", r"/response$", status=400, count=count, body=body
        )

    def post_hook_event(self, body):
        """A webhook event signed with the company's secret, posted over HTTP."""
        self.env.flush_all()
        return self.url_open(
            WEBHOOK, data=body, headers=signed_headers(self.SECRET, body)
        )

    def example(self, kind, scenario, name):
        """An official example of an advanced ordering scenario (the test is skipped
        where they are absent)."""
        base = peppol_dir()
        if not base:
            self.skipTest(NO_PEPPOL_MSG)
        return (
            Path(base)
            / "examples"
            / kind
            / "official"
            / f"advanced_ordering_sc{scenario}"
            / name
        ).read_bytes()
