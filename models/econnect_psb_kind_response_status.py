# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, models

from .psb_outcome import Outcome


class EconnectPsbKindResponseStatus(models.AbstractModel):
    """OrderResponseSent* events: the delivery outcome of an Order Response we sent
    (nothing to download)."""

    _name = "econnect.psb.kind.response.status"
    _inherit = "econnect.psb.kind"
    _description = "eConnect PSB: Order Response status"

    _psb_kind = "response_status"
    _psb_sequence = 40
    _psb_topics = (
        "OrderResponseSent",
        "OrderResponseSentRetry",
        "OrderResponseSentError",
    )

    @api.model
    def _psb_label(self):
        return self.env._("Order Response status")

    @api.model
    def _psb_process(self, document):
        """OrderResponseSent* hooks: the delivery outcome of an Order Response we
        sent."""
        response = self.env["econnect.psb.response"]._apply_status_event(
            document.topic, json.loads(document.payload or "{}"), document.company_id
        )
        if response:
            document.buyer_order_ref = response.sale_order_id.psb_order_ref
        return Outcome(
            "done",
            sale_order=response.sale_order_id if response else self.env["sale.order"],
        )
