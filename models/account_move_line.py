# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    psb_line_ref = fields.Char(
        "Buyer's Line ID",
        compute="_compute_psb_line_refs",
        help="The buyer's Peppol order line this line invoices (OrderLineReference); "
        "none for a line the buyer "
        "did not order.",
    )
    psb_accounting_cost = fields.Char(
        "Buyer's Line Accounting Cost", compute="_compute_psb_line_refs"
    )

    @api.depends("sale_line_ids.psb_line_ref", "sale_line_ids.psb_accounting_cost")
    def _compute_psb_line_refs(self):
        for line in self:
            # One invoice line for one buyer's line: a line of several sale lines refers
            # to none.
            sale_lines = line.sudo().sale_line_ids
            sale_line = sale_lines if len(sale_lines) == 1 else sale_lines.browse()
            line.psb_line_ref = sale_line.psb_line_ref
            line.psb_accounting_cost = sale_line.psb_accounting_cost
