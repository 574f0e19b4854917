# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    psb_order_ref_reused = fields.Boolean(
        "Peppol Order ID Reused", readonly=True, copy=False,
        help="The buyer sent another order under an order id already imported, and a person chose to import "
        "it as a new order: follow-up documents of that id go to the first order.")
    psb_revision_document_id = fields.Many2one(
        "econnect.psb.document", "Revised Order Waiting", readonly=True, copy=False,
        help="An order with this order id and other content arrived; a person decides what becomes of it.")
    psb_revision_summary = fields.Text(related="psb_revision_document_id.psb_revision_summary")
    psb_rule_violations = fields.Text(
        "Peppol Rule Violations", readonly=True, copy=False,
        help="The official Peppol rules the buyer's order breaks (fatal ones); it was imported anyway.")

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("psb_order_ref_reused"):
            for vals in vals_list if isinstance(vals_list, list) else [vals_list]:
                vals["psb_order_ref_reused"] = True
        return super().create(vals_list)
