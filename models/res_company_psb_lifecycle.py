# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Company settings of a received document's life: download format, size limits, line limits."""
from odoo import fields, models

from ..psb import line_checks

PSB_GROUP = "sale_econnect_psb.group_psb_manager"


class ResCompany(models.Model):
    _inherit = "res.company"

    psb_download_as = fields.Char(
        "Download orders as",
        groups=PSB_GROUP,
        help="A Peppol document type id passed to the PSB as targetDocumentTypeId when downloading, so that the "
        "PSB converts the document to it. Empty (the default): the format the buyer sent. Whatever the PSB "
        "returns must be a Peppol BIS 3 Order, Order Change or Order Cancellation.",
    )
    psb_keep_max_mb = fields.Integer(
        "Keep documents up to (MB)", default=200, groups=PSB_GROUP,
        help="Downloaded documents up to this size are kept in Odoo (attachment), whatever the import limit.",
    )
    psb_import_max_mb = fields.Integer(
        "Import documents up to (MB)", default=20, groups=PSB_GROUP,
        help="A kept document larger than this is not imported: raise the limit and press Retry.",
    )
    psb_max_line_quantity = fields.Float(
        "Largest plausible line quantity", default=float(line_checks.DEFAULT_MAX_QUANTITY),
        help="A line ordering more than this is flagged on the quotation (0: no limit).",
    )
    psb_max_unit_price = fields.Float(
        "Largest plausible unit price", default=float(line_checks.DEFAULT_MAX_UNIT_PRICE),
        help="A line priced above this per unit is flagged on the quotation (0: no limit).",
    )
