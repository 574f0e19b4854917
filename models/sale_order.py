# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..psb import exceptions as psb_errors
from ..psb.ubl import reader
from .econnect_psb_order_import import PROFILE_SELECTION
from .econnect_psb_response import BUSINESS_CODES, RESPONSE_CODES


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
    psb_pending_document_id = fields.Many2one("econnect.psb.document", "Pending Change or Cancellation",
                                              readonly=True, copy=False)
    psb_pending_type = fields.Selection(related="psb_pending_document_id.document_type")
    psb_pending_summary = fields.Text("Proposed by the Buyer", readonly=True, copy=False)
    psb_cancellation_note = fields.Char("Buyer's Cancellation Reason", readonly=True, copy=False)
    psb_last_change_seq = fields.Integer("Last Applied Change", readonly=True, copy=False)
    psb_last_change_date = fields.Datetime(readonly=True, copy=False)
    psb_awaiting_buyer = fields.Boolean(
        "Awaiting the Buyer", readonly=True, copy=False,
        help="We proposed changes (CA) or cancelled (RE): the buyer's next Order Change or Order Cancellation "
        "is the answer to that.")

    psb_amounts_state = fields.Selection(
        [("match", "Match the buyer's order"), ("differ", "Differ from the buyer's order"),
         ("unchecked", "Not checked")],
        "Peppol Amounts", readonly=True, copy=False,
        help="The totals check after import: the quotation's untaxed amount, tax and total compared with the "
        "buyer's order totals (AnticipatedMonetaryTotal, TaxTotal).")
    psb_response_ids = fields.One2many("econnect.psb.response", "sale_order_id", "Peppol Responses", readonly=True)
    psb_response_code = fields.Selection(RESPONSE_CODES, "Last Peppol Answer", compute="_compute_psb_response",
                                         store=True)
    psb_response_state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("delivered", "Delivered"), ("failed", "Failed")],
        "Peppol Answer Status", compute="_compute_psb_response", store=True,
    )
    psb_awaiting_answer = fields.Boolean("Awaiting our Peppol answer", compute="_compute_psb_response", store=True)
    psb_answerable = fields.Boolean(compute="_compute_psb_answerable")
    psb_buyer_can_respond = fields.Selection(
        [("unknown", "Not checked yet"), ("yes", "Yes"), ("no", "No")],
        "Buyer Receives Order Responses", default="unknown", readonly=True, copy=False,
    )

    _psb_order_uniq = models.UniqueIndex(
        "(company_id, psb_buyer_endpoint, psb_order_ref) WHERE psb_order_ref IS NOT NULL",
        "This Peppol order of this buyer was already imported.",
    )

    @api.depends("psb_response_ids.state", "psb_response_ids.code", "psb_document_id", "psb_profile", "state")
    def _compute_psb_response(self):
        for order in self:
            responses = order.psb_response_ids.sorted("id")
            last = responses[-1:] if responses else responses
            order.psb_response_code = last.code or False
            order.psb_response_state = last.state or False
            answered = responses.filtered(lambda r: r.code in BUSINESS_CODES and r.state != "failed")
            order.psb_awaiting_answer = bool(
                order.psb_document_id and order.psb_profile != "order_only" and not answered
                and order.state != "cancel"
            )

    @api.depends("psb_document_id", "psb_profile")
    def _compute_psb_answerable(self):
        for order in self:
            order.psb_answerable = bool(order.psb_document_id) and order.psb_profile in ("ordering", "advanced_ordering")

    # ------------------------------------------------------------------
    # Answering
    # ------------------------------------------------------------------
    def _psb_queue_response(self, code, note=None, lines=None, order_change_ref=None):
        """Queue one answer; a repeated click while the same answer is still queued adds nothing."""
        self.ensure_one()
        if not self.psb_answerable:
            raise UserError(self.env._(
                "%s did not come in as a Peppol order that expects an answer (Order Only orders get none).", self.name))
        if self.psb_buyer_can_respond == "no":
            raise UserError(self.env._("The buyer cannot receive Peppol Order Responses (checked at the PSB)."))
        Response = self.env["econnect.psb.response"].sudo()
        pending = self.psb_response_ids.filtered(
            lambda r: r.state == "queued" and r.code == code and (r.note or False) == (note or False)
            and (r.order_change_ref or False) == (order_change_ref or False))
        if pending and not lines:
            return pending[0]
        response = Response.create({
            "name": f"{self.name}-R{len(self.psb_response_ids) + 1}",
            "sale_order_id": self.id,
            "code": code,
            "note": note or False,
            "order_change_ref": order_change_ref or False,
            "line_ids": [fields.Command.create(vals) for vals in (lines or [])],
        })
        if not order_change_ref and (code == "CA" or (code == "RE" and self.state == "sale")):
            # On a confirmed order our proposal or cancellation waits for the buyer's change or cancellation.
            self.sudo().psb_awaiting_buyer = True
        Response._trigger_sending()
        return response

    def action_psb_acknowledge(self):
        for order in self:
            buyer_env = order.with_context(lang=order.partner_id.lang or self.env.lang).env  # the buyer reads it
            order._psb_queue_response("AB", note=buyer_env._("Order received; we will confirm it shortly."))
        return True

    def action_psb_accept(self):
        for order in self:
            order._psb_queue_response("AP")
        return True

    def _psb_open_answer_wizard(self, code):
        self.ensure_one()
        wizard = self.env["econnect.psb.response.wizard"].create({"sale_order_id": self.id, "code": code})
        if code == "CA":
            wizard.line_ids = [fields.Command.create(vals) for vals in self._psb_response_lines()]
        return {
            "type": "ir.actions.act_window",
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": wizard._title(code),
        }

    def action_psb_reject(self):
        return self._psb_open_answer_wizard("RE")

    def action_psb_accept_with_changes(self):
        return self._psb_open_answer_wizard("CA")

    def action_psb_check_buyer(self):
        for order in self:
            order._psb_check_buyer()
        return True

    def action_psb_view_original_order(self):
        """The buyer's original Peppol order as a readable document (printable as PDF)."""
        self.ensure_one()
        if not self.psb_document_id:
            raise UserError(self.env._("%s did not come in as a Peppol order.", self.name))
        return self.psb_document_id.action_psb_readable()

    def _psb_check_buyer(self):
        """Ask the PSB once whether the buyer can receive Order Responses, and remember it."""
        self.ensure_one()
        company = self.company_id
        try:
            company._psb_client().query_recipient_party(company.sudo().psb_party_id, [self.psb_buyer_endpoint])
            self.psb_buyer_can_respond = "yes"
        except psb_errors.PsbNotFoundError:
            self.psb_buyer_can_respond = "no"
        return self.psb_buyer_can_respond

    def _psb_original_order(self):
        attachment = self.psb_document_id.attachment_id
        if not attachment:
            return None
        return reader.read_document(attachment.sudo().with_context(bin_size=False).raw or b"")

    def _psb_response_lines(self):
        """Every order line with its status, from what the user changed on the quotation (for a CA)."""
        self.ensure_one()
        original = self._psb_original_order()
        if original is None:
            return []
        Line = self.env["econnect.psb.response.line"]
        sale_lines = self.order_line.filtered(lambda l: not l.display_type)
        by_ref = {}
        for line in sale_lines.filtered("psb_line_ref"):
            by_ref.setdefault(line.psb_line_ref, line)
        result = []
        last_ref = None
        for position, ordered in enumerate(original.lines, start=1):
            last_ref = ordered.line_id
            sale_line = by_ref.get(ordered.line_id)
            vals = {
                "sequence": position,
                "order_line_ref": ordered.line_id,
                "item_name": ordered.name or (sale_line and sale_line.name) or "-",
                "sellers_item_id": ordered.sellers_item_id or False,
                "buyers_item_id": ordered.buyers_item_id or False,
                "unit_code": ordered.unit_code or False,
                "sale_line_id": sale_line.id if sale_line else False,
            }
            if not sale_line or float_compare(sale_line.product_uom_qty, 0, precision_digits=6) == 0:
                vals.update(status="7", quantity=0)
                result.append(vals)
                continue
            changed_qty = ordered.quantity is not None and float_compare(
                sale_line.product_uom_qty, float(ordered.quantity), precision_digits=6) != 0
            changed_price = ordered.unit_price is not None and float_compare(
                sale_line.price_unit, float(ordered.unit_price), precision_digits=4) != 0
            substitute = (sale_line.psb_original_product_id and sale_line.product_id != sale_line.psb_original_product_id
                          and sale_line.product_id != self.env.ref("sale_econnect_psb.product_psb_unknown"))
            vals.update(
                status="3" if (changed_qty or changed_price or substitute) else "5",
                quantity=sale_line.product_uom_qty,
                quantity_changed=changed_qty,
                price=sale_line.price_unit,
                price_changed=changed_price,
                substitute_product_id=sale_line.product_id.id if substitute else False,
                unit_code=Line._unit_code(sale_line.product_uom_id) if changed_qty else (ordered.unit_code or False),
            )
            result.append(vals)
        placeholder = self.env.ref("sale_econnect_psb.product_psb_unknown")
        for extra in sale_lines.filtered(lambda l: not l.psb_line_ref and l.product_id != placeholder
                                         and not l.is_downpayment):
            result.append({
                "sequence": len(result) + 1,
                "order_line_ref": last_ref,
                "status": "1",
                "item_name": extra.product_id.name,
                "sellers_item_id": extra.product_id.default_code or False,
                "quantity": extra.product_uom_qty,
                "quantity_changed": True,
                "unit_code": Line._unit_code(extra.product_uom_id),
                "price": extra.price_unit,
                "price_changed": True,
                "sale_line_id": extra.id,
                "note": self.env._("Added by the seller"),
            })
        return result

    def action_confirm(self):
        result = super().action_confirm()
        for order in self.filtered(lambda o: o.psb_awaiting_answer and o.company_id.psb_answer_on_confirm):
            lines = order._psb_response_lines()
            if lines and any(vals["status"] != "5" for vals in lines):
                order._psb_queue_response("CA", note=self.env._("Accepted with the changes listed per line."),
                                          lines=lines)
            else:
                order._psb_queue_response("AP")
        return result

    # ------------------------------------------------------------------
    # Follow-up documents
    # ------------------------------------------------------------------
    def action_psb_accept_pending(self):
        """Apply the buyer's pending change (or cancel at its request) and answer AP."""
        for order in self.sudo():
            order.env["econnect.psb.order.change"]._decide(order, accept=True)
        return True

    def action_psb_refuse_pending(self):
        """Refuse the buyer's pending change or cancellation (RE): the last agreed order stands."""
        self.ensure_one()
        action = self._psb_open_answer_wizard("RE")
        action["context"] = {"psb_refuse_pending": True}
        return action

    def action_psb_view_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_econnect_psb.action_econnect_psb_document")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action
