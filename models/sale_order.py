# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .econnect_psb_order_import import PROFILE_SELECTION


class SaleOrder(models.Model):
    _inherit = "sale.order"

    psb_document_id = fields.Many2one(
        "econnect.psb.document", "Peppol Order Document", readonly=True, copy=False, index="btree_not_null"
    )
    psb_document_ids = fields.One2many("econnect.psb.document", "sale_order_id", "Peppol Documents", readonly=True)
    psb_order_ref = fields.Char("Peppol Order ID", readonly=True, copy=False,
                                help="The cbc:ID of the buyer's Peppol Order.")
    psb_profile = fields.Selection(PROFILE_SELECTION, "Peppol Profile", readonly=True, copy=False)
    psb_buyer_endpoint = fields.Char("Buyer Peppol ID", readonly=True, copy=False)
    psb_seller_endpoint = fields.Char("Seller Peppol ID", readonly=True, copy=False)
    psb_currency_code = fields.Char("Order Currency", readonly=True, copy=False)
    psb_customer_reference = fields.Char("Buyer's Reference", readonly=True, copy=False)
    psb_buyer_note = fields.Text("Buyer's Note", readonly=True, copy=False)
    psb_needs_attention = fields.Boolean("Peppol Import Needs Attention", copy=False)
    psb_import_issues = fields.Text("Peppol Import Issues", readonly=True, copy=False)
    psb_follow_up_pending = fields.Boolean("Peppol Change Pending", copy=False)

    _psb_order_uniq = models.UniqueIndex(
        "(company_id, psb_buyer_endpoint, psb_order_ref) WHERE psb_order_ref IS NOT NULL",
        "This Peppol order of this buyer was already imported.",
    )

    def _psb_receive_follow_up(self, document, parsed):
        """An Order Change or Order Cancellation arrived for this order: ask a person to handle it."""
        self.ensure_one()
        kind = dict(document._fields["document_type"].selection)[parsed.kind]
        reason = parsed.cancellation_note or "\n".join(parsed.notes) or ""
        self.psb_follow_up_pending = True
        self.message_post(
            body=self.env._(
                "%(kind)s %(id)s received from the buyer through the eConnect PSB. %(reason)s",
                kind=kind, id=parsed.id, reason=reason,
            ),
            attachment_ids=document.attachment_id.copy({"res_model": self._name, "res_id": self.id}).ids,
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.user_id or self.company_id.psb_user_id or self.env.user).id,
            summary=self.env._("%(kind)s received for %(order)s", kind=kind, order=self.name),
            note=self.env._("The buyer sent %(kind)s %(id)s. Review it and update the order. %(reason)s",
                            kind=kind, id=parsed.id, reason=reason),
        )
        document.write({"state": "pending", "processed_on": fields.Datetime.now(),
                        "error_message": self.env._("Waiting for a person to handle it on %s.", self.name)})

    def action_psb_view_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_econnect_psb.action_econnect_psb_document")
        action["domain"] = [("sale_order_id", "=", self.id)]
        return action
