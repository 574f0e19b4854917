# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import LazyTranslate

from ..psb import invoice_response
from ..psb.ubl.model import UblError
from .psb_outcome import Outcome

_lt = LazyTranslate(__name__)


class EconnectPsbKindInvoiceResponse(models.AbstractModel):
    """A buyer's Invoice Response (T111) to one of our invoices: downloaded from the
    PSB's generic documents, shown on the invoice."""

    _name = "econnect.psb.kind.invoice.response"
    _inherit = "econnect.psb.kind"
    _description = "eConnect PSB: Invoice Response"

    _psb_kind = "invoice_response"
    _psb_sequence = 60
    _psb_topics = ("InvoiceResponseReceived",)
    _psb_download_family = (
        "generic"  # a buyer's answer to our invoice: the generic endpoint
    )
    _psb_title = _lt("Invoice Response")

    @api.model
    def _psb_process(self, document):
        """A buyer's Invoice Response (T111) to one of our invoices, found by the PSB id
        of the invoice it refers to, else by the invoice number among this company's
        invoices sent through the PSB."""
        data = document.attachment_id.sudo().with_context(bin_size=False).raw or b""
        try:
            response = invoice_response.read(data)
        except invoice_response.InvoiceResponseError as exc:
            raise UblError(
                self.env._("Not a Peppol Invoice Response this addon can read: %s", exc)
            ) from exc
        Send = self.env["econnect.psb.invoice.send"].sudo()
        domain = [("company_id", "=", document.company_id.id)]
        sending = document.ref_document_id and Send.search(
            [
                *domain,
                "|",
                ("psb_document_id", "=", document.ref_document_id),
                ("idempotency_key", "=", document.ref_document_id),
            ],
            limit=1,
        )
        if not sending and response.invoice_number:
            sending = Send.search(
                [*domain, ("move_id.name", "=", response.invoice_number)], limit=1
            )
        if not sending:
            return Outcome(
                "error",
                self.env._(
                    "Invoice Response to invoice %s, which was not sent through the "
                    "PSB from this company.",
                    response.invoice_number or document.ref_document_id or "-",
                ),
                fix="none",
            )
        sending.move_id._psb_apply_invoice_response(response)
        document.buyer_order_ref = sending.move_id.name
        return Outcome("done", sale_order=self.env["sale.order"])
