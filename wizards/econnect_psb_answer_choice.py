# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EconnectPsbAnswerChoice(models.TransientModel):
    """The Peppol answer menu of a quotation: every answer that makes sense now, each explained."""

    _name = "econnect.psb.answer.choice"
    _description = "Choose a Peppol answer"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    can_acknowledge = fields.Boolean(compute="_compute_can_acknowledge")

    @api.depends("sale_order_id")
    def _compute_can_acknowledge(self):
        for choice in self:
            order = choice.sale_order_id
            # Never a second AB once one is queued or sent, nor an AB after the order was answered.
            choice.can_acknowledge = not order._psb_acknowledged() and order.psb_awaiting_answer

    def action_acknowledge(self):
        self.sale_order_id.action_psb_acknowledge()
        return {"type": "ir.actions.act_window_close"}

    def action_accept(self):
        self.sale_order_id.action_psb_accept()
        return {"type": "ir.actions.act_window_close"}

    def action_accept_with_changes(self):
        return self.sale_order_id.action_psb_accept_with_changes()

    def action_reject(self):
        return self.sale_order_id.action_psb_reject()
