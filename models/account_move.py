# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import html_escape

from ..psb.invoice_response import NEEDS_A_PERSON
from .psb_fields import peppol_field
from .psb_selections import SEND_STATES

INVOICE_RESPONSES = [
    ("AB", "Received (AB)"),
    ("IP", "In process (IP)"),
    ("UQ", "Under query (UQ)"),
    ("CA", "Conditionally accepted (CA)"),
    ("RE", "Rejected (RE)"),
    ("AP", "Accepted (AP)"),
    ("PD", "Paid (PD)"),
]


def _distinct(values):
    """The non-empty values once each, in their order, joined as Odoo joins the orders'
    references."""
    return ", ".join(dict.fromkeys(value for value in values if value)) or False


def _from_orders(field_type, *args, **kwargs):
    """What the invoice takes from its sale orders received over Peppol
    (``_compute_psb_references``)."""
    return field_type(*args, compute="_compute_psb_references", **kwargs)


def _sending_state(field_type, *args, **kwargs):
    """Where the invoice's sending through the eConnect PSB stands
    (``_compute_psb_send_state``)."""
    return field_type(*args, compute="_compute_psb_send_state", **kwargs)


class AccountMove(models.Model):
    _inherit = "account.move"

    psb_sale_order_ids = _from_orders(
        fields.Many2many,
        "sale.order",
        string="Peppol Orders",
        help="The sale orders received over Peppol whose lines this invoice holds.",
    )
    psb_order_ref = _from_orders(
        fields.Char,
        "Buyer's Order ID",
        help="The buyer's Peppol order id: the Peppol invoice's OrderReference.",
    )
    psb_buyer_reference = _from_orders(
        fields.Char,
        "Buyer's Reference",
        help="The order's CustomerReference: the Peppol invoice's BuyerReference.",
    )
    psb_contract_reference = _from_orders(fields.Char, "Buyer's Contract")
    psb_project_reference = _from_orders(fields.Char, "Buyer's Project")
    psb_accounting_cost = _from_orders(fields.Char, "Buyer's Accounting Cost")
    psb_orders_warning = _from_orders(fields.Char, "Peppol Orders Warning")

    # Sending through the eConnect PSB, and the buyer's Invoice Response
    psb_invoice_send_ids = fields.One2many(
        "econnect.psb.invoice.send", "move_id", "Sent through the PSB", readonly=True
    )
    psb_send_state = _sending_state(
        fields.Selection,
        SEND_STATES,
        "PSB Sending",
        help="Where the invoice is on its way to the buyer through the eConnect PSB: "
        "queued, sent (the PSB took it), "
        "delivered (the buyer's access point received it) or failed (with the reason).",
    )
    psb_send_message = _sending_state(fields.Text, "PSB Sending Message")
    psb_send_can_retry = _sending_state(fields.Boolean)
    psb_invoice_response = peppol_field(
        fields.Selection,
        INVOICE_RESPONSES,
        "Buyer's Invoice Response",
        help="The last Peppol Invoice Response of the buyer: received, in process, "
        "under query, accepted, "
        "rejected or paid.",
    )
    psb_invoice_response_note = peppol_field(fields.Text, "Buyer's Reason")
    psb_invoice_response_on = peppol_field(
        fields.Datetime, "Invoice Response Received On"
    )

    @api.depends(
        "invoice_line_ids.sale_line_ids.order_id.psb_order_ref",
        "invoice_line_ids.sale_line_ids.order_id.psb_customer_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_contract_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_project_reference",
        "invoice_line_ids.sale_line_ids.order_id.psb_accounting_cost",
    )
    @api.depends_context("lang")
    def _compute_psb_references(self):
        for move in self:
            # The references only: read whoever may see the invoice (a salesman's record
            # rules aside).
            orders = (
                move.sudo()
                .invoice_line_ids.sale_line_ids.order_id.filtered("psb_order_ref")
                .sorted("id")
            )
            move.psb_sale_order_ids = orders.with_env(self.env)
            move.psb_order_ref = _distinct(orders.mapped("psb_order_ref"))
            move.psb_buyer_reference = _distinct(
                orders.mapped("psb_customer_reference")
            )
            move.psb_contract_reference = _distinct(
                orders.mapped("psb_contract_reference")
            )
            move.psb_project_reference = _distinct(
                orders.mapped("psb_project_reference")
            )
            move.psb_accounting_cost = _distinct(orders.mapped("psb_accounting_cost"))
            move.psb_orders_warning = (
                self.env._(
                    "This invoice holds the lines of several Peppol orders (%s). A "
                    "Peppol invoice refers to one "
                    "order: its lines carry no order line references, and the buyer "
                    "may not match it to its orders "
                    "without a person. Invoice each order on its own when the buyer "
                    "needs it.",
                    move.psb_order_ref,
                )
                if len(orders) > 1
                else False
            )

    def _psb_single_order(self):
        """The one Peppol order this invoice is for (its lines may refer to that order's
        lines), else none."""
        self.ensure_one()
        orders = self.psb_sale_order_ids
        return orders if len(orders) == 1 else orders.browse()

    @api.depends("psb_invoice_send_ids.state", "psb_invoice_send_ids.error_message")
    def _compute_psb_send_state(self):
        for move in self:
            last = move.sudo().psb_invoice_send_ids.sorted("id")[-1:]
            move.psb_send_state = last.state
            move.psb_send_message = last.error_message
            move.psb_send_can_retry = last.state == "failed" and last.can_retry

    def action_psb_retry_send(self):
        """Retry the failed sending of these invoices through the eConnect PSB."""
        failed = self.sudo().psb_invoice_send_ids.filtered(
            lambda s: s.state == "failed"
        )
        return failed.with_env(self.env).action_retry()

    # ------------------------------------------------------------------
    # Activities for the invoice's responsible
    # ------------------------------------------------------------------
    def _psb_invoice_activity(self, kind, summary, note):
        """Schedule the activity of ``kind`` (``send``, ``response``) for the invoice's
        responsible, or bring the open one up to date."""
        self.ensure_one()
        move = self.sudo()
        if existing := move._psb_invoice_activities(kind):
            existing[:1].write({"summary": summary, "note": note})
            return existing[:1]
        user = move.invoice_user_id or move.company_id.psb_user_id or self.env.user
        activity = move.with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_warning",
            user_id=user.id,
            summary=summary,
            note=note,
        )
        activity.psb_kind = f"invoice_{kind}"
        return activity

    def _psb_invoice_activities(self, kind):
        return self.sudo().activity_ids.filtered(
            lambda a: a.psb_kind == f"invoice_{kind}"
        )

    def _psb_close_invoice_activities(self, kind):
        for move in self:
            move._psb_invoice_activities(kind).action_feedback()

    # ------------------------------------------------------------------
    # The buyer's Invoice Response
    # ------------------------------------------------------------------
    def _psb_apply_invoice_response(self, response):
        """Show the buyer's Invoice Response (``psb.invoice_response.InvoiceResponse``)
        on the invoice; a rejection or a query gives the invoice's responsible an
        activity, any later answer closes it."""
        self.ensure_one()
        label = dict(
            self._fields["psb_invoice_response"]._description_selection(self.env)
        )[response.code]
        reason = "; ".join(response.reasons)
        self.sudo().write(
            {
                "psb_invoice_response": response.code,
                "psb_invoice_response_note": reason or False,
                "psb_invoice_response_on": fields.Datetime.now(),
            }
        )
        self._message_log(
            body=self.env._(
                "The buyer's Invoice Response: %(status)s.%(reason)s",
                status=label,
                reason=f" {reason}" if reason else "",
            )
        )
        if response.code not in NEEDS_A_PERSON:
            self._psb_close_invoice_activities("response")
            return
        advice = (
            self.env._(
                "Contact the buyer; a rejected invoice is corrected with a credit "
                "note and a new invoice."
            )
            if response.code == "RE"
            else self.env._(
                "Answer the buyer's question; the buyer sends a new Invoice Response "
                "once it is settled."
            )
        )
        self._psb_invoice_activity(
            "response",
            self.env._(
                "Buyer's Invoice Response on %(invoice)s: %(status)s",
                invoice=self.name,
                status=label,
            ),
            f"<p>{html_escape(reason or label)}</p><p>{html_escape(advice)}</p>",
        )
