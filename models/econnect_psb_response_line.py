# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import format_date, formatLang

from ..psb.ubl import units

#: An answered line's status (UNCL 1229 as Peppol's Order Response uses it), also the
#: answer wizard's.
LINE_STATUSES = [
    ("1", "Added"),
    ("3", "Changed"),
    ("5", "Accepted"),
    ("7", "Rejected"),
    ("42", "Already delivered"),
]


class EconnectPsbResponseLine(models.Model):
    _name = "econnect.psb.response.line"
    _description = "Peppol Order Response Line"
    _order = "response_id, sequence, id"

    response_id = fields.Many2one(
        "econnect.psb.response", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    sale_line_id = fields.Many2one("sale.order.line", ondelete="set null")
    order_line_ref = fields.Char("Order Line ID", required=True)
    status = fields.Selection(LINE_STATUSES, required=True)
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
    unit_name = fields.Char("Unit", related="sale_line_id.product_uom_id.name")
    note = fields.Char()

    def _change_text(self):
        """What this line of our answer tells the buyer, for a person (the order's
        chatter): False for a line accepted as ordered."""
        self.ensure_one()
        env = self.env
        unit = self.sale_line_id.product_uom_id.name or ""
        number = formatLang(env, self.quantity, digits=3).rstrip("0").rstrip(",.")
        qty = f"{number} {unit}".strip()
        price = formatLang(
            env, self.price, currency_obj=self.response_id.sale_order_id.currency_id
        )
        head = self.env._(
            "Line %(ref)s, %(item)s", ref=self.order_line_ref, item=self.item_name
        )
        if self.status == "5":
            return False
        if self.status == "7":
            return self.env._(
                "%(line)s: rejected (%(why)s)", line=head, why=self.note or "-"
            )
        if self.status == "42":
            return self.env._("%(line)s: already delivered", line=head)
        if self.status == "1":
            return self.env._(
                "%(line)s: added, %(qty)s at %(price)s", line=head, qty=qty, price=price
            )
        changes = []
        if self.quantity_changed:
            changes.append(self.env._("quantity %s", qty))
        if self.price_changed:
            changes.append(self.env._("price %s", price))
        if self.promised_date:
            changes.append(
                self.env._("delivery %s", format_date(env, self.promised_date))
            )
        if self.substitute_product_id:
            changes.append(
                self.env._("replaced by %s", self.substitute_product_id.display_name)
            )
        if self.note:
            changes.append(self.note)
        return self.env._(
            "%(line)s: changed: %(changes)s",
            line=head,
            changes=", ".join(changes) or "-",
        )

    @api.model
    def _unit_code(self, uom):
        """The rec. 20 code for an Odoo unit: the user's own code, else the standard
        mapping."""
        if uom.psb_unece_code:
            return uom.psb_unece_code
        xmlid = uom.get_external_id().get(uom.id, "")
        return units.unece_code_for_xmlid(xmlid)
