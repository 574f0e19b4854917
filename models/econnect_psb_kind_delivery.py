# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, models

from .psb_outcome import Outcome


class EconnectPsbKindDelivery(models.AbstractModel):
    """What the PSB's events about something we sent share (an answer's
    OrderResponseSent*, an invoice's InvoiceSent*): nothing to download; the model that
    sent it applies the delivery outcome (``_apply_status_event``)."""

    _name = "econnect.psb.kind.delivery"
    _inherit = "econnect.psb.kind"
    _description = "eConnect PSB: delivery of something we sent"

    #: The model that sent it and applies the event.
    _psb_sent_model = None

    @api.model
    def _psb_process(self, document):
        """The delivery outcome of what we sent: done, with the sale order it is about
        (:meth:`_psb_delivered`)."""
        sent = self.env[self._psb_sent_model]._apply_status_event(
            document.topic, json.loads(document.payload or "{}"), document.company_id
        )
        return Outcome("done", sale_order=self._psb_delivered(document, sent))

    @api.model
    def _psb_delivered(self, document, sent):
        """The sale order the event about ``sent`` is about: none by default."""
        return self.env["sale.order"]
