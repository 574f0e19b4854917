# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)


class EconnectPsbKindInvoiceStatus(models.AbstractModel):
    """InvoiceSent* events: the delivery outcome of an invoice we sent through the
    PSB."""

    _name = "econnect.psb.kind.invoice.status"
    _inherit = "econnect.psb.kind.delivery"
    _description = "eConnect PSB: Invoice status"

    _psb_kind = "invoice_status"
    _psb_sequence = 50
    _psb_topics = ("InvoiceSent", "InvoiceSentRetry", "InvoiceSentError")
    _psb_title = _lt("Invoice status")
    _psb_sent_model = "econnect.psb.invoice.send"
