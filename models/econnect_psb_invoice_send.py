# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .econnect_psb_queue_mixin import BATCH_SIZE
from .econnect_psb_response import psb_refusal

_logger = logging.getLogger(__name__)

ACTIVE_STATES = ("queued", "sent", "delivered")
#: A transient failure (the PSB out of reach) is retried with the back-off for this
#: long, then the sending fails.
RETRY_FOR = timedelta(days=3)
SEND_CRON = "sale_econnect_psb.ir_cron_psb_send_invoices"
BILLING = "account.group_account_invoice"


class EconnectPsbInvoiceSend(models.Model):
    """One Peppol invoice (or credit note) to send through the eConnect PSB: queued by
    Odoo's *Send* dialog with its UBL (already checked against the official rules), then
    sent once by the scheduled action."""

    _name = "econnect.psb.invoice.send"
    _inherit = ["econnect.psb.sent.mixin"]
    _queue_cron = SEND_CRON
    _description = "Peppol invoice sent through the eConnect PSB"
    _order = "id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    receiver = fields.Char("Receiver's Peppol ID", readonly=True)
    idempotency_key = fields.Char(
        help="Sent as X-EConnect-DocumentId: the PSB refuses a second invoice with "
        "the same key.",
    )
    psb_document_id = fields.Char(
        "PSB Document ID", readonly=True, index="btree_not_null"
    )
    attachment_id = fields.Many2one("ir.attachment", "UBL Invoice", readonly=True)
    rule_check = fields.Selection(
        [("ok", "Passed"), ("unavailable", "Not checked")],
        "Peppol Rules",
        readonly=True,
        help="Whether the UBL was checked against the official Peppol rules before it "
        "was queued (Not checked: the "
        "rules are not installed on this server).",
    )
    can_retry = fields.Boolean("Retry can help", readonly=True)
    # One sending under way per invoice: a double click, or two people at once, never
    # queue it twice.
    _move_active_uniq = models.UniqueIndex(
        "(move_id) WHERE state IN ('queued', 'sent', 'delivered')",
        "This invoice is already being sent through the eConnect PSB.",
    )

    # ------------------------------------------------------------------
    # Queuing (from Odoo's Send dialog)
    # ------------------------------------------------------------------
    @api.model
    def _psb_queue(self, invoice, xml, filename, rule_check):
        """Queue ``invoice`` (its UBL ``xml``) once; an invoice already being sent is
        left as it is.

        :returns: the sending (the one already under way, if any)"""
        Send = self.sudo()
        if active := invoice.sudo().psb_invoice_send_ids.filtered(
            lambda s: s.state in ACTIVE_STATES
        ):
            return active[:1]
        receiver = invoice.commercial_partner_id._psb_invoice_endpoint()
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                sending = Send.create(
                    {
                        "move_id": invoice.id,
                        "receiver": receiver,
                        "rule_check": rule_check,
                    }
                )
                sending.attachment_id = (
                    self.env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": filename,
                            "raw": xml,
                            "mimetype": "application/xml",
                            "res_model": "account.move",
                            "res_id": invoice.id,
                            "company_id": invoice.company_id.id,
                        }
                    )
                )
        except psycopg2.errors.UniqueViolation:
            # Queued meanwhile by another request (a double click): that one is sent.
            return Send.search(
                [("move_id", "=", invoice.id), ("state", "in", ACTIVE_STATES)], limit=1
            )
        invoice._message_log(
            body=self.env._(
                "Queued to be sent through the eConnect PSB to %s.", sending.receiver
            ),
            attachment_ids=sending.attachment_id.ids,
        )
        self._trigger_sending()
        return sending

    # ------------------------------------------------------------------
    # Sending (the queue's scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _trigger_sending(self, at=None):
        self._queue_trigger(at)

    @api.model
    def _cron_send_invoices(self, batch_size=BATCH_SIZE):
        """Send every queued invoice that is due, each once (the queue's loop, one row
        lock per invoice)."""
        self._queue_run(batch_size)

    def _queue_reader(self):
        move = self.move_id.sudo()
        return self.with_context(
            lang=move.invoice_user_id.lang or move.company_id._psb_lang()
        )

    def _queue_deadline(self):
        return self.create_date + RETRY_FOR

    def _queue_process_one(self, clients):
        self._send(clients)

    def _queue_classify(self, exc):
        return psb_refusal(self.env, exc) or super()._queue_classify(exc)

    def _queue_give_up_text(self, retry):
        return self.env._(
            "The PSB could not be reached in %(n)s attempts up to %(deadline)s (last "
            "error: %(error)s). Press Retry "
            "once the PSB is reachable, or send the invoice by other means."
        )

    def _send(self, clients=None):
        """Send once: the idempotency key makes a repeat after a crash a no-op at the
        PSB (409, taken as sent)."""
        self.ensure_one()
        company = self.company_id
        client = self._queue_client(clients, company)
        attachment = self.attachment_id.sudo().with_context(bin_size=False)
        result = client.send_invoice(
            company.sudo().psb_party_id,
            attachment.raw,
            self.idempotency_key,
            receiver_id=self.receiver or None,
            filename=attachment.name,
        )
        self.write(
            {
                "state": "sent",
                "psb_document_id": (result or {}).get("id") or self.idempotency_key,
                "sent_on": fields.Datetime.now(),
                "error_message": False,
                "next_attempt_at": False,
            }
        )
        self.move_id._message_log(
            body=self.env._(
                "Sent through the eConnect PSB to %s; waiting for its delivery.",
                self.receiver,
            )
        )
        self.move_id._psb_close_invoice_activities("send")

    def _fail(self, message, can_retry=True):
        """The invoice did not reach the buyer: shown on the invoice, with an activity
        for its responsible."""
        note = self._queue_write_failed(
            message,
            can_retry,
            self.env._("Press Retry on the invoice once the cause is fixed."),
            self.env._(
                "Retrying will not help: send the invoice by other means (e-mail, the "
                "buyer's portal)."
            ),
        )
        self.move_id._psb_invoice_activity(
            "send",
            self.env._("Peppol invoice %s not delivered", self.move_id.name),
            note,
        )

    def action_retry(self):
        """Send a failed invoice again, as a new document at the PSB (the old one never
        arrived)."""
        self._psb_check_sender()
        for sending in self.filtered(lambda s: s.state == "failed").sudo():
            sending.move_id._message_log(
                body=self.env._("Sending through the eConnect PSB again.")
            )
            sending._queue_reset()
            sending.write(
                {
                    "state": "queued",
                    "idempotency_key": str(uuid.uuid4()),
                    "can_retry": False,
                }
            )
        self._trigger_sending()
        return True

    def _psb_check_sender(self):
        """The caller may send these invoices: a billing user who may change them
        (record rules included)."""
        if self.env.su:
            return
        if not self.env.user.has_group(BILLING):
            raise AccessError(
                self.env._(
                    "Only invoicing users can send invoices through the eConnect PSB."
                )
            )
        self.check_access("read")
        self.move_id.check_access("write")

    # ------------------------------------------------------------------
    # Delivery outcome (InvoiceSent* events)
    # ------------------------------------------------------------------
    @api.model
    def _apply_status_event(self, topic, event, company):
        """The delivery outcome of one of ``company``'s invoices (another company's
        event never touches it)."""
        sending = self._queue_sent_record(
            company, event.get("documentId"), "psb_document_id"
        )
        if not sending:
            return sending
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        reason = details.get("reason") or event.get("message") or ""
        sending._psb_delivery_event(
            topic,
            reason,
            self.env._(
                "The PSB could not deliver the invoice to the buyer: %s", reason
            ),
        )
        if topic == "InvoiceSent":
            sending.move_id._message_log(
                body=self.env._(
                    "Delivered to the buyer's Peppol access point (%s).",
                    sending.receiver,
                )
            )
        return sending
