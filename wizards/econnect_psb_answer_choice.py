# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EconnectPsbAnswerChoice(models.TransientModel):
    """The Peppol answer menu of a quotation: every answer the agreement with the buyer
    allows now, each explained."""

    _name = "econnect.psb.answer.choice"
    _description = "Choose a Peppol answer"

    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, ondelete="cascade"
    )
    can_acknowledge = fields.Boolean(compute="_compute_offered")
    can_accept = fields.Boolean(compute="_compute_offered")
    can_propose = fields.Boolean(compute="_compute_offered")
    can_reject = fields.Boolean(compute="_compute_offered")
    agreement_text = fields.Char(related="sale_order_id.psb_agreement_text")

    @api.depends("sale_order_id")
    def _compute_offered(self):
        for choice in self:
            answers = choice.sale_order_id._psb_offered_answers_list()
            choice.can_acknowledge = "AB" in answers
            choice.can_accept = "AP" in answers
            choice.can_propose = "CA" in answers
            choice.can_reject = "RE" in answers

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
