# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EconnectPsbResponseWizardLine(models.TransientModel):
    _name = "econnect.psb.response.wizard.line"
    _description = "Answer a Peppol order: line"
    _order = "sequence, id"

    wizard_id = fields.Many2one("econnect.psb.response.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    sale_line_id = fields.Many2one("sale.order.line", readonly=True)
    order_line_ref = fields.Char("Line", required=True, readonly=True)
    item_name = fields.Char("Item", required=True)
    sellers_item_id = fields.Char(readonly=True)
    buyers_item_id = fields.Char(readonly=True)
    status = fields.Selection(
        [("1", "Added"), ("3", "Changed"), ("5", "Accepted"), ("7", "Rejected"), ("42", "Already delivered")],
        required=True, default="5",
    )
    quantity = fields.Float()
    quantity_changed = fields.Boolean()
    unit_code = fields.Char("Unit")
    price = fields.Float(digits="Product Price")
    price_changed = fields.Boolean()
    promised_date = fields.Date("Promised Delivery")
    substitute_product_id = fields.Many2one("product.product", "Substitute")
    note = fields.Char()

    @api.onchange("quantity", "price", "promised_date", "substitute_product_id")
    def _onchange_changed_values(self):
        for line in self.filtered(lambda l: l.status == "5"):
            line.status = "3"

    def _response_line_vals(self):
        self.ensure_one()
        changed = self.status in ("1", "3")
        ordered_qty_changed, ordered_price_changed = (
            self.sale_line_id._psb_changes_from_ordered(self.quantity, self.price) if self.sale_line_id else (False, False))
        qty_changed = self.status == "1" or self.quantity_changed or ordered_qty_changed
        price_changed = self.status == "1" or self.price_changed or ordered_price_changed
        return {
            "sequence": self.sequence,
            "sale_line_id": self.sale_line_id.id,
            "order_line_ref": self.order_line_ref,
            "status": self.status,
            "item_name": self.item_name,
            "sellers_item_id": self.sellers_item_id,
            "buyers_item_id": self.buyers_item_id,
            "quantity": self.quantity,
            "quantity_changed": bool(changed and qty_changed),
            "unit_code": self.unit_code,
            "price": self.price,
            "price_changed": bool(changed and price_changed),
            "promised_date": self.promised_date if changed else False,
            "substitute_product_id": self.substitute_product_id.id if changed else False,
            "note": self.note,
        }
