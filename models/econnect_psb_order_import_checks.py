# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plausibility of the ordered quantities and prices (psb/line_checks.py), applied to the sale line values."""
from odoo import api, models

from ..psb import line_checks


class EconnectPsbOrderImport(models.AbstractModel):
    _inherit = "econnect.psb.order.import"

    @api.model
    def _psb_check_line_values(self, company, line, vals, line_issues):
        """Flag zero, negative and implausibly large quantities and prices of one line (``line_issues``); a
        negative quantity is put on the sale line as 0 (the ordered value stays in ``psb_ordered_qty``)."""
        result = line_checks.check_line(line.quantity, line.unit_price, company.psb_max_line_quantity,
                                        company.psb_max_unit_price)
        if result.hold:
            vals["product_uom_qty"] = 0.0
        texts = {
            "quantity_zero": lambda p: self.env._("quantity is 0"),
            "quantity_negative": lambda p: self.env._(
                "negative quantity %s: imported as 0, decide with the buyer what is meant", p.value),
            "quantity_too_large": lambda p: self.env._(
                "quantity %(qty)s is above the plausible %(limit)s: check it", qty=p.value, limit=p.limit),
            "price_zero": lambda p: self.env._("unit price is 0"),
            "price_negative": lambda p: self.env._("negative unit price %s: check it", p.value),
            "price_too_large": lambda p: self.env._(
                "unit price %(price)s is above the plausible %(limit)s: check it", price=p.value, limit=p.limit),
        }
        line_issues += [texts[problem.code](problem) for problem in result.problems]
