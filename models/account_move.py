# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


def _distinct(values):
    """The non-empty values once each, in their order, joined as Odoo joins the orders' references."""
    return ", ".join(dict.fromkeys(value for value in values if value)) or False


class AccountMove(models.Model):
    _inherit = "account.move"

    psb_sale_order_ids = fields.Many2many(
        "sale.order",
        string="Peppol Orders",
        compute="_compute_psb_references",
        help="The sale orders received over Peppol whose lines this invoice holds.",
    )
    psb_order_ref = fields.Char(
        "Buyer's Order ID",
        compute="_compute_psb_references",
        help="The buyer's Peppol order id: the Peppol invoice's OrderReference.",
    )
    psb_buyer_reference = fields.Char(
        "Buyer's Reference",
        compute="_compute_psb_references",
        help="The order's CustomerReference: the Peppol invoice's BuyerReference.",
    )
    psb_contract_reference = fields.Char("Buyer's Contract", compute="_compute_psb_references")
    psb_project_reference = fields.Char("Buyer's Project", compute="_compute_psb_references")
    psb_accounting_cost = fields.Char("Buyer's Accounting Cost", compute="_compute_psb_references")
    psb_orders_warning = fields.Char("Peppol Orders Warning", compute="_compute_psb_references")

    @api.depends(
        "invoice_line_ids.sale_line_ids.order_id.psb_order_ref",
        "invoice_line_ids.sale_line_ids.order_id.psb_customer_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_contract_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_project_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_accounting_cost",
    )
    @api.depends_context("lang")
    def _compute_psb_references(self):
        for move in self:
            # The references only: read whoever may see the invoice (a salesman's record rules aside).
            orders = move.sudo().invoice_line_ids.sale_line_ids.order_id.filtered("psb_order_ref").sorted("id")
            move.psb_sale_order_ids = orders.with_env(self.env)
            move.psb_order_ref = _distinct(orders.mapped("psb_order_ref"))
            move.psb_buyer_reference = _distinct(orders.mapped("psb_customer_reference"))
            move.psb_contract_reference = _distinct(orders.mapped("psb_contract_reference"))
            move.psb_project_reference = _distinct(orders.mapped("psb_project_reference"))
            move.psb_accounting_cost = _distinct(orders.mapped("psb_accounting_cost"))
            move.psb_orders_warning = (
                self.env._(
                    "This invoice holds the lines of several Peppol orders (%s). A Peppol invoice refers to one "
                    "order: its lines carry no order line references, and the buyer may not match it to its orders "
                    "without a person. Invoice each order on its own when the buyer needs it.",
                    move.psb_order_ref,
                )
                if len(orders) > 1
                else False
            )

    def _psb_single_order(self):
        """The one Peppol order this invoice is for (its lines may refer to that order's lines), else none."""
        self.ensure_one()
        orders = self.psb_sale_order_ids
        return orders if len(orders) == 1 else orders.browse()
