# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    psb_line_ref = fields.Char("Peppol Line ID", copy=False,
                               help="The cac:LineItem/cbc:ID of the buyer's order line.")
    psb_unit_code = fields.Char("Ordered Unit Code", copy=False)
    psb_ordered_price = fields.Float("Buyer's Price", digits="Product Price", copy=False)
    psb_ordered_qty = fields.Float("Ordered Quantity", digits="Product Unit", copy=False)
    psb_original_product_id = fields.Many2one("product.product", "Product as Imported", copy=False)
    psb_requested_date = fields.Date("Requested Delivery", copy=False)
    psb_import_issue = fields.Char("Peppol Import Issue", copy=False)
    psb_price_from_buyer = fields.Boolean(
        "Price from the Buyer", copy=False, readonly=True,
        help="The unit price is the buyer's net price (even 0.00): Odoo's pricelist does not replace it when "
        "the quantity, unit or product changes.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("psb_line_ref") and "psb_ordered_price" in vals:
                vals.setdefault("psb_price_from_buyer", True)
        return super().create(vals_list)

    def write(self, vals):
        if "psb_ordered_price" in vals and "price_unit" in vals and "psb_price_from_buyer" not in vals:
            vals = {**vals, "psb_price_from_buyer": True}   # a buyer's Order Change set the price
        return super().write(vals)

    def _compute_price_unit(self):
        # A zero price is not "manual" for Odoo (technical_price_unit equals price_unit), so only this
        # keeps a buyer's 0.00 as ordered; non-zero buyer prices are kept by technical_price_unit already.
        super(SaleOrderLine, self - self.filtered("psb_price_from_buyer"))._compute_price_unit()
