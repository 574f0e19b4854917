# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class EconnectPsbDocumentWizard(models.TransientModel):
    """A person's decision on a failed incoming document: link it to its sale order (and process it
    again), or ignore it with a note. Both are recorded in the document's chatter."""

    _name = "econnect.psb.document.wizard"
    _description = "Link or ignore an incoming Peppol document"

    document_id = fields.Many2one("econnect.psb.document", required=True, readonly=True, ondelete="cascade")
    mode = fields.Selection([("link", "Link to sale order"), ("ignore", "Ignore")], required=True, readonly=True)
    company_id = fields.Many2one(related="document_id.company_id")
    sale_order_id = fields.Many2one(
        "sale.order",
        domain="[('psb_document_id', '!=', False), ('company_id', '=', company_id)]",
        help="The sale order this change or cancellation is about; it is processed again at once.",
    )
    note = fields.Text("Why", help="Kept on the document: why nobody needs to act on it.")

    @api.model
    def _check_psb_manager(self):
        if not self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            raise UserError(self.env._("Only PSB administrators can link or ignore incoming documents."))

    def action_apply(self):
        self.ensure_one()
        self._check_psb_manager()
        document = self.document_id.sudo()
        if self.mode == "ignore":
            if not (self.note or "").strip():
                raise UserError(self.env._("Say why this document can be ignored."))
            document._ignore(self.note.strip())
            return {"type": "ir.actions.act_window_close"}
        if not self.sale_order_id:
            raise UserError(self.env._("Choose the sale order."))
        document._link(self.sale_order_id.sudo())
        document.action_process_now()
        return {"type": "ir.actions.act_window_close"}
