# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared helpers of the Odoo tests: where the official Peppol examples are, and a company set up
against the PSB sandbox (a real HTTP server on loopback, see psb_sandbox/)."""
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from odoo.tests import TransactionCase

from ..psb import signature

MODULE_ROOT = Path(os.path.realpath(__file__)).parents[1]


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
        cls.company.write({
            "psb_environment": "custom",
            "psb_api_url": "http://127.0.0.1:9",
            "psb_identity_url": "http://127.0.0.1:9",
            "psb_client_id": "client",
            "psb_client_secret": "secret",
            "psb_party_id": cls.PARTY_ID,
            "psb_webhook_secret": cls.SECRET,
        })
        cls.Document = cls.env["econnect.psb.document"]

    def upload(self, xml_bytes, company=None, filename="order.xml"):
        """Feed a document into the pipeline as the import wizard does, and process it."""
        wizard = self.env["econnect.psb.import.wizard"].create({
            "mode": "upload",
            "company_id": (company or self.company).id,
            "file": __import__("base64").b64encode(xml_bytes),
            "filename": filename,
        })
        action = wizard.action_import()
        return self.Document.browse(action["res_id"])
