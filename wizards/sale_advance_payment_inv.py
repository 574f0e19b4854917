# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    psb_invoicing_warning = fields.Text("Peppol Invoicing Warning", compute="_compute_psb_invoicing_warning")

    @api.depends("sale_order_ids", "consolidated_billing")
    @api.depends_context("lang")
    def _compute_psb_invoicing_warning(self):
        for wizard in self:
            orders = wizard.sale_order_ids._origin
            wizard.psb_invoicing_warning = (
                orders._psb_invoicing_warning() if wizard.consolidated_billing and len(orders) > 1 else False
            )
