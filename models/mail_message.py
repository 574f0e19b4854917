# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.mail.tools.discuss import Store

from .psb_texts import render_note


class MailMessage(models.Model):
    """A chatter entry the addon writes keeps its text as codes and parameters
    (``models/psb_texts.py``), and the chatter shows it in the reader's language; its
    stored body is the same text in the language of the person it was written for (what
    e-mails, searches and exports see)."""

    _inherit = "mail.message"

    psb_body_data = fields.Json("Peppol Text (data)", readonly=True, copy=False)

    def _to_store_defaults(self, target):
        names = super()._to_store_defaults(target)
        body = Store.Attr(
            "body",
            lambda m: (
                render_note(m.env, m.psb_body_data) if m.psb_body_data else m.body
            ),
        )
        return [body if name == "body" else name for name in names]

    @api.model_create_multi
    def create(self, vals_list):
        # sale.order._psb_log: the entry's data comes with its creation (no write after
        # it).
        if data := self.env.context.get("psb_body_data"):
            vals_list = [{"psb_body_data": data, **vals} for vals in vals_list]
        return super().create(vals_list)
