# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)


class EconnectPsbKindOrderCancellation(models.AbstractModel):
    """A buyer's Order Cancellation (Advanced Ordering): the whole order, accepted or
    refused by a person (``econnect.psb.order.change``)."""

    _name = "econnect.psb.kind.order.cancellation"
    _inherit = "econnect.psb.kind.follow.up"
    _description = "eConnect PSB: Order Cancellation"

    _psb_kind = "order_cancellation"
    _psb_sequence = 30
    _psb_title = _lt("Order Cancellation")
