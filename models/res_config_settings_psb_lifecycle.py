# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

PSB_GROUP = "sale_econnect_psb.group_psb_manager"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    psb_download_as = fields.Char(related="company_id.psb_download_as", readonly=False, groups=PSB_GROUP)
    psb_keep_max_mb = fields.Integer(related="company_id.psb_keep_max_mb", readonly=False, groups=PSB_GROUP)
    psb_import_max_mb = fields.Integer(related="company_id.psb_import_max_mb", readonly=False, groups=PSB_GROUP)
    psb_max_line_quantity = fields.Float(related="company_id.psb_max_line_quantity", readonly=False)
    psb_max_unit_price = fields.Float(related="company_id.psb_max_unit_price", readonly=False)
