# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..psb.ubl import units


class EconnectPsbResponseLine(models.Model):
    _name = "econnect.psb.response.line"
    _description = "Peppol Order Response Line"
    _order = "response_id, sequence, id"

    response_id = fields.Many2one("econnect.psb.response", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer()
    sale_line_id = fields.Many2one("sale.order.line", ondelete="set null")
    order_line_ref = fields.Char("Order Line ID", required=True)
    status = fields.Selection(
        [("1", "Added"), ("3", "Changed"), ("5", "Accepted"), ("7", "Rejected"), ("42", "Already delivered")],
        required=True,
    )
    item_name = fields.Char(required=True)
    sellers_item_id = fields.Char()
    buyers_item_id = fields.Char()
    quantity = fields.Float()
    quantity_changed = fields.Boolean()
    unit_code = fields.Char()
    price = fields.Float(min_display_digits="Product Price")
    price_changed = fields.Boolean()
    promised_date = fields.Date("Promised Delivery")
    substitute_product_id = fields.Many2one("product.product", "Substitute")
    note = fields.Char()

    @api.model
    def _unit_code(self, uom):
        """The rec. 20 code for an Odoo unit: the user's own code, else the standard mapping."""
        if uom.psb_unece_code:
            return uom.psb_unece_code
        xmlid = uom.get_external_id().get(uom.id, "")
        return units.unece_code_for_xmlid(xmlid)
