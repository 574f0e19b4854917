# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)


class EconnectPsbKindOrderChange(models.AbstractModel):
    """A buyer's Order Change (Advanced Ordering): applied to its sale order, or left to
    a person (``econnect.psb.order.change``)."""

    _name = "econnect.psb.kind.order.change"
    _inherit = "econnect.psb.kind.follow.up"
    _description = "eConnect PSB: Order Change"

    _psb_kind = "order_change"
    _psb_sequence = 20
    _psb_title = _lt("Order Change")
