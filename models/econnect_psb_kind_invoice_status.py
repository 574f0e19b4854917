# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, models

from .psb_outcome import Outcome


class EconnectPsbKindInvoiceStatus(models.AbstractModel):
    """InvoiceSent* events: the delivery outcome of an invoice we sent through the PSB
    (nothing to download)."""

    _name = "econnect.psb.kind.invoice.status"
    _inherit = "econnect.psb.kind"
    _description = "eConnect PSB: Invoice status"

    _psb_kind = "invoice_status"
    _psb_sequence = 50
    _psb_topics = ("InvoiceSent", "InvoiceSentRetry", "InvoiceSentError")

    @api.model
    def _psb_label(self):
        return self.env._("Invoice status")

    @api.model
    def _psb_process(self, document):
        """InvoiceSent* hooks: the delivery outcome of an invoice we sent through the
        PSB."""
        self.env["econnect.psb.invoice.send"]._apply_status_event(
            document.topic, json.loads(document.payload or "{}"), document.company_id
        )
        return Outcome("done", sale_order=self.env["sale.order"])
