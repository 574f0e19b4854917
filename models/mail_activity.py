# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

PSB_ACTIVITY_KINDS = [
    ("import", "Check the imported order"),
    ("confirm", "Confirm the order (not confirmed automatically)"),
    ("decide", "Decide on a change or cancellation"),
    ("answer", "A Peppol answer failed"),
]


class MailActivity(models.Model):
    """An activity the addon schedules says what it is about (a kind and, for a change or a
    cancellation, its document), so that it is found and closed by that, never by its text."""

    _inherit = "mail.activity"

    psb_kind = fields.Selection(PSB_ACTIVITY_KINDS, "Peppol Activity", readonly=True, index="btree_not_null")
    psb_document_id = fields.Many2one("econnect.psb.document", "Peppol Document", readonly=True,
                                      ondelete="set null")
