# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)


class EconnectPsbKindResponseStatus(models.AbstractModel):
    """OrderResponseSent* events: the delivery outcome of an Order Response we sent."""

    _name = "econnect.psb.kind.response.status"
    _inherit = "econnect.psb.kind.delivery"
    _description = "eConnect PSB: Order Response status"

    _psb_kind = "response_status"
    _psb_sequence = 40
    _psb_topics = (
        "OrderResponseSent",
        "OrderResponseSentRetry",
        "OrderResponseSentError",
    )
    _psb_title = _lt("Order Response status")
    _psb_sent_model = "econnect.psb.response"

    @api.model
    def _psb_delivered(self, document, response):
        """The answered order, whose reference the document shows."""
        if not response:
            return self.env["sale.order"]
        document.buyer_order_ref = response.sale_order_id.psb_order_ref
        return response.sale_order_id
