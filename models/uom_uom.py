# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class UomUom(models.Model):
    _inherit = "uom.uom"

    psb_unece_code = fields.Char(
        "Peppol Unit Code",
        help="UN/ECE recommendation 20/21 code (e.g. XBX for a box) that buyers use in Peppol orders for this unit. "
        "Standard units (C62, KGM, LTR, ...) are recognised without it.",
    )
