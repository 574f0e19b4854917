# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EconnectPsbConfirmWizard(models.TransientModel):
    """Before a Peppol quotation that needs attention is confirmed: what is open, and what confirming
    answers the buyer."""

    _name = "econnect.psb.confirm.wizard"
    _description = "Confirm a Peppol order that needs attention"

    sale_order_ids = fields.Many2many("sale.order", required=True, readonly=True)
    issues = fields.Text(compute="_compute_texts")
    answer = fields.Text(compute="_compute_texts")

    @api.depends("sale_order_ids")
    def _compute_texts(self):
        for wizard in self:
            issues, answers = [], []
            for order in wizard.sale_order_ids:
                prefix = f"{order.name}: " if len(wizard.sale_order_ids) > 1 else ""
                issues += [prefix + issue for issue in order._psb_open_issues()]
                if order.psb_awaiting_answer and order.company_id.psb_answer_on_confirm:
                    answers.append(
                        prefix
                        + self.env._(
                            "Confirming answers the buyer over Peppol: AP (accepted as ordered), or CA (accepted with "
                            "changes) when you changed lines."
                        )
                    )
                elif order.psb_document_id:
                    answers.append(prefix + self.env._("Confirming sends no Peppol answer to the buyer."))
            wizard.issues = "\n".join(issues)
            wizard.answer = "\n".join(answers) or False

    def action_confirm(self):
        self.ensure_one()
        return self.sale_order_ids.with_context(psb_confirm_anyway=True).action_confirm()
