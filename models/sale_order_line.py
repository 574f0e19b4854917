# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import float_compare


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
    psb_match_method = fields.Selection(
        [("gtin", "GTIN"), ("seller_code", "Our code"), ("buyer_code", "Customer's code"), ("name", "Item name"),
         ("none", "Not matched")],
        "Matched By", readonly=True, copy=False,
        help="How the import found the product of this Peppol order line.")
    psb_buyer_line_note = fields.Text("Buyer's Line Note", readonly=True, copy=False)
    psb_our_price = fields.Float(
        "Our Price", digits="Product Price", readonly=True, copy=False,
        help="Our pricelist price for this customer, in the ordered unit, when the order was imported.")
    psb_price_differs = fields.Boolean(
        "Price Differs", readonly=True, copy=False,
        help="The buyer's net price is not within the company's tolerance of our pricelist price.")

    def _psb_changes_from_ordered(self, quantity=None, price=None):
        """(quantity changed, price changed): this line (or the given quantity and price) compared with
        what was last agreed with the buyer, ``psb_ordered_qty``/``psb_ordered_price``, which the import
        sets and applying a buyer's Order Change keeps current. A line without a buyer's price has no
        price to differ from."""
        self.ensure_one()
        quantity = self.product_uom_qty if quantity is None else quantity
        price = self.price_unit if price is None else price
        qty_changed = float_compare(quantity, self.psb_ordered_qty, precision_digits=6) != 0
        price_changed = bool(self.psb_ordered_price) and float_compare(
            price, self.psb_ordered_price, precision_digits=4) != 0
        return qty_changed, price_changed
