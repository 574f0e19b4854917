# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EconnectPsbConfirmWizard(models.TransientModel):
    """Before a Peppol quotation is confirmed: which answer confirming sends the buyer
    (AP, or CA with its lines), what is still open, and the buyer's item codes a person
    identified, to remember."""

    _name = "econnect.psb.confirm.wizard"
    _description = "Confirm a Peppol order"

    sale_order_ids = fields.Many2many("sale.order", required=True, readonly=True)
    issues = fields.Text(compute="_compute_texts")
    answer = fields.Text(compute="_compute_texts")
    codes = fields.Text("Buyer's Item Codes", compute="_compute_texts")
    remember_codes = fields.Boolean(
        "Remember the buyer's item codes",
        default=True,
        help="The customer's product codes learn the buyer's codes of the lines you "
        "identified: the next order "
        "with these codes matches by itself.",
    )

    @api.depends("sale_order_ids")
    def _compute_texts(self):
        for wizard in self:
            issues, answers, codes = [], [], []
            for order in wizard.sale_order_ids:
                prefix = f"{order.name}: " if len(wizard.sale_order_ids) > 1 else ""
                issues += [prefix + issue for issue in order._psb_open_issues()]
                answers.append(prefix + order._psb_confirm_text())
                codes += [
                    prefix
                    + self.env._(
                        "%(code)s is %(product)s",
                        code=code,
                        product=product.display_name,
                    )
                    for code, product in order._psb_identified_codes()
                ]
            wizard.issues = "\n".join(issues) or False
            wizard.answer = "\n".join(answers) or False
            wizard.codes = "\n".join(codes) or False

    def action_confirm(self):
        self.ensure_one()
        if self.remember_codes:
            self.sale_order_ids._psb_remember_codes()
        return self.sale_order_ids.with_context(
            psb_confirm_anyway=True
        ).action_confirm()
