# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import float_is_zero

from ..models.econnect_psb_response_line import LINE_STATUSES


class EconnectPsbResponseWizardLine(models.TransientModel):
    _name = "econnect.psb.response.wizard.line"
    _description = "Answer a Peppol order: line"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "econnect.psb.response.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    sale_line_id = fields.Many2one("sale.order.line", readonly=True)
    order_line_ref = fields.Char("Line", required=True, readonly=True)
    item_name = fields.Char("Item", required=True)
    sellers_item_id = fields.Char(readonly=True)
    buyers_item_id = fields.Char(readonly=True)
    status = fields.Selection(
        LINE_STATUSES,
        default="5",
        help="Empty until someone decides on a line that cannot simply be accepted.",
    )
    needs_decision = fields.Char(
        "To Decide",
        compute="_compute_needs_decision",
        help="Why this line cannot be accepted as ordered without a look: its product "
        "was not identified, or "
        "it has no price.",
    )
    quantity = fields.Float()
    quantity_changed = fields.Boolean()
    unit_code = fields.Char(
        help="The UN/ECE recommendation 20/21 code sent to the buyer."
    )
    unit_label = fields.Char("Unit", compute="_compute_unit_label")
    price = fields.Float(min_display_digits="Product Price")
    price_changed = fields.Boolean()
    promised_date = fields.Date("Promised Delivery")
    substitute_product_id = fields.Many2one("product.product", "Substitute")
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # A line that needs a look is never pre-filled as accepted: someone decides on
        # it.
        lines.filtered(lambda ln: ln.status == "5" and ln.needs_decision).status = False
        return lines

    @api.depends(
        "sale_line_id.product_id",
        "sale_line_id.price_unit",
        "substitute_product_id",
        "status",
    )
    def _compute_needs_decision(self):
        placeholder = self.env.ref("sale_econnect_psb.product_psb_unknown")
        for line in self:
            sale_line = line.sale_line_id
            reasons = []
            if (
                sale_line
                and sale_line.product_id == placeholder
                and not line.substitute_product_id
            ):
                reasons.append(self.env._("product not identified"))
            if (
                sale_line
                and float_is_zero(sale_line.price_unit, precision_digits=6)
                and line.status != "7"
            ):
                reasons.append(self.env._("no price"))
            line.needs_decision = ", ".join(reasons) or False

    @api.depends("unit_code", "sale_line_id.product_uom_id")
    def _compute_unit_label(self):
        """Odoo's name of the unit, with the Peppol code as a hint: "kg (KGM)"."""
        match = self.env["econnect.psb.order.import"]._uom_matcher()
        for line in self:
            uom = (
                match(line.unit_code)
                if line.unit_code
                else line.sale_line_id.product_uom_id
            )
            if uom and line.unit_code:
                line.unit_label = f"{uom.name} ({line.unit_code})"
            else:
                line.unit_label = uom.name or line.unit_code or False

    @api.onchange("quantity", "price", "promised_date", "substitute_product_id")
    def _onchange_changed_values(self):
        for line in self.filtered(lambda ln: ln.status == "5"):
            line.status = "3"

    def _response_line_vals(self):
        self.ensure_one()
        changed = self.status in ("1", "3")
        ordered_qty_changed, ordered_price_changed = (
            self.sale_line_id._psb_changes_from_ordered(self.quantity, self.price)
            if self.sale_line_id
            else (False, False)
        )
        qty_changed = self.status == "1" or self.quantity_changed or ordered_qty_changed
        price_changed = (
            self.status == "1" or self.price_changed or ordered_price_changed
        )
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
            "substitute_product_id": self.substitute_product_id.id
            if changed
            else False,
            "note": self.note,
        }
