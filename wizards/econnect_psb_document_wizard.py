# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class EconnectPsbDocumentWizard(models.TransientModel):
    """A person's decision on a failed incoming document: link it to its sale order (and
    process it again), or ignore it with a note. Both are recorded in the document's
    chatter.

    Only on a document of the user's (active) companies, read with the user's rights;
    the link only to an order of the document's company the user may change. The orders
    offered are the buyer's; another buyer's order is linked only after a confirmation
    that names both buyers, and the chatter says so."""

    _name = "econnect.psb.document.wizard"
    _description = "Link or ignore an incoming Peppol document"

    document_id = fields.Many2one(
        "econnect.psb.document", required=True, readonly=True, ondelete="cascade"
    )
    mode = fields.Selection(
        [("link", "Link to sale order"), ("ignore", "Ignore")],
        required=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="document_id.company_id")
    buyer_label = fields.Char("Buyer", compute="_compute_buyer_orders")
    buyer_order_ids = fields.Many2many("sale.order", compute="_compute_buyer_orders")
    no_order_reason = fields.Char(compute="_compute_buyer_orders")
    other_buyer = fields.Boolean(
        "Another buyer's order",
        help="Choose among every Peppol order of the document's company, not only "
        "this buyer's. Linking to another "
        "buyer's order needs your confirmation, and the chatter records it.",
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        domain="[('company_id', '=', company_id), ('psb_document_id', '!=', False)] "
        "if other_buyer "
        "else [('id', 'in', buyer_order_ids)]",
        help="The sale order this change or cancellation is about; it is processed "
        "again at once.",
    )
    buyer_mismatch = fields.Text(compute="_compute_buyer_mismatch")
    confirm_other_buyer = fields.Boolean("Link to this other buyer's order anyway")
    note = fields.Text(
        "Why", help="Kept on the document: why nobody needs to act on it."
    )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._check_document()
        return wizards

    def _check_document(self):
        """A PSB administrator, on a document of the user's companies that the user may
        read (record rules)."""
        if not self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            raise UserError(
                self.env._(
                    "Only PSB administrators can link or ignore incoming documents."
                )
            )
        if not self.document_id.has_access("read"):
            raise AccessError(
                self.env._(
                    "You can only link or ignore documents of your companies that you "
                    "may see."
                )
            )
        self.document_id._psb_check_access()

    @api.depends("document_id")
    def _compute_buyer_orders(self):
        for wizard in self:
            document = wizard.document_id
            buyer = document._psb_buyer_party() if wizard.mode == "link" else None
            orders = (
                document._psb_orders_of_buyer(buyer)
                if buyer
                else self.env["sale.order"]
            )
            wizard.buyer_label = (
                document._psb_party_label(buyer) if buyer else document.buyer_name
            )
            wizard.buyer_order_ids = orders
            wizard.no_order_reason = False if orders else wizard._no_order_reason(buyer)

    def _no_order_reason(self, buyer):
        if buyer is None:
            return self.env._(
                "The document's buyer cannot be read: tick Another buyer's order to "
                "choose an order of %s.",
                self.company_id.name,
            )
        return self.env._(
            "No Peppol order of %(buyer)s in %(company)s that you may change. Import "
            "the order first, or tick "
            "Another buyer's order if the document names the wrong buyer.",
            buyer=self.buyer_label,
            company=self.company_id.name,
        )

    @api.depends("sale_order_id", "document_id")
    def _compute_buyer_mismatch(self):
        for wizard in self:
            wizard.buyer_mismatch = (
                wizard._mismatch_text() if wizard.sale_order_id else False
            )

    def _mismatch_text(self):
        """Why the chosen order is not this document's buyer's, naming both buyers;
        False when it is."""
        document, order = self.document_id, self.sale_order_id
        buyer = document._psb_buyer_party()
        reason = document._buyer_mismatch(order, buyer, document.sender)
        if not reason:
            return False
        return self.env._(
            "%(doc)s is from %(theirs)s, but %(order)s is an order of %(ours)s "
            "(%(reason)s).",
            doc=document.display_name,
            theirs=document._psb_party_label(buyer)
            if buyer
            else self.env._("an unknown buyer"),
            order=order.name,
            ours=" ".join(
                filter(
                    None,
                    [
                        order.partner_id.commercial_partner_id.display_name,
                        f"({order.psb_buyer_endpoint})",
                    ],
                )
            )
            if order.psb_buyer_endpoint
            else order.partner_id.commercial_partner_id.display_name,
            reason=reason,
        )

    def action_apply(self):
        self.ensure_one()
        self._check_document()
        document = self.document_id.sudo()
        if self.mode == "ignore":
            if not (self.note or "").strip():
                raise UserError(self.env._("Say why this document can be ignored."))
            document._ignore(self.note.strip())
            return {"type": "ir.actions.act_window_close"}
        order = self.sale_order_id
        if not order:
            raise UserError(self.env._("Choose the sale order."))
        # The user may change it (record rules), before the link is written with the
        # pipeline's rights.
        if not order.has_access("write"):
            raise AccessError(
                self.env._("You can only link a document to an order you may change.")
            )
        if order.company_id != document.company_id:
            raise UserError(document._other_company_text())
        mismatch = self._mismatch_text()
        if mismatch and not self.confirm_other_buyer:
            raise UserError(
                self.env._(
                    "%s Confirm that you link it to this other buyer's order, or "
                    "choose an order of its own buyer.",
                    mismatch,
                )
            )
        document._link(order.sudo(), override=mismatch)
        document.action_process_now()
        return {"type": "ir.actions.act_window_close"}
