# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared helpers of the Odoo tests: where the official Peppol examples are, and a company set up
against the PSB sandbox (a real HTTP server on loopback, see psb_sandbox/)."""
import base64
import hashlib
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


def configure_psb(company, url, client_id, client_secret, party_id, secret):
    """Point a company's PSB connection at ``url`` (the sandbox, or a closed port)."""
    company.write({
        "psb_environment": "custom",
        "psb_api_url": url,
        "psb_identity_url": url,
        "psb_client_id": client_id,
        "psb_client_secret": client_secret,
        "psb_party_id": party_id,
        "psb_webhook_secret": secret,
    })


def upload_document(env, xml_bytes, company=None, filename="order.xml"):
    """Feed a document into the pipeline as a user does with the import wizard; it is processed at once."""
    wizard = env["econnect.psb.import.wizard"].create({
        "mode": "upload",
        "company_id": (company or env.company).id,
        "file": base64.b64encode(xml_bytes),
        "filename": filename,
    })
    wizard.action_import()
    # The wizard opens the quotation when there is one; the document is found by the file's checksum.
    return env["econnect.psb.document"].search(
        [("psb_document_id", "=", f"upload:{hashlib.sha256(xml_bytes).hexdigest()}")], limit=1)


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
