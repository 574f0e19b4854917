# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class EconnectPsbKindOrderChange(models.AbstractModel):
    """A buyer's Order Change (Advanced Ordering): applied to its sale order, or left to
    a person (``econnect.psb.order.change``)."""

    _name = "econnect.psb.kind.order.change"
    _inherit = "econnect.psb.kind.follow.up"
    _description = "eConnect PSB: Order Change"

    _psb_kind = "order_change"
    _psb_sequence = 20
    _psb_topics = ("OrderChangeReceived",)
    _psb_roots = ("OrderChange",)

    @api.model
    def _psb_label(self):
        return self.env._("Order Change")
