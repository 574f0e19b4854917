# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools


class UomUom(models.Model):
    _inherit = "uom.uom"

    psb_unece_code = fields.Char(
        "Peppol Unit Code",
        help="UN/ECE recommendation 20/21 code (e.g. XBX for a box) that buyers use "
        "in Peppol orders for this unit. "
        "Standard units (C62, KGM, LTR, ...) are recognised without it.",
    )

    @api.model
    @tools.ormcache()
    def _psb_custom_codes(self):
        """(code, unit id) of the active units with a Peppol unit code of their own,
        upper case, in the units' order: read once, then cached until a unit changes
        (the import reads them for every order)."""
        units = self.sudo().search([("psb_unece_code", "!=", False)])
        return tuple((unit.psb_unece_code.strip().upper(), unit.id) for unit in units)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if {"psb_unece_code", "active", "sequence", "relative_uom_id"} & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
