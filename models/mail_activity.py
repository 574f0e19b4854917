# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.fields import Domain

from odoo.addons.mail.tools.discuss import Store

from .psb_texts import render, render_note

PSB_ACTIVITY_KINDS = [
    ("import", "Check the imported order"),
    ("confirm", "Confirm the order (not confirmed automatically)"),
    ("decide", "Decide on a change or cancellation"),
    ("answer", "A Peppol answer failed"),
    ("overdue", "Answer the buyer: the answering time has passed"),
    ("invoice_send", "A Peppol invoice was not delivered"),
    ("invoice_response", "The buyer rejected or queried an invoice"),
]


class MailActivity(models.Model):
    """An activity the addon schedules says what it is about (a kind and, for a change
    or a cancellation, its document), so that it is found and closed by that, never by
    its text.

    Its sale order and that order's sales team are shown and searched (not stored: an
    order moved to another team takes its activities with it), so that a team finds the
    Peppol activities it can act on (*Sales > Peppol > Team activities*). Who sees which
    activity stays Odoo's rule: the activities assigned to oneself, and those of the
    orders one may read."""

    _inherit = "mail.activity"

    psb_kind = fields.Selection(
        PSB_ACTIVITY_KINDS, "Peppol Activity", readonly=True, index="btree_not_null"
    )
    psb_document_id = fields.Many2one(
        "econnect.psb.document", "Peppol Document", readonly=True, ondelete="set null"
    )
    psb_sale_order_id = fields.Many2one(
        "sale.order",
        "Sale Order",
        compute="_compute_psb_sale_order_id",
        search="_search_psb_sale_order_id",
    )
    # The summary and note as codes and parameters (models/psb_texts.py): shown in the
    # reader's language.
    psb_summary_data = fields.Json("Peppol Summary (data)", readonly=True, copy=False)
    psb_note_data = fields.Json("Peppol Note (data)", readonly=True, copy=False)
    psb_team_id = fields.Many2one(
        related="psb_sale_order_id.team_id", string="Sales Team"
    )
    psb_customer_id = fields.Many2one(
        related="psb_sale_order_id.partner_id", string="Customer"
    )

    @api.depends("res_model", "res_id")
    def _compute_psb_sale_order_id(self):
        SaleOrder = self.env["sale.order"]
        for activity in self:
            activity.psb_sale_order_id = SaleOrder.browse(
                activity.res_id if activity.res_model == "sale.order" else ()
            )

    def _search_psb_sale_order_id(self, operator, value):
        if operator in ("any", "any!"):
            # any!: the related fields' path (psb_team_id) searches without the order's
            # rules; which activities one sees is still decided by mail.activity's own
            # access (the order's rules).
            SaleOrder = (
                self.env["sale.order"].sudo()
                if operator == "any!"
                else self.env["sale.order"]
            )
            orders = SaleOrder._search(value)
        elif operator == "in":
            ids = [v for v in value if v]
            orders = ids
            if False in value:
                return Domain(
                    "res_model", "!=", "sale.order"
                ) | self._search_psb_sale_order_id("in", ids)
        else:
            return NotImplemented
        return Domain("res_model", "=", "sale.order") & Domain("res_id", "in", orders)

    def _to_store_defaults(self, target):
        """The summary and note of an activity the addon wrote, in the reader's language
        (the stored ones are in the language of its assignee)."""
        names = super()._to_store_defaults(target)
        shown = {
            "summary": lambda a: (
                render(a.env, a.psb_summary_data) if a.psb_summary_data else a.summary
            ),
            "note": lambda a: (
                render_note(a.env, a.psb_note_data) if a.psb_note_data else a.note
            ),
        }
        return [
            Store.Attr(name, shown[name]) if name in shown else name for name in names
        ]
