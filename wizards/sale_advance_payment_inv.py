# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    psb_invoicing_warning = fields.Text(
        "Peppol Invoicing Warning", compute="_compute_psb_invoicing_warning"
    )

    @api.depends(
        "sale_order_ids", "consolidated_billing", "sale_order_ids.psb_agreement_state"
    )
    @api.depends_context("lang")
    def _compute_psb_invoicing_warning(self):
        for wizard in self:
            orders = wizard.sale_order_ids._origin
            texts = [orders._psb_rejected_warning()]
            if wizard.consolidated_billing and len(orders) > 1:
                texts.append(orders._psb_invoicing_warning())
            wizard.psb_invoicing_warning = "\n".join(filter(None, texts)) or False
