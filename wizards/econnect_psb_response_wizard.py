# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.psb_selections import RESPONSE_CODES

#: What the wizard answers: the order, or a change or cancellation the buyer asked for.
PURPOSES = [
    ("answer", "Answer the order"),
    ("refuse_change", "Reject the change (RE)"),
    ("refuse_cancellation", "Refuse the cancellation (RE)"),
]


class EconnectPsbResponseWizard(models.TransientModel):
    """Reject (RE, with a reason) or accept with changes (CA, every line with its
    status)."""

    _name = "econnect.psb.response.wizard"
    _description = "Answer a Peppol order"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    code = fields.Selection(RESPONSE_CODES, required=True, readonly=True)
    note = fields.Text("Reason / note for the buyer")
    purpose = fields.Selection(PURPOSES, default="answer", required=True, readonly=True)
    line_ids = fields.One2many(
        "econnect.psb.response.wizard.line", "wizard_id", "Lines"
    )
    undecided_summary = fields.Char(compute="_compute_summaries")
    nothing_changed = fields.Boolean(compute="_compute_summaries")
    note_warning = fields.Text(
        compute="_compute_note_warning",
        help="Which lines would not reach the buyer through the PSB's JSON note: said "
        "before anything is sent.",
    )

    @api.depends("code", "line_ids.status", "line_ids.needs_decision")
    def _compute_summaries(self):
        for wizard in self:
            lines = wizard.line_ids if wizard.code == "CA" else wizard.line_ids.browse()
            undecided = lines.filtered(lambda ln: not ln.status)
            wizard.undecided_summary = (
                "; ".join(
                    f"{line.order_line_ref} ({line.needs_decision})"
                    if line.needs_decision
                    else line.order_line_ref
                    for line in undecided
                )
                or False
            )
            wizard.nothing_changed = bool(lines) and all(
                line.status == "5" for line in lines
            )

    @api.depends(
        "code",
        "note",
        "line_ids.status",
        "line_ids.quantity",
        "line_ids.price",
        "line_ids.promised_date",
        "line_ids.substitute_product_id",
        "line_ids.note",
        "sale_order_id.company_id.psb_responses_as_ubl",
    )
    def _compute_note_warning(self):
        Response = self.env["econnect.psb.response"]
        for wizard in self:
            lines = (
                [line._response_line_vals() for line in wizard.line_ids]
                if wizard.code == "CA"
                else []
            )
            decided = all(vals["status"] for vals in lines)
            wizard.note_warning = decided and Response._note_warning(
                wizard.sale_order_id, wizard.code, wizard.note, lines
            )

    def action_send_as_ubl(self):
        """Switch on the company's *Send Order Responses as UBL* (PSB administrators)
        and send: every line reaches the buyer."""
        self.ensure_one()
        if not self.env.user.has_group("sale_econnect_psb.group_psb_manager"):
            raise UserError(
                self.env._(
                    "Only a PSB administrator can switch on Send Order Responses as "
                    "UBL (Settings)."
                )
            )
        company = self.sale_order_id.company_id
        company.sudo().psb_responses_as_ubl = True
        self.invalidate_recordset(["note_warning"])
        self.sale_order_id._message_log(
            body=self.env._(
                "Send Order Responses as UBL switched on for %s: every line reaches "
                "the buyer.",
                company.name,
            )
        )
        return self.action_send()

    @api.model
    def _title(self, code):
        """The words of the wizard's title, which are those of its button."""
        return {
            "CA": self.env._("Accept with changes (CA)"),
            "RE": self.env._("Reject (RE)"),
        }.get(
            code, dict(self._fields["code"]._description_selection(self.env)).get(code)
        )

    def action_send(self):
        self.ensure_one()
        pending = (
            self.sale_order_id.sudo().psb_pending_document_id
        )  # which check applies; both check the caller
        refuse_pending = self.env.context.get("psb_refuse_pending") and pending
        if refuse_pending:
            self.sale_order_id._psb_check_decider()
        else:
            self.sale_order_id._psb_check_access()
        if self.code == "RE" and not (self.note or "").strip():
            if self.purpose == "refuse_cancellation":
                raise UserError(
                    self.env._(
                        "Give the buyer the reason why the order is not cancelled."
                    )
                )
            raise UserError(self.env._("Give the buyer the reason of the rejection."))
        lines = []
        if self.code == "CA":
            if not self.line_ids:
                raise UserError(
                    self.env._("An acceptance with changes lists every order line.")
                )
            if self.undecided_summary:
                raise UserError(
                    self.env._(
                        "Decide on these lines first (accepted, changed or rejected): "
                        "%s.",
                        self.undecided_summary,
                    )
                )
            for line in self.line_ids:
                if line.status == "7" and not line.note:
                    raise UserError(
                        self.env._("Say why line %s is rejected.", line.order_line_ref)
                    )
                lines.append(line._response_line_vals())
            if all(vals["status"] == "5" for vals in lines):
                raise UserError(
                    self.env._(
                        "Nothing changed on any line: accept the order (AP) instead."
                    )
                )
        if self.note_warning:
            raise UserError(
                self.note_warning
            )  # never cut behind the user's back: said before anything is queued
        if refuse_pending:
            self.env["econnect.psb.order.change"].sudo()._decide(
                self.sale_order_id.sudo(), accept=False, note=self.note
            )
        else:
            # What breaks the standard's rules is said now, in the user's language, not
            # when sending fails.
            self.sale_order_id._psb_queue_response(
                self.code, note=self.note, lines=lines
            )._check_rules()
        return {"type": "ir.actions.act_window_close"}
